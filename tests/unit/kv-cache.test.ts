// Generation with a key/value cache (issue 17): each step runs only the newest token against
// the cached keys and values of the earlier ones. Against recomputing the whole text every
// step, for every causal family (GPT-2, LLaMA with grouped-query attention, Mistral's sliding
// window, Qwen2's biased q/k/v, OPT): the same greedy tokens, the same step probabilities, and
// a cache whose size is 2 · layers · kvHeads · headDim · positions · 4 bytes.
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelDir } from '../../src/lib/runtime/node';
import { loadModel } from '../../src/lib/runtime/load';
import type { ModelRunner } from '../../src/lib/runtime/runner';
import { randomCheckpoint, type RandomCheckpointOptions } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { bools, causalKeep, floats, i64, range } from '../../src/lib/runtime/feeds';
import { INPUT, OUTPUT } from '../../src/lib/graph/taps';
import { cacheAtStep, kvHeadOf } from '../../src/lib/trace/kv-cache';
import { ropeTablesAt } from '../../src/lib/families/llama/run';
import type { LlamaConfig } from '../../src/lib/families/llama/config';
import type { AttentionKind, TapKey, DenseTrace } from '../../src/lib/trace/types';

/** RoPE's cos and sin at positions 0..T−1, as the runtime feeds them (families/llama/run.ts). */
function ropeFeeds(runner: ModelRunner, T: number) {
  const d = runner.info.headDim;
  const { cos, sin } = ropeTablesAt(range(T), runner.config as LlamaConfig);
  return { [INPUT.ropeCos]: floats(cos, [T, d]), [INPUT.ropeSin]: floats(sin, [T, d]) };
}

const runners: ModelRunner[] = [];
afterAll(async () => {
  for (const r of runners) await r.release();
});

async function compare(runner: ModelRunner, text: string, steps: number) {
  runners.push(runner);
  const cached = await runner.generate(text, { steps, cache: true });
  const recomputed = await runner.generate(text, { steps, cache: false });
  const a = cached.generated!;
  const b = recomputed.generated!;
  expect(a.cache).toBe(true);
  expect(b.cache).toBe(false);
  expect(a.steps.map((s) => s.id)).toEqual(b.steps.map((s) => s.id));
  expect(cached.text).toBe(recomputed.text);
  for (let i = 0; i < a.steps.length; i++) {
    expect(Math.abs(a.steps[i].prob - b.steps[i].prob), `step ${i}`).toBeLessThan(1e-4);
    a.steps[i].alternatives.forEach((alt, j) => expect(Math.abs(alt.prob - b.steps[i].alternatives[j].prob)).toBeLessThan(1e-4));
  }
  // The last step read every position but the one it wrote.
  const m = cached.model;
  const positions = cached.tokens.length - 1;
  expect(a.cacheBytes).toBe(2 * m.layers * (m.kvHeads ?? m.heads) * m.headDim * positions * 4);
  return { cached, recomputed };
}

describe('generation with a key/value cache', () => {
  it('the embedded tiny-gpt2 and tiny-llama write the same text, token for token, with the same probabilities', async () => {
    for (const id of ['tiny-gpt2', 'tiny-llama']) {
      const { cached } = await compare(await loadModelDir(`static/models/${id}`, { id, source: 'embedded' }), 'The cat sat on the mat, and then', 16);
      expect(cached.generated!.steps).toHaveLength(16);
    }
  });

  const families: [string, RandomCheckpointOptions][] = [
    ['OPT', { family: 'opt', seed: 5, layers: 2, dModel: 32, heads: 4, vocabSize: 50272 }],
    ['Qwen2 (biased q/k/v, grouped-query)', { family: 'qwen2', seed: 6, layers: 2, dModel: 32, heads: 4, kvHeads: 2 }],
    ['Mistral (sliding window of 4)', { family: 'mistral', seed: 7, layers: 2, dModel: 32, heads: 4, kvHeads: 1, overrides: { sliding_window: 4 } }],
    ['GPT-2 (random, full vocabulary)', { family: 'gpt2', seed: 8, layers: 2, dModel: 32, heads: 4 }],
  ];
  for (const [name, options] of families)
    it(`${name}: the same greedy tokens and step probabilities`, async () => {
      const cp = randomCheckpoint(options);
      await compare(await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm'), 'Once upon a time there was', 10);
    });
});

describe('the cache a step read, from the trace', () => {
  it('equals the graph’s own present_k/present_v: rows 0..p of the trace’s keys and values (GPT-2, LLaMA with grouped-query attention)', async () => {
    for (const id of ['tiny-gpt2', 'tiny-llama']) {
      const runner = await loadModelDir(`static/models/${id}`, { id, source: 'embedded' });
      runners.push(runner);
      const trace = await runner.generate('The cat sat on the mat, and', { steps: 6 });
      const m = trace.model;
      const kvHeads = m.kvHeads ?? m.heads;
      const T = trace.tokens.length;
      // The cached graph run over the whole text from an empty cache: its present_k/v is the cache after the last token.
      const empty = floats(new Float32Array(0), [m.layers, kvHeads, 0, m.headDim]);
      const rope = id === 'tiny-llama' ? ropeFeeds(runner, T) : {};
      const out = await runner.exec('main', { taps: new Set(), hidden: false, kvCache: true }, {
        ...rope,
        [INPUT.ids]: i64(trace.tokens.map((t) => t.id)),
        [INPUT.positions]: i64(range(T)),
        [INPUT.mask]: bools(causalKeep(T), [T, T]),
        [INPUT.logitPositions]: i64([T - 1]),
        [INPUT.pastK]: empty,
        [INPUT.pastV]: empty,
      });
      const presentK = out[OUTPUT.presentK].data as Float32Array;
      const presentV = out[OUTPUT.presentV].data as Float32Array;
      const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((d, x, i) => Math.max(d, Math.abs(x - b[i])), 0);
      expect(maxDiff(presentK, trace.attention.self!.k!.data), id).toBeLessThan(1e-5);
      expect(maxDiff(presentV, trace.attention.self!.v!.data), id).toBeLessThan(1e-5);
      // The cache step 4 read (its query at from + 2): keys 0..from+2 of layer 1's KV head for query head 3.
      const g = trace.generated!;
      const p = g.from + 2;
      const c = cacheAtStep(trace, 1, 3, p)!;
      const kv = kvHeadOf(3, m.heads, kvHeads);
      expect(kv).toBe(id === 'tiny-llama' ? 1 : 3);
      const at = (1 * kvHeads + kv) * T * m.headDim;
      expect(maxDiff(c.keys, presentK.subarray(at, at + (p + 1) * m.headDim))).toBeLessThan(1e-5);
      expect(c.positions).toBe(p + 1);
      expect(c.bytes).toBe(2 * m.layers * kvHeads * m.headDim * (p + 1) * 4);
      expect(c.bytesWithoutSharing / c.bytes).toBe(m.heads / kvHeads);
      expect(c.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });
});

/** Every tap of every stack in `a` within `tol` of `b`'s (relative to 1 for large values), with the same shapes. */
function expectSameTaps(a: DenseTrace, b: DenseTrace, tol: number, what: string) {
  expect(Object.keys(a.attention).sort(), what).toEqual(Object.keys(b.attention).sort());
  for (const kind of Object.keys(b.attention) as AttentionKind[])
    for (const [tap, want] of Object.entries(b.attention[kind]!)) {
      const got = a.attention[kind]![tap as TapKey];
      expect(got?.shape, `${what} ${kind}.${tap}`).toEqual(want!.shape);
      let worst = 0;
      want!.data.forEach((x, i) => (worst = Math.max(worst, Math.abs(got!.data[i] - x) / Math.max(1, Math.abs(x)))));
      expect(worst, `${what} ${kind}.${tap}`).toBeLessThan(tol);
    }
}

describe('T5 greedy decoding with a key/value cache', () => {
  // Decoder self-attention from the cache, cross-attention's keys and values projected once by the
  // encoder graph. Against recomputing every step: the same tokens, and every partial trace the
  // alignment view watches (stacked back from one query row per step) and the final trace equal.
  const cases: [string, () => Promise<ModelRunner>, string][] = [
    ['the embedded tiny-t5 (reversal)', () => loadModelDir('static/models/tiny-t5', { id: 'tiny-t5', source: 'embedded' }), 'reverse: apple house green window'],
    ['random t5-small shape', async () => { const cp = randomCheckpoint({ family: 't5', seed: 31, layers: 2, dModel: 32, heads: 4 }); return loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm'); }, 'summarize: the cat sat on the mat'],
    ['random T5 v1.1 (gated-gelu, untied head)', async () => { const cp = randomCheckpoint({ family: 't5-v1_1', seed: 32, layers: 2, dModel: 32, heads: 4 }); return loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm'); }, 'translate English to German: good morning'],
  ];
  for (const [name, load, text] of cases)
    it(`${name}: same tokens, same partial and final traces, cache bytes by formula`, async () => {
      const runner = await load();
      runners.push(runner);
      const cachedSteps: DenseTrace[] = [];
      const recomputedSteps: DenseTrace[] = [];
      const cached = await runner.generate(text, { steps: 8, cache: true, onStep: (t) => cachedSteps.push(t) });
      const recomputed = await runner.generate(text, { steps: 8, cache: false, onStep: (t) => recomputedSteps.push(t) });
      expect(cached.generation!.cache).toBe(true);
      expect(recomputed.generation!.cache).toBe(false);
      expect(cached.decoderTokens!.map((t) => t.id)).toEqual(recomputed.decoderTokens!.map((t) => t.id));
      expect(cached.target).toBe(recomputed.target);
      expect(cachedSteps.length).toBe(recomputedSteps.length);
      expect(cachedSteps.length).toBeGreaterThan(2);
      cachedSteps.forEach((t, i) => {
        expectSameTaps(t, recomputedSteps[i], 1e-4, `step ${i}`);
        expect(t.predictions!.map((p) => p.candidates[0].id), `step ${i}`).toEqual(recomputedSteps[i].predictions!.map((p) => p.candidates[0].id));
        t.predictions!.forEach((p, j) => expect(Math.abs(p.candidates[0].prob - recomputedSteps[i].predictions![j].candidates[0].prob)).toBeLessThan(1e-4));
      });
      expectSameTaps(cached, recomputed, 1e-4, 'final');
      const m = cached.model;
      const layers = m.decoderLayers ?? m.layers;
      const D = cached.decoderTokens!.length;
      expect(cached.generation!.cacheBytes).toBe(2 * layers * m.heads * m.headDim * D * 4);
      expect(cached.generation!.stepMs).toHaveLength(D);
      // What the KV-cache view reads at step 2 (decoder query 1): rows 0..1 of the decoder's keys, and cross-attention's once-computed share.
      const c = cacheAtStep(cached, layers - 1, 1, 1)!;
      expect(c.positions).toBe(2);
      expect(c.bytes).toBe(2 * layers * m.heads * m.headDim * 2 * 4);
      const k = cached.attention.decoder!.k!;
      const at = ((layers - 1) * m.heads + 1) * D * m.headDim;
      expect(Array.from(c.keys)).toEqual(Array.from(k.data.subarray(at, at + 2 * m.headDim)));
      expect(c.cross).toEqual({ sources: cached.tokens.length, bytes: 2 * layers * m.heads * m.headDim * cached.tokens.length * 4 });
    });
});

describe('a head replaced by its mean over positions', () => {
  it('generates without the cache (a one-position step has no mean over positions), as recomputing does', async () => {
    const runner = await loadModelDir('static/models/tiny-gpt2', { id: 'tiny-gpt2', source: 'embedded' });
    runners.push(runner);
    const ablation = { heads: [{ kind: 'self' as const, layer: 1, head: 0 }, { kind: 'self' as const, layer: 0, head: 1 }], mode: 'mean' as const };
    const asked = await runner.generate('The cat sat on the mat, and then', { steps: 8, ablation });
    const recomputed = await runner.generate('The cat sat on the mat, and then', { steps: 8, ablation, cache: false });
    expect(asked.generated!.cache).toBe(false);
    expect(asked.generated!.steps.map((s) => s.id)).toEqual(recomputed.generated!.steps.map((s) => s.id));
    asked.generated!.steps.forEach((s, i) => expect(Math.abs(s.prob - recomputed.generated!.steps[i].prob)).toBeLessThan(1e-5));
  });
});
