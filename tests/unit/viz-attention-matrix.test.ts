import { describe, expect, it } from 'vitest';
import {
  attentionMatrix,
  averageMatrices,
  headAttention,
  hideTokens,
  maskOf,
  type AttentionMatrix,
} from '../../src/lib/trace/attention-matrix';
import { syntheticTrace } from '../fixtures/synthetic-trace';

const mat = (rows: number, cols: number, values: number[], masked: number[] | null = null): AttentionMatrix => ({
  rows,
  cols,
  values: Float32Array.from(values),
  masked: masked ? Uint8Array.from(masked) : null,
  rowIds: Array.from({ length: rows }, (_, i) => i),
  colIds: Array.from({ length: cols }, (_, i) => i),
  rowStream: 'input',
  colStream: 'input',
});

describe('attention matrices', () => {
  it('takes the mask from the tapped scores when present', () => {
    const t = syntheticTrace({ family: 'gpt2', tokens: 4 });
    expect(Array.from(maskOf(t, 'self', 1, 1)!)).toEqual([0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    // A bidirectional stack has no mask.
    expect(maskOf(syntheticTrace({ family: 'bert', tokens: 4 }), 'self', 0, 0)).toBeNull();
  });

  it('falls back to the family causality when scores were not tapped', () => {
    const t = syntheticTrace({ family: 't5', tokens: 3, decoderTokens: 3, taps: ['probs'] });
    expect(t.attention.decoder!.scores).toBeUndefined();
    expect(Array.from(maskOf(t, 'decoder', 0, 1)!)).toEqual([0, 1, 1, 0, 0, 1, 0, 0, 0]);
    expect(maskOf(t, 'cross', 0, 0)).toBeNull();
    expect(maskOf(t, 'encoder', 0, 0)).toBeNull();
  });

  it('averages cell by cell; masked only where masked in all', () => {
    const a = mat(2, 2, [1, 0, 0.25, 0.75], [0, 1, 0, 0]);
    const b = mat(2, 2, [1, 0, 0.75, 0.25], [0, 1, 0, 0]);
    const m = averageMatrices([a, b]);
    expect(Array.from(m.values)).toEqual([1, 0, 0.5, 0.5]);
    expect(Array.from(m.masked!)).toEqual([0, 1, 0, 0]);
    expect(averageMatrices([a, mat(2, 2, [0.5, 0.5, 0.5, 0.5])]).masked).toBeNull();
  });

  it('averages over heads of a layer and over layers of a head, as the mean of the tapped probs', () => {
    const t = syntheticTrace({ family: 'bert', layers: 3, heads: 4, tokens: 5 });
    const heads = attentionMatrix(t, { kind: 'self', layer: 1, head: 0, average: 'heads', hideSpecial: false });
    const layers = attentionMatrix(t, { kind: 'self', layer: 0, head: 2, average: 'layers', hideSpecial: false });
    const p = t.attention.self!.probs!.data;
    const at = (l: number, h: number, i: number, j: number) => p[((l * 4 + h) * 5 + i) * 5 + j];
    expect(heads.values[2 * 5 + 3]).toBeCloseTo((at(1, 0, 2, 3) + at(1, 1, 2, 3) + at(1, 2, 2, 3) + at(1, 3, 2, 3)) / 4, 6);
    expect(layers.values[4 * 5 + 0]).toBeCloseTo((at(0, 2, 4, 0) + at(1, 2, 4, 0) + at(2, 2, 4, 0)) / 3, 6);
  });

  it('hiding tokens drops their rows and columns and renormalises rows to sum to 1', () => {
    // Row 1: [0.2, 0.3, 0.5]; hide column 0 → [0.3, 0.5]/0.8 = [0.375, 0.625].
    const m = mat(3, 3, [0.6, 0.1, 0.3, 0.2, 0.3, 0.5, 0.1, 0.1, 0.8]);
    const h = hideTokens(m, (i) => i === 0, (j) => j === 0);
    expect(h.rows).toBe(2);
    expect(h.cols).toBe(2);
    expect(h.rowIds).toEqual([1, 2]);
    expect(h.colIds).toEqual([1, 2]);
    expect(h.values[0]).toBeCloseTo(0.375, 6);
    expect(h.values[1]).toBeCloseTo(0.625, 6);
    expect(h.values[2]).toBeCloseTo(1 / 9, 6);
    expect(h.values[3]).toBeCloseTo(8 / 9, 6);
  });

  it('after hiding [CLS] and [SEP] every row of a real-shaped trace sums to 1', () => {
    const t = syntheticTrace({ family: 'bert', tokens: 7, heads: 2 });
    const m = attentionMatrix(t, { kind: 'self', layer: 1, head: 1, average: 'none', hideSpecial: true });
    expect(m.rows).toBe(5);
    expect(m.colIds).toEqual([1, 2, 3, 4, 5]);
    for (let i = 0; i < m.rows; i++) {
      let s = 0;
      for (let j = 0; j < m.cols; j++) s += m.values[i * m.cols + j];
      expect(s).toBeCloseTo(1, 5);
    }
  });

  it('a causal row left with no weight after hiding becomes masked, not NaN', () => {
    // GPT-2-like row 0 attends only to token 0; hide column 0 but keep row 0.
    const m = mat(2, 2, [1, 0, 0.4, 0.6], [0, 1, 0, 0]);
    const h = hideTokens(m, () => false, (j) => j === 0);
    expect(Array.from(h.values)).toEqual([0, 1]);
    expect(Array.from(h.masked!)).toEqual([1, 0]);
  });

  it('zeros the probs of masked cells in the matrix it hands out', () => {
    const t = syntheticTrace({ family: 'gpt2', tokens: 4 });
    const m = headAttention(t, 'self', 0, 0);
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) expect(m.values[i * 4 + j]).toBe(0);
  });
});
