// Exact values for float16 traces (issue 18, item 3): a trace over the page's budget keeps its
// matrices as float16, and the heads a view shows, the CSV and the JSON read the float32 the
// worker kept. The source here is what the worker keeps (the lossless compact trace); the
// browser test (tests/browser/exact-values.test.ts) runs the real worker.
import { describe, expect, it } from 'vitest';
import { syntheticTrace } from '../fixtures/synthetic-trace';
import { compactTrace, compactWithExact } from '../../src/lib/trace/compact';
import { attachExact, exactTrace, hasFloat16, isExact, loadExact, loadExactHeads, onExact, type ExactSource } from '../../src/lib/trace/exact';
import { headMatrix, isPacked, matrixValue, type DenseTrace, type Trace } from '../../src/lib/trace/types';
import { unpackHead } from '../../src/lib/trace/packed';
import { traceToJSONString } from '../../src/lib/trace/json';
import { attentionMatrix } from '../../src/lib/trace/attention-matrix';
import { valueWeightedHead } from '../../src/lib/trace/analysis';
import { neuronSteps, PROB_TOLERANCE } from '../../src/lib/trace/neuron';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A worker's side of the exchange: the lossless stacks of the run, and a count of what was asked. */
function workerSource(dense: DenseTrace, keeps = true): ExactSource & { asked: string[] } {
  const kept = compactTrace(dense, Infinity);
  const asked: string[] = [];
  return {
    asked,
    async head(kind, tap, layer, head) {
      asked.push(`${kind}/${tap}/${layer}/${head}`);
      const t = kept.attention[kind]?.[tap];
      if (!keeps || !t) return null;
      return isPacked(t) ? unpackHead(t, layer, head) : headMatrix(t, layer, head).slice();
    },
    async stack(kind, tap) {
      asked.push(`${kind}/${tap}`);
      return keeps ? (kept.attention[kind]?.[tap] ?? null) : null;
    },
  };
}

function float16Trace(dense: DenseTrace, keeps = true): { page: Trace; source: ReturnType<typeof workerSource> } {
  const page = compactTrace(dense, 0);
  const source = workerSource(dense, keeps);
  attachExact(page, source);
  return { page, source };
}

describe('exact values of a float16 trace', () => {
  it('replace the float16 rounding of a shown head with the float32 the model produced', async () => {
    const dense = syntheticTrace({ family: 'gpt2', tokens: 12, layers: 2, heads: 3, headDim: 16 });
    const { page, source } = float16Trace(dense);
    expect(hasFloat16(page)).toBe(true);
    const probs = page.attention.self!.probs!;
    const scores = page.attention.self!.scores!;
    // Before: float16, which differs from the model's float32 somewhere in the head.
    expect(isExact(probs, 1, 2)).toBe(false);
    expect(bits(headMatrix(probs, 1, 2))).not.toEqual(bits(headMatrix(dense.attention.self!.probs!, 1, 2)));
    let arrivals = 0;
    const off = onExact(() => arrivals++);
    expect(await loadExactHeads(page, 'self', [[1, 2]])).toBe(true);
    off();
    expect(arrivals).toBe(1);
    expect(source.asked.sort()).toEqual(['self/probs/1/2', 'self/scores/1/2']);
    for (const [p, d] of [[probs, dense.attention.self!.probs!], [scores, dense.attention.self!.scores!]] as const) {
      expect(isExact(p, 1, 2)).toBe(true);
      expect(bits(headMatrix(p, 1, 2))).toEqual(bits(headMatrix(d, 1, 2)));
      expect(matrixValue(p, 1, 2, 9, 4)).toBe(d.data[((1 * 3 + 2) * 12 + 9) * 12 + 4]);
    }
    // Another head is still float16, and asking again for a known head asks the worker nothing.
    expect(isExact(probs, 0, 0)).toBe(false);
    expect(await loadExactHeads(page, 'self', [[1, 2]])).toBe(false);
    expect(source.asked.length).toBe(2);
  });

  it('make the views’ numbers equal the dense trace’s: means, value-weighted cells, the Q/K/V check without slack', async () => {
    const dense = syntheticTrace({ family: 'gpt2', tokens: 10, layers: 2, heads: 3, headDim: 16 });
    // ‖v_j·W_O^h‖ per layer, head and key: any positive numbers do for the product.
    dense.attention.self!.valueNorms = { shape: [2, 3, 10], data: Float32Array.from({ length: 60 }, (_, i) => 0.5 + ((i * 37) % 11) / 7) };
    const { page } = float16Trace(dense);
    const req = { kind: 'self' as const, layer: 1, head: 0, average: 'heads' as const, hideSpecial: false };
    expect(bits(attentionMatrix(page, req).values)).not.toEqual(bits(attentionMatrix(dense, req).values));
    const weightedBefore = valueWeightedHead(page, 'self', 1, 1).slice();
    const before = neuronSteps(page, 'self', 1, 1, 7);
    await loadExactHeads(page, 'self', [[1, 0], [1, 1], [1, 2]]);
    expect(bits(attentionMatrix(page, req).values)).toEqual(bits(attentionMatrix(dense, req).values));
    // The value-weighted cache does not serve the float16 product after the exact head came.
    expect(bits(valueWeightedHead(page, 'self', 1, 1))).toEqual(bits(valueWeightedHead(dense, 'self', 1, 1)));
    expect(bits(valueWeightedHead(page, 'self', 1, 1))).not.toEqual(bits(weightedBefore));
    const after = neuronSteps(page, 'self', 1, 1, 7);
    if (!before.ok || !after.ok) throw new Error('missing taps');
    expect(before.steps.probCheck!.tolerance).toBeGreaterThan(PROB_TOLERANCE);
    expect(after.steps.probCheck!.tolerance).toBe(PROB_TOLERANCE);
    expect(after.steps.probCheck!.ok).toBe(true);
  });

  it('write the JSON of the dense trace, byte for byte, though the page holds float16', async () => {
    const dense = syntheticTrace({ family: 't5', tokens: 7, decoderTokens: 6 });
    const { page } = float16Trace(dense);
    expect(traceToJSONString(page)).not.toBe(traceToJSONString(dense));
    const { trace, exact } = await exactTrace(page);
    expect(exact).toBe(true);
    expect(hasFloat16(trace)).toBe(false);
    expect(traceToJSONString(trace)).toBe(traceToJSONString(dense));
  });

  it('say so when the worker no longer keeps the run, and keep the float16 values', async () => {
    const dense = syntheticTrace({ family: 'gpt2', tokens: 8 });
    const { page, source } = float16Trace(dense, false);
    const probs = page.attention.self!.probs!;
    const f16 = bits(headMatrix(probs, 0, 1));
    expect(await loadExact(probs, 0, 1)).toBe(false);
    expect(bits(headMatrix(probs, 0, 1))).toEqual(f16);
    // Once told, it stops asking.
    expect(await loadExact(probs, 0, 0)).toBe(false);
    expect(source.asked).toEqual(['self/probs/0/1']);
    const { trace, exact } = await exactTrace(page);
    expect(exact).toBe(false);
    expect(hasFloat16(trace)).toBe(true);
  });

  it('come from one compaction in the worker: the page\'s float16 trace and the lossless one it keeps', () => {
    const dense = syntheticTrace({ family: 't5', tokens: 7, decoderTokens: 6 });
    const { page, lossless } = compactWithExact(dense, 0);
    expect(traceToJSONString(page)).toBe(traceToJSONString(compactTrace(dense, 0)));
    expect(hasFloat16(page)).toBe(true);
    expect(lossless && hasFloat16(lossless)).toBe(false);
    expect(traceToJSONString(lossless!)).toBe(traceToJSONString(dense));
    // Within the budget nothing is float16, and the worker keeps no second copy.
    expect(compactWithExact(dense).lossless).toBeNull();
  });

  it('leave lossless traces alone: nothing is fetched', async () => {
    const dense = syntheticTrace({ family: 'gpt2', tokens: 8 });
    const page = compactTrace(dense);
    const source = workerSource(dense);
    attachExact(page, source);
    expect(hasFloat16(page)).toBe(false);
    expect(await loadExactHeads(page, 'self', [[0, 0]])).toBe(false);
    expect((await exactTrace(page)).trace).toBe(page);
    expect(source.asked).toEqual([]);
  });
});
