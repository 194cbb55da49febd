// Forward-pass benchmark in Node with onnxruntime-web's WASM backend: random-weight
// checkpoints with the exact shapes of gpt2, bert-base-uncased and t5-small, run through
// the app's own ModelRunner (the same graphs, tap sets and session cache as the app).
//   npx tsx bench/forward.ts [--runs 5] [--tokens 32,128,512] [--families gpt2,bert,t5]
//                            [--threads 1] [--thread-check 2] [--out test-results/bench/forward.json]
// For each family and thread count a child process is started, because onnxruntime's
// thread count is fixed once per process (configureOrt). onnxruntime-web does not use
// threads in Node (measured: CPU time = wall time with numThreads 2), so the full grid
// runs on one thread and `--thread-check` adds one short GPT-2 run at 128 tokens to show
// it; bench/browser.ts compares 1 and 2 threads where they work, in Chromium. Within a child, for each length,
// every variant runs once as a warm-up (creating its session), then `runs` rounds in
// which all variants run once each, in a rotating order, so drift in the machine's load
// hits them alike.

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fullSizeCheckpoint, parameterCount, type RealConfigName } from '../tests/helpers/random-checkpoint';
import { filesOf } from '../tests/helpers/model-files';
import { configureOrt } from '../src/lib/runtime/backend';
import { loadModel } from '../src/lib/runtime/load';
import type { ModelRunner } from '../src/lib/runtime/runner';
import { traceBytes, type TapName, type Trace } from '../src/lib/trace/types';
import { forwardFlops } from './flops';
import { textWithTokens } from './lib/texts';
import { load } from './lib/machine';
import type { ForwardChildResult, ForwardFamily, ForwardResults, VariantResult } from './lib/forward-types';
import { forwardMarkdown } from './lib/forward-report';

const CONFIGS: Record<ForwardFamily, RealConfigName> = { gpt2: 'gpt2', bert: 'bert-base-uncased', t5: 't5-small' };
const ALL_TAPS: TapName[] = ['q', 'k', 'v', 'scores', 'probs', 'context'];

interface Variant {
  name: string;
  taps: TapName[];
  predictAll: boolean;
}

/**
 * GPT-2: logits at the last position (the app's default) or at all. BERT computes them at
 * the one [MASK], T5 at every decoder position (the app's behaviour; no variant).
 */
function variantsOf(family: ForwardFamily): Variant[] {
  const base: Variant[] = [
    { name: 'logits only', taps: [], predictAll: false },
    { name: 'probs', taps: ['probs'], predictAll: false },
    { name: 'all taps', taps: ALL_TAPS, predictAll: false },
  ];
  return family === 'gpt2' ? [...base, { name: 'logits only, all positions', taps: [], predictAll: true }] : base;
}

const { values: args } = parseArgs({
  options: {
    child: { type: 'boolean', default: false },
    family: { type: 'string' },
    families: { type: 'string', default: 'gpt2,bert,t5' },
    threads: { type: 'string', default: '1' },
    'thread-check': { type: 'string', default: '2' },
    tokens: { type: 'string', default: '32,128,512' },
    runs: { type: 'string', default: '5' },
    out: { type: 'string', default: 'test-results/bench/forward.json' },
  },
});
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const tokenCounts = list(args.tokens!).map(Number);
const runs = Number(args.runs);


async function makeRunner(family: ForwardFamily): Promise<{ runner: ModelRunner; parameters: number; checkpointMs: number; loadMs: number }> {
  const t0 = performance.now();
  const cp = fullSizeCheckpoint(CONFIGS[family], 1);
  const files = filesOf(cp);
  const parameters = parameterCount(cp);
  const t1 = performance.now();
  const runner = await loadModel(files, { id: `random-${CONFIGS[family]}`, source: 'local' }, 'wasm');
  return { runner, parameters, checkpointMs: t1 - t0, loadMs: performance.now() - t1 };
}

const t5DecoderTokens = (n: number) => Math.max(8, n / 4);

interface Inputs {
  text: string;
  target?: string;
}

function inputsFor(runner: ModelRunner, n: number): Inputs {
  const count = (s: string) => runner.codec.encode(s).tokens.length;
  // T5: a target a quarter as long as the source, as in summarising (the decoder's cost grows with it too).
  if (runner.info.family === 't5') return { text: textWithTokens(count, n), target: textWithTokens(count, t5DecoderTokens(n)) };
  // BERT: one [MASK] to predict, as a user would type it.
  return { text: textWithTokens(count, n, runner.info.family === 'bert' ? '[MASK]' : '') };
}

async function runOnce(runner: ModelRunner, input: Inputs, v: Variant): Promise<{ wall: number; cpu: number; trace: Trace }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const trace =
    runner.info.family === 't5'
      ? await runner.run(input.text, { taps: v.taps }, input.target)
      : await runner.run(input.text, { taps: v.taps, predictAll: v.predictAll });
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, trace };
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

async function child(family: ForwardFamily, threads: number): Promise<ForwardChildResult> {
  const loadStart = load();
  configureOrt({ threads });
  const { runner, parameters, checkpointMs, loadMs } = await makeRunner(family);
  gc();
  const rssLoaded = process.memoryUsage().rss;
  const variants = variantsOf(family);
  const out: VariantResult[] = [];
  const rssAfter: Record<number, number> = {};
  for (const n of tokenCounts) {
    const input = inputsFor(runner, n);
    const results = new Map<Variant, VariantResult>();
    for (const v of variants) {
      const { wall, trace } = await runOnce(runner, input, v);
      const tokens = trace.tokens.length;
      const decoderTokens = trace.decoderTokens?.length;
      if (tokens !== n || (decoderTokens !== undefined && decoderTokens !== t5DecoderTokens(n))) throw new Error(`${family}: ${tokens}/${decoderTokens} tokens, wanted ${n}`);
      const logitPositions = Math.max(1, trace.predictions?.length ?? 0);
      results.set(v, {
        variant: v.name,
        taps: v.taps,
        predictAll: v.predictAll,
        tokens,
        decoderTokens,
        logitPositions,
        wallMs: [],
        cpuMs: [],
        sessionMs: [],
        firstRunMs: wall,
        sessionCreateMs: trace.timings?.buildMs ?? NaN,
        traceBytes: traceBytes(trace),
        flops: forwardFlops(runner.config, { tokens, decoderTokens, logitPositions }),
      });
    }
    for (let r = 0; r < runs; r++) {
      // Rotate the order each round so no variant always follows the same one.
      const order = variants.map((_, i) => variants[(i + r) % variants.length]);
      for (const v of order) {
        const { wall, cpu, trace } = await runOnce(runner, input, v);
        const res = results.get(v)!;
        res.wallMs.push(wall);
        res.cpuMs.push(cpu);
        res.sessionMs.push(trace.timings?.runMs ?? NaN);
      }
      console.error(`  ${family} ${threads}T ${n} tokens: round ${r + 1}/${runs}`);
    }
    out.push(...results.values());
    gc();
    rssAfter[n] = process.memoryUsage().rss;
  }
  await runner.release();
  return {
    family,
    config: CONFIGS[family],
    parameters,
    threads,
    runs,
    checkpointMs,
    loadMs,
    variants: out,
    rssLoaded,
    rssAfter,
    maxRss: process.resourceUsage().maxRSS * 1024,
    load: [loadStart, load()],
  };
}

function runChild(family: ForwardFamily, threads: number, tokens: string): Promise<ForwardChildResult> {
  const script = fileURLToPath(import.meta.url);
  const argv = ['--expose-gc', '--import', 'tsx', script, '--child', '--family', family, '--threads', String(threads), '--tokens', tokens, '--runs', String(runs)];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.on('error', reject);
    p.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`forward child ${family}/${threads} exited with ${code}`));
      else resolve(JSON.parse(line) as ForwardChildResult);
    });
  });
}

if (args.child) {
  const r = await child(args.family as ForwardFamily, Number(args.threads));
  process.stdout.write(JSON.stringify(r) + '\n');
} else {
  const t0 = performance.now();
  const started = new Date().toISOString();
  const children: ForwardChildResult[] = [];
  const plan: { family: ForwardFamily; threads: number; tokens: string }[] = [];
  for (const family of list(args.families!) as ForwardFamily[]) {
    for (const threads of list(args.threads!).map(Number)) plan.push({ family, threads, tokens: args.tokens! });
    // onnxruntime-web runs single-threaded in Node whatever numThreads says (it disables
    // threads there); this short run shows it (CPU time / wall time stays 1).
    const check = Number(args['thread-check']);
    if (family === 'gpt2' && check > 1 && !list(args.threads!).map(Number).includes(check)) plan.push({ family, threads: check, tokens: '128' });
  }
  for (const { family, threads, tokens } of plan) {
    console.error(`forward: ${family}, ${threads} thread(s), lengths ${tokens}, ${runs} runs`);
    children.push(await runChild(family, threads, tokens));
  }
  const results: ForwardResults = { started, runs, children, wallSeconds: (performance.now() - t0) / 1000 };
  mkdirSync(dirname(args.out!), { recursive: true });
  writeFileSync(args.out!, JSON.stringify(results, null, 1));
  console.log(forwardMarkdown(results));
  console.error(`forward: ${results.wallSeconds.toFixed(0)} s; results in ${args.out}`);
}
