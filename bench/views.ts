// Benchmark and screenshots of the views on SYNTHETIC traces (tests/fixtures/synthetic-trace.ts),
// in headless Chromium against the built app (`npm run build` first).
//   npx tsx bench/views.ts [--shots DIR] [--no-shots]
// Prints a table of draw and hover times (ms) and writes PNGs of every view at 8 and
// 128 tokens (light, dark, and HiDPI). Redraws are forced by cycling a view's own control
// (model grid: global / log / per-row scale; heatmap: log on / off).

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../tests/browser/chromium';
import { startStaticServer } from '../tests/browser/static-server';
import { syntheticTrace, type SyntheticOptions } from '../tests/fixtures/synthetic-trace';
import { traceToJSONString } from '../src/lib/trace/json';
import { hoverTimes as hoverTimesN, redraws as redrawsN } from './lib/view-timing';
import { median } from './lib/stats';

const args = process.argv.slice(2);
const shotsDir = args.includes('--shots') ? args[args.indexOf('--shots') + 1] : 'test-results/views';
const shots = !args.includes('--no-shots');
const REPEATS = 7;
const redraws = (page: Page, view: string, toggle: string) => redrawsN(page, view, toggle, REPEATS);
const hoverTimes = (page: Page) => hoverTimesN(page, REPEATS);

const dir = mkdtempSync(join(tmpdir(), 'atlas-bench-'));
function write(name: string, o: SyntheticOptions): string {
  const t0 = performance.now();
  const path = join(dir, `${name}.json`);
  const json = traceToJSONString(syntheticTrace(o));
  writeFileSync(path, json);
  console.error(`${name}: ${(json.length / 1e6).toFixed(1)} MB JSON in ${(performance.now() - t0).toFixed(0)} ms`);
  return path;
}

async function load(page: Page, path: string): Promise<number> {
  await page.waitForSelector('input[data-testid="trace-file"][data-ready="true"]', { state: 'attached' });
  const t0 = performance.now();
  await page.setInputFiles('input[data-testid="trace-file"]', path);
  await page.waitForSelector('[data-testid="trace-summary"]', { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelector('.atlas-model-grid')?.getAttribute('data-draw-ms') !== null);
  await page.waitForTimeout(300);
  return performance.now() - t0;
}

async function screenshotViews(page: Page, name: string): Promise<void> {
  if (!shots) return;
  mkdirSync(shotsDir, { recursive: true });
  for (const view of ['model', 'head', 'heatmap', 'qkv', 'alignment', 'metrics']) {
    const el = page.locator(`[data-view="${view}"]`);
    if ((await el.count()) === 0) continue;
    await el.screenshot({ path: join(shotsDir, `${name}-${view}.png`) });
  }
  await page.screenshot({ path: join(shotsDir, `${name}-viewport.png`) });
  // The linked hover, pinned by a click (screenshots scroll, which would move the pointer off).
  const tok = page.locator('[data-view="head"] .atlas-tokens-left .atlas-token').nth(3);
  await tok.click();
  await page.waitForTimeout(100);
  for (const view of ['head', 'heatmap', 'alignment']) {
    const el = page.locator(`[data-view="${view}"]`);
    if ((await el.count()) > 0) await el.screenshot({ path: join(shotsDir, `${name}-${view}-hover.png`) });
  }
  await tok.click(); // unpin
  await page.mouse.move(0, 0);
}

const server = await startStaticServer('build');
const browser = await launchChromium();
const rows: string[][] = [];
try {
  // [name, trace, dark theme, device pixel ratio]
  const cases: [string, SyntheticOptions, boolean, number?][] = [
    ['gpt2-8', { family: 'gpt2', layers: 12, heads: 12, headDim: 64, tokens: 8, hostileToken: true }, false],
    ['bert-8', { family: 'bert', layers: 12, heads: 12, headDim: 64, tokens: 8 }, false],
    ['t5-8', { family: 't5', layers: 6, heads: 8, headDim: 64, tokens: 8, decoderTokens: 6 }, false],
    ['t5-8', { family: 't5', layers: 6, heads: 8, headDim: 64, tokens: 8, decoderTokens: 6 }, true],
    ['gpt2-128', { family: 'gpt2', layers: 12, heads: 12, headDim: 16, tokens: 128 }, false],
    ['gpt2-128', { family: 'gpt2', layers: 12, heads: 12, headDim: 16, tokens: 128 }, true],
    ['bert-128', { family: 'bert', layers: 4, heads: 12, headDim: 16, tokens: 128 }, false],
    ['t5-128', { family: 't5', layers: 2, heads: 8, headDim: 16, tokens: 128, decoderTokens: 40 }, false],
    ['gpt2-512', { family: 'gpt2', layers: 1, heads: 2, tokens: 512, taps: ['probs'] }, false],
    ['gpt2-8', { family: 'gpt2', layers: 12, heads: 12, headDim: 64, tokens: 8, hostileToken: true }, false, 2],
    ['gpt2-128', { family: 'gpt2', layers: 12, heads: 12, headDim: 16, tokens: 128 }, false, 2],
    ['gpt2-512', { family: 'gpt2', layers: 1, heads: 2, tokens: 512, taps: ['probs'] }, false, 2],
  ];
  const paths = new Map<string, string>();
  for (const [name, o, dark, dpr = 1] of cases) {
    if (!paths.has(name)) paths.set(name, write(name, o));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: dark ? 'dark' : 'light', deviceScaleFactor: dpr });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url + '/view/');
    const loadMs = await load(page, paths.get(name)!);
    const label = name + (dark ? '-dark' : '') + (dpr !== 1 ? `-dpr${dpr}` : '');
    await screenshotViews(page, label);
    if (!dark) {
      const grid = await redraws(page, 'model', 'select');
      const heat = await redraws(page, 'heatmap', 'input[data-control="log"]');
      const hover = await hoverTimes(page);
      rows.push([
        label,
        loadMs.toFixed(0),
        `${median(grid).toFixed(1)} (${Math.min(...grid).toFixed(1)})`,
        `${median(heat).toFixed(1)} (${Math.min(...heat).toFixed(1)})`,
        hover.total.toFixed(1),
        Object.entries(hover.perView)
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', '),
      ]);
    }
    if (errors.length) console.error(label, 'page errors:', errors);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
console.log('\n| trace | load (ms) | model grid draw, median (min) of 7 (ms) | heatmap draw, median (min) (ms) | hover → all views updated, JS+style+layout (ms) | of which renderer overlay work (ms) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
