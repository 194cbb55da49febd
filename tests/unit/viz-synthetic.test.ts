// The synthetic trace is the fixture every view test stands on, so it is checked
// against the arithmetic it claims, independently of the view code.
import { describe, expect, it } from 'vitest';
import { MASK_VALUE, syntheticTrace, truncateDecoder } from '../fixtures/synthetic-trace';
import { traceFromJSON, traceToJSON } from '../../src/lib/trace/json';
import type { AttentionTaps, Tensor } from '../../src/lib/trace/types';

function rowSums(t: AttentionTaps<Tensor>): number[] {
  const [L, H, Q, K] = t.probs!.shape;
  const out: number[] = [];
  for (let r = 0; r < L * H * Q; r++) {
    let s = 0;
    for (let j = 0; j < K; j++) s += t.probs!.data[r * K + j];
    out.push(s);
  }
  return out;
}

describe('synthetic traces', () => {
  it('GPT-2-like: causal, rows sum to 1, masked scores are the float32 minimum', () => {
    const t = syntheticTrace({ family: 'gpt2', layers: 2, heads: 3, tokens: 6, headDim: 4 });
    const self = t.attention.self!;
    expect(self.probs!.shape).toEqual([2, 3, 6, 6]);
    expect(self.q!.shape).toEqual([2, 3, 6, 4]);
    for (const s of rowSums(self)) expect(s).toBeCloseTo(1, 5);
    // Row 2 of head (1, 2): keys 3.. masked, probs 0 there.
    const at = (i: number, j: number) => ((1 * 3 + 2) * 6 + i) * 6 + j;
    expect(self.scores!.data[at(2, 3)]).toBe(Math.fround(MASK_VALUE));
    expect(self.probs!.data[at(2, 3)]).toBe(0);
    expect(self.scores!.data[at(2, 2)]).toBeGreaterThan(-100);
  });

  it('GPT-2-like: scores = q·k/√d and probs = softmax(scores), recomputed here', () => {
    const t = syntheticTrace({ family: 'gpt2', layers: 1, heads: 1, tokens: 4, headDim: 4, seed: 9 });
    const { q, k, scores, probs } = t.attention.self!;
    const i = 3;
    const s = [0, 1, 2, 3].map((j) => {
      let dot = 0;
      for (let x = 0; x < 4; x++) dot += q!.data[i * 4 + x] * k!.data[j * 4 + x];
      return dot / 2;
    });
    s.forEach((v, j) => expect(scores!.data[i * 4 + j]).toBeCloseTo(v, 5));
    const e = s.map((v) => Math.exp(v));
    const z = e.reduce((a, b) => a + b);
    e.forEach((v, j) => expect(probs!.data[i * 4 + j]).toBeCloseTo(v / z, 6));
  });

  it('BERT-like: [CLS] … [SEP], special flags, nothing masked', () => {
    const t = syntheticTrace({ family: 'bert', tokens: 6 });
    expect(t.tokens.map((x) => x.text)[0]).toBe('[CLS]');
    expect(t.tokens.at(-1)!.text).toBe('[SEP]');
    expect(t.tokens.map((x) => x.special)).toEqual([true, false, false, false, false, true]);
    expect(Array.from(t.attention.self!.scores!.data).every((v) => v > -1e30)).toBe(true);
    for (const s of rowSums(t.attention.self!)) expect(s).toBeCloseTo(1, 5);
  });

  it('T5-like: encoder, causal decoder, cross [target, source], position bias, no scaling', () => {
    const t = syntheticTrace({ family: 't5', layers: 2, decoderLayers: 3, heads: 2, tokens: 5, decoderTokens: 4, headDim: 4 });
    expect(t.model.scaled).toBe(false);
    expect(t.decoderTokens![0]).toMatchObject({ text: '<pad>', special: true });
    expect(t.attention.encoder!.probs!.shape).toEqual([2, 2, 5, 5]);
    expect(t.attention.decoder!.probs!.shape).toEqual([3, 2, 4, 4]);
    expect(t.attention.cross!.probs!.shape).toEqual([3, 2, 4, 5]);
    expect(t.attention.cross!.k!.shape).toEqual([3, 2, 5, 4]);
    expect(t.attention.encoder!.positionBias!.shape).toEqual([2, 5, 5]);
    expect(t.attention.decoder!.positionBias!.shape).toEqual([2, 4, 4]);
    expect(t.attention.cross!.positionBias).toBeUndefined();
    // Encoder (layer 1, head 1, query 2, key 4): q·k + bias, unscaled.
    const enc = t.attention.encoder!;
    let dot = 0;
    for (let x = 0; x < 4; x++) dot += enc.q!.data[((1 * 2 + 1) * 5 + 2) * 4 + x] * enc.k!.data[((1 * 2 + 1) * 5 + 4) * 4 + x];
    const bias = enc.positionBias!.data[(1 * 5 + 2) * 5 + 4];
    expect(enc.scores!.data[((1 * 2 + 1) * 5 + 2) * 5 + 4]).toBeCloseTo(dot + bias, 5);
    expect(t.attention.decoder!.scores!.data[1]).toBe(Math.fround(MASK_VALUE));
    for (const kind of ['encoder', 'decoder', 'cross'] as const) for (const s of rowSums(t.attention[kind]!)) expect(s).toBeCloseTo(1, 5);
  });

  it('survives the JSON form unchanged (masked scores come back as the sentinel)', () => {
    const t = syntheticTrace({ family: 't5', tokens: 4, decoderTokens: 3 });
    const back = traceFromJSON(JSON.parse(JSON.stringify(traceToJSON(t))));
    for (const kind of ['encoder', 'decoder', 'cross'] as const)
      for (const tap of ['q', 'k', 'v', 'scores', 'probs', 'context', 'positionBias'] as const) {
        const a = t.attention[kind]![tap];
        const b = back.attention[kind]![tap];
        expect(b?.shape, `${kind}.${tap}`).toEqual(a?.shape);
        if (a) expect(Array.from(b!.data)).toEqual(Array.from(a.data));
      }
    expect(back.decoderTokens).toEqual(t.decoderTokens);
  });

  it('is seeded: same seed, same numbers; other seed, other numbers', () => {
    const a = syntheticTrace({ family: 'bert', seed: 3 }).attention.self!.probs!.data;
    const b = syntheticTrace({ family: 'bert', seed: 3 }).attention.self!.probs!.data;
    const c = syntheticTrace({ family: 'bert', seed: 4 }).attention.self!.probs!.data;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('truncating the decoder keeps the first rows exactly (what a shorter generation gives)', () => {
    const t = syntheticTrace({ family: 't5', tokens: 4, decoderTokens: 5 });
    const s = truncateDecoder(t, 3);
    expect(s.decoderTokens).toHaveLength(3);
    expect(s.attention.cross!.probs!.shape).toEqual([2, 2, 3, 4]);
    expect(s.attention.decoder!.probs!.shape).toEqual([2, 2, 3, 3]);
    expect(s.attention.decoder!.positionBias!.shape).toEqual([2, 3, 3]);
    // head (1,1), row 2 of cross
    const full = t.attention.cross!.probs!.data.subarray(((1 * 2 + 1) * 5 + 2) * 4, ((1 * 2 + 1) * 5 + 3) * 4);
    const cut = s.attention.cross!.probs!.data.subarray(((1 * 2 + 1) * 3 + 2) * 4, ((1 * 2 + 1) * 3 + 3) * 4);
    expect(Array.from(cut)).toEqual(Array.from(full));
  });
});
