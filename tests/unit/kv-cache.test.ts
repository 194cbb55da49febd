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
