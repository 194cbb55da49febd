// The analyses of issue 16, timed in Node with onnxruntime-web's WASM backend (one thread):
//  1. value norms: a GPT-2-small-shaped random checkpoint at 128 tokens, probs vs probs +
//     valueNorms (target: ≤ 1.05×);
//  2. logit lens: the same model and text, logits only vs with the lens at the positions the
//     explorer's budget allows, and at every position (target: the lens adds < 1 s);
//  3. an ablation re-run on each embedded model, as the explorer's panel does it (the plain run
//     and the ablated run, logits kept, every tap; sessions warm) (target: ≤ 100 ms).
// Runs alternate between the variants compared, so drift in the machine's load hits them alike.
//   npx tsx bench/analysis.ts [--runs 7] [--out test-results/bench/analysis.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { fullSizeCheckpoint } from '../tests/helpers/random-checkpoint';
import { filesOf } from '../tests/helpers/model-files';
import { configureOrt } from '../src/lib/runtime/backend';
import { loadModel } from '../src/lib/runtime/load';
import { loadModelDir } from '../src/lib/runtime/node';
import type { ModelRunner, RunOptions } from '../src/lib/runtime/runner';
import { textWithTokens } from './lib/texts';
import { LENS_BUDGET, lensWindow } from '../src/lib/graph/logit-lens';
import { load } from './lib/machine';
import { fmt, summarize, type Summary } from './lib/stats';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '7' }, out: { type: 'string', default: 'test-results/bench/analysis.json' } } });
const RUNS = Number(args.runs);
configureOrt({ threads: 1 });

async function timed(runner: ModelRunner, text: string, options: RunOptions, target?: string): Promise<number> {
  const t0 = performance.now();
  await runner.run(text, options, target);
  return performance.now() - t0;
}

/** Each variant once as a warm-up (its session), then RUNS rounds of all of them. */
async function compare(runner: ModelRunner, text: string, variants: Record<string, RunOptions>): Promise<Record<string, Summary>> {
  const times: Record<string, number[]> = {};
  for (const [name, o] of Object.entries(variants)) {
    await timed(runner, text, o);
    times[name] = [];
  }
  for (let r = 0; r < RUNS; r++) for (const [name, o] of Object.entries(variants)) times[name].push(await timed(runner, text, o));
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summarize(v)]));
}

const started = new Date();
const loadStart = load();
const gpt2 = await loadModel(filesOf(fullSizeCheckpoint('gpt2', 1)), { id: 'gpt2-shaped', source: 'local' }, 'wasm');
const text128 = textWithTokens((t) => gpt2.codec.encode(t).tokens.length, 128);
const norms = await compare(gpt2, text128, { probs: { taps: ['probs'] }, 'probs + valueNorms': { taps: ['probs', 'valueNorms'] } });
const lens = await compare(gpt2, text128, {
  'logits only': { taps: [] },
  'logits + logit lens, explorer budget': { taps: [], logitLens: { budget: LENS_BUDGET } },
  'logits + logit lens, every position': { taps: [], logitLens: true },
});
const lensWindowSize = lensWindow(128, 12, 768, 50257).length;
await gpt2.release();

const ablation: Record<string, { plain: Summary; ablated: Summary; panel: Summary; tokens: number }> = {};
const EMBEDDED: [string, string, string?, Record<string, unknown>?][] = [
  ['tiny-gpt2', 'The cat sat on the mat. The cat sat on the'],
  ['tiny-llama', 'Once upon a time there was a little dog'],
  ['tiny-bert', 'The man went to the [MASK] to buy some bread.'],
  ['tiny-t5', 'reverse: apple house green window', 'window green house apple'],
];
for (const [id, text, target] of EMBEDDED) {
  const runner = await loadModelDir(`static/models/${id}`, { id, source: 'embedded' });
  const kind = id === 'tiny-t5' ? 'cross' : 'self';
  const abl = { heads: [{ kind, layer: 1, head: 0 }, { kind, layer: 1, head: 2 }], mode: 'zero' } as RunOptions['ablation'];
  const plainOptions: RunOptions = { keepLogits: true };
  const ablatedOptions: RunOptions = { keepLogits: true, ablation: abl };
  await timed(runner, text, plainOptions, target);
  await timed(runner, text, ablatedOptions, target);
  const p: number[] = [];
  const a: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    p.push(await timed(runner, text, plainOptions, target));
    a.push(await timed(runner, text, ablatedOptions, target));
  }
  ablation[id] = { plain: summarize(p), ablated: summarize(a), panel: summarize(p.map((x, i) => x + a[i])), tokens: runner.codec.encode(text).tokens.length };
  await runner.release();
}

const results = { started: started.toISOString(), runs: RUNS, load: { start: loadStart, end: load() }, norms, lens, lensWindow: lensWindowSize, ablation };
mkdirSync(dirname(args.out!), { recursive: true });
writeFileSync(args.out!, JSON.stringify(results, null, 2));
const ratio = norms['probs + valueNorms'].median / norms.probs.median;
console.log(`value norms, GPT-2-small shape, 128 tokens: probs ${fmt(norms.probs)} ms, + valueNorms ${fmt(norms['probs + valueNorms'])} ms → ${ratio.toFixed(3)}×`);
for (const v of ['logits + logit lens, explorer budget', 'logits + logit lens, every position'])
  console.log(`${v}${v.includes('budget') ? ` (the last ${lensWindowSize} positions)` : ''}: ${fmt(lens[v])} ms vs logits only ${fmt(lens['logits only'])} ms → +${(lens[v].median - lens['logits only'].median).toFixed(0)} ms`);
for (const [id, r] of Object.entries(ablation)) console.log(`ablation, ${id} (${r.tokens} tokens, all taps, logits kept): plain ${fmt(r.plain, 1)} ms, ablated ${fmt(r.ablated, 1)} ms, the panel's two runs ${fmt(r.panel, 1)} ms`);
console.log(`load average ${results.load.start.join(', ')} → ${results.load.end.join(', ')}`);
