// Issue 19: hostile and unlucky input in the explorer — a second set of your own files,
// a tokenizer whose regex never finishes, a link that inflates without bound, text typed
// on your own files. Each test failed before its fix.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useBrowser } from './page';
import { openTrace, useTraceFiles } from './trace-files';
import { syntheticTrace } from '../fixtures/synthetic-trace';
import { traceToJSON } from '../../src/lib/trace/json';

const RUN_TIMEOUT = 180_000;
/** The inflated size of the link bomb (the issue's was 64 MiB). */
const BOMB_BYTES = 64 * 2 ** 20;

async function waitForTrace(page: Page, text?: string): Promise<void> {
  await page.waitForFunction(
    (t) => {
      const shown = document.querySelector('main')?.getAttribute('data-trace-text');
      return shown != null && (t === null || shown === t) && !!document.querySelector('[data-view=model] canvas');
    },
    text ?? null,
    { timeout: RUN_TIMEOUT },
  );
}

/** An embedded model's files, as a user would pick them from its folder. */
function modelFiles(id: string, replace: Record<string, Buffer> = {}) {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'].map((name) => ({
    name,
    mimeType: 'application/octet-stream',
    buffer: replace[name] ?? readFileSync(`static/models/${id}/${name}`),
  }));
}

async function pickFiles(page: Page, files: ReturnType<typeof modelFiles>): Promise<void> {
  if (!(await page.locator('[data-testid=local-files]').isVisible())) await page.click('[data-testid=hub-panel] summary');
  await page.setInputFiles('[data-testid=local-files]', files);
}

const headTokens = (page: Page) => page.locator('[data-view=head] .atlas-token').allTextContents();

/** tiny-gpt2's tokenizer with a Split pre-tokenizer whose regex backtracks without end on "aaa…a!". */
function backtrackingTokenizer(): Buffer {
  const json = JSON.parse(readFileSync('static/models/tiny-gpt2/tokenizer.json', 'utf8'));
  json.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated', invert: false }, json.pre_tokenizer] };
  return Buffer.from(JSON.stringify(json));
}

describe('hostile input', { timeout: 600_000 }, () => {
  const browser = useBrowser();

  it('a second set of your own files is loaded, not the first one again, and the page says which files run', async () => {
    const page = await browser.open('/');
    await waitForTrace(page);
    await page.fill('[data-testid=text-input]', 'the cat sat on the mat');
    await waitForTrace(page, 'the cat sat on the mat');
    await pickFiles(page, modelFiles('tiny-gpt2'));
    await expect.poll(() => page.inputValue('[data-testid=model-select]'), { timeout: RUN_TIMEOUT }).toMatch(/^files:/);
    await expect.poll(() => page.textContent('.note'), { timeout: RUN_TIMEOUT }).toContain('Decoder-only');
    await waitForTrace(page, 'the cat sat on the mat');
    expect(await headTokens(page)).not.toContain('[CLS]');

    // Now tiny-bert's files, picked the same way (so under the same default name).
    await pickFiles(page, modelFiles('tiny-bert'));
    await expect.poll(() => page.textContent('.note'), { timeout: RUN_TIMEOUT }).toContain('Encoder-only');
    await expect.poll(() => headTokens(page), { timeout: RUN_TIMEOUT }).toContain('[CLS]');
    await waitForTrace(page, 'the cat sat on the mat');
    // The page says which files run: tiny-bert's (its safetensors differ in size from tiny-gpt2's).
    const mb = (id: string) => `model.safetensors (${(readFileSync(`static/models/${id}/model.safetensors`).byteLength / 1e6).toFixed(1)} MB)`;
    expect(mb('tiny-bert')).not.toBe(mb('tiny-gpt2'));
    const shown = await page.textContent('[data-testid=model-files]');
    expect(shown).toContain(mb('tiny-bert'));
    expect(shown).toContain('tokenizer.json');
    expect(shown).toMatch(/fingerprint [0-9a-f]{16}/);
    expect(browser.errors).toEqual([]);
  });

  it('text typed while your own files run survives a reload', async () => {
    const page = await browser.open('/');
    await waitForTrace(page);
    await pickFiles(page, modelFiles('tiny-gpt2'));
    await expect.poll(() => page.inputValue('[data-testid=model-select]'), { timeout: RUN_TIMEOUT }).toMatch(/^files:/);
    await page.fill('[data-testid=text-input]', 'typed on my own files');
    await waitForTrace(page, 'typed on my own files');
    await page.reload();
    await waitForTrace(page);
    expect(await page.inputValue('[data-testid=text-input]')).toBe('typed on my own files');
  });

  it('a tokenizer regex that never finishes is stopped by the watchdog, named, and the embedded model runs again', async () => {
    const page = await browser.open('/');
    await waitForTrace(page);
    await pickFiles(page, modelFiles('tiny-gpt2', { 'tokenizer.json': backtrackingTokenizer() }));
    await expect.poll(() => page.inputValue('[data-testid=model-select]'), { timeout: RUN_TIMEOUT }).toMatch(/^files:/);
    await waitForTrace(page);
    const hostile = 'a'.repeat(48) + '!';
    const t0 = Date.now();
    await page.fill('[data-testid=text-input]', hostile);
    await page.waitForSelector('[data-testid=error]:has-text("(a+)+$")', { timeout: 30_000 });
    const stoppedAfter = Date.now() - t0;
    // The worker was restarted and the page went back to the model shown before the files.
    await expect.poll(() => page.inputValue('[data-testid=model-select]'), { timeout: RUN_TIMEOUT }).toBe('tiny-gpt2');
    await waitForTrace(page, hostile);
    expect(await page.inputValue('[data-testid=text-input]')).toBe(hostile);
    await expect.poll(() => page.textContent('[data-testid=error]'), { timeout: 30_000 }).toContain('(a+)+$');
    // The page itself never stopped answering.
    const ping = Date.now();
    await page.evaluate(() => 1);
    expect(Date.now() - ping).toBeLessThan(5000);
    console.log(`watchdog stopped the hung tokenizer after ${stoppedAfter} ms`);
  });

  it('a link whose tz= inflates without bound is refused with a message and dropped from the URL', async () => {
    // 64 MiB of "a", deflated: a link of about 87 kB.
    const bomb = deflateRawSync(Buffer.alloc(BOMB_BYTES, 'a'), { level: 9 }).toString('base64url');
    const page = await browser.open('/');
    await waitForTrace(page);
    const t0 = Date.now();
    await page.goto(page.url().replace(/#.*$/, '') + `#m=tiny-bert&tz=${bomb}`);
    await page.reload();
    await page.waitForSelector('[data-testid=notice]', { timeout: 30_000 });
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(await page.textContent('[data-testid=notice]')).toMatch(/too long|MB/);
    await waitForTrace(page);
    expect(page.url()).not.toContain('tz=');
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    console.log(`heap after the bomb: ${(heap / 1e6).toFixed(0)} MB`);
    expect(heap).toBeLessThan(1.5e9);
  });
});

describe('hostile links and trace files', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  const files = useTraceFiles('hostile');

  it('the worker fetches nothing from another origin (the page CSP does not reach it)', async () => {
    let hits = 0;
    const other = createServer((_, res) => {
      hits++;
      res.end('secret');
    });
    await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/secret`;
      const page = await browser.open('/');
      await waitForTrace(page);
      const worker = page.workers().find((w) => w.url().includes('worker'))!;
      const result = await worker.evaluate(async (u) => fetch(u).then(() => 'reached', (e) => String(e)), url);
      expect(result).toMatch(/does not connect to/);
      expect(hits).toBe(0);
    } finally {
      other.close();
    }
  });

  it('Compare loads both models again after the worker was restarted', async () => {
    const page = await browser.open('/compare/');
    for (const i of [0, 1]) await page.waitForSelector(`[data-testid=side-${i}] [data-testid=timing]`, { timeout: RUN_TIMEOUT });
    const worker = page.workers().find((w) => w.url().includes('worker'))!;
    await worker.evaluate(() => setTimeout(() => {
      throw new Error('simulated crash');
    }, 0));
    await page.waitForTimeout(3000);
    await page.fill('[data-testid=compare-text]', 'after the crash');
    for (const i of [0, 1]) {
      await expect.poll(() => page.locator(`[data-testid=side-${i}] [data-testid=error]`).count(), { timeout: RUN_TIMEOUT }).toBe(0);
      await page.waitForSelector(`[data-testid=side-${i}] [data-testid=timing]`, { timeout: RUN_TIMEOUT });
    }
    await page.waitForTimeout(3000);
    expect(await page.locator('[data-testid=error]').allTextContents()).toEqual([]);
  });

  it('a link asking for layer 999 of a 4-layer model says so', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=hello%20world&l=999&h=1');
    await waitForTrace(page, 'hello world');
    await expect.poll(() => page.textContent('[data-testid=notice]').catch(() => null), { timeout: 30_000 }).toContain('layer 999 (layer 3 is shown)');
  });

  it('NaN weights get their own mark (not the mask hatch) and a warning naming layer and head', async () => {
    const t = syntheticTrace({ family: 'gpt2', layers: 2, heads: 2, tokens: 8 });
    const p = t.attention.self!.probs!;
    const [, H, Q, K] = p.shape;
    for (let q = 5; q < Q; q++) for (let k = 0; k <= q; k++) p.data[((0 * H + 0) * Q + q) * K + k] = NaN;
    const page = await browser.open('/view/');
    await openTrace(page, files.save('nan', t));
    const warning = page.locator('[data-testid=non-finite]');
    expect(await warning.getAttribute('data-layer')).toBe('0');
    expect(await warning.getAttribute('data-head')).toBe('0');
    expect(await warning.textContent()).toContain('self layer 0, head 0');
    expect(await page.getAttribute('canvas.atlas-model-grid-cells', 'data-non-finite-heads')).toBe('1');
    // Heatmap of layer 0, head 0: row 6 col 2 is NaN, row 1 col 5 is masked (causal).
    const pixels = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('canvas.atlas-heatmap-cells')!;
      const cell = Number(c.dataset.cell) * (c.width / c.clientWidth);
      const at = (row: number, col: number) => [...c.getContext('2d')!.getImageData(Math.floor((col + 0.5) * cell), Math.floor((row + 0.5) * cell), 1, 1).data.slice(0, 3)];
      return { count: Number(c.dataset.nonFinite), nan: at(6, 2), masked: at(1, 5) };
    });
    expect(pixels.count).toBe(3 * 6 + 3);
    expect(pixels.nan).toEqual([214, 24, 150]);
    expect(pixels.masked).not.toEqual([214, 24, 150]);
  });

  it('a trace whose rows do not sum to 1 is drawn with the rows listed; a refused file clears it', async () => {
    const t = syntheticTrace({ family: 'gpt2', layers: 2, heads: 2, tokens: 4 });
    const p = t.attention.self!.probs!;
    const [, H, Q, K] = p.shape;
    for (let k = 0; k < K; k++) p.data[((1 * H + 0) * Q + 3) * K + k] = 0.5;
    const page = await browser.open('/view/');
    await openTrace(page, files.save('rows', t));
    expect(await page.textContent('[data-testid=trace-issues]')).toContain('layer 1, head 0, query 3 sums to 2.000');
    // In the heatmap of layer 1, head 0 that row is outlined, and only that one.
    expect(await page.locator('[data-view=heatmap] canvas.atlas-heatmap-cells').getAttribute('data-bad-rows')).toBe('');
    await page.focus('[data-view=model] .atlas-model-grid-plot');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-view=heatmap] canvas.atlas-heatmap-cells').getAttribute('data-bad-rows')).toBe('3');
    const broken = traceToJSON(t) as { tokens: unknown[] };
    broken.tokens[1] = null;
    writeFileSync(files.pathOf('broken.json'), JSON.stringify(broken));
    await page.setInputFiles('input[data-testid="trace-file"]', files.pathOf('broken.json'));
    await page.waitForSelector('[role=alert]:has-text("tokens[1] is null")');
    expect(await page.locator('[data-testid=trace-summary]').count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });
});
