// The real gpt2, bert-base-uncased, t5-small and flan-t5-small configs, with random
// weights of full size, build and run one 16-token pass in Node; their attention and
// logits match the float64 reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointWeights, fullSizeCheckpoint, reducedCheckpoint, type RealConfigName } from '../helpers/random-checkpoint';
import { llamaForward } from '../reference/llama';
import { gpt2Forward } from '../reference/gpt2';
import { bertForward } from '../reference/bert';
import { t5Forward } from '../reference/t5';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import { filesOf } from '../helpers/model-files';

const TOKENS = 16;
const TOLERANCE = 1e-4;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

beforeAll(() => configureOrt({ threads: 1 }));

describe('full-size configs with random weights', () => {
  const cases: { name: RealConfigName; params: number }[] = [
    { name: 'gpt2', params: 124_439_808 },
    { name: 'bert-base-uncased', params: 0 },
    { name: 't5-small', params: 60_506_624 },
    { name: 'flan-t5-small', params: 76_961_152 },
  ];
  for (const { name, params } of cases) {
    it(`${name}: builds, runs ${TOKENS} tokens and matches the reference`, { timeout: 180_000 }, async () => {
      const cp = fullSizeCheckpoint(name, 1);
      const runner = await loadModel(filesOf(cp), { id: name, source: 'local' }, 'wasm');
      if (params) expect(runner.info.parameters).toBe(params);
      const weights = checkpointWeights(cp);
      const options = { taps: ['probs' as const], keepLogits: true, predictAll: true };
      const ids = Array.from({ length: TOKENS }, (_, i) => 1000 + 37 * i);
      if (cp.family === 't5') {
        const source = 'one two three four five six seven eight nine ten eleven twelve thirteen';
        const trace = await runner.run(source, options, 'a b c');
        const ref = t5Forward(cp.config, weights, trace.tokens.map((t) => t.id), trace.decoderTokens!.map((t) => t.id));
        expect(maxDiff(trace.attention.cross!.probs!.data, ref.attention.cross!.probs.data)).toBeLessThan(TOLERANCE);
        expect(maxDiff(trace.attention.encoder!.probs!.data, ref.attention.encoder!.probs.data)).toBeLessThan(TOLERANCE);
        expect(maxDiff(trace.logits!.values.data, ref.logits.data)).toBeLessThan(TOLERANCE);
      } else {
        // 16 tokens of text: the tokenizer decides the ids, the reference reads them back.
        const text = runner.codec.decode(ids);
        const trace = await runner.run(text, { ...options, truncate: true });
        const got = trace.tokens.map((t) => t.id);
        const ref = cp.family === 'gpt2' ? gpt2Forward(cp.config, weights, got) : bertForward(cp.config, weights, got);
        expect(maxDiff(trace.attention.self!.probs!.data, ref.attention.self!.probs.data)).toBeLessThan(TOLERANCE);
        const v = trace.model.vocabSize;
        trace.logits!.positions.forEach((p, i) =>
          expect(maxDiff(trace.logits!.values.data.subarray(i * v, (i + 1) * v), ref.logits.data.subarray(p * v, (p + 1) * v))).toBeLessThan(TOLERANCE),
        );
      }
      await runner.release();
    });
  }
});

describe('real LLaMA-family configs at reduced depth, random weights', () => {
  // Real width, heads, KV heads, head_dim, rope_theta, rope_scaling, biases and tying; one or two
  // layers and a 1,024-token vocabulary keep the checkpoints small. Mistral-7B and Llama-3.2-1B
  // also get a narrower MLP (the attention, which is what differs between them, stays full).
  const cases: { name: RealConfigName; overrides: Record<string, unknown> }[] = [
    { name: 'smollm2-135m', overrides: { num_hidden_layers: 2 } },
    { name: 'tinyllama-1.1b-chat', overrides: { num_hidden_layers: 1 } },
    { name: 'qwen2.5-0.5b', overrides: { num_hidden_layers: 2 } },
    { name: 'llama-3.2-1b', overrides: { num_hidden_layers: 1, intermediate_size: 2048 } },
    { name: 'mistral-7b-v0.1', overrides: { num_hidden_layers: 1, intermediate_size: 2048 } },
  ];
  for (const { name, overrides } of cases) {
    it(`${name}: every tap and the logits match the reference`, { timeout: 180_000 }, async () => {
      const cp = reducedCheckpoint(name, 3, { ...overrides, vocab_size: 1024 });
      const runner = await loadModel(filesOf(cp), { id: name, source: 'local' }, 'wasm');
      const ids = Array.from({ length: 12 }, (_, i) => (17 + 83 * i) % 1024);
      const trace = await runner.runTokens('', runner.tokensOf(ids), { predictAll: true, keepLogits: true });
      const ref = llamaForward(cp.config, checkpointWeights(cp), ids);
      for (const tap of ['q', 'k', 'v', 'qPreRope', 'kPreRope', 'scores', 'probs', 'context'] as const)
        expect([tap, maxDiff(trace.attention.self![tap]!.data, ref.attention.self[tap].data) < TOLERANCE]).toEqual([tap, true]);
      expect(maxDiff(trace.logits!.values.data, ref.logits.data)).toBeLessThan(TOLERANCE);
      expect(trace.model.kvHeads).toBe(cp.config.num_key_value_heads);
      await runner.release();
    });
  }
});
