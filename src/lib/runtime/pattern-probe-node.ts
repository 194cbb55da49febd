// The CLI's watchdog for tokenizer regexes. Node cannot interrupt a regex that backtracks
// without end on its own thread, so each of the tokenizer's patterns is first run alone
// on a worker thread that is terminated when it runs past its budget. Not imported by the app.

import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { AtlasError } from '../errors';
import type { LoadedTokenizer } from '../tokenize/load';
import { PATTERN_BUDGET_MS, patternLabel, type TokenizerPattern } from '../tokenize/patterns';

const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
workerData.patterns.forEach((p, i) => {
  parentPort.postMessage(i);
  workerData.texts[p.text].match(new RegExp(p.source, p.flags));
});
parentPort.postMessage('done');
`;

/**
 * Resolves when every pattern ran over the text it will meet within budget; rejects naming
 * the first that did not. The normalizer's patterns meet the raw text and are probed first;
 * only then is the text normalized here, for the pre-tokenizer's patterns (see patternInputs).
 */
export async function probePatternsInThread(patterns: TokenizerPattern[], text: string, normalize?: (s: string) => string, budgetMs = PATTERN_BUDGET_MS): Promise<void> {
  const ofNormalizer = patterns.filter((p) => p.where.startsWith('normalizer'));
  const rest = patterns.filter((p) => !p.where.startsWith('normalizer'));
  await probeOn(ofNormalizer, text, budgetMs);
  if (rest.length) await probeOn(rest, normalize ? normalize(text) : text, budgetMs);
}

function probeOn(patterns: TokenizerPattern[], text: string, budgetMs: number): Promise<void> {
  if (patterns.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const list = patterns.map((p) => ({ source: p.regex.source, flags: p.regex.flags, text: 0 }));
    const worker = new Worker(PROBE, { eval: true, workerData: { texts: [text], patterns: list } });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (error?: AtlasError | Error) => {
      clearTimeout(timer);
      void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    worker.on('message', (m: number | 'done') => {
      clearTimeout(timer);
      if (m === 'done') return finish();
      const p = patterns[m];
      timer = setTimeout(
        () =>
          finish(
            new AtlasError(
              'too-slow',
              `Tokenizing did not finish within ${(budgetMs / 1000).toFixed(0)} s: ${patternLabel(p)} runs without end on this text (catastrophic backtracking), so it was stopped.`,
              'Fix or remove that pattern in tokenizer.json, or use a different text.',
            ),
          ),
        budgetMs,
      );
    });
    worker.on('error', (e) => finish(e));
  });
}

const WHOLE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Tokenizer } = require(workerData.library);
new Tokenizer(workerData.json, workerData.config).encode(workerData.text);
parentPort.postMessage('done');
`;

/**
 * The CLI's budget for the whole of tokenizing (the browser's is TOKENIZE_BUDGET_MS in codec.ts):
 * after each pattern passed alone, the tokenizer library runs the text once on a thread that is
 * terminated past `budgetMs`, so no slow path of the library (not only a regex) can hang the CLI.
 */
export function probeTokenizerInThread(tokenizer: LoadedTokenizer, text: string, budgetMs: number): Promise<void> {
  const library = createRequire(import.meta.url).resolve('@huggingface/tokenizers');
  const config: Record<string, unknown> = { ...tokenizer.config };
  if (typeof config.eos_token === 'object' && config.eos_token) config.eos_token = (config.eos_token as { content: string }).content;
  const json = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...tokenizer.json };
  return new Promise((resolve, reject) => {
    const worker = new Worker(WHOLE, { eval: true, workerData: { library, json, config, text } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(
        new AtlasError(
          'too-slow',
          `Tokenizing did not finish within ${budgetMs < 1000 ? `${budgetMs} ms` : `${(budgetMs / 1000).toFixed(0)} s`}: the tokenizer of ${tokenizer.id} is too slow on this text, so it was stopped.`,
          'Use a shorter text (or --text-file with less in it), or a different tokenizer.',
        ),
      );
    }, budgetMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    worker.on('message', () => done());
    // The library's own errors surface again, with context, when the main thread tokenizes.
    worker.on('error', () => done());
  });
}
