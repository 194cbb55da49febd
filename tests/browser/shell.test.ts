import { describe, expect, it } from 'vitest';
import { useBrowser } from './page';

describe('app shell', () => {
  const browser = useBrowser();

  it('serves the prerendered home page with the navigation', async () => {
    const page = await browser.open('/');
    await expect(page.locator('h1').textContent()).resolves.toContain('Attention Atlas');
    const crossOriginIsolated = await page.evaluate(() => self.crossOriginIsolated);
    expect(crossOriginIsolated).toBe(true);
    expect(browser.errors).toEqual([]);
  });

  it('exposes WebGPU to the page (SwiftShader in headless Chromium)', async () => {
    const page = await browser.open('/');
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu ? (await gpu.requestAdapter()) !== null : false;
    });
    expect(adapter).toBe(true);
  });
});
