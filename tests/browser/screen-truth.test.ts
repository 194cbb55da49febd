// Issue 15: what the screen says must be true. Each test failed before its fix.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { useBrowser, waitForTrace } from './page';
import { useTraceFiles } from './trace-files';

const RUN_TIMEOUT = 180_000;

async function exportJSON(page: Page, view: string): Promise<Record<string, unknown>> {
  await page.click(`[data-view="${view}"] [data-export-menu]`);
  const item = page.locator(`[data-view="${view}"] [data-export="json"]`);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), item.click()]);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

describe('a link, a reload and a saved trace reproduce the picture', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  const files = useTraceFiles('screen-truth');

  it('h=0&hs=0,2 shows head 0 (the shown head), blending heads 0 and 2, after a reload too', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat%20on%20the%20mat&l=2&h=0&hs=0,2&q=3&o=g');
    await waitForTrace(page);
    await expect.poll(() => page.textContent('[data-view=heatmap] header')).toContain('layer 2, head 0');
    expect(await page.isChecked('[data-view=heatmap] [data-control=log]')).toBe(true);
    expect(await page.inputValue('[data-view=qkv] [data-control=query]')).toBe('3');
    await page.reload();
    await waitForTrace(page);
    await expect.poll(() => page.textContent('[data-view=heatmap] header')).toContain('layer 2, head 0');
    expect(await page.evaluate(() => location.hash)).toMatch(/h=0&hs=0%2C2|h=0&hs=0,2/);
  });

  it('a T5 link to a cross-attention query reopens on that query once the generation has finished', async () => {
    const text = 'reverse: red green blue sky';
    const page = await browser.open(`/#m=tiny-t5&t=${encodeURIComponent(text)}&k=cross&q=3&l=1&h=1`);
    await waitForTrace(page, text);
    await expect.poll(() => page.textContent('[data-view=heatmap] header'), { timeout: RUN_TIMEOUT }).toContain('layer 1, head 1');
    await expect.poll(() => page.inputValue('[data-view=qkv] [data-control=query]'), { timeout: RUN_TIMEOUT }).toBe('3');
  });

  it('a trace exported at layer 1, head 1 opens in /view/ at layer 1, head 1', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat%20on%20the%20mat&l=1&h=1&hs=1,3&q=4');
    await waitForTrace(page);
    await expect.poll(() => page.textContent('[data-view=heatmap] header')).toContain('layer 1, head 1');
    const json = await exportJSON(page, 'heatmap');
    expect(json.view).toMatchObject({ layer: 1, head: 1, heads: [1, 3], query: 4 });
    const path = files.pathOf('exported.json');
    writeFileSync(path, JSON.stringify(json));
    const viewer = await browser.open('/view/');
    await viewer.setInputFiles('input[data-testid="trace-file"]', path);
    await viewer.waitForSelector('[data-view=heatmap] canvas', { timeout: RUN_TIMEOUT });
    await expect.poll(() => viewer.textContent('[data-view=heatmap] header')).toContain('layer 1, head 1');
    expect(await viewer.inputValue('[data-view=qkv] [data-control=query]')).toBe('4');
    expect(browser.errors).toEqual([]);
  });
});

describe('the compare page', { timeout: 600_000 }, () => {
  const browser = useBrowser();

  it('says only what its chart shows, keeps both sides on the same head when one grid is clicked, and lines the grids up', async () => {
    const page = await browser.open('/compare/');
    await page.waitForSelector('[data-testid=compare-sentences]', { timeout: RUN_TIMEOUT });
    const note = await page.textContent('[data-view=compare-metrics] .atlas-note');
    expect(note).not.toMatch(/stay lower|much of its attention/);
    expect(note).toMatch(/tiny-gpt2 is causal: a query sees only itself and earlier tokens/);
    // The grid note offers no head view: the page has none.
    expect(await page.textContent('[data-testid=side-1] [data-view=model] header')).not.toMatch(/head view/);
    // Layer 1, head 2 picked in the right-hand grid (keyboard: down one layer, right two heads).
    await page.focus('[data-testid=side-1] [data-view=model] .atlas-model-grid-plot');
    for (const key of ['ArrowDown', 'ArrowRight', 'ArrowRight', 'Enter']) await page.keyboard.press(key);
    for (const side of [0, 1]) await expect.poll(() => page.textContent(`[data-testid=side-${side}] [data-view=heatmap] header`)).toContain('layer 1, head 2');
    const sliders = await page.locator('[aria-label="Text and selection"] input[type=range]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(sliders).toEqual(['1', '2']);
    // The two grids start at the same height, whatever the status lines say.
    const tops = await Promise.all([0, 1].map((i) => page.locator(`[data-testid=side-${i}] [data-view=model]`).evaluate((e) => e.getBoundingClientRect().top)));
    expect(Math.abs(tops[0] - tops[1])).toBeLessThan(1);
  });
});

describe('errors and truncation are said, not hidden', { timeout: 600_000 }, () => {
  const browser = useBrowser();

  it('an error marks the views as the previous text’s; truncation says how much of the text they show', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat%20on%20the%20mat');
    await waitForTrace(page);
    expect(await page.locator('[data-testid=stale]').count()).toBe(0);
    await page.fill('[data-testid=text-input]', '   ');
    await page.waitForSelector('[data-testid=error][data-code=bad-input]');
    const stale = await page.textContent('[data-testid=stale]');
    expect(stale).toContain('“The cat sat on the mat”');
    expect(await page.locator('[data-stale]').count()).toBe(2); // the predictions and the views
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    await page.fill('[data-testid=text-input]', long);
    await page.waitForSelector('[data-testid=error][data-code=too-long]', { timeout: RUN_TIMEOUT });
    const error = await page.textContent('[data-testid=error]');
    expect(error).not.toMatch(/turn on truncation/);
    expect(error).toMatch(/Run on the first part/);
    await page.click('button:has-text("Run on the first part")');
    await page.waitForSelector('[data-testid=truncated]', { timeout: RUN_TIMEOUT });
    expect(await page.textContent('[data-testid=truncated]')).toMatch(/The views show the first 128 of the text’s [\d,]+ tokens/);
    expect(await page.locator('[data-testid=stale]').count()).toBe(0);
    expect(await page.locator('[data-stale]').count()).toBe(0);
  });
});

describe('pointer and keyboard', { timeout: 600_000 }, () => {
  const browser = useBrowser();

  it('a click in the model grid selects without the keyboard tooltip; Tab into it shows the keyboard cursor', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat%20on%20the%20mat&l=0&h=0');
    await waitForTrace(page);
    const grid = page.locator('[data-view=model] .atlas-model-grid-overlay');
    await grid.scrollIntoViewIfNeeded();
    const box = (await grid.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.62, box.y + box.height * 0.62);
    await expect.poll(() => page.textContent('[data-view=heatmap] header')).not.toContain('layer 0, head 0');
    const tips = () => page.locator('[data-view=model] .atlas-tooltip:not([hidden])').allTextContents();
    expect((await tips()).join(' ')).not.toMatch(/Enter: select/);
    await page.mouse.move(0, 0);
    await expect.poll(async () => (await tips()).join(' ')).toBe('');
    // Keyboard: Tab from the control before the grid puts the keyboard cursor (and its tooltip) on the selected head.
    const plot = page.locator('[data-view=model] .atlas-model-grid-plot');
    await plot.evaluate((el) => {
      const controls = [...el.closest('[data-view=model]')!.querySelectorAll('select')];
      controls[controls.length - 1].focus();
    });
    await page.keyboard.press('Tab');
    expect(await plot.evaluate((el) => document.activeElement === el)).toBe(true);
    await expect.poll(async () => (await tips()).join(' ')).toMatch(/Enter: select/);
  });
});

describe('screen readers', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('the heatmap’s live region says “space cat”, not “Ġcat”', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat');
    await waitForTrace(page);
    await page.focus('[data-view=heatmap] .atlas-heatmap-plot');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    const said = await page.locator('[data-view=heatmap] .atlas-live').textContent();
    expect(said).toMatch(/space cat/);
    expect(said).not.toMatch(/Ġ/);
  });
});

describe('predictions and timings', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('BERT’s [MASK] is counted as a reader counts, the guess is filled in, bars compare to the top guess; T5’s timing is not 0 ms', async () => {
    const text = 'The man went to the [MASK] .';
    const page = await browser.open(`/#m=tiny-bert&t=${encodeURIComponent(text)}`);
    await waitForTrace(page, text);
    expect(await page.textContent('[data-testid=predictions] h3')).toBe('[MASK] at token 6 of the text');
    const first = (await page.textContent('[data-testid=predictions] li .tok'))!;
    expect((await page.textContent('[data-testid=filled]'))!.replace(/\s+/g, ' ')).toBe(`“The man went to the ${first.replace(/^##/, '')} .”`);
    const widths = await page.locator('[data-testid=predictions] li .bar > span').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.width));
    expect(widths[0]).toBe('100%');
    const t5 = await browser.open(`/#m=tiny-t5&t=${encodeURIComponent('reverse: red green blue')}`);
    await waitForTrace(t5, 'reverse: red green blue');
    await t5.waitForSelector('[data-testid=generated-target]', { timeout: RUN_TIMEOUT });
    const timing = (await t5.textContent('[data-testid=timing]'))!;
    expect(timing).not.toMatch(/running/);
    expect(Number(timing.match(/(\d+) ms/)![1])).toBeGreaterThan(0);
    // Again after "Generate the target", and after a new source.
    await t5.click('[data-testid=t5-generate]');
    await expect.poll(async () => (await t5.textContent('[data-testid=timing]'))!.includes('running'), { timeout: RUN_TIMEOUT }).toBe(false);
    expect(Number((await t5.textContent('[data-testid=timing]'))!.match(/(\d+) ms/)![1])).toBeGreaterThan(0);
    await t5.fill('[data-testid=text-input]', 'reverse: one two three four');
    await waitForTrace(t5, 'reverse: one two three four');
    await expect.poll(async () => (await t5.textContent('[data-testid=timing]'))!.includes('running'), { timeout: RUN_TIMEOUT }).toBe(false);
    expect(Number((await t5.textContent('[data-testid=timing]'))!.match(/(\d+) ms/)![1])).toBeGreaterThan(0);
  });
});

describe('heatmap hover', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('outlines the row and the column under the pointer (a crosshair), not the hovered token’s own column', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat%20on%20the%20mat');
    await waitForTrace(page);
    const overlay = page.locator('[data-view=heatmap] canvas.atlas-heatmap-overlay');
    await overlay.scrollIntoViewIfNeeded();
    const box = (await overlay.boundingBox())!;
    const n = 6;
    const cell = box.width / n;
    await page.mouse.move(box.x + 1.5 * cell, box.y + 4.5 * cell); // row 4, column 1
    await expect.poll(() => overlay.getAttribute('data-outlined')).toBe('4|1');
    const alphaAt = (x: number, y: number) =>
      overlay.evaluate((c, [x, y]) => {
        const cv = c as HTMLCanvasElement;
        const k = cv.width / cv.getBoundingClientRect().width;
        return cv.getContext('2d')!.getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data[3];
      }, [x, y]);
    // Column 1's outline runs through row 0; column 4 (the token "the", whose row is hovered) has none there.
    expect(await alphaAt(1 * cell + 1, 0.5 * cell)).toBeGreaterThan(0);
    expect(await alphaAt(4 * cell + 1, 0.5 * cell)).toBe(0);
  });
});

describe('the tokenizers page', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('defaults to the tokenizers of the models Explore runs and says which is which; the merge trace follows the text; the text card is not pinned at 768 px', async () => {
    const page = await browser.open('/tokenize/');
    for (const id of ['tiny-gpt2', 'tiny-bert', 'tiny-t5', 'tiny-llama', 'tiktoken-cl100k']) await page.waitForSelector(`[data-tokenizer="${id}"] .chip`, { timeout: RUN_TIMEOUT });
    expect(await page.textContent('[data-tokenizer="tiny-gpt2"] [data-testid=tokenizer-role]')).toMatch(/which Explore runs/);
    expect(await page.locator('[data-tokenizer="gpt2"]').count()).toBe(0);
    expect(await page.evaluate(() => location.hash)).toBe('#tk=tiny-gpt2,tiny-bert,tiny-t5,tiny-llama,tiktoken-cl100k');
    const box = page.getByRole('textbox', { name: 'Text to tokenize' });
    await box.fill('unbelievably wonderful');
    await expect.poll(() => page.inputValue('[data-testid=trace-word]'), { timeout: RUN_TIMEOUT }).toMatch(/unbelievably|wonderful/);
    await box.fill('quiet morning');
    // The word of the earlier text is let go: the trace picks a word of this one.
    await expect.poll(() => page.inputValue('[data-testid=trace-word]'), { timeout: RUN_TIMEOUT }).toMatch(/quiet|morning/);
    const options = await page.locator('[data-testid=trace-word] option').allTextContents();
    expect(options.join(' ')).not.toMatch(/unbelievably|wonderful/);
    await page.setViewportSize({ width: 1366, height: 768 });
    expect(await page.locator('section.input, .input').first().evaluate((e) => getComputedStyle(e).position)).not.toBe('sticky');
  });
});

describe('views use the room they have', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('model-grid thumbnails grow past 72 px when the card has room; the head view spans its card', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat%20on%20the%20mat');
    await waitForTrace(page);
    expect(Number(await page.locator('.atlas-model-grid-cells').getAttribute('data-thumb'))).toBeGreaterThan(100);
    await page.waitForSelector('[data-view=head] canvas');
    const [inner, outer] = await page.locator('[data-view=head] .scroll').evaluate((e) => [e.firstElementChild!.firstElementChild!.getBoundingClientRect().width, e.getBoundingClientRect().width]);
    expect(inner / outer).toBeGreaterThan(0.85);
  });
});

async function exportBytes(page: Page, view: string, format: string): Promise<Buffer> {
  await page.click(`[data-view="${view}"] [data-export-menu]`);
  const item = page.locator(`[data-view="${view}"] [data-export="${format}"]`);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), item.click()]);
  return readFileSync(await download.path());
}

/** Every text of an exported SVG, laid out by the browser: the boxes that leave the picture, and all texts. */
async function svgTextBoxes(page: Page, svg: string): Promise<{ outside: string[]; texts: string[]; width: number }> {
  return page.evaluate((src) => {
    const host = document.createElement('div');
    host.style.cssText = 'position:absolute;left:0;top:0;visibility:hidden';
    host.innerHTML = src;
    document.body.append(host);
    const root = host.querySelector('svg')!;
    const width = Number(root.getAttribute('width'));
    const height = Number(root.getAttribute('height'));
    const outside: string[] = [];
    const texts: string[] = [];
    for (const t of root.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      const o = root.getBoundingClientRect();
      texts.push(t.textContent ?? '');
      if (r.left < o.left - 1 || r.right > o.left + width + 1 || r.top < o.top - 1 || r.bottom > o.top + height + 1) outside.push(t.textContent ?? '');
    }
    host.remove();
    return { outside, texts, width };
  }, svg);
}

/** The share of a PNG's width that holds anything other than its background (its corner pixel). */
async function pngExtent(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64) => {
    // The page's CSP forbids fetching data: URLs; decode by hand.
    const blob = new Blob([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))], { type: 'image/png' });
    const img = await createImageBitmap(blob);
    const c = new OffscreenCanvas(img.width, img.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    const bg = [d[0], d[1], d[2]];
    let lo = img.width;
    let hi = 0;
    for (let y = 0; y < img.height; y += 2)
      for (let x = 0; x < img.width; x++) {
        const i = (y * img.width + x) * 4;
        if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 30) {
          lo = Math.min(lo, x);
          hi = Math.max(hi, x);
        }
      }
    return (hi - lo) / img.width;
  }, png.toString('base64'));
}

describe('exports', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('head view and alignment: no text outside the picture, the caption whole, a legend, the picture filled', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat%20on%20the%20mat&hs=0,2');
    await waitForTrace(page);
    await page.waitForSelector('[data-view=head] canvas');
    const head = await svgTextBoxes(page, (await exportBytes(page, 'head', 'svg')).toString('utf8'));
    expect(head.outside).toEqual([]);
    expect(head.texts).toEqual(expect.arrayContaining(['queries (tokens)', 'keys (tokens)', 'head 0', 'head 2']));
    expect(head.texts.some((t) => /wider and more opaque = more attention weight/.test(t))).toBe(true);
    expect(await pngExtent(page, await exportBytes(page, 'head', 'png'))).toBeGreaterThan(0.8);

    const t5 = await browser.open(`/#m=tiny-t5&t=${encodeURIComponent('reverse: the quick brown fox jumps over the lazy dog today')}`);
    await t5.waitForSelector('[data-testid=generated-target]', { timeout: RUN_TIMEOUT });
    await t5.waitForSelector('[data-view=alignment] svg, [data-view=alignment] canvas');
    const align = await svgTextBoxes(t5, (await exportBytes(t5, 'alignment', 'svg')).toString('utf8'));
    expect(align.outside).toEqual([]);
    const caption = align.texts.filter((t) => t.includes('·'));
    // A long text is quoted as an excerpt, cut between words (it was cut mid-word: “…the laz…”).
    expect(caption.join(' ')).not.toMatch(/\S…/);
    expect(await pngExtent(t5, await exportBytes(t5, 'alignment', 'png'))).toBeGreaterThan(0.8);
    // Siblings: no text of any vector export leaves its picture (T5 has every stack), and every PNG is filled.
    for (const view of ['head', 'heatmap', 'qkv', 'metrics']) {
      await t5.waitForSelector(`[data-view=${view}] [data-export-menu]`);
      const svg = await svgTextBoxes(t5, (await exportBytes(t5, view, 'svg')).toString('utf8'));
      expect(svg.outside, view).toEqual([]);
      expect(await pngExtent(t5, await exportBytes(t5, view, 'png')), view).toBeGreaterThan(0.6);
    }
  });
});

describe('phone (390 × 844)', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('head-view key labels stay on the card, Q/K/V steps are not split between columns, the wide table says it scrolls', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat%20on%20the%20mat%20and%20looked%20at%20the%20dog%20by%20the%20door');
    await page.setViewportSize({ width: 390, height: 844 });
    await waitForTrace(page);
    await page.waitForSelector('[data-view=head] canvas');
    const [keysRight, cardRight] = await page.evaluate(() => [
      document.querySelector('[data-view=head] .atlas-tokens-right')!.getBoundingClientRect().right,
      document.querySelector('[data-view=head] .scroll')!.getBoundingClientRect().right,
    ]);
    expect(keysRight).toBeLessThanOrEqual(cardRight + 1);
    const split = await page.locator('[data-view=qkv] .atlas-neuron-steps li').evaluateAll((els) => els.filter((e) => {
      const rects = [...e.getClientRects()];
      return new Set(rects.map((r) => Math.round(r.left))).size > 1;
    }).length);
    expect(split).toBe(0);
    await expect.poll(() => page.locator('[data-view=qkv] [data-testid=scroll-cue]').isVisible()).toBe(true);
  });
});

describe('phone heatmap labels', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('column labels do not overlap their neighbours', async () => {
    const text = Array(3).fill('The cat sat on the mat and looked at the dog, who was asleep.').join(' ');
    const page = await browser.open(`/#m=tiny-gpt2&t=${encodeURIComponent(text)}`);
    await page.setViewportSize({ width: 390, height: 844 });
    await waitForTrace(page);
    await page.waitForSelector('[data-view=heatmap] .col-labels text');
    const overlaps = await page.locator('[data-view=heatmap] .col-labels text').evaluateAll((els) => {
      const boxes = els.map((e) => e.getBoundingClientRect()).sort((a, b) => a.left - b.left);
      let n = 0;
      for (let i = 1; i < boxes.length; i++) if (boxes[i].left < boxes[i - 1].right - 0.5) n++;
      return n;
    });
    expect(overlaps).toBe(0);
  });
});
