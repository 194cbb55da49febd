// Metrics against matrices small enough to compute by hand (values in the comments).
import { describe, expect, it } from 'vitest';
import {
  attentionEntropy,
  layerMetric,
  matrixMetrics,
  meanAttentionDistance,
  previousTokenShare,
  specialTokenShare,
} from '../../src/lib/trace/metrics';
import { headAttention, tokensOf, type AttentionMatrix } from '../../src/lib/trace/attention-matrix';
import { compactTrace } from '../../src/lib/trace/compact';
import type { TraceToken } from '../../src/lib/trace/types';
import { syntheticTrace } from '../fixtures/synthetic-trace';

// Causal 3×3:  [1, 0, 0] / [.5, .5, 0] / [.2, .3, .5]
const P: AttentionMatrix = {
  rows: 3,
  cols: 3,
  values: Float32Array.from([1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5]),
  masked: Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0]),
  rowIds: [0, 1, 2],
  colIds: [0, 1, 2],
  rowStream: 'input',
  colStream: 'input',
};
const tok = (special: boolean): TraceToken => ({ id: 0, text: 'x', start: 0, end: 0, special });

describe('attention metrics', () => {
  it('mean attention distance: (0 + 0.5·1 + (0.2·2 + 0.3·1)) / 3 = 0.4', () => {
    expect(meanAttentionDistance(P)).toBeCloseTo(0.4, 6);
  });

  it('entropy in nats: (0 + ln 2 + 1.029653) / 3 = 0.574267', () => {
    // −(0.2 ln 0.2 + 0.3 ln 0.3 + 0.5 ln 0.5) = 0.321888 + 0.361192 + 0.346574
    expect(attentionEntropy(P)).toBeCloseTo(0.574267, 5);
  });

  it('share on special tokens (token 0 special): (1 + 0.5 + 0.2) / 3', () => {
    expect(specialTokenShare(P, [tok(true), tok(false), tok(false)])).toBeCloseTo(1.7 / 3, 6);
    expect(specialTokenShare(P, [tok(false), tok(false), tok(true)])).toBeCloseTo(0.5 / 3, 6);
  });

  it('share on the previous token, over rows that have one: (0.5 + 0.3) / 2', () => {
    expect(previousTokenShare(P)).toBeCloseTo(0.4, 6);
  });

  it('uniform attention over n keys has entropy ln n and distance as computed', () => {
    const n = 4;
    const u: AttentionMatrix = { ...P, rows: 1, cols: n, values: new Float32Array(n).fill(1 / n), masked: null, rowIds: [3], colIds: [0, 1, 2, 3] };
    expect(attentionEntropy(u)).toBeCloseTo(Math.log(4), 6);
    expect(meanAttentionDistance(u)).toBeCloseTo((3 + 2 + 1 + 0) / 4, 6);
  });

  it('distances use token positions, so they survive hidden tokens', () => {
    // Rows are tokens 2 and 3, columns tokens 1 and 3.
    const m: AttentionMatrix = { ...P, rows: 2, cols: 2, values: Float32Array.from([1, 0, 0.5, 0.5]), masked: null, rowIds: [2, 3], colIds: [1, 3] };
    expect(meanAttentionDistance(m)).toBeCloseTo((1 + (0.5 * 2 + 0)) / 2, 6);
    // Token 3's previous token (2) is hidden: it counts 0; token 2's previous (1) has weight 1.
    expect(previousTokenShare(m)).toBeCloseTo(0.5, 6);
  });

  it('per layer: the mean over heads; cross-attention has no distance', () => {
    const t = syntheticTrace({ family: 't5', layers: 2, heads: 3, tokens: 5, decoderTokens: 4 });
    const perLayer = layerMetric(t, 'encoder', 'entropy');
    expect(perLayer).toHaveLength(2);
    const heads = [0, 1, 2].map((h) => {
      // Independent recomputation from the raw probs.
      const p = t.attention.encoder!.probs!.data;
      let acc = 0;
      for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
        const v = p[((1 * 3 + h) * 5 + i) * 5 + j];
        if (v > 0) acc -= v * Math.log(v);
      }
      return acc / 5;
    });
    expect(perLayer[1]).toBeCloseTo((heads[0] + heads[1] + heads[2]) / 3, 5);
    expect(layerMetric(t, 'cross', 'distance').every(Number.isNaN)).toBe(true);
    expect(layerMetric(t, 'cross', 'special').every(Number.isFinite)).toBe(true);
  });

  it('in one pass (the summary\'s): every value equal to the four functions, bit for bit', () => {
    const gpt = syntheticTrace({ family: 'gpt2', layers: 2, heads: 2, tokens: 23, seed: 3 });
    // A NaN weight, a row with no weight at all, and −0 at a row's end: the edge cases of the pass.
    const p = gpt.attention.self!.probs!.data;
    p[((0 * 2 + 1) * 23 + 9) * 23 + 4] = NaN;
    for (let j = 0; j < 23; j++) p[((1 * 2 + 0) * 23 + 5) * 23 + j] = 0;
    p[((1 * 2 + 1) * 23 + 22) * 23 + 22] = -0;
    const bert = syntheticTrace({ family: 'bert', layers: 1, heads: 2, tokens: 11, seed: 4 });
    const t5 = syntheticTrace({ family: 't5', layers: 1, heads: 2, tokens: 7, decoderTokens: 6 });
    const cases = [[gpt, 'self'], [compactTrace(gpt, 0), 'self'], [bert, 'self'], [t5, 'encoder'], [t5, 'decoder'], [t5, 'cross']] as const;
    let compared = 0;
    for (const [trace, kind] of cases) {
      const [L, H] = trace.attention[kind]!.probs!.shape;
      for (let l = 0; l < L; l++)
        for (let h = 0; h < H; h++) {
          const m = headAttention(trace, kind, l, h);
          const cols = tokensOf(trace, m.colStream);
          const one = matrixMetrics(m, cols);
          expect(Object.is(one.distance, meanAttentionDistance(m)), `${kind} ${l} ${h} distance`).toBe(true);
          expect(Object.is(one.entropy, attentionEntropy(m)), `${kind} ${l} ${h} entropy`).toBe(true);
          expect(Object.is(one.special, specialTokenShare(m, cols)), `${kind} ${l} ${h} special`).toBe(true);
          expect(Object.is(one.previous, previousTokenShare(m)), `${kind} ${l} ${h} previous`).toBe(true);
          compared++;
        }
    }
    expect(compared).toBe(4 + 4 + 2 + 6);
    // The NaN row makes that head's entropy NaN; the empty row is skipped, not counted as 0.
    expect(matrixMetrics(headAttention(gpt, 'self', 0, 1), gpt.tokens).entropy).toBeNaN();
  });
});

describe('the compare page says what its chart shows', async () => {
  const { compareSentences } = await import('../../src/lib/trace/metrics');
  it('names the model that is higher layer by layer, with both means, from the drawn series', () => {
    const lines = (a: number[], b: number[]) => [{ label: 'tiny-bert', values: a }, { label: 'tiny-gpt2', values: b }];
    const s = compareSentences([
      { name: 'previous', label: 'Share on previous token', unit: 'fraction', lines: lines([0.5, 0.4, 0.1], [0.2, 0.3, 0.6]) },
      { name: 'entropy', label: 'Attention entropy', unit: 'nats', lines: lines([1, 1, 1], [2, 2, 2]) },
      { name: 'distance', label: 'Mean attention distance', unit: 'tokens', lines: lines([NaN, 3], [NaN, 1]) },
      { name: 'special', label: 'Share on special tokens', unit: 'fraction', lines: [{ label: 'one', values: [0.1] }] },
    ]);
    expect(s).toEqual([
      'Share on previous token: tiny-bert is higher in 2 of 3 layers, tiny-gpt2 in 1 (mean 33 % vs 37 %).',
      'Attention entropy: tiny-gpt2 is higher in every layer (mean 1.00 nats vs 2.00 nats).',
      'Mean attention distance: tiny-bert is higher in every layer (mean 3.00 tokens vs 1.00 tokens).',
    ]);
  });
});
