// Compact traces (issue 18): the page's packed matrices read back exactly (lower triangle) or
// within float16's rounding, and everything that reads a trace sees the same numbers.
import { describe, expect, it } from 'vitest';
import { syntheticTrace } from '../fixtures/synthetic-trace';
import { compactTrace, PAGE_MATRIX_BUDGET } from '../../src/lib/trace/compact';
import { pack, packedBlockMax, packedBytes, packedHasNonFinite, unpackAll, unpackHead, upperFill } from '../../src/lib/trace/packed';
import { denseData, headMatrix, isPacked, matrixValue, traceBytes } from '../../src/lib/trace/types';
import { traceToJSONString } from '../../src/lib/trace/json';
import { findNonFinite } from '../../src/lib/trace/non-finite';
import { headAttention, headCells, packedCells } from '../../src/lib/trace/attention-matrix';
import { reduceMax } from '../../src/lib/viz/raster';
import { headRoles } from '../../src/lib/trace/head-roles';
import { neuronSteps, PROB_TOLERANCE } from '../../src/lib/trace/neuron';
import { randomCheckpoint } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { loadModel } from '../../src/lib/runtime/load';
import { estimateTraceBytes, TRACE_MEMORY_LIMIT } from '../../src/lib/runtime/memory';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('packed attention matrices', () => {
  it('keep a causal stack bit for bit in half the bytes, and a bidirectional one dense', () => {
    const gpt = syntheticTrace({ family: 'gpt2', tokens: 9, layers: 2, heads: 3 });
    const probs = gpt.attention.self!.probs!;
    const scores = gpt.attention.self!.scores!;
    expect(upperFill(probs.data, probs.shape)).toBe(0);
    // Masked scores hold the graph's sentinel (the float32 minimum).
    expect(upperFill(scores.data, scores.shape)).toBe(Math.fround(-3.4028234663852886e38));
    const compact = compactTrace(gpt);
    const p = compact.attention.self!.probs!;
    expect(isPacked(p) && p.packing).toBe('lower');
    expect(bits(denseData(p))).toEqual(bits(probs.data));
    expect(bits(denseData(compact.attention.self!.scores!))).toEqual(bits(scores.data));
    // 9 rows keep 1 + 2 + … + 9 = 45 of 81 cells.
    expect(packedBytes(probs.shape, 'lower')).toBe(2 * 3 * 45 * 4);
    for (let l = 0; l < 2; l++) for (let h = 0; h < 3; h++) expect(bits(headMatrix(p, l, h))).toEqual(bits(headMatrix(probs, l, h)));
    expect(matrixValue(p, 1, 2, 7, 3)).toBe(probs.data[((1 * 3 + 2) * 9 + 7) * 9 + 3]);
    // BERT attends both ways: nothing to drop, so its matrices stay as they were.
    const bert = syntheticTrace({ family: 'bert', tokens: 6 });
    expect(compactTrace(bert).attention.self!.probs).toBe(bert.attention.self!.probs);
  });

  it('stay dense when a cell above the diagonal is not masked (the packing never loses a value)', () => {
    const t = syntheticTrace({ family: 'gpt2', tokens: 5 });
    const p = t.attention.self!.probs!;
    p.data[((1 * 2 + 0) * 5 + 1) * 5 + 4] = 1e-9; // layer 1, head 0, query 1 sees key 4
    expect(upperFill(p.data, p.shape)).toBeNull();
    const c = compactTrace(t);
    expect(isPacked(c.attention.self!.probs!)).toBe(false);
    expect(isPacked(c.attention.self!.scores!)).toBe(true);
  });

  it('go to float16 only over the budget, within float16 rounding, and leave the input trace alone', () => {
    const t = syntheticTrace({ family: 't5', tokens: 7, decoderTokens: 6 });
    const before = traceToJSONString(t);
    const c = compactTrace(t, 1); // a 1-byte budget: everything that can be float16 is
    expect(traceToJSONString(t)).toBe(before);
    for (const kind of ['encoder', 'decoder', 'cross'] as const) {
      const dense = t.attention[kind]!.probs!;
      const packed = c.attention[kind]!.probs!;
      expect(isPacked(packed) && packed.packing, kind).toBe(kind === 'decoder' ? 'lower-f16' : 'f16');
      const back = denseData(packed);
      for (let i = 0; i < dense.data.length; i++) {
        const v = dense.data[i];
        // float16 keeps 11 significant bits: relative error ≤ 2⁻¹¹ for normal numbers, 2⁻²⁴ absolute below them.
        expect(Math.abs(back[i] - v), `${kind} ${i}`).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -24));
      }
    }
    // Under the budget (the default, 80 MB) these tiny stacks stay float32.
    expect(PAGE_MATRIX_BUDGET).toBe(80e6);
    const lossless = compactTrace(t);
    expect(bits(denseData(lossless.attention.decoder!.probs!))).toEqual(bits(t.attention.decoder!.probs!.data));
    expect(traceBytes(lossless)).toBeLessThan(traceBytes(t));
  });

  it('keep a stack float32 when float16 would turn its numbers into infinities', () => {
    const t = syntheticTrace({ family: 'gpt2', tokens: 4 });
    t.attention.self!.scores!.data[0] = 70000; // above float16's largest finite value, 65504
    const c = compactTrace(t, 1);
    const s = c.attention.self!.scores!;
    expect(isPacked(s) && s.packing).toBe('lower');
    expect(findNonFinite(c)).toBeNull();
  });

  it('are read the same by the views, the checks and the JSON file', () => {
    const t = syntheticTrace({ family: 'gpt2', tokens: 12, layers: 2, heads: 2 });
    t.attention.self!.probs!.data[((0 * 2 + 1) * 12 + 3) * 12 + 2] = NaN;
    for (const c of [compactTrace(t), compactTrace(t, 1)]) {
      expect(findNonFinite(c)).toEqual(findNonFinite(t));
      const a = headAttention(c, 'self', 1, 1);
      const b = headAttention(t, 'self', 1, 1);
      expect(a.masked).toEqual(b.masked);
      expect(a.values.length).toBe(b.values.length);
    }
    // Lossless: the JSON file is the dense trace's, byte for byte; the roles are computed alike.
    expect(traceToJSONString(compactTrace(t))).toBe(traceToJSONString(t));
    expect(headRoles(compactTrace(t), 'self')).toEqual(headRoles(t, 'self'));
  });

  it('give the model grid the same block maxima read in place as reduced from the decoded head', () => {
    const t = syntheticTrace({ family: 'gpt2', tokens: 37, layers: 2, heads: 2 });
    t.attention.self!.probs!.data[((1 * 2 + 1) * 37 + 20) * 37 + 5] = NaN;
    const b = syntheticTrace({ family: 'bert', tokens: 23, layers: 1, heads: 2 });
    // Float16 heads are reduced on their bits when every value is ≥ +0; a negative value or −0 sends a head down the decoding path.
    const neg = syntheticTrace({ family: 'gpt2', tokens: 37, layers: 2, heads: 2, seed: 5 });
    neg.attention.self!.probs!.data[((0 * 2 + 1) * 37 + 30) * 37 + 2] = -0.25;
    neg.attention.self!.probs!.data[((1 * 2 + 0) * 37 + 12) * 37 + 3] = -0;
    for (const [trace, budget] of [[t, undefined], [t, 1], [b, 1], [neg, 1]] as const) {
      const c = compactTrace(trace, budget);
      for (let l = 0; l < trace.attention.self!.probs!.shape[0]; l++)
        for (let h = 0; h < 2; h++) {
          const p = packedCells(c, 'self', l, h);
          expect(p, `${trace.model.family} ${budget}`).not.toBeNull();
          for (const [R, C] of [[5, 7], [37, 37], [23, 9]])
            for (const log of [false, true]) {
              const want = reduceMax(headCells(c, 'self', l, h), Math.min(R, p!.shape[2]), Math.min(C, p!.shape[3]), log ? 'log' : 'linear');
              const got = packedBlockMax(p!, l, h, Math.min(R, p!.shape[2]), Math.min(C, p!.shape[3]), log);
              expect([got.lo, got.hi]).toEqual([want.lo, want.hi]);
              expect(Array.from(got.out)).toEqual(Array.from(want.out));
            }
          expect(packedHasNonFinite(p!, l, h)).toBe(l === 1 && h === 1 && trace === t);
        }
    }
    // The dense trace has nothing to read in place.
    expect(packedCells(t, 'self', 0, 0)).toBeNull();
  });

  it('let the Q/K/V check pass on float16 storage only by float16\'s own rounding, and fail on a real change', () => {
    const t = syntheticTrace({ family: 'gpt2', tokens: 10, headDim: 16 });
    for (const [c, f16] of [[compactTrace(t), false], [compactTrace(t, 1), true]] as const) {
      const r = neuronSteps(c, 'self', 1, 1, 7);
      if (!r.ok) throw new Error('missing taps');
      expect(r.steps.probCheck!.ok).toBe(true);
      expect(r.steps.scoreCheck!.ok).toBe(true);
      // Exact storage keeps the tolerances; float16 widens them by 2⁻¹¹ of the largest value, no more.
      const maxProb = Math.max(...Array.from(r.steps.tappedProbs!));
      expect(r.steps.probCheck!.tolerance).toBeCloseTo(PROB_TOLERANCE + (f16 ? maxProb * 2 ** -11 : 0), 12);
      expect(r.steps.probCheck!.tolerance).toBeLessThan(PROB_TOLERANCE + 2 ** -11);
    }
    // A weight moved by 1e-3 is still caught on float16 storage.
    const moved = syntheticTrace({ family: 'gpt2', tokens: 10, headDim: 16 });
    moved.attention.self!.probs!.data[((1 * 2 + 1) * 10 + 7) * 10 + 3] += 1e-3;
    const r = neuronSteps(compactTrace(moved, 1), 'self', 1, 1, 7);
    expect(r.ok && r.steps.probCheck!.ok).toBe(false);
  });

  it('unpack a head with rows longer than the triangle (a decoder step reads every earlier key)', () => {
    // 2 queries over 5 keys: the step's rows keep 4 and 5 keys.
    const shape = [1, 1, 2, 5];
    const data = Float32Array.from([0.1, 0.2, 0.3, 0.4, 0, 0.1, 0.1, 0.2, 0.3, 0.3]);
    expect(upperFill(data, shape)).toBe(0);
    const p = pack(data, shape, 'lower', 0);
    expect(p.packed.length).toBe(9);
    expect(bits(unpackHead(p, 0, 0))).toEqual(bits(data));
    expect(bits(unpackAll(p))).toEqual(bits(data));
  });
});

describe('fitting the taps to the memory limit', () => {
  it('leaves out the scores first, keeps every weight, and only when asked', async () => {
    // 2 layers × 4 heads at 5,000 positions: probs and scores are 0.8 GB each, over the 1 GB limit together.
    const cp = randomCheckpoint({ family: 'gpt2', seed: 5, layers: 2, dModel: 32, heads: 4 });
    const runner = await loadModel(filesOf(cp), { id: 'fit', source: 'local' }, 'wasm');
    const asked = runner.request({});
    expect(runner.fitRequest(5000, 5000, asked, {}).request).toBe(asked);
    expect(() => runner.checkMemory(5000, 5000, asked)).toThrow(/MB of attention data/);
    const fitted = runner.fitRequest(5000, 5000, asked, { fitTaps: true });
    expect(fitted.leftOut?.taps).toEqual(['scores']);
    expect(fitted.leftOut!.bytes).toBe(estimateTraceBytes(runner.info, 5000, 5000, asked));
    expect([...fitted.request.taps].sort()).toEqual([...asked.taps].filter((t) => t !== 'scores').sort());
    expect(estimateTraceBytes(runner.info, 5000, 5000, fitted.request)).toBeLessThanOrEqual(TRACE_MEMORY_LIMIT);
    // Short inputs keep every tap.
    expect(runner.fitRequest(64, 64, asked, { fitTaps: true }).leftOut).toBeUndefined();
  });
});
