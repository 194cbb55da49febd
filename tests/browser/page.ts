// Per-test-file browser helpers: one Chromium per file, a fresh page per test, and a
// screenshot in test-results/ whenever a test fails.
import { afterAll, beforeAll, inject, onTestFinished } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { launchChromium } from './chromium';

export function useBrowser(): { open(path: string, beforeNavigation?: (page: Page) => void): Promise<Page>; errors: string[] } {
  let browser: Browser;
  const errors: string[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    errors,
    async open(path: string, beforeNavigation?: (page: Page) => void): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      // One hook for both, so the screenshot is taken before the context closes.
      onTestFinished(async ({ task }) => {
        if (task.result?.state === 'fail') {
          mkdirSync('test-results', { recursive: true });
          const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
          await page.screenshot({ path: `test-results/${name}.png`, fullPage: true }).catch(() => {});
        }
        await context.close();
      });
      beforeNavigation?.(page);
      await page.goto(inject('appUrl') + path);
      return page;
    },
  };
}

/** Waits until the explorer shows a trace of `text` (or of anything, if omitted) with its views drawn. */
export async function waitForTrace(page: Page, text?: string, timeout = 180_000): Promise<void> {
  await page.waitForFunction(
    (t) => {
      const shown = document.querySelector('main')?.getAttribute('data-trace-text');
      return shown !== null && shown !== undefined && (t === null || shown === t) && !!document.querySelector('[data-view=model] canvas');
    },
    text ?? null,
    { timeout },
  );
}
