// Measures the tokenization view with a 10,000-character mixed text in headless
// Chromium: worker round trip (tokenize, all selected tokenizers) and the time to draw
// the chips, for the first load of the text and for single keystrokes after it; plus
// the longest main-thread task while typing. Not a test: prints a table.
//   npx vite build && npx tsx bench/tokenize-10k.ts
import type { Page } from 'playwright-core';
import { launchChromium } from '../tests/browser/chromium';
import { startStaticServer } from '../tests/browser/static-server';
import { SAMPLES, LONG_SAMPLE_CHARS } from '../src/lib/components/tokenize/samples';
import { tokenizeText } from '../src/lib/tokenize/tokenize';
import { allTokenizers } from '../tests/unit/tokenize-load';

// Node first: the library's encode() alone vs tokenizeText() (encode's pipeline plus
// the span alignment), on the long sample, warm, median of 10.
const long = SAMPLES.find((s) => s.label.startsWith(LONG_SAMPLE_CHARS.toLocaleString('en')))!.text;
console.log(`Node, ${LONG_SAMPLE_CHARS} characters (${long.length} UTF-16 units):`);
console.log('| tokenizer | tokens | library encode() ms | tokenizeText() with spans ms |');
console.log('|---|---:|---:|---:|');
for (const tok of allTokenizers()) {
  const time = (f: () => unknown) => {
    const xs: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t0 = performance.now();
      f();
      xs.push(performance.now() - t0);
    }
    return xs.slice(2).sort((a, b) => a - b)[5];
  };
  const n = tokenizeText(tok, long, { verify: false }).tokens.length;
  const lib = time(() => tok.lib.encode(long));
  const ours = time(() => tokenizeText(tok, long, { verify: false }));
  console.log(`| ${tok.id} | ${n} | ${lib.toFixed(1)} | ${ours.toFixed(1)} |`);
}
console.log('');

const KEYSTROKES = 8;

async function settled(page: Page, length: number): Promise<{ tokenize: number; worker: number; render: number }> {
  const status = page.locator('p.status');
  await page.waitForFunction(
    (n) => {
      const s = document.querySelector('p.status') as HTMLElement | null;
      return !!s && s.dataset.length === String(n) && s.dataset.busy === undefined;
    },
    length,
    { timeout: 60_000 },
  );
  return {
    tokenize: Number(await status.getAttribute('data-tokenize-ms')),
    worker: Number(await status.getAttribute('data-worker-ms')),
    render: Number(await status.getAttribute('data-render-ms')),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startStaticServer('build');
const browser = await launchChromium();
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
await page.goto(server.url + '/tokenize/');
await page.waitForSelector('[data-tokenizer] .chip');
const panels = await page.locator('[data-tokenizer]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.tokenizer));

await page.evaluate(() => {
  (window as unknown as { longest: number }).longest = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const w = window as unknown as { longest: number };
      w.longest = Math.max(w.longest, e.duration);
    }
  }).observe({ type: 'longtask', buffered: false });
});

const rows: Array<[string, number, number, number]> = [];
await page.getByRole('button', { name: '10,000 characters' }).click();
const length = (await page.locator('textarea').inputValue()).length;
const first = await settled(page, length);
rows.push(['load 10k text (chips capped)', first.tokenize, first.worker, first.render]);
const chips = await page.locator('[data-tokenizer] .chip').count();
const tokens = await page.locator('[data-count]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.count));

// Long tasks from here on: typing only.
await page.evaluate(() => ((window as unknown as { longest: number }).longest = 0));
const textarea = page.locator('textarea');
await textarea.focus();
await page.keyboard.press('End');
await page.keyboard.press('Control+End');
const keys: Array<{ tokenize: number; worker: number; render: number }> = [];
for (let i = 0; i < KEYSTROKES; i++) {
  await page.keyboard.type('x');
  keys.push(await settled(page, length + 1 + i));
}
rows.push([`keystroke at 10k (median of ${KEYSTROKES})`, median(keys.map((k) => k.tokenize)), median(keys.map((k) => k.worker)), median(keys.map((k) => k.render))]);
const longestTyping = await page.evaluate(() => (window as unknown as { longest: number }).longest);

// Every chip drawn.
while ((await page.getByRole('button', { name: 'Show all' }).count()) > 0) await page.getByRole('button', { name: 'Show all' }).first().click();
await page.waitForTimeout(500);
const allChips = await page.locator('[data-tokenizer] .chip').count();
await textarea.focus();
await page.keyboard.press('Control+End');
await page.keyboard.type('y');
const all = await settled(page, length + 1 + KEYSTROKES);
rows.push([`keystroke with all ${allChips} chips drawn`, all.tokenize, all.worker, all.render]);

console.log(`tokenizers: ${panels.join(', ')}; tokens: ${tokens.join(' / ')}; chips drawn (capped): ${chips}`);
console.log('| case | tokenize, worker round trip ms | of which tokenizing in the worker ms | draw ms |');
console.log('|---|---:|---:|---:|');
for (const [name, t, w, r] of rows) console.log(`| ${name} | ${t.toFixed(1)} | ${w.toFixed(1)} | ${r.toFixed(1)} |`);
console.log(`longest main-thread task while typing at 10k: ${longestTyping.toFixed(0)} ms`);
await browser.close();
await server.close();
