import { describe, expect, it } from 'vitest';
import { neuronSteps, SCORE_TOLERANCE } from '../../src/lib/trace/neuron';
import { syntheticTrace } from '../fixtures/synthetic-trace';

describe('the Q/K/V steps', () => {
  it('recompute the tapped scores, probs and context for every family and stack', () => {
    const cases = [
      [syntheticTrace({ family: 'gpt2', tokens: 6, seed: 2 }), 'self'],
      [syntheticTrace({ family: 'bert', tokens: 6, seed: 3 }), 'self'],
      [syntheticTrace({ family: 't5', tokens: 6, decoderTokens: 4, seed: 4 }), 'encoder'],
      [syntheticTrace({ family: 't5', tokens: 6, decoderTokens: 4, seed: 4 }), 'decoder'],
      [syntheticTrace({ family: 't5', tokens: 6, decoderTokens: 4, seed: 4 }), 'cross'],
    ] as const;
    for (const [trace, kind] of cases) {
      const r = neuronSteps(trace, kind, 1, 1, 2);
      expect(r.ok, kind).toBe(true);
      if (!r.ok) continue;
      expect(r.steps.scoreCheck!.ok, `${trace.model.family} ${kind}`).toBe(true);
      expect(r.steps.scoreCheck!.maxDiff).toBeLessThan(1e-5);
      expect(r.steps.probCheck!.ok).toBe(true);
      expect(r.steps.contextCheck!.ok).toBe(true);
    }
  });

  it('scales by 1/√d for GPT-2 and BERT, not for T5, and adds T5 position bias', () => {
    const g = neuronSteps(syntheticTrace({ family: 'gpt2', headDim: 16 }), 'self', 0, 0, 3);
    const t = neuronSteps(syntheticTrace({ family: 't5', headDim: 16 }), 'encoder', 0, 1, 3);
    if (!g.ok || !t.ok) throw new Error('steps missing');
    expect(g.steps.scale).toBe(0.25);
    expect(g.steps.bias).toBeNull();
    expect(t.steps.scale).toBeNull();
    expect(t.steps.bias).not.toBeNull();
    expect(t.steps.scores[5]).toBeCloseTo(t.steps.dots[5] + t.steps.bias![5], 9);
  });

  it('masks the causal future with −∞ and gives it zero weight', () => {
    const r = neuronSteps(syntheticTrace({ family: 'gpt2', tokens: 5 }), 'self', 0, 0, 1);
    if (!r.ok) throw new Error('steps missing');
    expect(Array.from(r.steps.masked)).toEqual([0, 0, 1, 1, 1]);
    expect(r.steps.maskSource).toBe('scores');
    expect(r.steps.scores[3]).toBe(-Infinity);
    expect(r.steps.probs[3]).toBe(0);
    expect(r.steps.probs[0] + r.steps.probs[1]).toBeCloseTo(1, 12);
  });

  it('q·k is the dot product of the tapped vectors', () => {
    const trace = syntheticTrace({ family: 'bert', tokens: 4, headDim: 4 });
    const r = neuronSteps(trace, 'self', 1, 0, 2);
    if (!r.ok) throw new Error('steps missing');
    const q = trace.attention.self!.q!.data;
    const k = trace.attention.self!.k!.data;
    let dot = 0;
    for (let x = 0; x < 4; x++) dot += q[((1 * 2 + 0) * 4 + 2) * 4 + x] * k[((1 * 2 + 0) * 4 + 3) * 4 + x];
    expect(r.steps.dots[3]).toBeCloseTo(dot, 6);
  });

  it('reports a difference when the tapped scores do not match q and k', () => {
    const trace = syntheticTrace({ family: 'bert', tokens: 4 });
    trace.attention.self!.scores!.data[((0 * 2 + 0) * 4 + 1) * 4 + 2] += 0.01;
    const r = neuronSteps(trace, 'self', 0, 0, 1);
    if (!r.ok) throw new Error('steps missing');
    expect(r.steps.scoreCheck!.ok).toBe(false);
    expect(r.steps.scoreCheck!.maxDiff).toBeGreaterThan(SCORE_TOLERANCE);
    expect(r.steps.scoreCheck!.maxDiff).toBeCloseTo(0.01, 4);
  });

  it('says which taps are missing', () => {
    const r = neuronSteps(syntheticTrace({ family: 'gpt2', taps: ['probs', 'q'] }), 'self', 0, 0, 0);
    expect(r).toEqual({ ok: false, missing: ['k', 'v'] });
  });
});
