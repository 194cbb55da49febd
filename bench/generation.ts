// Generation with a key/value cache against recomputing the whole text every step (issue 17),
// on a GPT-2-small-shaped random checkpoint in Node with onnxruntime-web's WASM backend (one
// thread). Target: 64 tokens after a 64-token prompt at least 3× faster with the cache, and
// the ratio growing with length (prompts of 128 and 512 tokens, fewer generated tokens there:
// recomputing 512 tokens per step is slow). Greedy, so both write the same tokens (checked).
// Each generation ends with the same full forward for its trace (logits only here), in both.
//   npx tsx bench/generation.ts [--out test-results/bench/generation.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { fullSizeCheckpoint } from '../tests/helpers/random-checkpoint';
import { filesOf } from '../tests/helpers/model-files';
import { configureOrt } from '../src/lib/runtime/backend';
import { loadModel } from '../src/lib/runtime/load';
import { textWithTokens } from './lib/texts';
import { load } from './lib/machine';
import type { GenerationResults } from './lib/generation-report';
import { median } from './lib/stats';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'test-results/bench/generation.json' } } });
configureOrt({ threads: 1 });

const CASES = [
  { prompt: 64, generate: 64 },
  { prompt: 128, generate: 16 },
  { prompt: 512, generate: 8 },
];

const started = new Date();
const loadStart = load();
const runner = await loadModel(filesOf(fullSizeCheckpoint('gpt2', 1)), { id: 'gpt2-shaped', source: 'local' }, 'wasm');
const count = (t: string) => runner.codec.encode(t).tokens.length;
// Warm-up: both sessions (cached steps and whole-text runs) exist before anything is timed.
for (const cache of [true, false]) await runner.generate(textWithTokens(count, 16), { steps: 2, taps: [], cache });

const rows: GenerationResults['rows'] = [];
for (const c of CASES) {
  const text = textWithTokens(count, c.prompt);
  const timed = async (cache: boolean) => {
    const t0 = performance.now();
    const trace = await runner.generate(text, { steps: c.generate, taps: [], cache });
    const g = trace.generated!;
    const steps = g.stepMs!;
    // Steady state: the steps after the first (which, with the cache, runs the whole prompt).
    return { ms: performance.now() - t0, stepsMs: steps.reduce((a, b) => a + b, 0), promptMs: steps[0], perToken: median(steps.slice(1)), ids: g.steps.map((s) => s.id), cacheBytes: g.cacheBytes ?? 0 };
  };
  const cached = await timed(true);
  const recomputed = await timed(false);
  const same = cached.ids.join() === recomputed.ids.join();
  rows.push({ ...c, cachedMs: cached.ms, recomputedMs: recomputed.ms, cachedStepsMs: cached.stepsMs, recomputedStepsMs: recomputed.stepsMs, cachedPromptMs: cached.promptMs, cachedMsPerToken: cached.perToken, recomputedMsPerToken: recomputed.perToken, ratio: recomputed.perToken / cached.perToken, totalRatio: recomputed.stepsMs / cached.stepsMs, sameTokens: same, cacheBytes: cached.cacheBytes });
  console.error(`prompt ${c.prompt}, ${c.generate} new: per token ${cached.perToken.toFixed(0)} vs ${recomputed.perToken.toFixed(0)} ms (${(recomputed.perToken / cached.perToken).toFixed(1)}×); all steps ${(cached.stepsMs / 1000).toFixed(1)} vs ${(recomputed.stepsMs / 1000).toFixed(1)} s; same tokens: ${same}`);
}
await runner.release();

const out: GenerationResults = { started: started.toISOString(), loadStart, loadEnd: load(), rows };
mkdirSync(dirname(args.out!), { recursive: true });
writeFileSync(args.out!, JSON.stringify(out, null, 1));
console.error(`wrote ${args.out}`);
