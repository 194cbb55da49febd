// Lessons, the presenter layout and the interface language, as a teacher uses them: a built-in
// lesson walked with the keyboard (each step's view, layer, head and query checked against the
// step's own state); a lesson built from the explorer, edited, saved as a file and opened again;
// a broken file refused with a message; the presenter layout at 1280×720 showing a 128-token
// heatmap whole without scrolling; the language switch; the cost-of-length panel measuring.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { useBrowser, waitForTrace } from './page';
import { BUILTIN_LESSONS } from '../../src/lib/lessons/builtin';
import { parseLesson, stepState } from '../../src/lib/lessons/lesson';

const RUN_TIMEOUT = 180_000;
const POLL = { timeout: RUN_TIMEOUT };

/** Waits until the lesson shows step `n` (0-based) with its view drawn; returns what the stage shows. */
async function stepShown(page: Page, n: number) {
  await page.waitForSelector(`[data-testid=lesson][data-step="${n}"]`, { timeout: RUN_TIMEOUT });
  const presented = page.locator('[data-testid=presented][data-view-shown]');
  await presented.waitFor({ timeout: RUN_TIMEOUT });
  return presented;
}

describe('lessons, presenter layout and languages', { timeout: 900_000 }, () => {
  const browser = useBrowser();

  it('walks a built-in lesson with the keyboard, each step on its own view, layer, head and query', async () => {
    const lesson = BUILTIN_LESSONS.find((l) => l.id === 'heads')!;
    const page = await browser.open('/learn/#b=heads');
    const keys = ['ArrowRight', 'PageDown', 'ArrowRight'];
    for (let i = 0; i < lesson.steps.length; i++) {
      const { state } = await stepState(lesson.steps[i]);
      const presented = await stepShown(page, i);
      // The step's own selection, restored on its own trace (not the previous step's).
      await expect.poll(async () => [await presented.getAttribute('data-view-shown'), await presented.getAttribute('data-layer'), await presented.getAttribute('data-head'), await presented.getAttribute('data-query')], POLL).toEqual([state.view, String(state.layer), String(state.head), String(state.query)]);
      expect(await page.textContent('[data-testid=step-title]')).toBe(lesson.steps[i].title.en);
      expect(await page.textContent('[data-testid=step-counter]')).toBe(`Step ${i + 1} of ${lesson.steps.length}`);
      // The link follows, so a reload (or a shared link) comes back to this step.
      expect(await page.evaluate(() => location.hash)).toBe(i ? `#b=heads&s=${i + 1}` : '#b=heads');
      // The lesson text is elements, never HTML: the first step's **twice** is a <strong>.
      if (i === 0) expect(await page.locator('.lesson-text strong').allTextContents()).toContain('twice');
      if (i < keys.length) await page.keyboard.press(keys[i]);
    }
    // Past the last step nothing moves; Home goes back to the first, Page Up from there does nothing.
    await page.keyboard.press('ArrowRight');
    await stepShown(page, lesson.steps.length - 1);
    await page.keyboard.press('Home');
    await stepShown(page, 0);
    await page.keyboard.press('PageUp');
    await stepShown(page, 0);
    // A reload on a later step opens that step.
    await page.keyboard.press('End');
    await stepShown(page, lesson.steps.length - 1);
    await page.reload();
    await stepShown(page, lesson.steps.length - 1);
    expect(browser.errors).toEqual([]);
  });

  it('moves between lessons on different models: each step’s view is bound to its own trace', async () => {
    // T5 (cross-attention), then a page step, then GPT-2: the stage must not show GPT-2's step on T5's trace.
    const page = await browser.open('/learn/#b=seq2seq&s=3');
    let presented = await stepShown(page, 2);
    await expect.poll(() => presented.getAttribute('data-kind'), POLL).toBe('decoder');
    await page.evaluate(() => (location.hash = '#b=tokens'));
    await page.waitForSelector('[data-testid=step-frame]', { timeout: RUN_TIMEOUT });
    await page.keyboard.press('ArrowRight');
    presented = await stepShown(page, 1);
    await expect.poll(async () => [await page.getAttribute('[data-testid=stage]', 'data-model'), await presented.getAttribute('data-kind'), await presented.getAttribute('data-query')], POLL).toEqual(['tiny-gpt2', 'self', '23']);
    // Back to T5 by link: its encoder step.
    await page.evaluate(() => (location.hash = '#b=seq2seq&s=2'));
    presented = await stepShown(page, 1);
    await expect.poll(() => presented.getAttribute('data-kind'), POLL).toBe('encoder');
    expect(browser.errors).toEqual([]);
  });

  it('builds a lesson from the explorer, edits it, saves it as a file and opens the file again', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat%20on%20the%20mat.&l=0&h=1&q=3&v=model');
    await waitForTrace(page, 'The cat sat on the mat.');
    await page.click('[data-view=heatmap] [data-control=add-to-lesson]');
    await expect.poll(() => page.textContent('[data-testid=added-to-lesson]'), POLL).toContain('step 1');
    // The button itself says so: the notice with the link is at the top of the page, out of sight.
    await expect.poll(() => page.textContent('[data-view=heatmap] [data-control=add-to-lesson]'), POLL).toContain('step 1 of your lesson');
    await page.click('[data-view=qkv] [data-control=add-to-lesson]');
    await expect.poll(() => page.textContent('[data-testid=added-to-lesson]'), POLL).toContain('step 2');

    await page.click('[data-testid=added-to-lesson] a');
    await stepShown(page, 1);
    await page.click('[data-control=edit]');
    await page.fill('[data-control=lesson-title]', 'My class on heads');
    const texts = page.locator('[data-control=step-text]');
    await texts.nth(0).fill('First the **table** of weights.');
    await texts.nth(1).fill('Then one query, <script>alert(1)</script> step by step.');
    // Move the Q/K/V step up: it becomes step 1.
    await page.locator('[data-control=step-up]').nth(1).click();
    await page.click('[data-control=editor-done]');

    const download = page.waitForEvent('download');
    await page.click('[data-control=save-file]');
    const file = await download;
    const saved = await parseLesson(readFileSync((await file.path())!, 'utf8'));
    expect(saved.title).toBe('My class on heads');
    expect(saved.steps.map((s) => s.text)).toEqual(['Then one query, <script>alert(1)</script> step by step.', 'First the **table** of weights.']);
    const views = await Promise.all(saved.steps.map(async (s) => (await stepState(s)).state));
    expect(views.map((v) => [v.view, v.model, v.layer, v.head, v.query])).toEqual([
      ['qkv', 'tiny-gpt2', 0, 1, 3],
      ['heatmap', 'tiny-gpt2', 0, 1, 3],
    ]);

    // Open the saved file in a fresh page: the first step is the Q/K/V view, and the script is shown as text.
    const other = await browser.open('/learn/');
    await other.waitForSelector('[data-testid=lessons-index][data-ready]', { timeout: RUN_TIMEOUT });
    await other.setInputFiles('[data-testid=lesson-file]', (await file.path())!);
    const presented = await stepShown(other, 0);
    await expect.poll(() => presented.getAttribute('data-view-shown'), POLL).toBe('qkv');
    expect(await other.textContent('.lesson-text')).toContain('<script>alert(1)</script>');
    expect(await other.locator('.lesson-text script').count()).toBe(0);
    // Share it as a link: the link alone carries the lesson.
    await other.click('[data-control=share]');
    const link = await other.inputValue('[data-testid=share-link]');
    const third = await browser.open(`/learn/${link.slice(link.indexOf('#'))}`);
    await stepShown(third, 0);
    expect(await third.textContent('[data-testid=step-title]')).toBe(saved.steps[0].title);
    expect(browser.errors).toEqual([]);
  });

  it('refuses a broken lesson file with a clear message and keeps the lessons usable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lesson-'));
    const bad = join(dir, 'bad.lesson.json');
    writeFileSync(bad, JSON.stringify({ format: 'attention-atlas-lesson', version: 1, title: 'X', steps: [{ title: 'A', text: 'a', state: 'm=tiny-gpt2&t=x&l=-1' }] }));
    const page = await browser.open('/learn/');
    await page.waitForSelector('[data-testid=lessons-index][data-ready]', { timeout: RUN_TIMEOUT });
    await page.setInputFiles('[data-testid=lesson-file]', bad);
    const error = await page.textContent('[data-testid=lesson-error]');
    expect(error).toContain('bad.lesson.json');
    expect(error).toContain('step 1');
    expect(error).toContain('layer');
    expect(await page.locator('[data-lesson]').count()).toBe(BUILTIN_LESSONS.length);
    // A damaged link says so too.
    const link = await browser.open('/learn/#lesson=AAAA');
    expect(await link.textContent('[data-testid=lesson-error]')).toContain('damaged');
  });

  it('the presenter layout fits 1280×720 and draws all 128 tokens of a heatmap without scrolling', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `word${i} is here.`).join(' ');
    const page = await browser.open('/');
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${page.url().replace(/\/$/, '')}/?present#m=tiny-gpt2&t=${encodeURIComponent(text)}&x=1&l=1&h=0&v=heatmap`);
    await page.waitForSelector('[data-testid=presenter] [data-view=heatmap] canvas.atlas-heatmap-cells', { timeout: RUN_TIMEOUT });
    const cells = page.locator('[data-view=heatmap] canvas.atlas-heatmap-cells');
    await expect.poll(() => cells.getAttribute('data-cols'), POLL).toBe('128');
    const box = await cells.boundingBox();
    const legend = await page.locator('[data-view=heatmap] .atlas-legend').boundingBox();
    const page_ = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollHeight, width: document.scrollingElement!.scrollWidth }));
    // Nothing scrolls, and the whole matrix and its legend are on screen.
    expect(page_.scroll).toBeLessThanOrEqual(720);
    expect(page_.width).toBeLessThanOrEqual(1280);
    expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    expect(box!.y + box!.height).toBeLessThanOrEqual(720);
    expect(legend!.y + legend!.height).toBeLessThanOrEqual(720);
    // Zoom in: the figure grows and its box pans (scrolls) instead of the page.
    await page.click('[data-view=heatmap] [data-control=zoom-in]');
    await expect.poll(async () => (await cells.boundingBox())!.width, POLL).toBeGreaterThan(box!.width * 1.3);
    expect(await page.evaluate(() => document.scrollingElement!.scrollHeight)).toBeLessThanOrEqual(720);
    // The size control is kept in the link.
    await page.selectOption('[data-testid=presenter] [data-control=text-size]', '1.5');
    await expect.poll(() => page.evaluate(() => new URLSearchParams(location.search).get('size')), POLL).toBe('1.5');
    expect(await page.evaluate(() => location.search)).toContain('present');
    // Views are picked from the bar; the header toggle leaves the layout.
    await page.click('[data-view-tab=model]');
    await page.waitForSelector('[data-testid=presenter] [data-view=model] canvas', { timeout: RUN_TIMEOUT });
    await page.click('[data-control=present]');
    await page.waitForSelector('main.explorer', { timeout: RUN_TIMEOUT });
    expect(await page.evaluate(() => location.search)).not.toContain('present');
    expect(browser.errors).toEqual([]);
  });

  it('switches the interface to Chinese from the link or the header, and keeps it from page to page', async () => {
    const page = await browser.open('/learn/?lang=zh#b=qkv');
    await stepShown(page, 0);
    expect(await page.textContent('[data-testid=step-title]')).toBe(BUILTIN_LESSONS[0].steps[0].title.zh);
    expect(await page.textContent('nav a[aria-current=page]')).toBe('课程');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-Hans');
    // Links within the app keep the language.
    expect(await page.getAttribute('nav a[href*="tokenize"]', 'href')).toContain('lang=zh');
    await page.selectOption('[data-control=language]', 'en');
    await expect.poll(() => page.textContent('[data-testid=step-title]'), POLL).toBe(BUILTIN_LESSONS[0].steps[0].title.en);
    expect(await page.evaluate(() => new URLSearchParams(location.search).get('lang'))).toBe('en');
    expect(await page.evaluate(() => location.hash)).toBe('#b=qkv');
    // The choice is remembered on this browser: a page opened without ?lang keeps it.
    await page.selectOption('[data-control=language]', 'zh');
    await page.goto(new URL('../?x', page.url()).href.replace('?x', ''));
    await expect.poll(() => page.textContent('nav a[aria-current=page]'), POLL).toBe('探索');
    expect(await page.evaluate(() => location.search)).toBe('');
    // The explorer in Chinese: the family's note, the backend's reason, the views' own words and an error's kind.
    await waitForTrace(page);
    expect(await page.textContent('.explorer .note')).toContain('仅解码器');
    expect(await page.textContent('[data-testid=status] .reason')).toMatch(/[\u4e00-\u9fff]/);
    expect(await page.textContent('[data-view=heatmap] .atlas-heatmap-caption')).toContain('行：');
    await page.fill('[data-testid=text-input]', '');
    await expect.poll(() => page.textContent('[data-testid=error]'), POLL).toContain('无法使用这个输入');
    // The runtime's English detail stays, under its kind.
    expect(await page.textContent('[data-testid=error]')).toContain('There is no text to run.');
  });

  it('measures the cost of length: attention bytes are L·H·T²·4 for each length, and a measurement cancels', async () => {
    const page = await browser.open('/learn/#b=cost&s=3');
    const panel = page.locator('[data-testid=cost-of-length]');
    await page.waitForSelector('[data-control=cost-measure]:not([disabled])', { timeout: RUN_TIMEOUT });
    await page.click('[data-control=cost-measure]');
    await expect.poll(() => panel.getAttribute('data-points'), { timeout: RUN_TIMEOUT }).toBe('5');
    const points = await page.locator('[data-testid=cost-of-length] circle[data-bytes]').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-tokens')), Number(e.getAttribute('data-bytes'))]));
    // tiny-gpt2: 4 layers × 4 heads, float32 weights; lengths 8, 16, 32, 64 and its limit 128 (±1 where the cut lands inside a word).
    expect(points.map(([t]) => t).at(-1)).toBe(128);
    for (const [tokens, bytes] of points) expect(bytes).toBe(4 * 4 * tokens * tokens * 4);
    for (const [i, target] of [8, 16, 32, 64].entries()) expect(Math.abs(points[i][0] - target)).toBeLessThanOrEqual(1);
    // Attention's share of the layers' work at 128 tokens, and where it would reach half (tests/unit/lessons.test.ts by hand).
    expect(await page.locator('[data-flops-share]').last().textContent()).toBe('14.3 %');
    expect(await page.textContent('[data-testid=cost-crossover]')).toContain('768 tokens');
    // Cancel during a second measurement: it stops with fewer lengths and says so.
    await page.click('[data-control=cost-measure]');
    await page.click('[data-control=cost-cancel]');
    await page.waitForSelector('[data-testid=cost-cancelled]', { timeout: RUN_TIMEOUT });
    expect(Number(await panel.getAttribute('data-points'))).toBeLessThan(5);
    expect(browser.errors).toEqual([]);
  });

  it('the explorer measures the cost of length beside its views, without replacing their trace', async () => {
    const text = 'The cat sat on the mat because it was tired.';
    const page = await browser.open(`/#m=tiny-llama&t=${encodeURIComponent(text)}`);
    await waitForTrace(page, text);
    await page.click('[data-testid=cost-panel] summary');
    await page.click('[data-testid=cost-panel] [data-control=cost-measure]');
    await expect.poll(() => page.getAttribute('[data-testid=cost-panel] [data-testid=cost-of-length]', 'data-points'), POLL).toBe('5');
    // tiny-llama: 4 layers × 4 query heads, float32 weights, one row and column per token.
    const points = await page.locator('[data-testid=cost-panel] circle[data-bytes]').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-tokens')), Number(e.getAttribute('data-bytes'))]));
    for (const [tokens, bytes] of points) expect(bytes).toBe(4 * 4 * tokens * tokens * 4);
    // The views still show the text in the box, not the sweep's pieces.
    expect(await page.getAttribute('main', 'data-trace-text')).toBe(text);
    expect(browser.errors).toEqual([]);
  });
});
