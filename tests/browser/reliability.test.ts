// Hostile text, broken model files and failing runtimes: nothing is run that is shown,
// nothing typed is lost, and every failure says what happened.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { useBrowser } from './page';
import { launchChromium, CHROMIUM_ARGS } from './chromium';
import { randomCheckpoint, checkpointFiles } from '../helpers/random-checkpoint';

const RUN_TIMEOUT = 180_000;

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

/** Markup, template syntax, bidi overrides, zero-width and control characters, a very long word. */
export const HOSTILE = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=2</script>',
  '{{constructor.constructor("window.__pwned=3")()}}',
  '\u202Eevil\u202C',
  'zero\u200bwidth',
  'bell\u0007tab\tend',
  'x'.repeat(40),
].join(' ');

describe('reliability', { timeout: 600_000 }, () => {
  const browser = useBrowser();

  it('shows hostile text literally in every view and the tokenizer page, and runs none of it', async () => {
    // x=1: truncate to the model's positions (tiny-gpt2's small vocabulary spends many tokens on symbols).
    const page = await browser.open('/#m=tiny-gpt2&x=1');
    await waitForTrace(page);
    await page.fill('[data-testid=text-input]', HOSTILE);
    await waitForTrace(page, HOSTILE);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.inputValue('[data-testid=text-input]')).toBe(HOSTILE);
    // No element was injected from the text: the only <img>/<script> are the app's own.
    expect(await page.locator('main img').count()).toBe(0);
    const headTokens = (await page.locator('[data-view=head] .atlas-token').allTextContents()).join('');
    expect(headTokens).toContain('<');
    expect(headTokens).toContain('img');

    await page.goto(new URL('/tokenize/', page.url()).href);
    await page.fill('textarea', HOSTILE);
    await page.waitForFunction(() => document.body.textContent?.includes('onerror'), null, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(browser.errors).toEqual([]);
  });

  it('a newer text supersedes older runs: the last picture is of the last text', async () => {
    const page = await browser.open('/');
    await waitForTrace(page);
    for (const t of ['one', 'one two', 'one two three', 'the final sentence']) {
      await page.fill('[data-testid=text-input]', t);
      await page.waitForTimeout(60);
    }
    await waitForTrace(page, 'the final sentence');
    await page.waitForTimeout(3000);
    expect(await page.getAttribute('main', 'data-trace-text')).toBe('the final sentence');
  });

  it('a crashed worker is restarted, says so, and keeps the text', async () => {
    const page = await browser.open('/');
    await waitForTrace(page);
    await page.fill('[data-testid=text-input]', 'kept through a crash');
    await waitForTrace(page, 'kept through a crash');
    const worker = page.workers().find((w) => w.url().includes('worker'));
    expect(worker).toBeDefined();
    await worker!.evaluate(() => setTimeout(() => {
      throw new Error('simulated crash');
    }, 0));
    await page.waitForSelector('text=/worker crashed/', { timeout: 30_000 });
    await waitForTrace(page, 'kept through a crash');
    expect(await page.inputValue('[data-testid=text-input]')).toBe('kept through a crash');
  });

  it('broken model files are refused with a message and the previous model keeps working', async () => {
    const page = await browser.open('/');
    await waitForTrace(page);
    const before = await page.inputValue('[data-testid=model-select]');
    await page.click('[data-testid=hub-panel] summary');
    const good = checkpointFiles(randomCheckpoint({ family: 'gpt2', seed: 4, layers: 1, dModel: 16, heads: 2 }));
    const truncated = good.get('model.safetensors')!.subarray(0, 5000);
    await page.setInputFiles('[data-testid=local-files]', [
      { name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(good.get('config.json')!) },
      { name: 'tokenizer.json', mimeType: 'application/json', buffer: Buffer.from(good.get('tokenizer.json')!) },
      { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(truncated) },
    ]);
    await page.waitForSelector('[data-testid=error][data-code=bad-safetensors]', { timeout: RUN_TIMEOUT });
    expect(await page.inputValue('[data-testid=model-select]')).toBe(before);
    await page.fill('[data-testid=text-input]', 'still working');
    await waitForTrace(page, 'still working');

    // The same files, whole, load and run.
    await page.setInputFiles('[data-testid=local-files]', [...good].map(([name, bytes]) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) })));
    await expect.poll(() => page.inputValue('[data-testid=model-select]'), { timeout: RUN_TIMEOUT }).toBe('files:local model');
    await waitForTrace(page, 'still working');
  });
});

describe('without WebGPU', { timeout: 600_000 }, () => {
  it('falls back to WASM and says why', async () => {
    // The same Chromium without --enable-unsafe-webgpu offers no WebGPU adapter.
    const browser = await launchChromium([]);
    const args = CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu');
    await browser.close();
    const { chromium } = await import('playwright-core');
    const { findChromium } = await import('./chromium');
    const plain = await chromium.launch({ executablePath: findChromium(), headless: true, args });
    try {
      const page = await plain.newPage();
      await page.goto(inject('appUrl') + '/');
      await waitForTrace(page);
      expect(await page.textContent('[data-testid=backend]')).toContain('WASM');
      expect(await page.textContent('[data-testid=status]')).toMatch(/WebGPU|no GPU adapter|runs on the CPU/);
    } finally {
      await plain.close();
    }
  });
});
