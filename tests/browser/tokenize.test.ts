// The tokenization view in Chromium: chips read back from the DOM must be exactly the
// tokenizer's output computed in Node on the same text (ids and spans), hovering links
// chips and text both ways, token text is never interpreted as HTML, and the merge
// trace ends in the tokenizer's own tokens.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from './page';
import { tokenizeText } from '../../src/lib/tokenize/tokenize';
import { traceWord } from '../../src/lib/tokenize/word-trace';
import { model } from '../unit/tokenize-load';

interface ChipData {
  id: number;
  start: number;
  end: number;
  special: boolean;
}

async function ready(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const s = document.querySelector('p.status') as HTMLElement | null;
      return !!s && s.dataset.length === String(n) && s.dataset.busy === undefined;
    },
    text.length,
    { timeout: 30_000 },
  );
}

async function typeText(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Text to tokenize' });
  await box.fill('');
  // Most of it pasted, the end typed key by key (emoji and all).
  await box.fill(text.slice(0, -6));
  await box.pressSequentially(text.slice(-6));
  await ready(page, text);
}

async function chips(page: Page, tokenizer: string): Promise<ChipData[]> {
  return page.locator(`[data-tokenizer="${tokenizer}"] .chip`).evaluateAll((els) =>
    els.map((e) => {
      const d = (e as HTMLElement).dataset;
      return { id: Number(d.id), start: Number(d.start), end: Number(d.end), special: d.special !== undefined };
    }),
  );
}

const TEXT = 'Hello world! naïve nai\u0308ve 👨‍👩‍👧 🇫🇷 中文\tend\n[UNK] 😀 <|endoftext|>x';

describe('tokenization view', () => {
  const browser = useBrowser();

  it('shows gpt2 and bert-base-uncased chips whose ids and spans match the tokenizer run in Node', async () => {
    const page = await browser.open('/tokenize/#tk=gpt2,bert-base-uncased,tiny-t5,tinyllama');
    await page.waitForSelector('[data-tokenizer="gpt2"] .chip');
    await page.waitForSelector('[data-tokenizer="bert-base-uncased"] .chip');
    await typeText(page, TEXT);
    for (const id of ['gpt2', 'bert-base-uncased']) {
      const expected = tokenizeText(model(id), TEXT, { verify: true });
      expect(expected.tokens.map((t) => t.id)).toEqual(model(id).lib.encode(TEXT).ids);
      expect(await chips(page, id)).toEqual(expected.tokens.map((t) => ({ id: t.id, start: t.start, end: t.end, special: t.special })));
      await expect(page.locator(`[data-tokenizer="${id}"] [data-count]`).getAttribute('data-count')).resolves.toBe(
        String(expected.tokens.length),
      );
    }
    // The [UNK] for 😀 and the partial byte tokens are marked.
    await expect(page.locator('[data-tokenizer="bert-base-uncased"] .chip[data-unknown]').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('[data-tokenizer="gpt2"] .chip[data-partial]').count()).resolves.toBeGreaterThan(0);
    expect(browser.errors).toEqual([]);
  });

  it('hovering a chip lights its characters in the text and the chips of other tokenizers over them', async () => {
    const page = await browser.open('/tokenize/#tk=gpt2,bert-base-uncased,tiny-t5,tinyllama');
    await page.waitForSelector('[data-tokenizer="gpt2"] .chip');
    const text = 'Hello world, tokenizers!';
    await typeText(page, text);
    const chip = page.locator('[data-tokenizer="gpt2"] .chip[data-piece="Ġworld"]');
    await chip.hover();
    await expect(page.locator('.mirror mark').textContent()).resolves.toBe(' world');
    // BERT's "world" [6, 11) overlaps GPT-2's " world" [5, 11).
    const lit = await page.locator('[data-tokenizer="bert-base-uncased"] .chip.lit').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.piece));
    expect(lit).toEqual(['world']);
    // The tooltip names the id and the characters.
    await expect(page.getByRole('tooltip').textContent()).resolves.toContain('id 995');

    // A zero-width special token marks a place, not characters.
    await page.locator('[data-tokenizer="bert-base-uncased"] .chip[data-special]').first().hover();
    await expect(page.locator('.mirror mark.caret').count()).resolves.toBe(1);
  });

  it('hovering the text lights the chips that hold the character under the pointer', async () => {
    const page = await browser.open('/tokenize/#tk=gpt2,bert-base-uncased,tiny-t5,tinyllama');
    await page.waitForSelector('[data-tokenizer="gpt2"] .chip');
    const text = 'Tokenizers split 👨‍👩‍👧 families';
    await typeText(page, text);
    // The mirror under the textarea holds exactly the text (plus a zero-width space that
    // keeps a final newline's height).
    await expect(page.locator('.mirror').evaluate((e) => e.textContent)).resolves.toBe(text + '\u200b');
    // Centre of the emoji in the mirror, which sits exactly under the textarea.
    const at = text.indexOf('👨');
    const point = await page.evaluate((i) => {
      const walker = document.createTreeWalker(document.querySelector('.mirror')!, NodeFilter.SHOW_TEXT);
      let start = 0;
      for (let n = walker.nextNode() as Text | null; n; n = walker.nextNode() as Text | null) {
        if (i < start + n.length) {
          const r = document.createRange();
          r.setStart(n, i - start);
          r.setEnd(n, i - start + 2);
          const b = r.getBoundingClientRect();
          return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
        }
        start += n.length;
      }
      throw new Error('offset not in mirror');
    }, at);
    await page.mouse.move(point.x, point.y);
    const family = [at, at + '👨‍👩‍👧'.length];
    await page.waitForSelector('[data-tokenizer="gpt2"] .chip.lit');
    const lit = await page.locator('[data-tokenizer="gpt2"] .chip.lit').evaluateAll((els) => els.map((e) => [Number((e as HTMLElement).dataset.start), Number((e as HTMLElement).dataset.end)]));
    const expected = tokenizeText(model('gpt2'), text).tokens.filter((t) => t.start < family[1] && t.end > family[0]);
    expect(lit).toEqual(expected.map((t) => [t.start, t.end]));
    expect(lit.length).toBeGreaterThan(3); // the family is many byte tokens
    const bertLit = await page.locator('[data-tokenizer="bert-base-uncased"] .chip.lit').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.piece));
    expect(bertLit).toEqual(['[UNK]']);
  });

  it('shows markup in the text literally and runs no script from it', async () => {
    const page = await browser.open('/tokenize/#tk=gpt2,bert-base-uncased,tiny-t5,tinyllama');
    await page.waitForSelector('[data-tokenizer="gpt2"] .chip');
    const text = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    await typeText(page, text);
    // GPT-2's chips, read in order, spell the text (spaces written as Ġ).
    const pieces = await page.locator('[data-tokenizer="gpt2"] .chip .piece').allTextContents();
    expect(pieces.join('')).toBe(text.replaceAll(' ', 'Ġ'));
    await page.waitForTimeout(300);
    await expect(page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    await expect(page.locator('main img, main script').count()).resolves.toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it('chips can be reached and explored with the keyboard', async () => {
    const page = await browser.open('/tokenize/#tk=gpt2,bert-base-uncased,tiny-t5,tinyllama');
    await page.waitForSelector('[data-tokenizer="gpt2"] .chip');
    await typeText(page, 'one two three');
    await page.locator('[data-tokenizer="gpt2"] .chip[data-index="0"]').focus();
    await page.keyboard.press('ArrowRight');
    const focused = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.piece);
    expect(focused).toBe('Ġtwo');
    await expect(page.locator('.mirror mark').textContent()).resolves.toBe(' two');
  });

  it('the merge trace steps a word from bytes to the tokenizer’s own tokens', async () => {
    const page = await browser.open('/tokenize/#tk=gpt2,bert-base-uncased,tiny-t5,tinyllama');
    await page.waitForSelector('[data-tokenizer="gpt2"] .chip');
    await typeText(page, 'Attention is surprisingly tokenizable');
    // Clicking a chip picks its word.
    await page.locator('[data-tokenizer="gpt2"] .chip[data-piece="Ġsurprisingly"]').click();
    const trace = page.locator('.trace[data-word="Ġsurprisingly"]');
    await trace.waitFor();
    const expected = traceWord(model('gpt2'), 'Ġsurprisingly')!;
    await expect(trace.getAttribute('data-steps')).resolves.toBe(String(expected.steps.length - 1));
    await expect(trace.locator('.sym').count()).resolves.toBe('Ġsurprisingly'.length);
    await page.getByRole('button', { name: 'Next merge' }).click();
    await expect(trace.getAttribute('data-step')).resolves.toBe('1');
    await expect(trace.locator('.sym').count()).resolves.toBe('Ġsurprisingly'.length - 1);
    // Play advances on its own; Pause stops it.
    await page.getByRole('button', { name: /Play/ }).click();
    await page.waitForFunction(() => Number((document.querySelector('.trace') as HTMLElement).dataset.step) >= 2, null, { timeout: 5000 });
    await page.getByRole('button', { name: /Pause/ }).click();
    const paused = await trace.getAttribute('data-step');
    await page.waitForTimeout(1200);
    await expect(trace.getAttribute('data-step')).resolves.toBe(paused);
    await page.getByRole('button', { name: 'Last step' }).click();
    const final = await trace.locator('.sym').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.symbol));
    expect(final).toEqual(model('gpt2').lib.encode(' surprisingly').tokens);
    await expect(trace.textContent()).resolves.toContain('same as the tokenizer’s own result');
  });

  it('tokenizers can be added and removed', async () => {
    const page = await browser.open('/tokenize/#tk=gpt2,bert-base-uncased,tiny-t5,tinyllama');
    await page.waitForSelector('[data-tokenizer="bert-base-uncased"] .chip');
    await page.getByRole('checkbox', { name: 'bert-base-uncased' }).uncheck();
    await expect(page.locator('[data-tokenizer="bert-base-uncased"]').count()).resolves.toBe(0);
    await page.getByRole('checkbox', { name: 'bert-base-uncased' }).check();
    await page.waitForSelector('[data-tokenizer="bert-base-uncased"] .chip');
  });
});
