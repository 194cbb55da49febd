// The explorer page on the embedded models: load, run on WebGPU, type, switch models,
// restore a shared link, survive errors and reloads, and work offline.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser, waitForTrace } from './page';

/** Model runs on SwiftShader (WebGPU on the CPU) are slow; allow for it. */
const RUN_TIMEOUT = 180_000;

describe('explorer', { timeout: 600_000 }, () => {
  const browser = useBrowser();

  it('runs the default model and updates as you type; WebGPU emulated on the CPU is passed over for WASM', async () => {
    const page = await browser.open('/');
    await waitForTrace(page);
    expect(await page.inputValue('[data-testid=model-select]')).toBe('tiny-gpt2');
    // Headless Chromium's WebGPU is SwiftShader, a fallback adapter: WASM is faster, and the page says why.
    expect(await page.textContent('[data-testid=backend]')).toContain('WASM');
    expect(await page.textContent('[data-testid=status]')).toContain('software fallback');
    expect(await page.locator('[data-testid=predictions] li').count()).toBeGreaterThan(3);
    await page.fill('[data-testid=text-input]', 'One two three');
    await waitForTrace(page, 'One two three');
    // The head view lists the new tokens.
    await expect.poll(() => page.locator('[data-view=head] .atlas-token').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('two')]));
    // "Continue the text" appends the model's own next tokens to the text and shows the longer trace.
    await page.click('[data-testid=generate]');
    await expect.poll(() => page.inputValue('[data-testid=text-input]'), { timeout: RUN_TIMEOUT }).not.toBe('One two three');
    const continued = await page.inputValue('[data-testid=text-input]');
    expect(continued.startsWith('One two three')).toBe(true);
    await waitForTrace(page, continued);
    expect(browser.errors).toEqual([]);
  });

  it('?backend=webgpu runs the model on WebGPU', async () => {
    const page = await browser.open('/?backend=webgpu');
    await waitForTrace(page);
    expect(await page.textContent('[data-testid=backend]')).toContain('WebGPU');
    expect(browser.errors).toEqual([]);
  });

  it('BERT predicts a [MASK] and T5 writes its target with cross-attention', async () => {
    const page = await browser.open('/');
    await waitForTrace(page);
    await page.selectOption('[data-testid=model-select]', 'tiny-bert');
    await page.fill('[data-testid=text-input]', 'The man went to the [MASK] .');
    await page.waitForSelector('[data-testid=predictions] h3:has-text("[MASK]")', { timeout: RUN_TIMEOUT });
    // Learned absolute positions: the position view shows BERT's position table (read by the graph).
    await page.waitForSelector('[data-view=position] [data-figure=position-similarity]', { timeout: RUN_TIMEOUT });
    await page.selectOption('[data-testid=model-select]', 'tiny-t5');
    await page.fill('[data-testid=text-input]', 'reverse: red green blue');
    await page.waitForSelector('[data-view=alignment]', { timeout: RUN_TIMEOUT });
    await page.waitForFunction(() => (document.querySelector('[data-testid=timing]')?.textContent ?? '').includes('+'));
    // Generation streams partial traces, then the final one; the model writes the words reversed.
    await expect.poll(() => page.locator('[data-view=alignment]').textContent(), { timeout: RUN_TIMEOUT }).toMatch(/blue.*green.*red/s);
    // The answer is written as text too, and it ended with </s> rather than at the length limit.
    await expect.poll(() => page.locator('[data-testid=generated-target]').getAttribute('data-stopped'), { timeout: RUN_TIMEOUT }).toBe('end-of-sequence');
    expect(await page.textContent('[data-testid=generated-target] strong')).toBe('blue green red');
    // T5's relative position bias, one line per head, in the encoder and the decoder.
    for (const stack of ['encoder', 'decoder']) expect(await page.locator(`[data-view=position] [data-figure=bias-${stack}] path.head`).count(), stack).toBe(4);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('restores the model, text and selection from a shared link', async () => {
    const page = await browser.open('/#m=tiny-bert&t=hello%20shared%20world&l=1&h=2&q=1&v=heatmap&o=g');
    await waitForTrace(page);
    expect(await page.inputValue('[data-testid=model-select]')).toBe('tiny-bert');
    expect(await page.inputValue('[data-testid=text-input]')).toBe('hello shared world');
    await expect.poll(() => page.textContent('[data-view=heatmap] header')).toContain('layer 1, head 2');
    expect(await page.isChecked('[data-view=heatmap] [data-control=log]')).toBe(true);
    // Changing the selection writes it back into the link.
    await page.fill('[data-testid=text-input]', 'hello again');
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toContain('t=hello+again');
  });

  it('keeps the text through an error, offers truncation, and survives a reload', async () => {
    const page = await browser.open('/');
    await waitForTrace(page);
    await page.fill('[data-testid=text-input]', '   ');
    await page.waitForSelector('[data-testid=error][data-code=bad-input]');
    expect(await page.inputValue('[data-testid=text-input]')).toBe('   ');
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    await page.fill('[data-testid=text-input]', long);
    await page.waitForSelector('[data-testid=error][data-code=too-long]', { timeout: RUN_TIMEOUT });
    expect(await page.textContent('[data-testid=error]')).toMatch(/reads at most \d+/);
    await page.click('button:has-text("Run on the first part")');
    await page.waitForSelector('[data-testid=error]', { state: 'detached', timeout: RUN_TIMEOUT });
    expect(await page.inputValue('[data-testid=text-input]')).toBe(long);
    // The text and the choice to truncate survive a reload.
    await page.reload();
    await waitForTrace(page);
    expect(await page.inputValue('[data-testid=text-input]')).toBe(long);
  });

  it('works offline after one visit, and asks nothing of any other origin', async () => {
    const page = await browser.open('/');
    const outside: string[] = [];
    const origin = new URL(page.url()).origin;
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) outside.push(r.url());
    });
    await waitForTrace(page);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.waitForFunction(() => !!navigator.serviceWorker.controller || true);
    await page.context().setOffline(true);
    await page.reload();
    await waitForTrace(page);
    await page.goto(origin + '/tokenize/');
    await page.waitForSelector('[data-token-index], .chip, [data-id]', { timeout: 60_000 });
    await page.context().setOffline(false);
    expect(outside).toEqual([]);
  });
});
