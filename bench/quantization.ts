// Issue 17's remaining speed targets, in Node with onnxruntime-web's WASM backend (one thread):
//  1. int8 weights (graph/quantize.ts: rounded and expanded to float32 at load) against float32 on a
//     GPT-2-small-shaped random checkpoint at 128 tokens: forward time (target ≤ 1.3×) and the
//     matrices' stored bytes (target: a quarter);
//  2. the cost-of-length sweep the lesson and the explorer run (8, 16, … up to the limit, 5 runs each)
//     on each embedded model (target: within 10 s). In Node, so without the page's worker round trip.
// Runs alternate between the variants compared.
//   npx tsx bench/quantization.ts [--runs 5] [--out test-results/bench/quantization.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { fullSizeCheckpoint } from '../tests/helpers/random-checkpoint';
import { filesOf } from '../tests/helpers/model-files';
import { configureOrt } from '../src/lib/runtime/backend';
import { loadModel } from '../src/lib/runtime/load';
import { loadModelDir } from '../src/lib/runtime/node';
import type { ModelRunner } from '../src/lib/runtime/runner';
import { textWithTokens } from './lib/texts';
import { load } from './lib/machine';
import { summarize } from './lib/stats';
import { prefixText, sweepLengths } from '../src/lib/lessons/cost-of-length';
import type { QuantizationResults } from './lib/quantization-report';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' }, out: { type: 'string', default: 'test-results/bench/quantization.json' } } });
const RUNS = Number(args.runs);
configureOrt({ threads: 1 });
const started = new Date();
const loadStart = load();

const files = filesOf(fullSizeCheckpoint('gpt2', 1));
const fp32 = await loadModel(files, { id: 'gpt2-shaped', source: 'local' }, 'wasm');
const int8 = await loadModel(files, { id: 'gpt2-shaped', source: 'local' }, 'wasm', undefined, { quantize: 'int8' });
const text = textWithTokens((t) => fp32.codec.encode(t).tokens.length, 128);
const time = async (r: ModelRunner) => {
  const t0 = performance.now();
  await r.run(text, { taps: [] });
  return performance.now() - t0;
};
await time(fp32);
await time(int8);
const times = { fp32: [] as number[], int8: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  times.fp32.push(await time(fp32));
  times.int8.push(await time(int8));
}
const q = int8.info.quantization!;
await fp32.release();
await int8.release();

const sweeps: QuantizationResults['sweeps'] = [];
for (const id of ['tiny-gpt2', 'tiny-bert', 'tiny-llama']) {
  const r = await loadModelDir(`static/models/${id}`, { id, source: 'embedded' });
  const t0 = performance.now();
  // As the panel does it: one run on the text repeated past the limit, then 5 runs per length.
  const whole = await r.run(Array.from({ length: 64 }, () => 'The cat sat on the mat because it was tired.').join(' '), { truncate: true });
  const lengths = sweepLengths(r.info.maxPositions);
  for (const n of lengths) for (let k = 0; k < 5; k++) await r.run(prefixText(whole, n), { truncate: true });
  sweeps.push({ model: id, lengths, ms: performance.now() - t0 });
  await r.release();
}

const out: QuantizationResults = { started: started.toISOString(), loadStart, loadEnd: load(), runs: RUNS, fp32: summarize(times.fp32), int8: summarize(times.int8), ratio: summarize(times.int8.map((x, i) => x / times.fp32[i])), bytes: q.bytes, fp32Bytes: q.fp32Bytes, tensors: q.tensors, sweeps };
mkdirSync(dirname(args.out!), { recursive: true });
writeFileSync(args.out!, JSON.stringify(out, null, 1));
console.error(JSON.stringify({ ratio: out.ratio, bytes: q.bytes / q.fp32Bytes, sweeps }, null, 1));
