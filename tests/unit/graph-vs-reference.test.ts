// The app's ONNX graphs, run by the app's runner in onnxruntime-web (WASM, Node), against
// the independent float64 reference (tests/reference/) on random checkpoints of every
// family: every tap within 1e-4, plus the invariants of the masks.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointWeights, randomCheckpoint, realConfig, type RandomCheckpoint, type RandomCheckpointOptions } from '../helpers/random-checkpoint';
import { llamaForward, llamaGreedy } from '../reference/llama';
import { optForward, optGreedy } from '../reference/opt';
import { gpt2Forward, gpt2Greedy } from '../reference/gpt2';
import { bertForward } from '../reference/bert';
import { t5Forward, t5Greedy } from '../reference/t5';
import type { RefTensor, ReferenceTrace } from '../reference/types';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import { filesOf } from '../helpers/model-files';
import type { ModelRunner } from '../../src/lib/runtime/runner';
import { TAP_NAMES, type AttentionKind, type Tensor, type DenseTrace } from '../../src/lib/trace/types';
import { tapApplies } from '../../src/lib/vocabulary/taps';

/** The bar for every tap; observed differences are ~1e-6 (float32 vs float64). */
const TAP_TOLERANCE = 1e-4;
const ROW_SUM_TOLERANCE = 1e-5;

async function runnerFor(options: RandomCheckpointOptions): Promise<{ cp: RandomCheckpoint; runner: ModelRunner }> {
  const cp = randomCheckpoint(options);
  const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
  return { cp, runner };
}

function maxDiff(actual: Tensor, expected: RefTensor): number {
  expect(actual.shape).toEqual(expected.shape);
  let m = 0;
  for (let i = 0; i < expected.data.length; i++) m = Math.max(m, Math.abs(actual.data[i] - expected.data[i]));
  return m;
}

function compareAttention(trace: DenseTrace, ref: ReferenceTrace, kinds: AttentionKind[]): Record<string, number> {
  const diffs: Record<string, number> = {};
  for (const kind of kinds) {
    for (const tap of TAP_NAMES) {
      const expected = ref.attention[kind]![tap];
      if (!tapApplies(tap, trace.model.positionEncoding)) {
        expect(trace.attention[kind]?.[tap], `${kind}.${tap} only exists with RoPE`).toBeUndefined();
        continue;
      }
      const actual = trace.attention[kind]?.[tap];
      expect(actual, `${kind}.${tap}`).toBeDefined();
      expect(expected, `reference ${kind}.${tap}`).toBeDefined();
      diffs[`${kind}.${tap}`] = maxDiff(actual!, expected!);
    }
    if (ref.attention[kind]!.positionBias) diffs[`${kind}.positionBias`] = maxDiff(trace.attention[kind]!.positionBias!, ref.attention[kind]!.positionBias!);
  }
  return diffs;
}

function expectRowsSumToOne(probs: Tensor): void {
  const keys = probs.shape[3];
  for (let row = 0; row < probs.data.length / keys; row++) {
    let sum = 0;
    for (let k = 0; k < keys; k++) sum += probs.data[row * keys + k];
    expect(Math.abs(sum - 1)).toBeLessThan(ROW_SUM_TOLERANCE);
  }
}

function expectCausal(probs: Tensor): void {
  const [layers, heads, q, k] = probs.shape;
  for (let l = 0; l < layers; l++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < q; i++)
        for (let j = i + 1; j < k; j++) expect(probs.data[((l * heads + h) * q + i) * k + j]).toBe(0);
}

beforeAll(() => configureOrt({ threads: 1 }));

describe('GPT-2 graph against the float64 reference', () => {
  for (const bareNames of [false, true]) {
    it(`matches every tap, hidden state and logit (${bareNames ? 'bare h.N names' : 'transformer. prefix'})`, async () => {
      const { cp, runner } = await runnerFor({ family: 'gpt2', seed: 11, layers: 3, dModel: 48, heads: 4, bareNames });
      const trace = await runner.run('The quick brown fox jumps over the lazy dog, naïvely.', { hidden: true, predictAll: true, keepLogits: true });
      const ids = trace.tokens.map((t) => t.id);
      const ref = gpt2Forward(cp.config, checkpointWeights(cp), ids);
      const diffs = compareAttention(trace, ref, ['self']);
      diffs.hidden = maxDiff(trace.hidden!, ref.hidden.self!);
      diffs.logits = maxDiff(trace.logits!.values, ref.logits);
      for (const [name, d] of Object.entries(diffs)) expect(d, name).toBeLessThan(TAP_TOLERANCE);
      expectRowsSumToOne(trace.attention.self!.probs!);
      expectCausal(trace.attention.self!.probs!);
      await runner.release();
    });
  }

  it('generates the same greedy continuation as the reference', async () => {
    const { cp, runner } = await runnerFor({ family: 'gpt2', seed: 5, layers: 2, dModel: 32, heads: 4 });
    const prompt = 'Once upon a time';
    const trace = await runner.generate(prompt, { steps: 6, taps: ['probs'] });
    const promptIds = runner.codec.encode(prompt).tokens.map((t) => t.id);
    const expected = gpt2Greedy(cp.config, checkpointWeights(cp), promptIds, 6);
    expect(trace.tokens.map((t) => t.id)).toEqual(expected);
    await runner.release();
  });
});

describe('BERT graphs against the float64 reference', () => {
  it('matches every tap with padding masked (bert)', async () => {
    const { cp, runner } = await runnerFor({ family: 'bert', seed: 3, layers: 3, dModel: 48, heads: 4 });
    const trace = await runner.run('The cat sat on the [MASK] and purred.', { hidden: true, padTo: 16, keepLogits: true, predictAll: true });
    const ids = trace.tokens.map((t) => t.id);
    const real = trace.tokens.filter((t) => t.id !== 0).length;
    const mask = ids.map((_, i) => (i < real ? 1 : 0));
    expect(mask).toContain(0);
    const ref = bertForward(cp.config, checkpointWeights(cp), ids, { attentionMask: mask });
    const diffs = compareAttention(trace, ref, ['self']);
    diffs.hidden = maxDiff(trace.hidden!, ref.hidden.self!);
    for (const [name, d] of Object.entries(diffs)) expect(d, name).toBeLessThan(TAP_TOLERANCE);
    // Logits at the predicted positions.
    const v = trace.model.vocabSize;
    trace.logits!.positions.forEach((p, i) => {
      const row = { shape: [v], data: trace.logits!.values.data.subarray(i * v, (i + 1) * v) };
      expect(maxDiff(row, { shape: [v], data: ref.logits.data.subarray(p * v, (p + 1) * v) })).toBeLessThan(TAP_TOLERANCE);
    });
    const probs = trace.attention.self!.probs!;
    expectRowsSumToOne(probs);
    // Padded keys get exactly zero attention from every query.
    const n = probs.shape[3];
    for (let row = 0; row < probs.data.length / n; row++) for (let k = real; k < n; k++) expect(probs.data[row * n + k]).toBe(0);
    await runner.release();
  });

  it('matches every tap (distilbert naming)', async () => {
    const { cp, runner } = await runnerFor({ family: 'distilbert', seed: 4, layers: 2, dModel: 32, heads: 4 });
    const trace = await runner.run('Attention is all you need.', { hidden: true });
    const ref = bertForward(cp.config, checkpointWeights(cp), trace.tokens.map((t) => t.id));
    const diffs = compareAttention(trace, ref, ['self']);
    diffs.hidden = maxDiff(trace.hidden!, ref.hidden.self!);
    for (const [name, d] of Object.entries(diffs)) expect(d, name).toBeLessThan(TAP_TOLERANCE);
    await runner.release();
  });
});

describe('T5 graphs against the float64 reference', () => {
  for (const family of ['t5', 't5-v1_1'] as const) {
    it(`matches encoder, decoder and cross taps under teacher forcing (${family})`, async () => {
      const { cp, runner } = await runnerFor({ family, seed: 8, layers: 2, dModel: 32, heads: 4, buckets: family === 't5' ? [32, 128] : [8, 20] });
      const trace = await runner.run('translate English to German: the house is wonderful and big', { hidden: true, keepLogits: true }, 'das haus ist wunderbar');
      const ref = t5Forward(cp.config, checkpointWeights(cp), trace.tokens.map((t) => t.id), trace.decoderTokens!.map((t) => t.id));
      const diffs = compareAttention(trace, ref, ['encoder', 'decoder', 'cross']);
      diffs.hidden = maxDiff(trace.hidden!, ref.hidden.encoder!);
      diffs.logits = maxDiff(trace.logits!.values, ref.logits);
      for (const [name, d] of Object.entries(diffs)) expect(d, name).toBeLessThan(TAP_TOLERANCE);
      for (const kind of ['encoder', 'decoder', 'cross'] as const) expectRowsSumToOne(trace.attention[kind]!.probs!);
      expectCausal(trace.attention.decoder!.probs!);
      await runner.release();
    });
  }

  it('decodes greedily like the reference', async () => {
    const { cp, runner } = await runnerFor({ family: 't5', seed: 21, layers: 2, dModel: 32, heads: 4 });
    const steps: number[] = [];
    const trace = await runner.run('summarize: the cat sat on the mat', { steps: 5, taps: ['probs'], onStep: (t) => steps.push(t.decoderTokens!.length) });
    const expected = t5Greedy(cp.config, checkpointWeights(cp), trace.tokens.map((t) => t.id), 5);
    // The trace's decoder tokens are the decoder inputs: start token + generated (no final </s>).
    const eos = cp.config.eos_token_id as number;
    expect(trace.decoderTokens!.map((t) => t.id)).toEqual(expected.filter((id, i) => !(i === expected.length - 1 && id === eos)));
    expect(steps).toEqual(steps.map((_, i) => i + 2));
    await runner.release();
  });
});

describe('LLaMA-family graphs against the float64 reference', () => {
  const TEXT = 'The quick brown fox jumps over the lazy dog. 東京 🙂';

  async function expectMatches(options: RandomCheckpointOptions, text = TEXT): Promise<{ trace: DenseTrace; cp: RandomCheckpoint; runner: ModelRunner }> {
    const { cp, runner } = await runnerFor(options);
    const trace = await runner.run(text, { hidden: true, predictAll: true, keepLogits: true });
    const ref = llamaForward(cp.config, checkpointWeights(cp), trace.tokens.map((t) => t.id));
    const diffs = compareAttention(trace, ref, ['self']);
    diffs.hidden = maxDiff(trace.hidden!, ref.hidden.self!);
    diffs.logits = maxDiff(trace.logits!.values, ref.logits);
    for (const [name, d] of Object.entries(diffs)) expect(d, name).toBeLessThan(TAP_TOLERANCE);
    expectRowsSumToOne(trace.attention.self!.probs!);
    expectCausal(trace.attention.self!.probs!);
    return { trace, cp, runner };
  }

  it('matches every tap with grouped-query attention (4 query heads over 2 KV heads, untied head)', async () => {
    const { trace, runner } = await expectMatches({ family: 'llama', seed: 41, layers: 3, dModel: 64, heads: 4, kvHeads: 2 });
    // k, v and pre-RoPE k have one row per KV head; q per query head.
    const n = trace.tokens.length;
    expect(trace.attention.self!.k!.shape).toEqual([3, 2, n, 16]);
    expect(trace.attention.self!.v!.shape).toEqual([3, 2, n, 16]);
    expect(trace.attention.self!.kPreRope!.shape).toEqual([3, 2, n, 16]);
    expect(trace.attention.self!.q!.shape).toEqual([3, 4, n, 16]);
    expect(trace.model).toMatchObject({ family: 'llama', kvHeads: 2, positionEncoding: 'rope', ropeTheta: 10000 });
    // Byte fallback: the emoji is not in the vocabulary and becomes its UTF-8 bytes.
    expect(trace.tokens.map((t) => t.text)).toContain('<0xF0>');
    await runner.release();
  });

  it('RoPE rotates: position 0 is unrotated, later positions keep each pair’s norm', async () => {
    const { trace, runner } = await expectMatches({ family: 'llama', seed: 42, layers: 1, dModel: 32, heads: 2, kvHeads: 1 });
    const { q, qPreRope } = trace.attention.self!;
    const [, , T, d] = q!.shape;
    for (let x = 0; x < d; x++) expect(q!.data[x]).toBeCloseTo(qPreRope!.data[x], 6);
    const pairNorm = (t: Tensor, pos: number, i: number) => Math.hypot(t.data[pos * d + i], t.data[pos * d + i + d / 2]);
    let moved = 0;
    for (let pos = 1; pos < T; pos++)
      for (let i = 0; i < d / 2; i++) {
        expect(pairNorm(q!, pos, i)).toBeCloseTo(pairNorm(qPreRope!, pos, i), 4);
        moved = Math.max(moved, Math.abs(q!.data[pos * d + i] - qPreRope!.data[pos * d + i]));
      }
    expect(moved).toBeGreaterThan(1e-2);
    await runner.release();
  });

  it('Qwen2: q/k/v biases, tied head, one KV head for all query heads', async () => {
    const { runner } = await expectMatches({ family: 'qwen2', seed: 43, layers: 2, dModel: 48, heads: 4, kvHeads: 1 });
    await runner.release();
  });

  it('Llama 3 RoPE scaling and a head_dim that is not hidden/heads', async () => {
    const overrides: Record<string, unknown> = { ...realConfig('llama-3.2-1b'), head_dim: 24, tie_word_embeddings: true };
    for (const key of ['hidden_size', 'num_attention_heads', 'num_key_value_heads', 'num_hidden_layers', 'intermediate_size', 'vocab_size', 'model_type']) delete overrides[key];
    const { runner } = await expectMatches({ family: 'llama', seed: 44, layers: 2, dModel: 32, heads: 4, kvHeads: 2, overrides });
    await runner.release();
  });

  it('linear RoPE scaling', async () => {
    const { runner } = await expectMatches({ family: 'llama', seed: 45, layers: 1, dModel: 32, heads: 4, kvHeads: 4, overrides: { rope_scaling: { type: 'linear', factor: 4 }, rope_theta: 500 } });
    await runner.release();
  });

  it('Mistral: sliding-window attention masks keys more than the window back', async () => {
    const window = 3;
    const { trace, runner } = await expectMatches({ family: 'mistral', seed: 46, layers: 2, dModel: 32, heads: 4, kvHeads: 2, overrides: { sliding_window: window } });
    const p = trace.attention.self!.probs!;
    const [L, H, T] = p.shape;
    expect(T).toBeGreaterThan(window + 2);
    for (let l = 0; l < L; l++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++)
          for (let j = 0; j < T; j++) {
            const v = p.data[((l * H + h) * T + i) * T + j];
            if (j > i || i - j >= window) expect(v).toBe(0);
            else expect(v).toBeGreaterThan(0);
          }
    await runner.release();
  });

  it('generates the same greedy continuation as the reference', async () => {
    const { cp, runner } = await runnerFor({ family: 'llama', seed: 47, layers: 2, dModel: 32, heads: 4, kvHeads: 2 });
    const prompt = 'Once upon a time';
    const trace = await runner.generate(prompt, { steps: 6, taps: ['probs'] });
    const promptIds = runner.codec.encode(prompt).tokens.map((t) => t.id);
    expect(trace.tokens.map((t) => t.id)).toEqual(llamaGreedy(cp.config, checkpointWeights(cp), promptIds, 6));
    await runner.release();
  });
});

describe('OPT graph against the float64 reference', () => {
  for (const preNorm of [true, false]) {
    it(`matches every tap, hidden state and logit (${preNorm ? 'pre' : 'post'}-LayerNorm)`, async () => {
      const { cp, runner } = await runnerFor({ family: 'opt', seed: 51, layers: 2, dModel: 48, heads: 4, overrides: { do_layer_norm_before: preNorm } });
      const trace = await runner.run('The quick brown fox jumps over the lazy dog.', { hidden: true, predictAll: true, keepLogits: true });
      const ref = optForward(cp.config, checkpointWeights(cp), trace.tokens.map((t) => t.id));
      const diffs = compareAttention(trace, ref, ['self']);
      diffs.hidden = maxDiff(trace.hidden!, ref.hidden.self!);
      diffs.logits = maxDiff(trace.logits!.values, ref.logits);
      for (const [name, d] of Object.entries(diffs)) expect(d, name).toBeLessThan(TAP_TOLERANCE);
      expectCausal(trace.attention.self!.probs!);
      expect(trace.model).toMatchObject({ family: 'opt', positionEncoding: 'learned-absolute' });
      await runner.release();
    });
  }

  it('generates the same greedy continuation as the reference', async () => {
    const { cp, runner } = await runnerFor({ family: 'opt', seed: 52, layers: 2, dModel: 32, heads: 4 });
    const trace = await runner.generate('Once upon a time', { steps: 5, taps: ['probs'] });
    const promptIds = runner.codec.encode('Once upon a time').tokens.map((t) => t.id);
    expect(trace.tokens.map((t) => t.id)).toEqual(optGreedy(cp.config, checkpointWeights(cp), promptIds, 5));
    await runner.release();
  });
});
