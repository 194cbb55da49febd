// The /view/ page against SYNTHETIC traces (tests/fixtures/synthetic-trace.ts): every
// view renders, canvas pixels encode the trace's values, linked hover works, tokens are
// text, and the T5 alignment shows (and grows with) the decoder tokens.
import { readableTokens, visibleToken } from '../../src/lib/viz/format';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { interpolateViridis, rgb } from 'd3';
import type { Page } from 'playwright-core';
import { useBrowser } from './page';
import { openTrace, useTraceFiles } from './trace-files';
import { HOSTILE_TOKEN, syntheticTrace, truncateDecoder, type SyntheticOptions } from '../fixtures/synthetic-trace';
import type { DenseTrace } from '../../src/lib/trace/types';

/** Viridis through a 1024-entry table, then the canvas: a channel may be off by this much. */
const COLOUR_TOLERANCE = 3;
/** This machine may be loaded (other jobs share its cores): wait generously for redraws. */
const POLL = { timeout: 15_000, interval: 50 };
/** Model-grid thumb geometry (src/lib/viz/model-grid.ts): half the gap surrounds each thumb. */
const GRID_GAP = 6;

const { save, pathOf } = useTraceFiles('views');

type RGB = [number, number, number];
async function pixel(page: Page, selector: string, x: number, y: number): Promise<RGB> {
  return page.evaluate(
    ({ selector, x, y }) => {
      const c = document.querySelector(selector) as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(Math.floor(x), Math.floor(y), 1, 1).data;
      return [d[0], d[1], d[2]] as [number, number, number];
    },
    { selector, x, y },
  );
}
const viridis = (t: number): RGB => {
  const c = rgb(interpolateViridis(t));
  return [c.r, c.g, c.b];
};
const near = (a: RGB, b: RGB, tol = COLOUR_TOLERANCE): boolean => a.every((v, i) => Math.abs(v - b[i]) <= tol);
const luminance = ([r, g, b]: RGB): number => 0.2126 * r + 0.7152 * g + 0.0722 * b;

/** probs[layer][head] as rows, with the masked (future) cells marked. */
function head(trace: DenseTrace, kind: 'self' | 'encoder' | 'decoder' | 'cross', layer: number, h: number): { rows: number[][]; masked: boolean[][] } {
  const p = trace.attention[kind]!.probs!;
  const s = trace.attention[kind]!.scores!;
  const [, H, Q, K] = p.shape;
  const rows: number[][] = [];
  const masked: boolean[][] = [];
  for (let i = 0; i < Q; i++) {
    rows.push([]);
    masked.push([]);
    for (let j = 0; j < K; j++) {
      const at = ((layer * H + h) * Q + i) * K + j;
      rows[i].push(p.data[at]);
      masked[i].push(s.data[at] <= -1e30);
    }
  }
  return { rows, masked };
}

describe('the trace views', () => {
  const browser = useBrowser();

  it('leaves out the faintest head-view lines past its budget and says how many', async () => {
    // 200 queries each over up to 100 keys, weighted 3 : 4 : 5 (every weight ≥ 0.0075, above the
    // 0.005 the view draws from): ~15,000 lines in one head, more than the view's 10,000.
    const T = 200;
    const trace = syntheticTrace({ family: 'gpt2', layers: 1, heads: 1, headDim: 4, tokens: T, seed: 8 });
    const p = trace.attention.self!.probs!.data;
    p.fill(0);
    for (let h = 0; h < 1; h++)
      for (let i = 0; i < T; i++) {
        const keys = Array.from({ length: Math.min(100, i + 1) }, (_, n) => i - n);
        const sum = keys.reduce((a, j) => a + 3 + (j % 3), 0);
        for (const j of keys) p[(h * T + i) * T + j] = Math.fround((3 + (j % 3)) / sum);
      }
    delete trace.attention.self!.scores;
    const all = Array.from(p).filter((w) => w >= 0.005).length;
    expect(all).toBeGreaterThan(12_000);
    const page = await browser.open('/view/');
    await openTrace(page, save('head-lines-budget', trace));
    const root = page.locator('[data-view="head"] .atlas-head-view');
    await expect.poll(() => root.getAttribute('data-lines-drawn'), POLL).not.toBeNull();
    const drawn = Number(await root.getAttribute('data-lines-drawn'));
    const left = Number(await root.getAttribute('data-lines-left-out'));
    expect(drawn).toBeLessThanOrEqual(10_000);
    expect(drawn).toBeGreaterThan(5_000);
    expect(drawn + left).toBe(all);
    const note = page.locator('[data-view="head"] [data-notice="lines-left-out"]');
    expect(await note.textContent()).toContain(left.toLocaleString('en'));
    expect(await note.textContent()).toContain(drawn.toLocaleString('en'));
    // The strongest are the ones kept: the cut's weight is above every weight left out.
    const cut = Number(/weight below ([\d.]+)/.exec((await note.textContent()) ?? '')![1]);
    const weights = Array.from(p).filter((w) => w >= 0.005).sort((a, b) => b - a);
    expect(weights[drawn - 1]).toBeGreaterThanOrEqual(cut - 5e-4);
    expect(weights[drawn]).toBeLessThan(cut + 5e-4);
    expect(browser.errors).toEqual([]);
  });

  it('draws every view of a GPT-2-like trace with the trace’s own numbers', async () => {
    const opts: SyntheticOptions = { family: 'gpt2', layers: 2, heads: 3, headDim: 8, tokens: 8, seed: 5, hostileToken: true };
    const trace = syntheticTrace(opts);
    const page = await browser.open('/view/');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await openTrace(page, save('gpt2', trace));
    for (const v of ['model', 'head', 'heatmap', 'qkv', 'metrics']) expect(await page.locator(`[data-view="${v}"]`).count(), v).toBe(1);
    expect(await page.locator('[data-view="alignment"]').count()).toBe(0);

    // Heatmap of layer 0, head 0: each row's brightest cell is that row's argmax in the trace.
    const { rows, masked } = head(trace, 'self', 0, 0);
    const cell = Number(await page.locator('[data-view="heatmap"] .atlas-heatmap-cells').getAttribute('data-cell'));
    expect(cell).toBeGreaterThanOrEqual(10);
    const all = rows.flatMap((r, i) => r.filter((_, j) => !masked[i][j]));
    const [lo, hi] = [Math.min(...all), Math.max(...all)];
    for (let i = 0; i < 8; i++) {
      const lum: number[] = [];
      for (let j = 0; j <= i; j++) {
        const px = await pixel(page, '.atlas-heatmap-cells', (j + 0.5) * cell, (i + 0.5) * cell);
        lum.push(luminance(px));
        // Attention weights are drawn on 0 → 1 by default (issue 15, item 8): the colour is the weight itself.
        expect(near(px, viridis(rows[i][j])), `cell ${i},${j}: ${px}`).toBe(true);
      }
      const argmax = rows[i].indexOf(Math.max(...rows[i]));
      expect(lum.indexOf(Math.max(...lum)), `row ${i}`).toBe(argmax);
    }
    // A masked (future) cell is grey hatching, not the colour of weight 0.
    const future = await pixel(page, '.atlas-heatmap-cells', 7.5 * cell, 0.5 * cell);
    expect(Math.max(...future) - Math.min(...future)).toBeLessThan(16);
    expect(near(future, viridis(0), 40)).toBe(false);
    // The legend spans 0 → 1 in plain decimals and marks the true min..max of the drawn values.
    const legend = page.locator('[data-view="heatmap"] .atlas-legend');
    expect(Number(await legend.getAttribute('data-min'))).toBe(0);
    expect(Number(await legend.getAttribute('data-max'))).toBe(1);
    expect(Number(await legend.getAttribute('data-data-min'))).toBeCloseTo(lo, 6);
    expect(Number(await legend.getAttribute('data-data-max'))).toBeCloseTo(hi, 6);
    expect(await legend.locator('text').allTextContents()).toEqual(expect.arrayContaining(['0', '1', '0.2', '0.4', '0.6', '0.8']));
    expect((await legend.locator('text').allTextContents()).join(' ')).not.toMatch(/e-/);
    // "Fit to the data" stays an option: then the colours span the matrix's min..max.
    await page.selectOption('[data-view="heatmap"] select[data-control="scale-mode"]', 'global');
    await expect.poll(async () => Number(await legend.getAttribute('data-min')), POLL).toBeCloseTo(lo, 6);
    expect(Number(await legend.getAttribute('data-max'))).toBeCloseTo(hi, 6);
    const fitted = await pixel(page, '.atlas-heatmap-cells', 0.5 * cell, 2.5 * cell);
    expect(near(fitted, viridis((rows[2][0] - lo) / (hi - lo))), `fitted cell 2,0: ${fitted}`).toBe(true);
    await page.selectOption('[data-view="heatmap"] select[data-control="scale-mode"]', 'probability');

    // Tooltip: the exact value of the hovered cell, to 4 significant digits.
    await page.locator('[data-view="heatmap"] .atlas-heatmap-overlay').scrollIntoViewIfNeeded();
    const box = (await page.locator('[data-view="heatmap"] .atlas-heatmap-overlay').boundingBox())!;
    await page.mouse.move(box.x + 1.5 * cell, box.y + 4.5 * cell);
    const tip = page.locator('[data-view="heatmap"] .atlas-tooltip');
    await expect.poll(() => tip.isVisible(), POLL).toBe(true);
    expect(await tip.textContent()).toContain(Number(rows[4][1].toPrecision(4)).toPrecision(4));
    expect(Number(await tip.getAttribute('data-value'))).toBeCloseTo(rows[4][1], 6);

    // Model grid: the pixel at (layer 1, head 2, row 5, col 3) is the global scale at that value.
    const thumb = Number(await page.locator('.atlas-model-grid-cells').getAttribute('data-thumb'));
    let glo = Infinity;
    let ghi = -Infinity;
    for (let l = 0; l < 2; l++)
      for (let h = 0; h < 3; h++) {
        const m = head(trace, 'self', l, h);
        m.rows.forEach((r, i) => r.forEach((v, j) => !m.masked[i][j] && ((glo = Math.min(glo, v)), (ghi = Math.max(ghi, v)))));
      }
    const g = head(trace, 'self', 1, 2);
    const gx = GRID_GAP / 2 + 2 * (thumb + GRID_GAP) + ((3 + 0.5) * thumb) / 8;
    const gy = GRID_GAP / 2 + 1 * (thumb + GRID_GAP) + ((5 + 0.5) * thumb) / 8;
    const gp = await pixel(page, '.atlas-model-grid-cells', gx, gy);
    expect(near(gp, viridis(g.rows[5][3])), `grid pixel ${gp}`).toBe(true);
    const gLegend = page.locator('[data-view="model"] .atlas-legend');
    expect(Number(await gLegend.getAttribute('data-min'))).toBe(0);
    expect(Number(await gLegend.getAttribute('data-max'))).toBe(1);
    expect(Number(await gLegend.getAttribute('data-data-min'))).toBeCloseTo(glo, 6);
    expect(Number(await gLegend.getAttribute('data-data-max'))).toBeCloseTo(ghi, 6);

    // Q/K/V: q·k/√d + mask reproduces the tapped scores; the other checks hold too.
    for (const name of ['scores', 'probs', 'context']) {
      const c = page.locator(`[data-view="qkv"] [data-check="${name}"]`);
      expect(await c.getAttribute('class'), name).toBe('ok');
      expect(Number(await c.getAttribute('data-max-diff'))).toBeLessThan(1e-3);
    }
    expect(await page.locator('[data-view="qkv"] .atlas-neuron-steps').textContent()).toContain('√8');

    // Tokens are text: the HTML-looking token is printed literally and never becomes an element.
    const leftTokens = await page.locator('[data-view="head"] .atlas-tokens-left .atlas-token').allTextContents();
    expect(leftTokens.some((t) => t.includes('<img'))).toBe(true);
    expect(await page.locator('[data-view] img').count()).toBe(0);
    const fullTitles = await page.locator('[data-view="head"] .atlas-token').evaluateAll((ns) => ns.map((n) => (n as HTMLElement).title));
    expect(fullTitles.some((t) => t.includes(HOSTILE_TOKEN.replace(/ /g, '␣')))).toBe(true);
    expect(dialogs).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it('links hover: a token hovered in the head view is highlighted in every other view', async () => {
    const trace = syntheticTrace({ family: 'bert', layers: 2, heads: 2, tokens: 7, seed: 8 });
    const page = await browser.open('/view/');
    await openTrace(page, save('bert', trace));
    await page.hover('[data-view="head"] .atlas-tokens-right .atlas-token[data-index="3"]');
    // Heatmap: both axis labels of token 3; Q/K/V: key row 3.
    await expect.poll(() => page.locator('[data-view="heatmap"] .col-labels text.highlight').getAttribute('data-index'), POLL).toBe('3');
    expect(await page.locator('[data-view="heatmap"] .row-labels text.highlight').getAttribute('data-index')).toBe('3');
    expect(await page.locator('[data-view="qkv"] .atlas-neuron-cell.highlight').first().getAttribute('data-key')).toBe('3');
    // The model grid's overlay marks row 3 of every thumb.
    const thumb = Number(await page.locator('.atlas-model-grid-cells').getAttribute('data-thumb'));
    const band = await page.evaluate(
      ({ x, y }) => (document.querySelector('.atlas-model-grid-overlay') as HTMLCanvasElement).getContext('2d')!.getImageData(x, y, 1, 1).data[3],
      { x: GRID_GAP / 2 - 2, y: Math.floor(GRID_GAP / 2 + 3.5 * (thumb / 7)) },
    );
    expect(band).toBeGreaterThan(0);
    // The head view shows only the incoming lines of key 3 and tints the queries by weight.
    const tinted = await page.locator('[data-view="head"] .atlas-tokens-left .atlas-token[data-weight]').count();
    expect(tinted).toBeGreaterThan(0);

    // Leaving clears it everywhere.
    await page.mouse.move(5, 5);
    await expect.poll(() => page.locator('[data-view="heatmap"] text.highlight').count(), POLL).toBe(0);
    expect(await page.locator('[data-view="qkv"] .atlas-neuron-cell.highlight').count()).toBe(0);

    // Hovering a heatmap row label highlights that token in the head view.
    await page.hover('[data-view="heatmap"] .row-labels text[data-index="2"]');
    await expect.poll(() => page.locator('[data-view="head"] .atlas-tokens-left .atlas-token.highlight').getAttribute('data-index'), POLL).toBe('2');
    expect(browser.errors).toEqual([]);
  });

  it('hides special tokens, renormalises rows and says so; per-row legends show the row’s range', async () => {
    const trace = syntheticTrace({ family: 'bert', layers: 1, heads: 2, tokens: 7, seed: 11 });
    const page = await browser.open('/view/');
    await openTrace(page, save('bert-hide', trace));
    await page.check('[data-view="heatmap"] input[data-control="hide-special"]');
    await expect.poll(() => page.locator('[data-notice="renormalised"]').isVisible(), POLL).toBe(true);
    expect(await page.locator('[data-notice="renormalised"]').textContent()).toContain('renormalised');
    await expect.poll(() => page.locator('[data-view="heatmap"] .atlas-heatmap-cells').getAttribute('data-rows'), POLL).toBe('5');
    // Reference: drop [CLS] and [SEP] (rows and columns 0 and 6), renormalise each row.
    const { rows } = head(trace, 'self', 0, 0);
    const kept = rows.slice(1, 6).map((r) => {
      const inner = r.slice(1, 6);
      const s = inner.reduce((a, b) => a + b, 0);
      return inner.map((v) => v / s);
    });
    const legend = page.locator('[data-view="heatmap"] .atlas-legend');
    expect(Number(await legend.getAttribute('data-data-min'))).toBeCloseTo(Math.min(...kept.flat()), 5);
    expect(Number(await legend.getAttribute('data-data-max'))).toBeCloseTo(Math.max(...kept.flat()), 5);

    await page.selectOption('[data-view="heatmap"] select[data-control="scale-mode"]', 'row');
    // The legend follows the hovered row (display row 2 = token 3).
    const cell = Number(await page.locator('[data-view="heatmap"] .atlas-heatmap-cells').getAttribute('data-cell'));
    await page.locator('[data-view="heatmap"] .atlas-heatmap-overlay').scrollIntoViewIfNeeded();
    const box = (await page.locator('[data-view="heatmap"] .atlas-heatmap-overlay').boundingBox())!;
    await page.mouse.move(box.x + 0.5 * cell, box.y + 2.5 * cell);
    await expect.poll(() => page.locator('[data-view="heatmap"] .atlas-heatmap-legend').getAttribute('data-row'), POLL).toBe('2');
    expect(Number(await legend.getAttribute('data-min'))).toBeCloseTo(Math.min(...kept[2]), 5);
    expect(Number(await legend.getAttribute('data-max'))).toBeCloseTo(Math.max(...kept[2]), 5);
    // Per-row: that row's max cell is at the top of the scale.
    const j = kept[2].indexOf(Math.max(...kept[2]));
    expect(near(await pixel(page, '.atlas-heatmap-cells', (j + 0.5) * cell, 2.5 * cell), viridis(1))).toBe(true);
    expect(browser.errors).toEqual([]);
  });

  it('weighs cells by value norm in the heatmap, grid and head view, and draws the rollout', async () => {
    const trace = syntheticTrace({ family: 'bert', layers: 2, heads: 2, tokens: 7, seed: 13, taps: ['q', 'k', 'v', 'scores', 'probs', 'context', 'valueNorms'] });
    const page = await browser.open('/view/');
    await openTrace(page, save('bert-value-norms', trace));
    const { rows } = head(trace, 'self', 0, 0);
    const norms = trace.attention.self!.valueNorms!.data.subarray(0, 7);
    const weighted = rows.map((r) => r.map((p, j) => p * norms[j]));
    const cell = Number(await page.locator('[data-view="heatmap"] .atlas-heatmap-cells').getAttribute('data-cell'));
    const before = await pixel(page, '.atlas-heatmap-cells', 0.5 * cell, 3.5 * cell);
    expect(near(before, viridis(rows[3][0]))).toBe(true);

    await page.selectOption('[data-view="heatmap"] select[data-control="weighting"]', 'value-norm');
    await expect.poll(() => page.locator('[data-view="heatmap"] [data-notice="value-weighted"]').isVisible(), POLL).toBe(true);
    // One setting: the grid and head view switch with the heatmap.
    expect(await page.locator('[data-view="model"] select[data-control="weighting"]').inputValue()).toBe('value-norm');
    expect(await page.locator('[data-view="head"] select[data-control="weighting"]').inputValue()).toBe('value-norm');
    const [lo, hi] = [Math.min(...weighted.flat()), Math.max(...weighted.flat())];
    const legend = page.locator('[data-view="heatmap"] .atlas-legend');
    await expect.poll(async () => Number(await legend.getAttribute('data-max')), POLL).toBeCloseTo(hi, 5);
    expect(Number(await legend.getAttribute('data-min'))).toBeCloseTo(lo, 5);
    for (const [i, j] of [[3, 0], [3, 3], [5, 2]]) {
      const px = await pixel(page, '.atlas-heatmap-cells', (j + 0.5) * cell, (i + 0.5) * cell);
      expect(near(px, viridis((weighted[i][j] - lo) / (hi - lo))), `value-weighted cell ${i},${j}: ${px}`).toBe(true);
    }
    // Key 0 (the synthetic sink, a tenth of its value length) gets weight but moves little: the row
    // that puts most weight on it draws that cell far lower on the value-weighted scale.
    const sinkRow = rows.map((r) => r[0]).indexOf(Math.max(...rows.map((r) => r[0])));
    const wAll = rows.flat();
    const tWeights = (rows[sinkRow][0] - Math.min(...wAll)) / (Math.max(...wAll) - Math.min(...wAll));
    const tValues = (weighted[sinkRow][0] - lo) / (hi - lo);
    expect(tValues).toBeLessThan(tWeights - 0.1);
    expect(near(await pixel(page, '.atlas-heatmap-cells', 0.5 * cell, (sinkRow + 0.5) * cell), viridis(tValues))).toBe(true);
    // Rows are sizes, not shares: no row is outlined as "does not sum to 1".
    expect(await page.locator('[data-view="heatmap"] .atlas-heatmap-cells').getAttribute('data-bad-rows')).toBe('');
    await page.locator('[data-view="heatmap"] .atlas-heatmap-overlay').scrollIntoViewIfNeeded();
    const box = (await page.locator('[data-view="heatmap"] .atlas-heatmap-overlay').first().boundingBox())!;
    await page.mouse.move(box.x + 2.5 * cell, box.y + 5.5 * cell);
    const tip = page.locator('[data-view="heatmap"] .atlas-tooltip');
    await expect.poll(() => tip.isVisible(), POLL).toBe(true);
    expect(Number(await tip.getAttribute('data-value'))).toBeCloseTo(weighted[5][2], 5);
    const gLegend = page.locator('[data-view="model"] .atlas-legend');
    expect(await page.locator('[data-view="model"]').textContent()).toContain('α·‖f(x)‖');
    expect(Number(await gLegend.getAttribute('data-max'))).toBeGreaterThan(1);

    // Rollout, layer 1: (½·mean_h A_1 + ½·I)·(½·mean_h A_0 + ½·I), computed here from the trace's probs.
    const hat = (l: number) => {
      const a = [0, 1].map((h) => head(trace, 'self', l, h).rows);
      return a[0].map((r, i) => {
        const row = r.map((_, j) => 0.5 * ((a[0][i][j] + a[1][i][j]) / 2) + (i === j ? 0.5 : 0));
        const sum = row.reduce((x, y) => x + y, 0);
        return row.map((x) => x / sum);
      });
    };
    const [a0, a1] = [hat(0), hat(1)];
    const r1 = a1.map((row) => row.map((_, j) => row.reduce((acc, x, k) => acc + x * a0[k][j], 0)));
    await page.selectOption('[data-view="rollout"] select[data-control="rollout-layer"]', '1');
    const rl = page.locator('[data-view="rollout"] .atlas-legend');
    await expect.poll(async () => Number(await rl.getAttribute('data-max')), POLL).toBeCloseTo(Math.max(...r1.flat()), 5);
    expect(Number(await rl.getAttribute('data-min'))).toBeCloseTo(Math.min(...r1.flat()), 5);
    expect(await page.locator('[data-view="rollout"]').textContent()).toContain('not of what the model used');
    expect(browser.errors).toEqual([]);
  });

  it('offers no value weighting for a trace without value norms, and says why', async () => {
    const page = await browser.open('/view/');
    await openTrace(page, save('gpt2-no-norms', syntheticTrace({ family: 'gpt2', layers: 1, heads: 2, tokens: 5, seed: 3 })));
    const toggle = page.locator('[data-view="heatmap"] select[data-control="weighting"]');
    expect(await toggle.isDisabled()).toBe(true);
    expect(await page.locator('[data-view="heatmap"] label:has(select[data-control="weighting"])').getAttribute('title')).toContain('no value norms');
    expect(browser.errors).toEqual([]);
  });

  it('shows T5 stacks as tabs, its unscaled arithmetic, and an alignment that grows with the target', async () => {
    const full = syntheticTrace({ family: 't5', layers: 2, heads: 2, tokens: 6, decoderTokens: 6, seed: 3 });
    const short = truncateDecoder(full, 3);
    const page = await browser.open('/view/');
    await openTrace(page, save('t5-short', short));
    const tabs = await page.locator('[data-view="model"] [role="tab"]').allTextContents();
    expect(tabs.map((t) => t.trim())).toEqual(['encoder self-attention', 'decoder self-attention', 'cross-attention']);
    expect(await page.locator('[data-view="qkv"] .atlas-neuron-steps').textContent()).toContain('no scaling in T5');
    expect(await page.locator('[data-view="qkv"] [data-check="scores"]').getAttribute('class')).toBe('ok');

    const targets = () => page.locator('.atlas-align-target .atlas-token').allTextContents();
    // Each row is labelled by the token it writes (decoder position k writes token k + 1; the last row
    // its top prediction, "…" when the trace has none), as read (▁ shown as a space).
    const written = (t: typeof full) => {
      const d = t.decoderTokens!;
      const last = t.predictions?.find((p) => p.position === d.length - 1)?.candidates[0]?.text ?? '…';
      return readableTokens([...d.slice(1).map((x) => x.text), last], [...d.slice(1).map((x) => x.special), false]).map(visibleToken);
    };
    expect(await targets()).toEqual(written(short));
    expect(await page.locator('.atlas-align-source .atlas-token').count()).toBe(6);
    expect(await page.locator('.atlas-alignment').getAttribute('data-updates')).toBe('1');

    // Generation went on: the same view takes the longer trace and adds the new tokens.
    await openTrace(page, save('t5-full', full));
    await expect.poll(targets, POLL).toEqual(written(full));
    expect(await page.locator('.atlas-alignment').getAttribute('data-updates')).toBe('2');
    expect(await page.locator('.atlas-align-target .atlas-token.new').count()).toBe(3);

    // Decoder self-attention: causal, the future hatched; Q/K/V adds the position bias.
    await page.click('[data-view="model"] [role="tab"][data-kind="decoder"]');
    await expect.poll(() => page.locator('[data-notice="masked"]').count(), POLL).toBe(1);
    expect(await page.locator('[data-view="qkv"] .atlas-neuron-steps').textContent()).toContain('relative position bias');
    expect(await page.locator('[data-view="qkv"] [data-check="scores"]').getAttribute('class')).toBe('ok');
    expect(browser.errors).toEqual([]);
  });

  it('says what is wrong with a file that is not a trace', async () => {
    const page = await browser.open('/view/');
    await page.waitForSelector('input[data-testid="trace-file"][data-ready="true"]', { state: 'attached' });
    const path = pathOf('bad.json');
    writeFileSync(path, '{"format": "something-else"}');
    await page.setInputFiles('input[data-testid="trace-file"]', path);
    await expect.poll(() => page.locator('[role="alert"]').textContent(), POLL).toContain('not an Attention Atlas trace');
    writeFileSync(path, '{ not json');
    await page.setInputFiles('input[data-testid="trace-file"]', path);
    await expect.poll(() => page.locator('[role="alert"]').textContent(), POLL).toContain('not valid JSON');
  });
});
