// Exports and keyboard access, in Chromium against the built app: /view/ with SYNTHETIC
// traces (tests/fixtures/synthetic-trace.ts), and the explorer on the embedded tiny GPT-2
// when static/models/tiny-gpt2 is there. Each file is caught from the download event and
// read back: PNG size from its IHDR header and pixels decoded in the page, SVG through
// the page's DOMParser, CSV through d3's parser, JSON through traceFromJSON.
import { readableTokens } from '../../src/lib/viz/format';
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { csvParseRows, interpolateViridis, rgb } from 'd3';
import type { Page } from 'playwright-core';
import { useBrowser } from './page';
import { openTrace, useTraceFiles } from './trace-files';
import { HOSTILE_TOKEN, syntheticTrace } from '../fixtures/synthetic-trace';
import { traceFromJSON } from '../../src/lib/trace/json';
import type { DenseTrace } from '../../src/lib/trace/types';
import { DOC_PADDING } from '../../src/lib/viz/export-svg';
import { EXPORT_SCALE } from '../../src/lib/viz/export';
import { fmt4, tokenLabel, visibleToken } from '../../src/lib/viz/format';
import { f32ToF16 } from '../../src/lib/hub/fp16';

/** The machine may be loaded (other jobs share its cores): wait generously for redraws. */
const POLL = { timeout: 15_000, interval: 50 };
/** Viridis through a 1024-entry table, PNG encoding, then decoding: a channel may be off by this much. */
const COLOUR_TOLERANCE = 4;

const { save } = useTraceFiles('export');

interface Exported {
  name: string;
  data: Buffer;
}

/** Opens a view's export menu, picks a format and returns the downloaded file. */
async function exportFile(page: Page, view: string, format: string): Promise<Exported> {
  await page.click(`[data-view="${view}"] [data-export-menu]`);
  const item = page.locator(`[data-view="${view}"] [data-export="${format}"]`);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), item.click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), data: readFileSync(path) };
}

/** Width and height from a PNG's IHDR chunk (the first chunk, right after the 8-byte signature). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Pixels of a PNG, decoded by the browser: [r, g, b] at each (x, y) asked for. */
async function pngPixels(page: Page, png: Buffer, points: [number, number][]): Promise<[number, number, number][]> {
  return page.evaluate(
    async ({ b64, points }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      return points.map(([x, y]) => {
        const d = ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data;
        return [d[0], d[1], d[2]] as [number, number, number];
      });
    },
    { b64: png.toString('base64'), points },
  );
}

/** An exported SVG read by the page's DOMParser: its size, a parse error if any, and selected texts. */
async function readSvg(page: Page, svg: string, selectors: Record<string, string>): Promise<{ error: string | null; width: number; height: number; texts: Record<string, string[]>; counts: Record<string, number> }> {
  return page.evaluate(
    ({ svg, selectors }) => {
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      const error = doc.querySelector('parsererror')?.textContent ?? null;
      const root = doc.documentElement;
      const shown = (e: Element): string => Array.from(e.childNodes).map((c) => (c.nodeType === 3 ? c.textContent : (c as Element).tagName === 'title' ? '' : shown(c as Element))).join('');
      const texts: Record<string, string[]> = {};
      const counts: Record<string, number> = {};
      for (const [k, sel] of Object.entries(selectors)) {
        const found = Array.from(doc.querySelectorAll(sel));
        texts[k] = found.map(shown);
        counts[k] = found.length;
      }
      return { error, width: Number(root.getAttribute('width')), height: Number(root.getAttribute('height')), texts, counts };
    },
    { svg, selectors },
  );
}

/** The CSS width of what a view shows: the widest of its figure's parts on screen. */
async function figureWidth(page: Page, selectors: string[]): Promise<number> {
  return page.evaluate((sels) => Math.max(...sels.flatMap((s) => Array.from(document.querySelectorAll(s)).map((e) => e.getBoundingClientRect().width))), selectors);
}

/** probs of (kind, layer, head) as rows. */
function probsOf(trace: DenseTrace, kind: 'self' | 'encoder' | 'decoder' | 'cross', layer: number, head: number): number[][] {
  const p = trace.attention[kind]!.probs!;
  const [, H, Q, K] = p.shape;
  return Array.from({ length: Q }, (_, i) => Array.from({ length: K }, (_, j) => p.data[((layer * H + head) * Q + i) * K + j]));
}

/** CSV text shows formula-like tokens with a leading ' (export.ts keeps spreadsheets from running them). */
const csvShown = (t: string): string => (/^[=+\-@\t\r]/.test(t) ? `'${t}` : t);
const viridis = (t: number): [number, number, number] => {
  const c = rgb(interpolateViridis(t));
  return [c.r, c.g, c.b];
};
const near = (a: number[], b: number[], tol = COLOUR_TOLERANCE): boolean => a.every((v, i) => Math.abs(v - b[i]) <= tol);

describe('exports from /view/', () => {
  const browser = useBrowser();

  it('heatmap: PNG at 2× with a caption and the trace’s colours, SVG with every token, CSV and JSON equal to the trace', async () => {
    const trace = syntheticTrace({ family: 'gpt2', layers: 2, heads: 3, headDim: 8, tokens: 8, seed: 5, hostileToken: true });
    const page = await browser.open('/view/');
    await openTrace(page, save('gpt2', trace));
    // The views write tokens as read (Ġ decoded to a space, shown ␣): readableTokens, unit-tested against the tokenizers.
    const tokens = readableTokens(trace.tokens.map((t) => t.text), trace.tokens.map((t) => t.special));
    const probs = probsOf(trace, 'self', 0, 0);

    // SVG: parses, one rect per cell, every token label as text (the HTML-looking one literally).
    const svgFile = await exportFile(page, 'heatmap', 'svg');
    expect(svgFile.name).toBe('synthetic-gpt2_self_L0_H0_heatmap.svg');
    const svg = await readSvg(page, svgFile.data.toString('utf8'), { rows: '.row-labels text', cols: '.col-labels text', cells: '.cells rect', caption: 'text.caption', img: 'img' });
    expect(svg.error).toBeNull();
    expect(svg.counts.cells).toBe(8 * 8);
    expect(svg.texts.rows).toEqual(tokens.map((t) => tokenLabel(t)));
    expect(svg.texts.cols).toEqual(tokens.map((t) => tokenLabel(t)));
    // The hostile token holds a raw space, which GPT-2's byte alphabet never writes: it is shown as it is.
    expect(svg.texts.rows.some((t) => t.startsWith('Ġ<img'))).toBe(true);
    expect(svg.counts.img).toBe(0);
    expect(svg.texts.caption.join(' · ')).toContain('synthetic-gpt2 · self-attention · layer 0 · head 0 · heatmap');
    expect(svgFile.data.toString('utf8')).toContain(`<title>${visibleToken('Ġ' + HOSTILE_TOKEN).replace(/</g, '&lt;').replace(/>/g, '&gt;')}</title>`);

    // PNG: 2× the figure shown (its widest part, plus the document's padding) and as tall as the SVG.
    const png = await exportFile(page, 'heatmap', 'png');
    expect(png.name).toBe('synthetic-gpt2_self_L0_H0_heatmap.png');
    const size = pngSize(png.data);
    const shown = await figureWidth(page, ['[data-view="heatmap"] .atlas-heatmap-axes', '[data-view="heatmap"] .atlas-legend']);
    expect(size.width).toBe(EXPORT_SCALE * (Math.ceil(shown) + 2 * DOC_PADDING));
    expect(size.width).toBe(EXPORT_SCALE * svg.width);
    expect(size.height).toBe(EXPORT_SCALE * svg.height);
    // Its cells are the trace's weights on the legend's scale; its caption strip holds text.
    const place = await page.evaluate((svgText) => {
      const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
      const cells = doc.querySelector('.cells')!;
      const [, tx, ty] = /translate\(([\d.]+),([\d.]+)\)/.exec(cells.parentElement!.getAttribute('transform')!)!.map(Number);
      const first = cells.querySelector('rect')!;
      return { x: tx + Number(first.getAttribute('x')), y: ty + Number(first.getAttribute('y')), cell: Number(first.getAttribute('width')) };
    }, svgFile.data.toString('utf8'));
    const flat = probs.flatMap((r, i) => r.filter((_, j) => j <= i));
    const [lo, hi] = [Math.min(...flat), Math.max(...flat)];
    const points: [number, number][] = [];
    const expected: [number, number, number][] = [];
    for (let i = 0; i < 8; i++)
      for (let j = 0; j <= i; j++) {
        points.push([EXPORT_SCALE * (place.x + (j + 0.5) * place.cell), EXPORT_SCALE * (place.y + (i + 0.5) * place.cell)]);
        expected.push(viridis((probs[i][j] - lo) / (hi - lo)));
      }
    const px = await pngPixels(page, png.data, points);
    px.forEach((p, k) => expect(near(p, expected[k]), `cell ${k}: ${p} vs ${expected[k]}`).toBe(true));
    const captionRow = await pngPixels(page, png.data, Array.from({ length: 200 }, (_, x) => [EXPORT_SCALE * DOC_PADDING + x, EXPORT_SCALE * (DOC_PADDING + 10)] as [number, number]));
    const background = (await pngPixels(page, png.data, [[1, 1]]))[0];
    expect(captionRow.filter((p) => !near(p, background, 40)).length).toBeGreaterThan(10);

    // CSV: the tokenizer's exact strings (not the screen's readable form) as header row and first column, cells exactly the float32 weights.
    const csv = await exportFile(page, 'heatmap', 'csv');
    expect(csv.name).toBe('synthetic-gpt2_self_L0_H0_heatmap.csv');
    const rows = csvParseRows(csv.data.toString('utf8').replace(/\r\n$/, ''));
    const exact = trace.tokens.map((t) => t.text);
    expect(rows[0]).toEqual(['query \\ key', ...exact.map(csvShown)]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(exact.map(csvShown));
    rows.slice(1).forEach((r, i) => r.slice(1).forEach((v, j) => expect(Math.fround(Number(v)), `${i},${j}`).toBe(probs[i][j])));

    // After averaging and hiding: the CSV is the matrix shown (mean over heads of layer 1).
    await page.selectOption('[data-view="head"] select[data-control="head-layer"]', '1');
    await page.selectOption('[data-view="heatmap"] select[data-control="average"]', 'heads');
    await expect.poll(() => page.locator('[data-view="heatmap"] .atlas-note').first().textContent(), POLL).toContain('mean over the 3 heads of layer 1');
    const mean = await exportFile(page, 'heatmap', 'csv');
    expect(mean.name).toBe('synthetic-gpt2_self_L1_Hmean_heatmap.csv');
    const heads = [0, 1, 2].map((h) => probsOf(trace, 'self', 1, h));
    csvParseRows(mean.data.toString('utf8').replace(/\r\n$/, ''))
      .slice(1)
      .forEach((r, i) => r.slice(1).forEach((v, j) => expect(Number(v)).toBeCloseTo((heads[0][i][j] + heads[1][i][j] + heads[2][i][j]) / 3, 6)));

    // JSON: the trace itself.
    const json = await exportFile(page, 'heatmap', 'json');
    expect(json.name).toBe('synthetic-gpt2_trace.json');
    const back = traceFromJSON(JSON.parse(json.data.toString('utf8')));
    expect(back.tokens).toEqual(trace.tokens);
    expect(back.model).toEqual(trace.model);
    expect(Array.from(back.attention.self!.probs!.data)).toEqual(Array.from(trace.attention.self!.probs!.data));
    expect(Array.from(back.attention.self!.q!.data.slice(0, 50))).toEqual(Array.from(trace.attention.self!.q!.data.slice(0, 50)));
    expect(browser.errors).toEqual([]);
  });

  it('every view of a T5 trace exports a PNG twice its size, an SVG (where vector) with its tokens as text, and a CSV', async () => {
    const trace = syntheticTrace({ family: 't5', layers: 2, heads: 2, headDim: 4, tokens: 6, decoderTokens: 5, seed: 3 });
    const page = await browser.open('/view/');
    await openTrace(page, save('t5', trace));
    const source = readableTokens(trace.tokens.map((t) => t.text), trace.tokens.map((t) => t.special));
    const target = readableTokens(trace.decoderTokens!.map((t) => t.text), trace.decoderTokens!.map((t) => t.special));
    // The alignment labels each row by the token it writes: the next decoder token (the last row: its top prediction or "…").
    const dec = trace.decoderTokens!;
    const lastWritten = trace.predictions?.find((p) => p.position === dec.length - 1)?.candidates[0]?.text ?? '…';
    const written = readableTokens([...dec.slice(1).map((t) => t.text), lastWritten], [...dec.slice(1).map((t) => t.special), false]);
    const cases: { view: string; stem: string; texts: Record<string, string>; expect: Record<string, string[]> }[] = [
      { view: 'head', stem: 'synthetic-t5_encoder_L0_H0_head-view', texts: { q: '.tokens.query text', k: '.tokens.key text' }, expect: { q: source.map((t) => tokenLabel(t, 16)), k: source.map((t) => tokenLabel(t, 16)) } },
      { view: 'heatmap', stem: 'synthetic-t5_encoder_L0_H0_heatmap', texts: { rows: '.row-labels text' }, expect: { rows: source.map((t) => tokenLabel(t)) } },
      { view: 'qkv', stem: 'synthetic-t5_encoder_L0_H0_Q4_qkv', texts: { keys: 'text.key' }, expect: { keys: source.map((t) => tokenLabel(t, 13)) } },
      { view: 'alignment', stem: 'synthetic-t5_cross_L1_Hmean_alignment', texts: { s: '.tokens.source text', t: '.tokens.target text' }, expect: { s: source.map((t) => tokenLabel(t, 14)), t: written.map((t) => tokenLabel(t, 14)) } },
      { view: 'metrics', stem: 'synthetic-t5_layer-summary', texts: { titles: 'svg.atlas-metric-chart > text[font-weight="600"]' }, expect: { titles: ['Mean attention distance', 'Attention entropy', 'Share on special tokens', 'Share on previous token'] } },
    ];
    for (const c of cases) {
      const svgFile = await exportFile(page, c.view, 'svg');
      expect(svgFile.name).toBe(`${c.stem}.svg`);
      const svg = await readSvg(page, svgFile.data.toString('utf8'), c.texts);
      expect(svg.error, c.view).toBeNull();
      for (const k of Object.keys(c.texts)) expect(svg.texts[k], `${c.view} ${k}`).toEqual(c.expect[k]);
      const png = await exportFile(page, c.view, 'png');
      expect(png.name).toBe(`${c.stem}.png`);
      expect(pngSize(png.data), c.view).toEqual({ width: EXPORT_SCALE * svg.width, height: EXPORT_SCALE * svg.height });
      const csv = await exportFile(page, c.view, 'csv');
      expect(csv.name.endsWith('.csv')).toBe(true);
      expect(csvParseRows(csv.data.toString('utf8')).length).toBeGreaterThan(2);
    }
    // The head view's figure is at least as wide as on screen: its lines as shown, plus room for the
    // column titles where they are wider than the token columns (they were clipped, issue 15 item 11).
    const headSvg = await readSvg(page, (await exportFile(page, 'head', 'svg')).data.toString('utf8'), {});
    const headShown = await page.evaluate(() => ['.atlas-tokens-left', '.atlas-head-lines', '.atlas-tokens-right'].reduce((w, s) => w + document.querySelector(`[data-view="head"] ${s}`)!.getBoundingClientRect().width, 0));
    expect(headSvg.width).toBeGreaterThanOrEqual(Math.ceil(headShown) + 2 * DOC_PADDING);
    expect(headSvg.width).toBeLessThanOrEqual(Math.ceil(headShown) + 2 * DOC_PADDING + 240);

    // The model grid is pixels: PNG only, and the menu says why.
    const svgItem = async (): Promise<{ disabled: string | null; text: string }> => {
      await page.click('[data-view="model"] [data-export-menu]');
      const item = page.locator('[data-view="model"] [data-export="svg"]');
      const out = { disabled: await item.getAttribute('aria-disabled'), text: (await item.textContent()) ?? '' };
      await page.keyboard.press('Escape');
      return out;
    };
    const grid = await svgItem();
    expect(grid.disabled).toBe('true');
    expect(grid.text).toContain('PNG only');
    const gridPng = await exportFile(page, 'model', 'png');
    expect(gridPng.name).toBe('synthetic-t5_encoder_model-grid.png');
    const gridShown = await figureWidth(page, ['[data-view="model"] .atlas-model-grid-plot svg', '[data-view="model"] .atlas-legend']);
    expect(pngSize(gridPng.data).width).toBe(EXPORT_SCALE * (Math.ceil(gridShown) + 2 * DOC_PADDING));
    // The model grid's CSV is the selected head's matrix; the alignment's the cross-attention.
    const gridCsv = await exportFile(page, 'model', 'csv');
    expect(gridCsv.name).toBe('synthetic-t5_encoder_L0_H0_attention.csv');
    const enc = probsOf(trace, 'encoder', 0, 0);
    csvParseRows(gridCsv.data.toString('utf8').replace(/\r\n$/, ''))
      .slice(1)
      .forEach((r, i) => r.slice(1).forEach((v, j) => expect(Math.fround(Number(v))).toBe(enc[i][j])));
    expect(browser.errors).toEqual([]);
  });

  it('offers a heatmap over 128 tokens as PNG only, and says why', async () => {
    const trace = syntheticTrace({ family: 'bert', layers: 1, heads: 1, headDim: 4, tokens: 130, seed: 1 });
    const page = await browser.open('/view/');
    await openTrace(page, save('long', trace));
    await page.click('[data-view="heatmap"] [data-export-menu]');
    const item = page.locator('[data-view="heatmap"] [data-export="svg"]');
    expect(await item.getAttribute('aria-disabled')).toBe('true');
    expect(await item.textContent()).toContain('128 × 128');
    // Choosing it anyway saves nothing.
    const none = page.waitForEvent('download', { timeout: 1500 }).then(
      () => 'downloaded',
      () => 'nothing',
    );
    await item.dispatchEvent('click');
    expect(await none).toBe('nothing');
    await page.keyboard.press('Escape');
    const png = await exportFile(page, 'heatmap', 'png');
    const shown = await figureWidth(page, ['[data-view="heatmap"] .atlas-heatmap-axes', '[data-view="heatmap"] .atlas-legend']);
    expect(pngSize(png.data).width).toBe(EXPORT_SCALE * (Math.ceil(shown) + 2 * DOC_PADDING));
    expect(browser.errors).toEqual([]);
  });
});

describe('keyboard', () => {
  const browser = useBrowser();

  it('moves through the model grid with the arrows, selects with Enter and adds with Shift+Enter', async () => {
    const trace = syntheticTrace({ family: 'gpt2', layers: 3, heads: 4, headDim: 4, tokens: 6, seed: 7 });
    const page = await browser.open('/view/');
    await openTrace(page, save('grid-keys', trace));
    const grid = page.locator('[data-view="model"] .atlas-model-grid-plot');
    const root = page.locator('[data-view="model"] .atlas-model-grid');
    await grid.focus();
    expect(await root.getAttribute('data-cursor')).toBe('0:0');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    expect(await root.getAttribute('data-cursor')).toBe('1:2');
    expect(await grid.getAttribute('aria-label')).toContain('Focused: layer 1, head 2');
    // The live region reads the head out with its strongest weight, from the trace.
    const p = probsOf(trace, 'self', 1, 2);
    let best = -1;
    let at = [0, 0];
    p.forEach((r, i) => r.forEach((v, j) => j <= i && v > best && ((best = v), (at = [i, j]))));
    const live = page.locator('[data-view="model"] .atlas-live');
    expect(await live.textContent()).toBe(`layer 1, head 2: strongest ${visibleToken(trace.tokens[at[0]].text)} → ${visibleToken(trace.tokens[at[1]].text)} ${fmt4(best)}`);
    // Selection has not moved yet; Enter selects, and every view follows.
    expect(await root.getAttribute('data-selected')).toBe('0:0');
    await page.keyboard.press('Enter');
    await expect.poll(() => root.getAttribute('data-selected'), POLL).toBe('1:2');
    await expect.poll(() => page.locator('[data-view="heatmap"] .atlas-note').first().textContent(), POLL).toContain('layer 1, head 2');
    expect(await grid.getAttribute('aria-label')).toContain('Selected: layer 1 head 2');
    // Shift+Enter adds a head to the head view.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+Enter');
    await expect.poll(() => root.getAttribute('data-selected'), POLL).toBe('1:2 1:3');
    await expect.poll(() => page.locator('.atlas-head-view').getAttribute('data-heads'), POLL).toBe('2 3');
    expect(browser.errors).toEqual([]);
  });

  it('moves through the heatmap’s cells and reads out the trace’s value; moves through the head view’s tokens', async () => {
    const trace = syntheticTrace({ family: 'bert', layers: 2, heads: 2, headDim: 4, tokens: 7, seed: 12 });
    const page = await browser.open('/view/');
    await openTrace(page, save('heat-keys', trace));
    const plot = page.locator('[data-view="heatmap"] .atlas-heatmap-plot');
    const live = page.locator('[data-view="heatmap"] .atlas-live');
    await plot.focus();
    // It starts on the selected query (BERT: the last token before [SEP], 5) at the first key.
    expect(await live.getAttribute('data-row')).toBe('5');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const p = probsOf(trace, 'self', 0, 0);
    expect([await live.getAttribute('data-row'), await live.getAttribute('data-col')]).toEqual(['3', '3']);
    expect(Number(await live.getAttribute('data-value'))).toBe(p[3][3]);
    const tok = (i: number): string => visibleToken(trace.tokens[i].text);
    expect(await live.textContent()).toBe(`layer 0, head 0: ${tok(3)} → ${tok(3)} ${fmt4(p[3][3])}`);
    expect(await plot.getAttribute('aria-label')).toContain(`Focused: ${tok(3)} → ${tok(3)}, ${fmt4(p[3][3])}`);
    // The tooltip shows the focused cell; the other views highlight its query.
    const tip = page.locator('[data-view="heatmap"] .atlas-tooltip');
    await expect.poll(() => tip.isVisible(), POLL).toBe(true);
    expect(Number(await tip.getAttribute('data-value'))).toBe(p[3][3]);
    await expect.poll(() => page.locator('[data-view="head"] .atlas-tokens-left .atlas-token.highlight').getAttribute('data-index'), POLL).toBe('3');
    // End goes to the last key; Enter makes the row the Q/K/V view's query.
    await page.keyboard.press('End');
    expect(await live.getAttribute('data-col')).toBe('6');
    expect(Number(await live.getAttribute('data-value'))).toBe(p[3][6]);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-view="qkv"] select[data-control="query"]').inputValue(), POLL).toBe('3');
    // Leaving the heatmap clears the hover everywhere.
    await page.keyboard.press('Escape');
    await expect.poll(() => tip.isVisible(), POLL).toBe(false);

    // Head view: Up/Down through the queries, Right to the keys; it reads out the strongest link.
    const head = page.locator('[data-view="head"] .atlas-head-view');
    await head.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await head.getAttribute('data-cursor')).toBe('query:2');
    const row = p[2];
    const k = row.indexOf(Math.max(...row));
    expect(await page.locator('[data-view="head"] .atlas-live').textContent()).toBe(`query 2 “${tok(2)}”: strongest key “${tok(k)}” ${fmt4(row[k])}`);
    await expect.poll(() => page.locator('[data-view="heatmap"] .row-labels text.highlight').getAttribute('data-index'), POLL).toBe('2');
    await page.keyboard.press('ArrowRight');
    expect(await head.getAttribute('data-cursor')).toBe('key:2');
    await expect.poll(() => page.locator('[data-view="heatmap"] .col-labels text.highlight').getAttribute('data-index'), POLL).toBe('2');
    expect(browser.errors).toEqual([]);
  });

  it('reaches every control of the views with Tab, and each has a name for screen readers', async () => {
    const trace = syntheticTrace({ family: 't5', layers: 1, heads: 2, headDim: 4, tokens: 5, decoderTokens: 4, seed: 2 });
    const page = await browser.open('/view/');
    await openTrace(page, save('tab', trace));
    // Tab from the page's top through the views: collect what gets focus.
    await page.locator('[data-view="model"] [data-export-menu]').focus();
    const seen: string[] = [];
    for (let i = 0; i < 60; i++) {
      const d = await page.evaluate(() => {
        const e = document.activeElement as HTMLElement;
        const view = e.closest('[data-view]')?.getAttribute('data-view') ?? 'none';
        return `${view}:${e.tagName.toLowerCase()}${e.getAttribute('role') ? `[${e.getAttribute('role')}]` : ''}`;
      });
      seen.push(d);
      await page.keyboard.press('Tab');
    }
    for (const want of ['model:div[application]', 'head:div[application]', 'heatmap:div[application]', 'alignment:div[application]', 'model:button[tab]', 'qkv:select', 'metrics:button']) expect(seen, want).toContain(want);
    // Views come in page order: the model grid before the head view before the heatmap.
    expect(seen.indexOf('model:div[application]')).toBeLessThan(seen.indexOf('head:button'));
    expect(seen.indexOf('head:div[application]')).toBeLessThan(seen.indexOf('heatmap:div[application]'));
    // Every focusable thing in the views has an accessible name.
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('[data-view] :is(button, select, input, [tabindex="0"])'))
        .filter((e) => !e.hasAttribute('disabled'))
        .filter((e) => {
          const label = e.getAttribute('aria-label') || (e as HTMLInputElement).labels?.[0]?.textContent || e.textContent;
          return !label?.trim();
        })
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    // The tabs follow the arrow keys.
    await page.locator('[data-view="model"] [role="tab"][aria-selected="true"]').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('[data-view="model"] [role="tab"][aria-selected="true"]').getAttribute('data-kind'), POLL).toBe('decoder');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-kind'))).toBe('decoder');
    expect(browser.errors).toEqual([]);
  });
});

const TINY_GPT2 = existsSync('static/models/tiny-gpt2/model.safetensors');

describe.skipIf(!TINY_GPT2)('exports from the explorer (embedded tiny-gpt2)', () => {
  const browser = useBrowser();

  it('exports the live trace: JSON, the heatmap as CSV equal to it, and a PNG at 2×', async () => {
    const page = await browser.open('/');
    await page.waitForFunction(() => !!document.querySelector('.atlas-heatmap')?.getAttribute('data-draw-ms'), null, { timeout: 120_000 });
    const json = await exportFile(page, 'heatmap', 'json');
    expect(json.name).toBe('tiny-gpt2_trace.json');
    const trace = traceFromJSON(JSON.parse(json.data.toString('utf8')));
    expect(trace.model.id).toBe('tiny-gpt2');
    const csv = await exportFile(page, 'heatmap', 'csv');
    expect(csv.name).toMatch(/^tiny-gpt2_self_L\d+_H\d+_heatmap\.csv$/);
    const [, layer, headIx] = /_L(\d+)_H(\d+)_/.exec(csv.name)!.map(Number);
    const p = probsOf(trace, 'self', layer, headIx);
    const rows = csvParseRows(csv.data.toString('utf8').replace(/\r\n$/, ''));
    expect(rows[0].slice(1)).toEqual(trace.tokens.map((t) => csvShown(t.text)));
    rows.slice(1).forEach((r, i) => r.slice(1).forEach((v, j) => expect(Math.fround(Number(v))).toBe(p[i][j])));
    const png = await exportFile(page, 'heatmap', 'png');
    const shown = await figureWidth(page, ['[data-view="heatmap"] .atlas-heatmap-axes', '[data-view="heatmap"] .atlas-legend']);
    expect(pngSize(png.data).width).toBe(EXPORT_SCALE * (Math.ceil(shown) + 2 * DOC_PADDING));
    expect(browser.errors).toEqual([]);
  });

  // Issue 18: a trace over the page's budget is kept as float16 (GPT-2-small past ~520 tokens);
  // ?storage=float16 makes the page keep the tiny model's trace so, and the values read out,
  // hovered and exported must still be the float32 a ?storage=float32 run of the same text gives.
  it('shows and exports float32-exact values though the page keeps the trace as float16', async () => {
    const reference = await browser.open('/?storage=float32');
    await reference.waitForFunction(() => !!document.querySelector('.atlas-heatmap')?.getAttribute('data-draw-ms'), null, { timeout: 120_000 });
    expect(await reference.getAttribute('[data-view="heatmap"] .host', 'data-storage')).toBe('float32');
    const exact = traceFromJSON(JSON.parse((await exportFile(reference, 'heatmap', 'json')).data.toString('utf8')));
    await reference.close();

    const page = await browser.open('/?storage=float16');
    const host = page.locator('[data-view="heatmap"] .host');
    await page.waitForFunction(() => !!document.querySelector('.atlas-heatmap')?.getAttribute('data-draw-ms'), null, { timeout: 120_000 });
    expect(await host.getAttribute('data-storage')).toBe('lower-f16');
    await expect.poll(() => host.getAttribute('data-exact'), POLL).toBe('true');
    // Keyboard focus reads out the selected query's first key (before any click: focus-visible).
    const plot = page.locator('[data-view="heatmap"] .atlas-heatmap-plot');
    const live = page.locator('[data-view="heatmap"] .atlas-live');
    await plot.focus();
    await expect.poll(() => live.getAttribute('data-col'), POLL).toBe('0');
    const row = Number(await live.getAttribute('data-row'));
    const readOut = Number(await live.getAttribute('data-value'));
    const tip = page.locator('[data-view="heatmap"] .atlas-tooltip');
    await expect.poll(() => tip.isVisible(), POLL).toBe(true);
    const tipped = Number(await tip.getAttribute('data-value'));
    const csv = await exportFile(page, 'heatmap', 'csv');
    const [, layer, headIx] = /_L(\d+)_H(\d+)_/.exec(csv.name)!.map(Number);
    const p = probsOf(exact, 'self', layer, headIx);
    // The cell read out differs from its float16 rounding, so only the exact value passes.
    expect(f16Round(p[row][0])).not.toBe(p[row][0]);
    expect(readOut).toBe(p[row][0]);
    expect(tipped).toBe(p[row][0]);
    const rows = csvParseRows(csv.data.toString('utf8').replace(/\r\n$/, ''));
    rows.slice(1).forEach((r, i) => r.slice(1).forEach((v, j) => expect(Math.fround(Number(v))).toBe(p[i][j])));
    // The JSON holds every head's float32, though the page has fetched only the shown ones.
    const json = traceFromJSON(JSON.parse((await exportFile(page, 'heatmap', 'json')).data.toString('utf8')));
    for (const tap of ['probs', 'scores'] as const) {
      const a = exact.attention.self![tap]!;
      const b = json.attention.self![tap]!;
      expect(b.shape).toEqual(a.shape);
      expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer)), tap).toBe(true);
    }
    expect(await page.locator('[data-notice="float16"]').count()).toBe(0);
    expect(browser.errors).toEqual([]);
  });
});

/** A float32 value rounded to float16 and back (round to nearest even), as the page's float16 storage does. */
function f16Round(v: number): number {
  const bits = f32ToF16(v);
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  return sign * (e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15));
}
