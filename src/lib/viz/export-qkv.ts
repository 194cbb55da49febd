// SVG of the Q/K/V view, as text from the same table description the view draws
// (neuron-table.ts): the steps, the key table (vectors as coloured cells, numbers as
// text), the head's output, the checks and the two legends. Pure.

import type { NeuronSteps } from '../trace/neuron';
import { cssColor, divergingLut, interpolateDiverging, lutColor, type ValueScale } from './color';
import { attrs, legendPart, rowOfParts, svgText, type SvgPart, type SvgStyle } from './export-svg';
import { escapeXml } from './export';
import { fmt4, tokenLabel, visibleToken } from './format';
import { NEURON_ROW } from './neuron-view';
import { neuronChecks, neuronNumberColumns, neuronScales, neuronStepList, PROB_BAR_COL, PROB_BAR_MAX, type NeuronLabels, type Part } from './neuron-table';

export interface QkvSvgInput extends NeuronLabels {
  steps: NeuronSteps;
  queryLabel: string;
  keyLabels: readonly string[];
  /** Width of one vector component (as on screen). */
  cell: number;
  style: SvgStyle & { accent: string; maskFill: string };
}

const COL_GAP = 6;
const LABEL_COL = 110;
const STEP_LINE = 20;
/** Key labels are cut to fit the 110 px column (the screen cuts them with an ellipsis). */
const KEY_CHARS = 13;
const OK_COLOUR = '#2b8a3e';
const BAD_COLOUR = '#c92a2a';

/** A formula as <tspan>s (sub- and superscripts shifted and smaller). */
function formulaSpans(parts: Part[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return escapeXml(p);
      const sup = 'sup' in p;
      return `<tspan${attrs({ 'baseline-shift': sup ? 'super' : 'sub', 'font-size': '75%' })}>${escapeXml(sup ? p.sup : p.sub)}</tspan>`;
    })
    .join('');
}

function formulaText(x: number, y: number, parts: Part[], a: Record<string, string | number | undefined>): string {
  return `<text${attrs({ x, y, ...a })}>${formulaSpans(parts)}</text>`;
}

function vectorRects(x: number, y: number, d: number, cell: number, value: (c: number) => number | null, scale: ValueScale, maskFill: string): string {
  const lut = divergingLut();
  let out = '';
  for (let c = 0; c < d; c++) {
    const v = value(c);
    out += `<rect${attrs({ x: x + c * cell, y: y + 2, width: cell, height: NEURON_ROW - 4, fill: v === null ? maskFill : cssColor(lutColor(lut, scale.t(v))) })}/>`;
  }
  return out;
}

export function qkvParts(d: QkvSvgInput): SvgPart[] {
  const s = d.steps;
  const st = d.style;
  const dim = s.headDim;
  const n = s.keys;
  const scales = neuronScales(s);
  const numbers = neuronNumberColumns(s);
  const vec = dim * d.cell;
  const widths = [LABEL_COL, vec, ...numbers.map((c) => c.width), PROB_BAR_COL, vec];
  const xs: number[] = [];
  widths.reduce((x, w) => (xs.push(x), x + w + COL_GAP), 0);
  const last = widths.length - 1;
  const tableWidth = xs[last] + widths[last];
  const rowY = (r: number): number => r * NEURON_ROW;
  const mid = (r: number): number => rowY(r) + NEURON_ROW / 2;

  // The steps.
  const stepList = neuronStepList(s, d);
  let steps = '';
  stepList.forEach((step, i) => {
    const y = (i + 0.75) * STEP_LINE;
    steps += svgText(0, y, `${i + 1}.`, { size: 12, fill: st.muted });
    steps += `<text${attrs({ x: 20, y, 'font-size': 14, fill: st.fg })}>${formulaSpans(step.parts)}${step.note ? `<tspan${attrs({ 'font-size': 12, fill: st.muted })}> ${escapeXml(step.note)}</tspan>` : ''}</text>`;
  });
  const stepsPart: SvgPart = { width: 0, height: stepList.length * STEP_LINE, body: steps };

  // The table: a header row, the query row, one row per key, the output rows.
  let t = `<g${attrs({ class: 'header', 'font-size': 12, fill: st.muted })}>`;
  const headers: Part[][] = [['key'], ['k', { sub: 'j' }], ...numbers.map((c) => c.header), ['tapped p', { sub: 'j' }], ['p', { sub: 'j' }, ' v', { sub: 'j' }]];
  headers.forEach((h, k) => (t += formulaText(xs[k], mid(0) + 4, h, {})));
  t += '</g>';
  t += formulaText(xs[0] + LABEL_COL, mid(1), ['q', { sub: String(s.query) }, ` “${tokenLabel(d.queryLabel, 12)}”`], { 'text-anchor': 'end', 'dominant-baseline': 'central', 'font-size': 13, fill: st.fg });
  t += vectorRects(xs[1], rowY(1), dim, d.cell, (c) => s.q[c], scales.qk, st.maskFill);
  t += `<g${attrs({ class: 'keys', 'font-size': 12, fill: st.fg })}>`;
  for (let j = 0; j < n; j++) {
    const r = j + 2;
    t += svgText(xs[0] + LABEL_COL, mid(r), tokenLabel(d.keyLabels[j], KEY_CHARS), { anchor: 'end', baseline: 'central', title: visibleToken(d.keyLabels[j]), cls: 'key' });
    t += vectorRects(xs[1], rowY(r), dim, d.cell, (c) => s.k[j * dim + c], scales.qk, st.maskFill);
    numbers.forEach((c, k) => {
      const v = c.cell(j);
      t += svgText(xs[2 + k] + c.width, mid(r), v.text, { anchor: 'end', baseline: 'central', fill: v.masked ? st.muted : undefined });
    });
    const bx = xs[2 + numbers.length];
    const p = s.tappedProbs ? s.tappedProbs[j] : NaN;
    if (s.tappedProbs) t += `<rect${attrs({ x: bx, y: rowY(r) + 4, width: Math.max(0, Math.min(1, p)) * PROB_BAR_MAX, height: 10, fill: st.accent, 'fill-opacity': 0.55 })}/>`;
    t += svgText(bx + 60, mid(r), s.tappedProbs ? fmt4(p) : '—', { baseline: 'central' });
    t += vectorRects(xs[last], rowY(r), dim, d.cell, (c) => (s.masked[j] ? null : scales.pv[j * dim + c]), scales.v, st.maskFill);
  }
  t += '</g>';
  const outRow = (r: number, label: Part[], values: ArrayLike<number> | null): void => {
    t += formulaText(xs[last] - COL_GAP, mid(r), label, { 'text-anchor': 'end', 'dominant-baseline': 'central', 'font-size': 13, fill: st.fg });
    if (values) t += vectorRects(xs[last], rowY(r), dim, d.cell, (c) => values[c], scales.v, st.maskFill);
    else t += svgText(xs[last], mid(r), 'not tapped', { baseline: 'central', size: 12, fill: st.muted });
  };
  outRow(n + 2, ['output = Σ', { sub: 'j' }, ' p', { sub: 'j' }, 'v', { sub: 'j' }, ' (recomputed here)'], s.context);
  outRow(n + 3, ['tapped context (the model’s output of this head)'], s.tappedContext);
  const tablePart: SvgPart = { width: tableWidth, height: rowY(n + 4), body: t };

  // The checks.
  const checks = neuronChecks(s);
  let c = '';
  checks.forEach((line, i) => {
    c += svgText(0, (i + 0.75) * NEURON_ROW, line.text, { size: 12, fill: line.status === 'ok' ? OK_COLOUR : line.status === 'fail' ? BAD_COLOUR : st.muted, weight: line.status === 'fail' ? 700 : undefined, cls: `check ${line.status}` });
  });
  const checksPart: SvgPart = { width: 0, height: checks.length * NEURON_ROW + 4, body: c };

  const legends = rowOfParts(
    [
      legendPart({ domain: scales.qk.domain, kind: 'linear', label: 'q and k components', interpolate: interpolateDiverging }, 260, st),
      legendPart({ domain: scales.v.domain, kind: 'linear', label: 'p·v and output components', interpolate: interpolateDiverging }, 260, st),
    ],
    16,
  );
  return [stepsPart, tablePart, checksPart, legends];
}

/**
 * The key table as CSV rows: one row per key with every number the view prints. Masked
 * keys say so in `masked` (1) and leave their scores empty, since −∞ is not a number a
 * spreadsheet reads.
 */
export function qkvTable(s: NeuronSteps, keyLabels: readonly string[]): (string | number)[][] {
  const numbers = neuronNumberColumns(s).filter((c) => c.name !== 'mask');
  const rows: (string | number)[][] = [['key_index', 'key', 'masked', ...numbers.map((c) => c.name), 'tapped_prob']];
  const cell = (v: number): string | number => (Number.isFinite(v) ? v : '');
  for (let j = 0; j < s.keys; j++) rows.push([j, keyLabels[j] ?? '', s.masked[j], ...numbers.map((c) => cell(c.cell(j).value)), s.tappedProbs ? s.tappedProbs[j] : '']);
  return rows;
}
