// npm run bench: builds the app and the bench page, runs bench/forward.ts and
// bench/browser.ts (each in its own process, one after the other: the machine may have
// only 2 cores), and writes docs/BENCHMARKS.md.
//   npm run bench [-- --report-only] [-- --skip-forward] [-- --skip-browser]
// Extra arguments after `--pass` go to both parts (e.g. `--pass --runs 3` for a quick look;
// the committed file should come from a plain `npm run bench`).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { benchmarksMarkdown, type RunInfo } from './lib/report';
import { load, machine } from './lib/machine';
import type { ForwardResults } from './lib/forward-types';
import type { BrowserResults } from './lib/browser-types';
import type { AnalysisResults } from './lib/analysis-report';
import type { GenerationResults } from './lib/generation-report';
import type { QuantizationResults } from './lib/quantization-report';

const FORWARD_JSON = 'test-results/bench/forward.json';
const BROWSER_JSON = 'test-results/bench/browser.json';
const ANALYSIS_JSON = 'test-results/bench/analysis.json';
const GENERATION_JSON = 'test-results/bench/generation.json';
const QUANTIZATION_JSON = 'test-results/bench/quantization.json';
const RUN_JSON = 'test-results/bench/run.json';
const DOC = 'docs/BENCHMARKS.md';

const argv = process.argv.slice(2);
const passAt = argv.indexOf('--pass');
const own = passAt >= 0 ? argv.slice(0, passAt) : argv;
const pass = passAt >= 0 ? argv.slice(passAt + 1) : [];
const has = (flag: string) => own.includes(flag);

const node = (args: string[]) => execFileSync(process.execPath, args, { stdio: 'inherit' });
const tsx = (script: string, args: string[]) => node(['--import', 'tsx', script, ...args]);
const readJson = <T>(path: string): T | null => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null);

let run: RunInfo;
if (has('--report-only')) {
  run = readJson<RunInfo>(RUN_JSON) ?? { machine: machine(), date: new Date().toISOString(), loadStart: load(), loadEnd: load(), wallSeconds: 0, command: 'npm run bench' };
} else {
  const t0 = performance.now();
  const loadStart = load();
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  console.error(`bench: load average ${loadStart.map((x) => x.toFixed(2)).join(', ')}`);
  if (!has('--skip-browser')) {
    node(['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']);
    node(['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', '--config', 'bench/page/vite.config.ts']);
  }
  if (!has('--skip-forward')) tsx('bench/forward.ts', ['--out', FORWARD_JSON, ...pass]);
  if (!has('--skip-browser')) tsx('bench/browser.ts', ['--no-build', '--out', BROWSER_JSON, ...pass]);
  if (!has('--skip-analysis')) tsx('bench/analysis.ts', ['--out', ANALYSIS_JSON]);
  if (!has('--skip-generation')) tsx('bench/generation.ts', ['--out', GENERATION_JSON]);
  if (!has('--skip-quantization')) tsx('bench/quantization.ts', ['--out', QUANTIZATION_JSON]);
  run = {
    machine: machine(),
    date,
    loadStart,
    loadEnd: load(),
    wallSeconds: (performance.now() - t0) / 1000,
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
  };
  mkdirSync(dirname(RUN_JSON), { recursive: true });
  writeFileSync(RUN_JSON, JSON.stringify(run, null, 1));
}

mkdirSync(dirname(DOC), { recursive: true });
writeFileSync(DOC, benchmarksMarkdown(run, readJson<ForwardResults>(FORWARD_JSON), readJson<BrowserResults>(BROWSER_JSON), readJson<AnalysisResults>(ANALYSIS_JSON), readJson<GenerationResults>(GENERATION_JSON), readJson<QuantizationResults>(QUANTIZATION_JSON)));
console.error(`bench: wrote ${DOC}`);
