// A long T5 source used to take the tab to ~16 GB and freeze it for 48 s (3,005 tokens,
// 12 KB): T5 has no position table, so nothing stopped it before the encoder ran. Now the
// length limit answers at once, the tab's memory stays small, and the text is kept.
import { describe, expect, it } from 'vitest';
import { useBrowser } from './page';

const HEAP_LIMIT_BYTES = 1.5e9;

describe('a long T5 source', { timeout: 300_000 }, () => {
  const browser = useBrowser();

  it('is refused within 5 s with the limit, under 1.5 GB of heap, and the text survives', async () => {
    const page = await browser.open('/#m=tiny-t5');
    await page.waitForFunction(() => !!document.querySelector('[data-view=model] canvas'), null, { timeout: 180_000 });
    const words = 'the quick brown fox jumps over the lazy dog and keeps on running far away ';
    const text = 'reverse: ' + words.repeat(Math.ceil(12_000 / words.length));
    const t0 = Date.now();
    await page.fill('[data-testid=text-input]', text);
    await page.waitForSelector('[data-testid=error][data-code=too-long]', { timeout: 5_000 + 1_000 });
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds).toBeLessThan(5 + 1); // + the 300 ms typing debounce and the fill itself
    expect(await page.textContent('[data-testid=error]')).toMatch(/reads at most 512/);
    const cdp = await page.context().newCDPSession(page);
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
    expect(heap.totalSize).toBeLessThan(HEAP_LIMIT_BYTES);
    expect(await page.inputValue('[data-testid=text-input]')).toBe(text);
  });
});
