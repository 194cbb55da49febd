// Browser benchmark in headless Chromium against the production build:
//  1. the runtime through the app's worker, WebGPU vs WASM: the tiny embedded models and
//     a GPT-2-small-shaped random checkpoint (served as files, fetched by the worker);
//  2. the views on real GPT-2-small traces (probs only) at 32, 128 and 512 tokens: page
//     memory holding the trace, first draw, redraws of the model grid, heatmap and head
//     view, and the linked hover;
//  3. navigation → first heatmap on the explorer with the embedded default model.
//   npx tsx bench/browser.ts [--runs 5] [--no-build] [--out test-results/bench/browser.json]
// No GPU here: Chromium's WebGPU runs on SwiftShader (a CPU), so WebGPU numbers say how
// the app behaves without a GPU, not how fast a GPU is.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page, Worker as PageWorker } from 'playwright-core';
import { launchChromium } from '../tests/browser/chromium';
import { startStaticServer } from '../tests/browser/static-server';
import { fullSizeCheckpoint, writeCheckpoint } from '../tests/helpers/random-checkpoint';
import { createCodec } from '../src/lib/runtime/codec';
import type { RunMode } from '../src/lib/runtime/protocol';
import { FIRST_HEATMAP_MARK } from '../src/lib/components/views/heatmap-options';
import type { TraceStorage } from '../src/lib/trace/compact';
import { BenchPage } from './lib/bench-page';
import type { BrowserResults, FirstHeatmapRow, RuntimeRow, ViewsRow } from './lib/browser-types';
import { load } from './lib/machine';
import { summarize } from './lib/stats';
import { textWithTokens } from './lib/texts';
import { hoverTimes, redraws } from './lib/view-timing';
import { browserMarkdown } from './lib/browser-report';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'no-build': { type: 'boolean', default: false },
    'view-tokens': { type: 'string', default: '32,128,512,1024' },
    /** Lengths whose trace is also measured stored all float32 (the page's storage before issue 18). */
    'float32-tokens': { type: 'string', default: '512' },
    hovers: { type: 'string', default: '200' },
    navigations: { type: 'string', default: '5' },
    reloads: { type: 'string', default: '10' },
    models: { type: 'string', default: 'tiny-gpt2,tiny-bert,tiny-t5,random-gpt2' },
    backends: { type: 'string', default: 'webgpu,wasm' },
    sections: { type: 'string', default: 'first-heatmap,runtime' },
    out: { type: 'string', default: 'test-results/bench/browser.json' },
  },
});
const RUNS = Number(args.runs);
const REDRAWS = 7;
const NAVIGATIONS = Number(args.navigations);
/** Reloads of one tab in a row (the target: each within 1.5× of the first). */
const RELOADS = Number(args.reloads);
/** A warm run slower than this gets 3 timed runs instead of RUNS, and longer lengths are skipped: the bench must fit in minutes. */
const SLOW_RUN_MS = 8_000;
/** A warm run slower than this (GPT-2-small on SwiftShader WebGPU: over a minute) is the only timed run. */
const VERY_SLOW_RUN_MS = 30_000;
/** After a warm run slower than this, longer texts are skipped for that model and backend. */
const SKIP_LONGER_MS = 20_000;
/** Give up on a single run after this long (SwiftShader WebGPU on a 124M model can take minutes). */
const RUN_TIMEOUT_MS = 120_000;
const BIG_DIR = 'test-results/bench-models';
const started = performance.now();
/** Progress on stderr, with the seconds since the start. */
const log = (msg: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
const BIG_ID = 'random-gpt2';

interface ModelSpec {
  id: string;
  modelsBase: string;
  /** Folder with tokenizer.json (and tokenizer_config.json), to make texts of exact lengths in Node. */
  dir: string;
  family: 'gpt2' | 'bert' | 't5';
  tokens: Record<'webgpu' | 'wasm', number[]>;
}

const MODELS: ModelSpec[] = [
  { id: 'tiny-gpt2', modelsBase: '/models/', dir: 'static/models/tiny-gpt2', family: 'gpt2', tokens: { webgpu: [32, 128], wasm: [32, 128] } },
  { id: 'tiny-bert', modelsBase: '/models/', dir: 'static/models/tiny-bert', family: 'bert', tokens: { webgpu: [32, 128], wasm: [32, 128] } },
  { id: 'tiny-t5', modelsBase: '/models/', dir: 'static/models/tiny-t5', family: 't5', tokens: { webgpu: [32, 128], wasm: [32, 128] } },
  { id: BIG_ID, modelsBase: '/__bench-models/', dir: join(BIG_DIR, BIG_ID), family: 'gpt2', tokens: { webgpu: [32, 128], wasm: [32, 128, 512] } },
];

function build(): void {
  const vite = (a: string[]) => execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', ...a], { stdio: 'inherit' });
  vite([]);
  vite(['--config', 'bench/page/vite.config.ts']);
}

function ensureBigModel(): void {
  const dir = join(BIG_DIR, BIG_ID);
  if (existsSync(join(dir, 'model.safetensors'))) return;
  console.error(`writing the GPT-2-small-shaped random checkpoint to ${dir} …`);
  writeCheckpoint(fullSizeCheckpoint('gpt2', 1), dir);
}

function texts(spec: ModelSpec, n: number): { text: string; target?: string } {
  const json = (f: string) => (existsSync(join(spec.dir, f)) ? JSON.parse(readFileSync(join(spec.dir, f), 'utf8')) : undefined);
  const codec = createCodec(spec.id, json('tokenizer.json'), json('tokenizer_config.json'));
  const count = (s: string) => codec.encode(s).tokens.length;
  if (spec.family === 't5') return { text: textWithTokens(count, n), target: textWithTokens(count, n) };
  return { text: textWithTokens(count, n, spec.family === 'bert' ? '[MASK]' : '') };
}

const ALL_TAPS: RunMode = { kind: 'forward', options: {} };
const probsOnly = (pageStorage: TraceStorage): RunMode => ({ kind: 'forward', options: { taps: ['probs'], pageStorage } });

/** The app's performance marks (atlas:*) of the page and its worker, in ms on the page's clock. */
async function appMarks(page: Page, worker: PageWorker): Promise<[string, number][]> {
  const read = () => ({ origin: performance.timeOrigin, marks: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('atlas:')).map((m) => [m.name, m.startTime] as [string, number]) });
  const p = await page.evaluate(read);
  const w = await worker.evaluate(read);
  return [...p.marks, ...w.marks.map(([n, t]) => [n, t + w.origin - p.origin] as [string, number])];
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', String(e)));
  return page;
}

/** Runtime rows for one model on one backend; `after` runs with the model still loaded. */
async function runtimeRows(bench: BenchPage, spec: ModelSpec, preference: 'webgpu' | 'wasm', threads: number | undefined, after?: (key: string) => Promise<void>): Promise<RuntimeRow[]> {
  const rows: RuntimeRow[] = [];
  const loaded = await bench.load({ preference, modelsBase: spec.modelsBase, id: spec.id, threads });
  for (const n of spec.tokens[preference]) {
    const input = texts(spec, n);
    const req = { key: loaded.key, ...input, mode: ALL_TAPS };
    const row: RuntimeRow = {
      model: spec.id,
      preference,
      backend: loaded.backend,
      threads: loaded.backend === 'wasm' ? loaded.threads : undefined,
      parameters: loaded.parameters,
      tokens: n,
      loadMs: loaded.ms,
      firstRunMs: NaN,
      wall: summarize([NaN]),
      session: summarize([NaN]),
      traceBytes: 0,
    };
    rows.push(row);
    try {
      const first = await bench.run(req, RUN_TIMEOUT_MS);
      row.firstRunMs = first.ms;
      row.backend = first.backend;
      row.decoderTokens = first.decoderTokens;
      row.traceBytes = first.bytes;
      const warm = await bench.run(req, RUN_TIMEOUT_MS);
      const runs = warm.ms > VERY_SLOW_RUN_MS ? 1 : warm.ms > SLOW_RUN_MS ? 3 : RUNS;
      if (runs < RUNS) row.note = `${runs} timed run${runs > 1 ? 's' : ''} (a run takes over ${(runs === 1 ? VERY_SLOW_RUN_MS : SLOW_RUN_MS) / 1000} s here)`;
      // The warm-up run counts as the one sample when a run takes this long.
      const walls: number[] = runs === 1 ? [warm.ms] : [];
      const sessions: number[] = runs === 1 ? [warm.runMs] : [];
      for (let i = walls.length; i < runs; i++) {
        const r = await bench.run(req, RUN_TIMEOUT_MS);
        walls.push(r.ms);
        sessions.push(r.runMs);
      }
      row.wall = summarize(walls);
      row.session = summarize(sessions);
      log(`${spec.id} ${preference}→${row.backend} ${n} tokens: ${row.wall.median.toFixed(0)} ms (first ${row.firstRunMs.toFixed(0)} ms)`);
      if (row.wall.median > SKIP_LONGER_MS) {
        if (n !== spec.tokens[preference].at(-1)) row.note = `${row.note ?? ''}; longer texts skipped (too slow here)`.replace(/^; /, '');
        break;
      }
    } catch (e) {
      row.note = `failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 200);
      log(`${spec.id} ${preference} ${n}: ${row.note}`);
      break;
    }
  }
  await bench.drop();
  if (after) await after(loaded.key);
  log(`${spec.id} ${preference}: unloading`);
  await bench.unload(loaded.key);
  log(`${spec.id} ${preference}: unloaded`);
  return rows;
}

/** Views and memory on real GPT-2-small traces, probs only, as the app would hold them. */
async function viewRows(bench: BenchPage, key: string, spec: ModelSpec): Promise<ViewsRow[]> {
  const rows: ViewsRow[] = [];
  const page = bench.page;
  const float32 = args['float32-tokens']!.split(',').map(Number);
  const cases = args['view-tokens']!.split(',').map(Number).flatMap((n) => (float32.includes(n) ? (['float32', 'compact'] as const) : (['compact'] as const)).map((storage) => ({ n, storage })));
  for (const { n, storage } of cases) {
    await bench.drop();
    log(`views @${n} (${storage}): measuring`);
    const before = await bench.memory();
    const r = await bench.run({ key, ...texts(spec, n), mode: probsOnly(storage) }, RUN_TIMEOUT_MS);
    const withTrace = await bench.memory();
    log(`views @${n}: ran, memory measured`);
    // Times on the page's own clock (a MutationObserver), not this script's polling, which waits
    // while the page is busy: the first screen drawn (all three views' renderers done), painted
    // (two frames later), and the views below it mounted.
    await page.evaluate(() => {
      const w = window as unknown as { __firstScreen: Record<string, number> };
      const t0 = performance.now();
      const at: Record<string, number> = (w.__firstScreen = {});
      // (No named functions in here: the bundler would wrap them in a helper the page lacks.)
      const seen = new MutationObserver(() => {
        if (at.drawn === undefined && ['model', 'heatmap', 'head'].every((v) => document.querySelector(`[data-view="${v}"] [data-draw-ms]`))) {
          at.drawn = performance.now() - t0;
          // Each renderer's own first draw, read now: later redraws (head roles arriving) overwrite it.
          for (const v of ['model', 'heatmap', 'head']) at[`draw:${v}`] = Number(document.querySelector(`[data-view="${v}"] [data-draw-ms]`)!.getAttribute('data-draw-ms'));
          requestAnimationFrame(() => requestAnimationFrame(() => (at.painted = performance.now() - t0)));
        }
        if (at.rest === undefined && document.querySelector('[data-view="metrics"]')) at.rest = performance.now() - t0;
        if (at.rest !== undefined && at.drawn !== undefined) seen.disconnect();
      });
      seen.observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await bench.show();
    await page.waitForFunction(() => {
      const at = (window as unknown as { __firstScreen: Record<string, number> }).__firstScreen;
      return at.painted !== undefined && at.rest !== undefined;
    }, null, { timeout: 120_000 });
    const screen = await page.evaluate(() => (window as unknown as { __firstScreen: Record<string, number> }).__firstScreen);
    const firstDrawMs = screen.drawn;
    // Each view's own first draw (its renderer's data-draw-ms), before any redraw.
    const firstDraws = { model: screen['draw:model'], heatmap: screen['draw:heatmap'], head: screen['draw:head'] };
    // A float16 trace: the heatmap's head gets its exact values from the worker (trace/exact.ts).
    const t1 = performance.now();
    const exact = await page
      .waitForFunction(() => document.querySelector('[data-view="heatmap"] [data-exact]')?.getAttribute('data-exact') === 'true', null, { timeout: 30_000 })
      .then(() => true, () => false);
    const exactMs = r.packing?.includes('f16') ? (exact ? performance.now() - t1 : NaN) : undefined;
    await page.waitForTimeout(300);
    log(`views @${n}: drawn`);
    const grid = await redraws(page, 'model', 'select', REDRAWS);
    const heatmap = await redraws(page, 'heatmap', 'input[data-control="log"]', REDRAWS);
    const head = await redraws(page, 'head', 'select', REDRAWS);
    const hover = await hoverTimes(page, REDRAWS);
    const withViews = await bench.memory();
    rows.push({
      tokens: n,
      storage,
      packing: r.packing,
      runMs: r.runMs,
      traceBytes: r.bytes,
      memBefore: before,
      memWithTrace: withTrace,
      memWithViews: withViews,
      firstDrawMs,
      firstDraws,
      paintedMs: screen.painted,
      restMs: screen.rest,
      exactMs,
      grid: summarize(grid),
      heatmap: summarize(heatmap),
      head: summarize(head),
      hover: summarize(hover.samples),
      hoverPerView: hover.perView,
    });
    log(`views @${n}: grid ${rows.at(-1)!.grid.median.toFixed(1)} ms, heatmap ${rows.at(-1)!.heatmap.median.toFixed(1)} ms, head ${rows.at(-1)!.head.median.toFixed(1)} ms, hover ${hover.total.toFixed(1)} ms; page ${(withTrace.total / 1e6).toFixed(0)} MB with a ${(r.bytes / 1e6).toFixed(0)} MB trace`);
  }
  await bench.drop();
  return rows;
}

/** Navigation → performance.mark(FIRST_HEATMAP_MARK) on the explorer, fresh profile each time (nothing cached). */
async function firstHeatmap(browser: Browser, url: string, query: string): Promise<{ row: FirstHeatmapRow; page: Page }> {
  const samples: number[] = [];
  const dcl: number[] = [];
  let backend = '';
  let pixelsDrawn = true;
  let page: Page | undefined;
  const milestones: Record<string, number[]> = { wasm: [], weights: [], session: [] };
  const marks: Record<string, number[]> = {};
  for (let i = 0; i < NAVIGATIONS; i++) {
    if (page) await page.context().close();
    page = await newPage(browser);
    // When the worker's downloads finished (absolute epoch ms; made relative to the page's time origin below).
    const finished: { url: string; at: number }[] = [];
    page.on('requestfinished', (req) => {
      const t = req.timing();
      finished.push({ url: req.url(), at: t.startTime + t.responseEnd });
    });
    const worker = new Promise<PageWorker>((resolve) => page!.once('worker', resolve));
    await page.goto(url + '/' + query);
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_HEATMAP_MARK, { timeout: 120_000 });
    for (const [name, at] of await appMarks(page, await worker)) (marks[name] ??= []).push(at);
    const m = await page.evaluate((mark) => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const canvas = document.querySelector('[data-view="heatmap"] canvas') as HTMLCanvasElement | null;
      let coloured = false;
      if (canvas) {
        const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < d.length && !coloured; i += 4) coloured = d[i] > 0;
      }
      return { at: performance.getEntriesByName(mark)[0].startTime, dcl: nav.domContentLoadedEventEnd, coloured };
    }, FIRST_HEATMAP_MARK);
    samples.push(m.at);
    dcl.push(m.dcl);
    const origin = await page.evaluate(() => performance.timeOrigin);
    const last = (re: RegExp) => Math.max(...finished.filter((f) => re.test(f.url)).map((f) => f.at - origin));
    milestones.wasm.push(last(/ort-wasm[^/]*\.wasm$/));
    milestones.weights.push(last(/model\.safetensors$/));
    // The status line: "N tokens · X ms" (session.run of the trace shown).
    const timing = (await page.locator('[data-testid="timing"]').textContent()) ?? '';
    milestones.session.push(Number(timing.match(/([\d.]+) ms/)?.[1] ?? NaN));
    pixelsDrawn &&= m.coloured;
    backend = (await page.locator('[data-testid="backend"]').textContent())?.trim() ?? '';
  }
  // Repeat visits: the same profile, so the HTTP cache holds onnxruntime's .wasm and the model,
  // and V8 its compiled code, as for anyone opening the app a second time.
  const repeat: number[] = [];
  // When each reloaded page created its worker (after hydration): a slow reload slow before this is slow before any model work.
  const repeatWorker: number[] = [];
  for (let i = 0; i < RELOADS; i++) {
    // Wait for the mark, not for "load" (a page still busy from the previous visit can delay that).
    await page!.goto(`${url}/${query}${query ? '&' : '?'}visit=${i}`, { waitUntil: 'commit', timeout: 120_000 });
    await page!.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_HEATMAP_MARK, { timeout: 120_000 });
    const r = await page!.evaluate((mark) => [performance.getEntriesByName(mark)[0].startTime, performance.getEntriesByName('atlas:worker-created')[0]?.startTime ?? NaN], FIRST_HEATMAP_MARK);
    repeat.push(r[0]);
    repeatWorker.push(r[1]);
  }
  const row: FirstHeatmapRow = {
    query,
    backend,
    samples,
    summary: summarize(samples),
    domContentLoaded: summarize(dcl).median,
    wasmFetched: summarize(milestones.wasm).median,
    weightsFetched: summarize(milestones.weights).median,
    sessionRunMs: summarize(milestones.session).median,
    pixelsDrawn,
    marks: Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, summarize(v).median])),
    repeat: summarize(repeat),
    repeatSamples: repeat,
    repeatWorkerCreated: repeatWorker,
  };
  log(`first heatmap ${query || '(default)'} on ${backend}: ${row.summary.median.toFixed(0)} ms`);
  return { row, page: page! };
}

const t0 = performance.now();
const loadStart = load();
if (!args['no-build']) build();
ensureBigModel();
const server = await startStaticServer('build', 0, { '/__bench/': 'test-results/bench-page', '/__bench-models/': BIG_DIR });
const browser = await launchChromium();
const results: BrowserResults = {
  started: new Date().toISOString(),
  chromium: browser.version(),
  webgpuAdapter: '',
  runtime: [],
  views: [],
  firstHeatmap: [],
  wallSeconds: 0,
  load: [loadStart, []],
};
try {
  const sections = args.sections!.split(',');
  if (sections.includes('first-heatmap')) log('first heatmap on the explorer');
  // Today's loading path (the WASM-only onnxruntime build when WebGPU is not used) and the old
  // one (?load=old: the WebGPU build, whose .wasm is twice the bytes, even for WASM; the service
  // worker registered at start; every view mounted at once; src/lib/load-path.ts), in one run.
  for (const query of sections.includes('first-heatmap') ? ['', '?load=old'] : []) {
    const { row, page } = await firstHeatmap(browser, server.url, query);
    results.firstHeatmap.push(row);
    {
      // The explorer's linked hover, after the reloads above: 200 hovers, every sample kept (both paths).
      const tokens = await page.locator('[data-view="head"] .atlas-tokens-left .atlas-token').count();
      const h = await hoverTimes(page, Number(args.hovers));
      const row = { tokens, hover: summarize(h.samples), perView: h.perView, samples: h.samples };
      if (query === '') results.explorerHover = row;
      else results.explorerHoverOld = row;
    }
    await page.context().close();
  }

  // Each group in its own page (a fresh worker: onnxruntime's threads are set once per worker).
  // WASM with the app's default threads (2 here) for every model, then GPT-2-small on 1 thread.
  const groups: { preference: 'webgpu' | 'wasm'; threads?: number; models: string[] }[] = [
    { preference: 'webgpu', models: MODELS.map((m) => m.id) },
    { preference: 'wasm', models: MODELS.map((m) => m.id) },
    { preference: 'wasm', threads: 1, models: [BIG_ID] },
  ];
  const wanted = args.models!.split(',');
  for (const group of sections.includes('runtime') ? groups.filter((g) => args.backends!.split(',').includes(g.preference)) : []) {
    log(`runtime on ${group.preference}${group.threads ? `, ${group.threads} thread` : ''}`);
    const page = await newPage(browser);
    const bench = await BenchPage.open(page, server.url + '/__bench/');
    if (!results.webgpuAdapter)
      results.webgpuAdapter = await page.evaluate(async () => {
        const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
        const a = await gpu?.requestAdapter();
        return a ? [a.info?.vendor, a.info?.architecture, a.info?.description].filter(Boolean).join(' ') || 'an adapter (no info)' : 'none';
      });
    for (const spec of MODELS.filter((m) => group.models.includes(m.id) && wanted.includes(m.id))) {
      const views = group.preference === 'wasm' && !group.threads && spec.id === BIG_ID;
      const after = views ? async (key: string) => void results.views.push(...(await viewRows(bench, key, spec))) : undefined;
      results.runtime.push(...(await runtimeRows(bench, spec, group.preference, group.threads, after)));
    }
    await page.context().close();
  }
} finally {
  log('closing the browser');
  await browser.close();
  log('closing the server');
  await server.close();
  log('closed');
}
results.wallSeconds = (performance.now() - t0) / 1000;
results.load[1] = load();
mkdirSync(dirname(args.out!), { recursive: true });
writeFileSync(args.out!, JSON.stringify(results, null, 1));
console.log(browserMarkdown(results));
console.error(`browser: ${results.wallSeconds.toFixed(0)} s; results in ${args.out}`);
