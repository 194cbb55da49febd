// SVG of the two line views, as text from plain data: the head view (queries left, keys
// right) and the cross-attention alignment (source above, target below). Lines are
// grouped into the same weight bins the canvases stroke (one <path> per bin and head),
// so the file looks like the screen and stays small at hundreds of tokens.

import type { CellMatrix } from './raster';
import { attrs, num, svgText, type SvgPart, type SvgStyle } from './export-svg';
import { BINS, LINES_WIDTH, MIN_LINE_WEIGHT, ROW_HEIGHT, lineStyle } from './head-view';
import { LINES_HEIGHT, type AlignmentLayout } from './alignment';
import { tokenLabel, visibleToken } from './format';

/** A drawn line from row i to column j. */
type Segment = (i: number, j: number) => string;

/**
 * One <path> per weight bin: the bin's line width and opacity (its centre's lineStyle),
 * each line a subpath. Cells below MIN_LINE_WEIGHT or masked are not drawn, as on screen.
 */
export function binnedPaths(m: CellMatrix, colour: string, segment: Segment, attrsOf: (g: string) => string = (g) => g): string {
  const bins: string[] = Array.from({ length: BINS }, () => '');
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) {
      const at = i * m.cols + j;
      const w = m.values[at];
      if (m.masked?.[at] || !(w >= MIN_LINE_WEIGHT)) continue;
      bins[Math.min(BINS - 1, Math.floor(w * BINS))] += segment(i, j);
    }
  let out = '';
  bins.forEach((d, b) => {
    if (!d) return;
    const s = lineStyle((b + 0.5) / BINS);
    out += attrsOf(`<path${attrs({ d, 'stroke-width': s.width, 'stroke-opacity': s.alpha })}/>`);
  });
  return `<g${attrs({ class: 'lines', fill: 'none', stroke: colour })}>${out}</g>`;
}

/** Characters of a head-view token label (as on screen). */
const HEAD_TOKEN_CHARS = 16;
const ALIGN_TOKEN_CHARS = 14;

export interface HeadViewSvgInput {
  left: readonly string[];
  right: readonly string[];
  leftTitle: string;
  rightTitle: string;
  heads: readonly { head: number; colour: string; matrix: CellMatrix }[];
  /** Column widths as laid out on screen (measured there). */
  leftWidth: number;
  rightWidth: number;
  /** The lines' width on screen (the head view widens them to fill its card). */
  linesWidth?: number;
  style: SvgStyle;
}

/** Rough width of 11 px title text per character (the column titles are wider than short tokens). */
const TITLE_CHAR_PX = 6.2;

export function headViewPart(d: HeadViewSvgInput): SvgPart {
  // Room for the column titles, which may be wider than the token columns ("queries (tokens)").
  const titleWidth = (t: string) => Array.from(t).length * TITLE_CHAR_PX + 4;
  const x0 = Math.max(d.leftWidth, titleWidth(d.leftTitle));
  const x1 = x0 + (d.linesWidth ?? LINES_WIDTH);
  const width = x1 + Math.max(d.rightWidth, titleWidth(d.rightTitle));
  const height = ROW_HEIGHT + Math.max(d.left.length, d.right.length) * ROW_HEIGHT;
  const y = (i: number): number => ROW_HEIGHT + (i + 0.5) * ROW_HEIGHT;
  let body = `<g${attrs({ class: 'titles', 'font-size': 11, fill: d.style.muted })}>`;
  body += svgText(x0 - 4, 12, d.leftTitle, { anchor: 'end' }) + svgText(x1 + 4, 12, d.rightTitle);
  body += '</g>';
  for (const h of d.heads) body += binnedPaths(h.matrix, h.colour, (i, j) => `M${num(x0)} ${num(y(i))}L${num(x1)} ${num(y(j))}`);
  const tokens = (list: readonly string[], x: number, anchor: 'start' | 'end', side: string): string =>
    `<g${attrs({ class: `tokens ${side}`, 'font-size': 12, fill: d.style.fg })}>` +
    list.map((t, i) => svgText(x, y(i), tokenLabel(t, HEAD_TOKEN_CHARS), { anchor, baseline: 'central', title: visibleToken(t) })).join('') +
    '</g>';
  body += tokens(d.left, x0 - 4, 'end', 'query') + tokens(d.right, x1 + 4, 'start', 'key');
  return { width, height, body };
}

export interface AlignmentSvgInput {
  source: readonly string[];
  target: readonly string[];
  matrix: CellMatrix;
  colour: string;
  layout: AlignmentLayout;
  style: SvgStyle;
}

/** Source tokens on top, target tokens below, the curves between them; labels upright when they do not fit their slot (as on screen). */
export function alignmentPart(d: AlignmentSvgInput): SvgPart {
  const L = d.layout;
  const top = L.labelHeight;
  const bottom = top + LINES_HEIGHT;
  const height = bottom + L.labelHeight;
  const label = (t: string, i: number, slot: number, side: 'source' | 'target'): string => {
    const x = (i + 0.5) * slot;
    const text = tokenLabel(t, ALIGN_TOKEN_CHARS);
    const o = { title: visibleToken(t), baseline: 'central' as const };
    if (!L.rotate) return side === 'source' ? svgText(x, top - 6, text, { ...o, anchor: 'middle', baseline: undefined }) : svgText(x, bottom + 14, text, { ...o, anchor: 'middle', baseline: undefined });
    // Upright labels read upwards into the lines (source) and downwards away from them (target).
    return side === 'source' ? svgText(0, 0, text, { ...o, transform: `translate(${num(x)},${num(top - 3)}) rotate(-90)` }) : svgText(0, 0, text, { ...o, transform: `translate(${num(x)},${num(bottom + 3)}) rotate(90)` });
  };
  let body = `<g${attrs({ class: 'tokens source', 'font-size': 12, fill: d.style.fg })}>${d.source.map((t, i) => label(t, i, L.sourceSlot, 'source')).join('')}</g>`;
  const mid = top + LINES_HEIGHT / 2;
  body += binnedPaths(d.matrix, d.colour, (i, j) => {
    const xs = (j + 0.5) * L.sourceSlot;
    const xt = (i + 0.5) * L.targetSlot;
    return `M${num(xs)} ${num(top)}C${num(xs)} ${num(mid)} ${num(xt)} ${num(mid)} ${num(xt)} ${num(bottom)}`;
  });
  body += `<g${attrs({ class: 'tokens target', 'font-size': 12, fill: d.style.fg })}>${d.target.map((t, i) => label(t, i, L.targetSlot, 'target')).join('')}</g>`;
  return { width: L.width, height, body };
}

/** The head view's legend: one swatch per head, and what a line's width and opacity mean. */
export function headLegendPart(heads: readonly { head: number; colour: string }[], valueLabel: string, style: SvgStyle): SvgPart {
  let x = 0;
  let body = `<g${attrs({ class: 'head-legend', 'font-size': 12, fill: style.fg })}>`;
  for (const h of heads) {
    body += `<rect${attrs({ x, y: 4, width: 12, height: 12, fill: h.colour })}/>` + svgText(x + 16, 14, `head ${h.head}`);
    x += 16 + `head ${h.head}`.length * 7 + 14;
  }
  body += '</g>';
  const note = `Each line: one query → one key; wider and more opaque = more ${valueLabel}.`;
  body += svgText(0, 34, note, { size: 11, fill: style.muted });
  return { width: Math.max(x, Array.from(note).length * TITLE_CHAR_PX), height: 40, body };
}
