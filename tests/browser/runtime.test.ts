// The app's worker in headless Chromium, on the WebGPU execution provider (SwiftShader)
// and on WASM, against the float64 reference: the same checkpoints and bar as in Node.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkpointFiles, checkpointWeights, randomCheckpoint, type RandomCheckpointOptions } from '../helpers/random-checkpoint';
import { gpt2Forward } from '../reference/gpt2';
import { bertForward } from '../reference/bert';
import { t5Forward } from '../reference/t5';
import { llamaForward } from '../reference/llama';
import { optForward } from '../reference/opt';
import type { ReferenceTrace } from '../reference/types';
import { traceFromJSON } from '../../src/lib/trace/json';
import type { AttentionKind, DenseTrace } from '../../src/lib/trace/types';
import { TAP_NAMES } from '../../src/lib/trace/types';
import { tapApplies } from '../../src/lib/vocabulary/taps';
import { useBrowser } from './page';

const TAP_TOLERANCE = 1e-4;

async function runInPage(page: Page, options: RandomCheckpointOptions, text: string, preference: 'webgpu' | 'wasm', target?: string) {
  const cp = randomCheckpoint(options);
  const files = Object.fromEntries([...checkpointFiles(cp)].map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  const json = await page.evaluate((r) => (window as unknown as { atlasHarness: { run(r: unknown): Promise<unknown> } }).atlasHarness.run(r), {
    files,
    text,
    target,
    mode: { kind: 'forward', options: { taps: [...TAP_NAMES] } },
    preference,
  });
  return { cp, trace: traceFromJSON(json) };
}

function expectClose(trace: DenseTrace, ref: ReferenceTrace, kinds: AttentionKind[]): void {
  for (const kind of kinds)
    for (const tap of TAP_NAMES) {
      if (!tapApplies(tap, trace.model.positionEncoding)) continue;
      const a = trace.attention[kind]![tap]!;
      const b = ref.attention[kind]![tap]!;
      expect(a.shape, `${kind}.${tap}`).toEqual(b.shape);
      let m = 0;
      for (let i = 0; i < b.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
      expect(m, `${kind}.${tap}`).toBeLessThan(TAP_TOLERANCE);
    }
}

describe('runtime in the browser worker', () => {
  const browser = useBrowser();

  for (const preference of ['webgpu', 'wasm'] as const) {
    it(`runs GPT-2, BERT, T5, LLaMA and OPT on ${preference} and matches the reference`, async () => {
      const page = await browser.open('/__harness/');
      await page.waitForSelector('body[data-ready=true]');

      const gpt = await runInPage(page, { family: 'gpt2', seed: 11, layers: 2, dModel: 32, heads: 4 }, 'Attention is all you need.', preference);
      expect(gpt.trace.backend.name).toBe(preference);
      expectClose(gpt.trace, gpt2Forward(gpt.cp.config, checkpointWeights(gpt.cp), gpt.trace.tokens.map((t) => t.id)), ['self']);

      const bert = await runInPage(page, { family: 'bert', seed: 3, layers: 2, dModel: 32, heads: 4 }, 'The cat sat on the [MASK].', preference);
      expectClose(bert.trace, bertForward(bert.cp.config, checkpointWeights(bert.cp), bert.trace.tokens.map((t) => t.id)), ['self']);
      // Without a [MASK] there is nothing to predict: no zero-sized tensor may reach the GPU.
      const plain = await runInPage(page, { family: 'bert', seed: 3, layers: 2, dModel: 32, heads: 4 }, 'No mask here.', preference);
      expect(plain.trace.backend.name).toBe(preference);
      expect(plain.trace.predictions).toBeUndefined();

      const t5 = await runInPage(page, { family: 't5', seed: 8, layers: 2, dModel: 32, heads: 4 }, 'summarize: the house is big', preference, 'small house');
      const ref = t5Forward(t5.cp.config, checkpointWeights(t5.cp), t5.trace.tokens.map((t) => t.id), t5.trace.decoderTokens!.map((t) => t.id));
      expectClose(t5.trace, ref, ['encoder', 'decoder', 'cross']);

      // Grouped-query attention and RoPE (every op of the LLaMA graph on this backend, no fallback).
      const llama = await runInPage(page, { family: 'llama', seed: 41, layers: 2, dModel: 32, heads: 4, kvHeads: 2 }, 'Once upon a time, 東京.', preference);
      expect(llama.trace.backend.name).toBe(preference);
      expectClose(llama.trace, llamaForward(llama.cp.config, checkpointWeights(llama.cp), llama.trace.tokens.map((t) => t.id)), ['self']);
      const opt = await runInPage(page, { family: 'opt', seed: 51, layers: 2, dModel: 32, heads: 4 }, 'Attention is all you need.', preference);
      expectClose(opt.trace, optForward(opt.cp.config, checkpointWeights(opt.cp), opt.trace.tokens.map((t) => t.id)), ['self']);
      expect(browser.errors).toEqual([]);
    });
  }
});
