// The CLI's watchdog for tokenizer regexes. Node cannot interrupt a regex that backtracks
// without end on its own thread, so each of the tokenizer's patterns is first run alone
// on a worker thread that is terminated when it runs past its budget. Not imported by the app.

import { Worker } from 'node:worker_threads';
import { AtlasError } from '../errors';
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
