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

describe('a LLaMA-family model end to end', { timeout: 600_000 }, () => {
  const browser = useBrowser();

  it('downloads, runs, explains RoPE and grouped-query attention, and continues the text', async () => {
    const page = await browser.open('/?hub=/__hub');
    await waitForTrace(page);
    await page.click('[data-testid=hub-panel] summary');
    await page.click('[data-hub-id="HuggingFaceTB/SmolLM2-135M"]');
    await page.click('[data-testid=hub-download]');
    await page.waitForSelector('[data-testid=hub-progress]', { state: 'detached', timeout: RUN_TIMEOUT });
    await waitForTrace(page);
    expect(await page.inputValue('[data-testid=model-select]')).toBe('hub:HuggingFaceTB/SmolLM2-135M@main');
    // The family's note, and every view of the trace.
    expect(await page.textContent('main')).toContain('Decoder-only (LLaMA family)');
    for (const view of ['model', 'head', 'heatmap', 'qkv', 'metrics']) expect(await page.locator(`[data-view=${view}]`).count(), view).toBe(1);
    // Query head 3 of 4 over 2 KV heads reads KV head 1; the note says so, and that q, k are rotated.
    await page.focus('[data-view=model] .atlas-model-grid-plot');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('[data-view=qkv]')).toContain('query head 3 reads the k and v of KV head 1');
    const qkv = await page.textContent('[data-view=qkv]');
    expect(qkv).toContain('rotary position embedding (RoPE)');
    expect(qkv).toContain('4 query heads share 2 key/value heads');
    // Its recomputation from KV head 1's k and v reproduces the model's scores, probabilities and output.
    for (const name of ['scores', 'probs', 'context']) expect(await page.locator(`[data-view=qkv] [data-check="${name}"]`).getAttribute('class'), name).toBe('ok');
    // The position view: the same key at every distance, its value at the real distance equal to the model's score.
    await page.waitForSelector('[data-view=position] [data-figure=rope-curve]');
    expect(await page.locator('[data-view=position] [data-check]').getAttribute('data-check')).toBe('ok');
    expect(await page.textContent('[data-testid=rope-summary]')).toContain('Query head 3 reads KV head 1');
    // A causal LM continues the text.
    const before = await page.inputValue('[data-testid=text-input]');
    await page.click('[data-testid=generate]');
    await page.waitForFunction((b) => (document.querySelector('[data-testid=text-input]') as HTMLTextAreaElement | null)?.value !== b, before, { timeout: RUN_TIMEOUT });
    expect(browser.errors).toEqual([]);
  });
});
