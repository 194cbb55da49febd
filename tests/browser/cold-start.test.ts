// The first visit's loading path (issue 18): the WASM-only onnxruntime build when the model
// runs on WASM and the WebGPU build only for WebGPU, and the offline copy (the service
// worker's install, ~74 MB) downloaded only after the first heatmap is drawn; the model worker
// starts as the app starts, before the explorer's page has mounted.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser, waitForTrace } from './page';

/** Every request the page and its workers (the service worker included) start, with when (ms on the page's clock). */
function recordRequests(page: Page): { url: string; at: number }[] {
  const seen: { url: string; at: number }[] = [];
  page.context().on('request', (r) => seen.push({ url: r.url(), at: Date.now() }));
  return seen;
}

const ortWasm = (seen: { url: string }[]) => seen.map((r) => r.url.match(/\/ort\/(ort-wasm[^/]*\.wasm)$/)?.[1]).filter(Boolean);

describe('cold start', { timeout: 300_000 }, () => {
  const browser = useBrowser();

  it('runs WASM on the WASM-only onnxruntime build and registers the offline copy after the first heatmap', async () => {
    let seen: { url: string; at: number }[] = [];
    const page = await browser.open('/', (p) => (seen = recordRequests(p)));
    await waitForTrace(page);
    expect(await page.textContent('[data-testid=backend]')).toContain('WASM');
    const [created, mounted] = await page.evaluate(() => ['atlas:worker-created', 'atlas:explorer-mounted'].map((m) => performance.getEntriesByName(m)[0].startTime));
    expect(created).toBeLessThan(mounted);
    const heatmapAt = await page.evaluate(() => performance.timeOrigin + performance.getEntriesByName('atlas:first-heatmap')[0].startTime);
    // Before the first heatmap only the 14 MB WASM-only binary was fetched (by the inference worker).
    expect(ortWasm(seen.filter((r) => r.at < heatmapAt))).toEqual(['ort-wasm-simd-threaded.wasm']);
    // The service worker installs afterwards, and its install keeps both builds for offline use.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => ortWasm(seen).sort(), { timeout: 60_000 }).toEqual(expect.arrayContaining(['ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.wasm']));
    expect(Math.min(...seen.filter((r) => r.url.endsWith('.jsep.wasm')).map((r) => r.at))).toBeGreaterThan(heatmapAt);
    expect(browser.errors).toEqual([]);
  });

  it('?backend=webgpu loads the WebGPU build, and ?load=old the WebGPU build even for WASM', async () => {
    let seen: { url: string; at: number }[] = [];
    const gpu = await browser.open('/?backend=webgpu', (p) => (seen = recordRequests(p)));
    await waitForTrace(gpu);
    expect(await gpu.textContent('[data-testid=backend]')).toContain('WebGPU');
    const at = await gpu.evaluate(() => performance.timeOrigin + performance.getEntriesByName('atlas:first-heatmap')[0].startTime);
    expect(ortWasm(seen.filter((r) => r.at < at))).toEqual(['ort-wasm-simd-threaded.jsep.wasm']);

    const old = await browser.open('/?load=old', (p) => (seen = recordRequests(p)));
    await waitForTrace(old);
    expect(await old.textContent('[data-testid=backend]')).toContain('WASM');
    expect(ortWasm(seen)).toContain('ort-wasm-simd-threaded.jsep.wasm');
    // The old path started the worker only once the explorer had mounted.
    const [created, mounted] = await old.evaluate(() => ['atlas:worker-created', 'atlas:explorer-mounted'].map((m) => performance.getEntriesByName(m)[0].startTime));
    expect(created).toBeGreaterThan(mounted);
    expect(browser.errors).toEqual([]);
  });
});
