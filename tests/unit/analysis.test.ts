// Value-weighted attention and attention rollout (src/lib/trace/analysis.ts), computed from
// the app's own traces (onnxruntime-web WASM) on random checkpoints of every family, against
// the same quantities formed in float64 from the independent reference's taps
// (tests/reference/): probs × valueNorms, and the rollout product written here as plain
// matrix algebra.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointWeights, randomCheckpoint, type RandomCheckpointOptions } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { gpt2Forward } from '../reference/gpt2';
import { bertForward } from '../reference/bert';
import { t5Forward } from '../reference/t5';
import { llamaForward } from '../reference/llama';
import { optForward } from '../reference/opt';
import type { RefAttention, ReferenceTrace } from '../reference/types';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import type { AttentionKind, Trace } from '../../src/lib/trace/types';
import { attachAnalyses, rollout, valueWeightedHead, CROSS_ROLLOUT_REASON } from '../../src/lib/trace/analysis';
import { attentionMatrix } from '../../src/lib/trace/attention-matrix';
import { headMetric } from '../../src/lib/trace/metrics';
import { traceFromJSON, traceToJSON } from '../../src/lib/trace/json';

const TOLERANCE = 1e-4;

beforeAll(() => configureOrt({ threads: 1 }));

/** The reference's value-weighted matrix of one head, float64. */
function refValueWeighted(a: RefAttention, layer: number, head: number): Float64Array {
  const [, heads, rows, cols] = a.probs.shape;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * cols + j] = a.probs.data[((layer * heads + head) * rows + i) * cols + j] * a.valueNorms.data[(layer * heads + head) * cols + j];
  return out;
}

/** Rollout as matrices: Â_l = ½·mean_h A_l + ½·I (rows renormalised), R_l = Â_l·R_{l−1}. */
function refRollout(a: RefAttention): number[][][] {
  const [layers, heads, n] = a.probs.shape;
  const out: number[][][] = [];
  let prev: number[][] | null = null;
  for (let l = 0; l < layers; l++) {
    const hat = Array.from({ length: n }, (_, i) => {
      const row = Array.from({ length: n }, (_, j) => {
        let mean = 0;
        for (let h = 0; h < heads; h++) mean += a.probs.data[((l * heads + h) * n + i) * n + j];
        return 0.5 * (mean / heads) + (i === j ? 0.5 : 0);
      });
      const sum = row.reduce((x, y) => x + y, 0);
      return row.map((x) => x / sum);
    });
    const p: number[][] | null = prev;
    const r: number[][] = p ? hat.map((row) => Array.from({ length: n }, (_, j) => row.reduce((acc, x, k) => acc + x * p[k][j], 0))) : hat;
    out.push(r);
    prev = r;
  }
  return out;
}

function maxAbs(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(actual[i] - expected[i]));
  return m;
}

function expectAnalysesMatch(trace: Trace, ref: ReferenceTrace, kinds: AttentionKind[]): void {
  for (const kind of kinds) {
    const a = ref.attention[kind]!;
    const [layers, heads] = a.probs.shape;
    let norms = 0;
    for (let l = 0; l < layers; l++)
      for (let h = 0; h < heads; h++) {
        const expected = refValueWeighted(a, l, h);
        expect(maxAbs(valueWeightedHead(trace, kind, l, h), expected), `${kind} L${l} H${h} value-weighted`).toBeLessThan(TOLERANCE);
        norms = Math.max(norms, ...expected);
      }
    // The values are not weights: they exceed 1 somewhere for these random checkpoints, so a
    // view that drew them on a 0..1 scale would be wrong.
    expect(norms).toBeGreaterThan(1);
    if (kind === 'cross') {
      expect(() => rollout(trace, kind)).toThrow(CROSS_ROLLOUT_REASON);
      continue;
    }
    const expected = refRollout(a);
    const actual = rollout(trace, kind);
    const n = a.probs.shape[2];
    expect(actual.shape).toEqual([layers, n, n]);
    for (let l = 0; l < layers; l++) {
      expect(maxAbs(actual.data.subarray(l * n * n, (l + 1) * n * n), expected[l].flat()), `${kind} rollout L${l}`).toBeLessThan(TOLERANCE);
      for (let i = 0; i < n; i++) expect(expected[l][i].reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    }
  }
}

async function run(options: RandomCheckpointOptions, text: string, reference: (ids: number[], trace: Trace) => ReferenceTrace, kinds: AttentionKind[], target?: string) {
  const cp = randomCheckpoint(options);
  const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
  const trace = await runner.run(text, {}, target);
  const ref = reference(trace.tokens.map((t) => t.id), trace);
  await runner.release();
  return { trace, ref };
}

describe('value-weighted attention and rollout against the float64 reference', () => {
  it('GPT-2 (causal: the rollout of a future token is exactly 0)', async () => {
    const cp = randomCheckpoint({ family: 'gpt2', seed: 11, layers: 3, dModel: 48, heads: 4 });
    const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
    const trace = await runner.run('The quick brown fox jumps over the lazy dog.', {});
    await runner.release();
    const ref = gpt2Forward(cp.config, checkpointWeights(cp), trace.tokens.map((t) => t.id));
    expectAnalysesMatch(trace, ref, ['self']);
    const r = rollout(trace, 'self');
    const n = trace.tokens.length;
    for (let l = 0; l < r.shape[0]; l++) for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(r.data[(l * n + i) * n + j]).toBe(0);
  });

  it('BERT with padding (padded keys move nothing)', async () => {
    const cp = randomCheckpoint({ family: 'bert', seed: 3, layers: 2, dModel: 48, heads: 4 });
    const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
    const trace = await runner.run('The cat sat on the [MASK].', { padTo: 14 });
    await runner.release();
    const ids = trace.tokens.map((t) => t.id);
    const real = trace.tokens.filter((t) => t.id !== 0).length;
    const ref = bertForward(cp.config, checkpointWeights(cp), ids, { attentionMask: ids.map((_, i) => (i < real ? 1 : 0)) });
    expectAnalysesMatch(trace, ref, ['self']);
    const w = valueWeightedHead(trace, 'self', 1, 2);
    for (let i = 0; i < ids.length; i++) for (let j = real; j < ids.length; j++) expect(w[i * ids.length + j]).toBe(0);
  });

  it('T5: encoder, decoder and cross (cross has value weights but no rollout)', async () => {
    const { trace, ref } = await run({ family: 't5', seed: 8, layers: 2, dModel: 32, heads: 4 }, 'translate English to German: the house is big', (ids, t) => {
      const cp = randomCheckpoint({ family: 't5', seed: 8, layers: 2, dModel: 32, heads: 4 });
      return t5Forward(cp.config, checkpointWeights(cp), ids, t.decoderTokens!.map((x) => x.id));
    }, ['encoder', 'decoder', 'cross'], 'das haus');
    expectAnalysesMatch(trace, ref, ['encoder', 'decoder', 'cross']);
  });

  it('LLaMA with grouped-query attention (each query head uses its KV head’s values and its own W_O rows)', async () => {
    const opts = { family: 'llama', seed: 41, layers: 2, dModel: 64, heads: 4, kvHeads: 2 } as const;
    const { trace, ref } = await run(opts, 'The quick brown fox jumps over the lazy dog.', (ids) => {
      const cp = randomCheckpoint(opts);
      return llamaForward(cp.config, checkpointWeights(cp), ids);
    }, ['self']);
    expectAnalysesMatch(trace, ref, ['self']);
    // Heads 0 and 1 share KV head 0 but not their output rows, so their norms differ.
    const norms = trace.attention.self!.valueNorms!;
    const n = trace.tokens.length;
    expect(norms.shape).toEqual([2, 4, n]);
    expect(Math.abs(norms.data[0] - norms.data[n])).toBeGreaterThan(1e-3);
  });

  it('OPT', async () => {
    const opts = { family: 'opt', seed: 7, layers: 2, dModel: 32, heads: 4 } as const;
    const { trace, ref } = await run(opts, 'Hello there, general Kenobi.', (ids) => {
      const cp = randomCheckpoint(opts);
      return optForward(cp.config, checkpointWeights(cp), ids);
    }, ['self']);
    expectAnalysesMatch(trace, ref, ['self']);
  });
});

describe('value weighting in the views’ data', () => {
  it('the heatmap matrix is the value-weighted one, hiding special tokens does not renormalise it, and shares come from it', async () => {
    const cp = randomCheckpoint({ family: 'bert', seed: 5, layers: 2, dModel: 32, heads: 4 });
    const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
    const trace = await runner.run('Paris is the capital of [MASK].', {});
    await runner.release();
    const ref = bertForward(cp.config, checkpointWeights(cp), trace.tokens.map((t) => t.id));
    const a = ref.attention.self!;
    const n = trace.tokens.length;
    const expected = refValueWeighted(a, 1, 3);
    const m = attentionMatrix(trace, { kind: 'self', layer: 1, head: 3, average: 'none', hideSpecial: false, weighting: 'value-norm' });
    expect(maxAbs(m.values, expected)).toBeLessThan(TOLERANCE);
    const hidden = attentionMatrix(trace, { kind: 'self', layer: 1, head: 3, average: 'none', hideSpecial: true, weighting: 'value-norm' });
    // [CLS], [MASK] and [SEP] dropped; every remaining cell keeps its size (no renormalisation).
    const kept = trace.tokens.flatMap((t, i) => (t.special ? [] : [i]));
    expect(kept.length).toBe(n - 3);
    expect(hidden.rowIds).toEqual(kept);
    const sizes = hidden.rowIds.flatMap((i) => hidden.colIds.map((j) => expected[i * n + j]));
    expect(maxAbs(hidden.values, sizes)).toBeLessThan(TOLERANCE);
    // Share on special keys, value-weighted: Σ_special α·‖f‖ / Σ α·‖f‖, averaged over rows.
    const special = trace.tokens.map((t) => t.special);
    let share = 0;
    for (let i = 0; i < n; i++) {
      let all = 0;
      let sp = 0;
      for (let j = 0; j < n; j++) {
        all += expected[i * n + j];
        if (special[j]) sp += expected[i * n + j];
      }
      share += sp / all / n;
    }
    expect(Math.abs(headMetric(trace, 'self', 1, 3, 'special', 'value-norm') - share)).toBeLessThan(TOLERANCE);
    expect(Math.abs(headMetric(trace, 'self', 1, 3, 'special', 'value-norm') - headMetric(trace, 'self', 1, 3, 'special'))).toBeGreaterThan(1e-3);
  });

  it('the trace JSON carries valueNorms, valueWeighted and rollout under analysis, and reads them back', async () => {
    const cp = randomCheckpoint({ family: 'gpt2', seed: 2, layers: 2, dModel: 32, heads: 4 });
    const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
    const trace = attachAnalyses(await runner.run('One two three four', {}), new Set(['valueWeighted', 'rollout']));
    await runner.release();
    const json = traceToJSON(trace) as { analysis: Record<string, Record<string, unknown>>; taps: Record<string, Record<string, unknown>> };
    expect(Object.keys(json.analysis).sort()).toEqual(['rollout', 'valueNorms', 'valueWeighted']);
    expect(json.taps.self.valueNorms).toBeUndefined();
    const n = trace.tokens.length;
    const vw = json.analysis.valueWeighted.self as number[][][][];
    expect(vw[1][2][n - 1][0]).toBeCloseTo(valueWeightedHead(trace, 'self', 1, 2)[(n - 1) * n], 6);
    const back = traceFromJSON(JSON.parse(JSON.stringify(json)));
    expect(back.attention.self!.valueNorms!.shape).toEqual([2, 4, n]);
    expect(back.analysis!.rollout!.self!.shape).toEqual([2, n, n]);
    expect(maxAbs(back.analysis!.rollout!.self!.data, rollout(trace, 'self').data)).toBeLessThan(1e-7);
  });
});
