// Real models from "the Hub": the app downloads from a local stand-in of the Hub's URL
// layout (served at /__hub and chosen with ?hub=/__hub), shows size and progress, can
// cancel, keeps the model for offline use, and lists and deletes downloaded models.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from './page';

const RUN_TIMEOUT = 180_000;

async function waitForTrace(page: Page): Promise<void> {
  await page.waitForFunction(() => !!document.querySelector('main')?.getAttribute('data-trace-text') && !!document.querySelector('[data-view=model] canvas'), null, {
    timeout: RUN_TIMEOUT,
  });
}

describe('Hub models', { timeout: 600_000 }, () => {
  const browser = useBrowser();

  it('looks up the size, downloads with progress, shows the model, and keeps it for offline use', async () => {
    const page = await browser.open('/?hub=/__hub');
    await waitForTrace(page);
    await page.click('[data-testid=hub-panel] summary');
    await page.click('[data-hub-id=gpt2]');
    await page.waitForSelector('[data-testid=hub-offer]');
    expect(await page.textContent('[data-testid=hub-offer]')).toMatch(/gpt2: \d+(\.\d)? MB to download \(\d files\)/);
    await page.click('[data-testid=hub-download]');
    await page.waitForSelector('[data-testid=hub-progress]');
    await page.waitForSelector('[data-testid=hub-progress]', { state: 'detached', timeout: RUN_TIMEOUT });
    await waitForTrace(page);
    expect(await page.inputValue('[data-testid=model-select]')).toBe('hub:gpt2@main');
    expect(await page.textContent('[data-testid=hub-cached]')).toContain('gpt2');

    // After a reload the model comes from the browser's cache: no file is fetched again.
    const fetched: string[] = [];
    page.on('request', (r) => r.url().includes('/__hub/gpt2/resolve/') && fetched.push(r.url()));
    await page.reload();
    await waitForTrace(page);
    expect(await page.inputValue('[data-testid=model-select]')).toBe('hub:gpt2@main');
    expect(fetched).toEqual([]);

    // Delete it: it leaves the list and the embedded model is shown.
    await page.click('[data-testid=hub-panel] summary');
    await page.click('[data-testid=hub-cached] button[aria-label^="Delete gpt2"]');
    await page.waitForSelector('[data-testid=hub-cached]', { state: 'detached' });
    await expect.poll(() => page.inputValue('[data-testid=model-select]')).not.toBe('hub:gpt2@main');
    expect(browser.errors).toEqual([]);
  });

  it('cancel stops the download, keeps nothing, and leaves the previous model working', async () => {
    const page = await browser.open('/?hub=/__hub');
    await waitForTrace(page);
    const before = await page.inputValue('[data-testid=model-select]');
    await page.click('[data-testid=hub-panel] summary');
    await page.click('[data-hub-id=gpt2]');
    await page.click('[data-testid=hub-download]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=hub-progress] progress')?.getAttribute('value') ?? 0) > 0);
    await page.click('[data-testid=hub-cancel]');
    await page.waitForSelector('[data-testid=hub-progress]', { state: 'detached' });
    await waitForTrace(page);
    expect(await page.inputValue('[data-testid=model-select]')).toBe(before);
    expect(await page.locator('[data-testid=hub-cached]').count()).toBe(0);
    const cachedUrls = await page.evaluate(async () => (await (await caches.open('attention-atlas-models')).keys()).map((r) => r.url));
    expect(cachedUrls.filter((u) => u.includes('/gpt2/'))).toEqual([]);
  });

  it('an unknown id says so', async () => {
    const page = await browser.open('/?hub=/__hub');
    await page.click('[data-testid=hub-panel] summary');
    await page.fill('[data-testid=hub-id]', 'nobody/nothing');
    await page.click('text=Look up');
    await page.waitForSelector('.error-line');
    expect(await page.textContent('.error-line')).toMatch(/HTTP 404.*model id/);
  });
});
