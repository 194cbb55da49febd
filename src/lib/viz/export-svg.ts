// SVG documents of the views, as text, from plain data (no DOM: tested in Node). A view
// is exported as parts stacked top to bottom under a caption line: e.g. the heatmap is
// its axis note, the plot (labels and cells) and the legend. Cells are either one <rect>
// each (vector, for the SVG file) or one embedded raster image (for the PNG and for views
// that are pictures of pixels), drawn by the renderer itself at the export scale.

import { interpolateSequential, type ScaleKind } from './color';
import { escapeXml, truncate } from './export';
import { fmt4, fmtTick } from './format';
import { legendTicks } from './legend';

/** A piece of a document: its size in CSS pixels and its SVG, drawn from (0, 0). */
export interface SvgPart {
  width: number;
  height: number;
  body: string;
  /** Gradients and patterns the body refers to. */
  defs?: string;
}

/** The colours and font of the exported picture (the page's theme when it was exported). */
export interface SvgStyle {
  bg: string;
  fg: string;
  muted: string;
  border: string;
  font: string;
}

/** The caption at the top of every exported picture, wrapped whole, in lines this tall. */
export const CAPTION_LINE = 17;
/** A safety bound only: captions are at most ~160 characters (captionText), a few lines at any width. */
export const CAPTION_MAX_LINES = 12;
const CAPTION_FONT_PX = 12;
/** Margin around the picture, so that labels at the figure's edge do not touch the image's. */
export const DOC_PADDING = 8;
/** Space between the parts of a document. */
export const PART_GAP = 6;
/** Rough width of a character of 12 px text, to cut lines that would run off the picture. */
const CHAR_PX = 6.6;

/** A number for an attribute: two decimals are enough for CSS pixels, and keep files small. */
export const num = (x: number): string => String(Math.round(x * 100) / 100);

export function attrs(a: Record<string, string | number | undefined | null>): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) if (v !== undefined && v !== null && v !== '') out += ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  return out;
}

export interface TextOptions {
  anchor?: 'start' | 'middle' | 'end';
  size?: number;
  fill?: string;
  weight?: number;
  transform?: string;
  baseline?: 'central' | 'hanging';
  /** Full text as a tooltip (<title>), when the shown text is shortened. */
  title?: string;
  cls?: string;
}

export function svgText(x: number, y: number, text: string, o: TextOptions = {}): string {
  const a = attrs({
    class: o.cls,
    x: o.transform ? undefined : x,
    y: o.transform ? undefined : y,
    transform: o.transform,
    'text-anchor': o.anchor && o.anchor !== 'start' ? o.anchor : undefined,
    'dominant-baseline': o.baseline,
    'font-size': o.size,
    'font-weight': o.weight,
    fill: o.fill,
  });
  const title = o.title !== undefined && o.title !== text ? `<title>${escapeXml(o.title)}</title>` : '';
  return `<text${a}>${title}${escapeXml(text)}</text>`;
}

/** A line of text that never widens the picture (cut to the width it is given). */
export function textLinePart(text: string, style: SvgStyle, o: { size?: number; height?: number; maxWidth?: number } = {}): SvgPart {
  const size = o.size ?? 12;
  const shown = o.maxWidth ? truncate(text, Math.max(8, Math.floor(o.maxWidth / (CHAR_PX * (size / 12))))) : text;
  return { width: 0, height: o.height ?? size + 4, body: svgText(0, size, shown, { size, fill: style.muted, title: text }) };
}

/** Parts side by side (the per-layer charts), `gap` apart; the tallest sets the height. */
export function rowOfParts(parts: SvgPart[], gap: number): SvgPart {
  let x = 0;
  let body = '';
  let defs = '';
  for (const p of parts) {
    body += `<g transform="translate(${num(x)},0)">${p.body}</g>`;
    defs += p.defs ?? '';
    x += p.width + gap;
  }
  return { width: Math.max(0, x - gap), height: Math.max(0, ...parts.map((p) => p.height)), body, defs };
}

export interface SvgDocument {
  svg: string;
  /** CSS pixels (whole numbers): the PNG is this times the export scale. */
  width: number;
  height: number;
}

/**
 * The caption in lines of at most `maxChars`, whole: broken between its ` · ` pieces where it
 * can, between words inside a piece that is longer than a line, and only inside a word longer
 * than a line. Nothing is cut (the caption says what the picture is; a cut one said less).
 */
export function captionLines(caption: string, maxChars: number): string[] {
  const len = (t: string) => Array.from(t).length;
  const lines: string[] = [];
  let line = '';
  const put = (word: string, sep: string) => {
    const next = line ? `${line}${sep}${word}` : word;
    if (len(next) <= maxChars) line = next;
    else {
      if (line) lines.push(line);
      line = word;
      // A word longer than a line: split it, as the only way to keep all of it.
      while (len(line) > maxChars) {
        const chars = Array.from(line);
        lines.push(chars.slice(0, maxChars).join(''));
        line = chars.slice(maxChars).join('');
      }
    }
  };
  caption.split(' · ').forEach((piece, i) => {
    const words = piece.split(' ');
    if (len(piece) <= maxChars) put(piece, ' · ');
    else words.forEach((w, k) => put(w, k === 0 ? ' · ' : ' '));
  });
  if (line) lines.push(line);
  return lines.slice(0, CAPTION_MAX_LINES);
}

/**
 * A standalone SVG file: background, the caption, then the parts top to bottom, with
 * DOC_PADDING around. Its size is the figure's (the widest part) plus the padding, so
 * the PNG at scale s is s × (figure width + 2 × DOC_PADDING) wide.
 */
export function svgDocument(parts: SvgPart[], o: { caption: string; style: SvgStyle; minWidth?: number }): SvgDocument {
  const inner = Math.ceil(Math.max(o.minWidth ?? 0, ...parts.map((p) => p.width), 1));
  const width = inner + 2 * DOC_PADDING;
  const lines = captionLines(o.caption, Math.max(12, Math.floor(inner / CHAR_PX)));
  let y = DOC_PADDING + lines.length * CAPTION_LINE + PART_GAP;
  let body = '';
  let defs = '';
  parts.forEach((p, i) => {
    if (i > 0) y += PART_GAP;
    body += `<g transform="translate(${DOC_PADDING},${num(y)})">${p.body}</g>`;
    defs += p.defs ?? '';
    y += p.height;
  });
  const height = Math.ceil(y + DOC_PADDING);
  const caption = lines.map((l, i) => svgText(DOC_PADDING, DOC_PADDING + (i + 0.75) * CAPTION_LINE, l, { cls: 'caption', size: CAPTION_FONT_PX, fill: o.style.fg })).join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({ width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': o.style.font })}>` +
    `<title>${escapeXml(o.caption)}</title>` +
    (defs ? `<defs>${defs}</defs>` : '') +
    `<rect${attrs({ class: 'background', width, height, fill: o.style.bg })}/>` +
    caption +
    body +
    '</svg>';
  return { svg, width, height };
}

let ids = 0;
/** Ids for gradients and patterns, unique within a page (several views export at once). */
export const svgId = (what: string): string => `atlas-${what}-${++ids}`;

export interface LegendInput {
  domain: [number, number];
  kind: ScaleKind;
  label: string;
  interpolate?: (t: number) => string;
}

const LEGEND_STOPS = 32;
const LEGEND_CHAR_PX = 6.5;

/** The colour legend as the views draw it (legend.ts): its label, the bar, the exact ends and ticks. */
export function legendPart(spec: LegendInput, width: number, style: SvgStyle): SvgPart {
  const interpolate = spec.interpolate ?? interpolateSequential;
  const [lo, hi] = spec.domain;
  const w = Math.max(240, width);
  const id = svgId('gradient');
  let stops = '';
  for (let i = 0; i <= LEGEND_STOPS; i++) stops += `<stop${attrs({ offset: `${num((i / LEGEND_STOPS) * 100)}%`, 'stop-color': interpolate(i / LEGEND_STOPS) })}/>`;
  const top = 20;
  const x0 = 4;
  const x1 = w - 4;
  let body = svgText(0, 13, truncate(spec.label, Math.floor(w / CHAR_PX)), { size: 12, fill: style.muted, title: spec.label });
  body += `<rect${attrs({ class: 'legend-bar', x: x0, y: top + 2, width: x1 - x0, height: 10, fill: `url(#${id})`, stroke: style.border })}/>`;
  const loText = fmt4(lo);
  const hiText = fmt4(hi);
  body += svgText(x0, top + 26, loText, { size: 11, fill: style.fg, cls: 'legend-min' });
  body += svgText(x1, top + 26, hiText, { size: 11, fill: style.fg, anchor: 'end', cls: 'legend-max' });
  const pos = (t: number): number => {
    if (spec.kind === 'log') return x0 + ((Math.log(t) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (x1 - x0);
    return x0 + ((t - lo) / (hi - lo)) * (x1 - x0);
  };
  const loEnd = x0 + loText.length * LEGEND_CHAR_PX + 10;
  const hiStart = x1 - hiText.length * LEGEND_CHAR_PX - 10;
  for (const t of legendTicks([lo, hi], spec.kind)) {
    const x = pos(t);
    body += `<line${attrs({ x1: x, x2: x, y1: top + 12, y2: top + 15, stroke: style.muted })}/>`;
    const text = fmtTick(t);
    const half = (text.length * LEGEND_CHAR_PX) / 2;
    if (x - half > loEnd && x + half < hiStart) body += svgText(x, top + 26, text, { size: 11, fill: style.fg, anchor: 'middle' });
  }
  return { width: w, height: top + 30, body, defs: `<linearGradient id="${id}">${stops}</linearGradient>` };
}

/** Masked cells: grey with diagonal stripes, as on screen (stripes every 6 px along an axis). */
export function hatchDef(id: string, fill: string, hatch: string): string {
  const p = 6 / Math.SQRT2;
  return `<pattern${attrs({ id, patternUnits: 'userSpaceOnUse', width: p, height: p, patternTransform: 'rotate(45)' })}><rect${attrs({ width: p, height: p, fill })}/><rect${attrs({ width: p / 3, height: p, fill: hatch })}/></pattern>`;
}

/** The cells of a matrix: one rect each with its colour (null = masked), or one raster image. */
export type CellsSource = { kind: 'rects'; colour: (index: number) => string | null; maskFill: string; maskHatch: string } | { kind: 'image'; href: string };

/** The largest matrix exported as one rect per cell (16 384 rects, about 1 MB of SVG). */
export const MAX_VECTOR_CELLS_SIDE = 128;

export const canExportCellsAsVector = (rows: number, cols: number): boolean => rows <= MAX_VECTOR_CELLS_SIDE && cols <= MAX_VECTOR_CELLS_SIDE;

export const VECTOR_LIMIT_REASON = `SVG draws one shape per cell, so it is offered up to ${MAX_VECTOR_CELLS_SIDE} × ${MAX_VECTOR_CELLS_SIDE} cells; this matrix is larger: export it as PNG.`;

function cellsBody(rows: number, cols: number, cell: number, x: number, y: number, src: CellsSource): { body: string; defs: string } {
  if (src.kind === 'image')
    return { body: `<image${attrs({ class: 'cells', href: src.href, x, y, width: cols * cell, height: rows * cell, preserveAspectRatio: 'none', 'image-rendering': 'pixelated' })}/>`, defs: '' };
  const id = svgId('hatch');
  let body = `<g class="cells" shape-rendering="crispEdges">`;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const c = src.colour(i * cols + j);
      body += `<rect${attrs({ x: x + j * cell, y: y + i * cell, width: cell, height: cell, fill: c ?? `url(#${id})` })}/>`;
    }
  body += '</g>';
  return { body, defs: hatchDef(id, src.maskFill, src.maskHatch) };
}

export interface HeatmapPlotInput {
  rows: number;
  cols: number;
  cell: number;
  left: number;
  top: number;
  /** Every `labelStep`-th label is printed (as on screen). */
  labelStep: number;
  /** Shown label text (already shortened) and the full token for its <title>. */
  rowLabels: readonly string[];
  colLabels: readonly string[];
  rowTitles: readonly string[];
  colTitles: readonly string[];
  fontSize: number;
  cells: CellsSource;
  style: SvgStyle;
}

/** The heatmap plot as on screen: row labels right-aligned left of the cells, column labels turned upright above them. */
export function heatmapPlotPart(p: HeatmapPlotInput): SvgPart {
  const width = p.left + p.cols * p.cell + 8;
  const height = p.top + p.rows * p.cell + 8;
  let body = `<g class="row-labels"${attrs({ 'font-size': p.fontSize, fill: p.style.fg })}>`;
  for (let i = 0; i < p.rows; i += p.labelStep)
    body += svgText(0, 0, p.rowLabels[i], { transform: `translate(${num(p.left - 4)},${num(p.top + (i + 0.5) * p.cell)})`, anchor: 'end', baseline: 'central', title: p.rowTitles[i] });
  body += `</g><g class="col-labels"${attrs({ 'font-size': p.fontSize, fill: p.style.fg })}>`;
  for (let j = 0; j < p.cols; j += p.labelStep)
    body += svgText(0, 0, p.colLabels[j], { transform: `translate(${num(p.left + (j + 0.5) * p.cell)},${num(p.top - 4)}) rotate(-90)`, baseline: 'central', title: p.colTitles[j] });
  body += '</g>';
  const cells = cellsBody(p.rows, p.cols, p.cell, p.left, p.top, p.cells);
  return { width, height, body: body + cells.body, defs: cells.defs };
}

export interface GridPlotInput {
  layers: number;
  heads: number;
  left: number;
  top: number;
  width: number;
  height: number;
  /** CSS-pixel origin of each thumb within the cells image, and the thumb size. */
  origin: (layer: number, head: number) => [number, number];
  thumb: number;
  /** The grid's cells, drawn by the renderer at the export scale. */
  href: string;
  /** Selected heads, outlined. */
  selected: readonly { layer: number; head: number }[];
  accent: string;
  style: SvgStyle;
}

/** The model grid: head numbers above, layer numbers at the left, the thumbs as one image, selected heads outlined. */
export function gridPlotPart(p: GridPlotInput): SvgPart {
  let body = `<g${attrs({ 'font-size': 11, fill: p.style.muted })}>`;
  for (let h = 0; h < p.heads; h++) body += svgText(p.left + p.origin(0, h)[0] + p.thumb / 2, p.top - 6, h === 0 ? `head ${h}` : String(h), { anchor: 'middle', cls: 'head-label' });
  for (let l = 0; l < p.layers; l++) body += svgText(p.left - 6, p.top + p.origin(l, 0)[1] + p.thumb / 2, `L${l}`, { anchor: 'end', baseline: 'central', cls: 'layer-label' });
  body += '</g>';
  body += `<image${attrs({ class: 'cells', href: p.href, x: p.left, y: p.top, width: p.width, height: p.height, preserveAspectRatio: 'none' })}/>`;
  for (const s of p.selected) {
    const [x, y] = p.origin(s.layer, s.head);
    body += `<rect${attrs({ class: 'selected', x: p.left + x - 1, y: p.top + y - 1, width: p.thumb + 2, height: p.thumb + 2, fill: 'none', stroke: p.accent, 'stroke-width': 3 })}/>`;
  }
  return { width: p.left + p.width + 4, height: p.top + p.height + 4, body };
}
