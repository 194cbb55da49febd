// Model view: every layer × head as a small heatmap, all on ONE canvas (a 12×12 grid is
// one putImageData, not 144 canvases). Layer and head labels in SVG; selection, hover
// and linked token highlights on an overlay canvas, so they never redraw the cells.

import { vw } from './words';
import { select } from 'd3';
import { interpolateSequential, rowDomains, sequentialLut, valueScale, type ScaleKind, type ValueScale } from './color';
import { boxReduce, cellPositions, rasterize, reduceMax, type CellMatrix } from './raster';
import { addMaskedRuns, hatchPattern } from './upscale';
import { hasNonFinite, NON_FINITE_CSS } from './non-finite-cells';
import { el, now, sizeCanvas, devicePixelRatioOf } from './canvas';
import { maskStyle, readTheme, type Theme } from './theme';
import { Tooltip } from './tooltip';
import { drawLegend, type LegendSpec } from './legend';
import { gridStep, isActivate, keyboardWidget, revealRect, type KeyboardWidget, keyboardFocused } from './keyboard';
import { gridPlotPart, legendPart, textLinePart, type SvgPart, type SvgStyle } from './export-svg';
import { canvasHref } from './export-dom';
import { colourDomain, type ScaleMode } from './heatmap';

/** Reduced thumbs per source (see ModelGridData.source); dropped with it. */
const thumbMemos = new WeakMap<object, Map<string, unknown>>();
function thumbMemo(source: object | undefined): Map<string, unknown> | null {
  if (!source) return null;
  let m = thumbMemos.get(source);
  if (!m) thumbMemos.set(source, (m = new Map()));
  return m;
}

export interface ModelGridData {
  layers: number;
  heads: number;
  /** The matrix of (layer, head); called once per head per draw (or not at all when `source` is cached). */
  matrix(layer: number, head: number): CellMatrix;
  /**
   * What the matrices are read from (e.g. the trace's probs and the weighting): thumbs reduced
   * from the same source at the same size are kept, so a redraw (colour scale, selection) does
   * not read every head again — 151 M weights at 1,024 tokens.
   */
  source?: object;
  /** Whether a head holds NaN or ±∞, answered without `matrix`, or null to scan `matrix`. */
  nonFinite?(layer: number, head: number): boolean | null;
  /** Block maxima of a head computed without `matrix` (packed weights read in place), or null to reduce `matrix`. */
  blockMax?(layer: number, head: number, rows: number, cols: number, kind: ScaleKind): { out: Float32Array; lo: number; hi: number } | null;
  valueLabel: string;
  /** One line about a head for screen readers (e.g. its strongest weight). */
  describe?(layer: number, head: number): string;
  /** A short role name drawn on the thumb ("prev", "ind"), or null (trace/head-roles.ts). */
  badge?(layer: number, head: number): string | null;
}

export interface ModelGridOptions {
  maxWidth: number;
  /** Shown large (presenter, lessons): the whole grid and its legend fit this height. */
  maxHeight?: number;
  /** `probability`: one 0 → 1 scale for all heads (when `probabilities`); `global`: fitted to all heads' min..max. */
  scaleMode: ScaleMode;
  probabilities?: boolean;
  scaleKind: ScaleKind;
}

export interface HeadRef {
  layer: number;
  head: number;
}

export interface ModelGridHandlers {
  /** `additive`: shift/ctrl/cmd-click adds the head to the selection. */
  select?(ref: HeadRef, additive: boolean): void;
  hover?(ref: HeadRef | null): void;
}

/** Space between thumbs; half of it surrounds each thumb, room for its outline. */
const GAP = 6;
// Up to 144 px: a small model (4 × 4) fills its card instead of stopping at half of it.
const MAX_THUMB = 144;
const MIN_THUMB = 16;
const LEFT = 34;
const TOP = 20;

export interface GridLayout {
  thumb: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Room under the thumbs for the legend and its notes (gridLayout's maxHeight). */
const LEGEND_ROOM = 110;

export function gridLayout(layers: number, heads: number, maxWidth: number, maxHeight = Number.POSITIVE_INFINITY): GridLayout {
  const fit = Math.min(Math.floor((maxWidth - LEFT - 8) / heads), Math.floor((maxHeight - TOP - LEGEND_ROOM) / layers)) - GAP;
  const thumb = Math.max(MIN_THUMB, Math.min(MAX_THUMB, fit));
  return { thumb, left: LEFT, top: TOP, width: heads * (thumb + GAP), height: layers * (thumb + GAP) };
}

/** The CSS-pixel origin of head (layer, head) in the grid canvas. */
export const thumbOrigin = (L: GridLayout, layer: number, head: number): [number, number] => [GAP / 2 + head * (L.thumb + GAP), GAP / 2 + layer * (L.thumb + GAP)];

export class ModelGrid {
  readonly root: HTMLDivElement;
  private readonly plot: HTMLDivElement;
  private readonly svg: SVGSVGElement;
  private readonly base: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private readonly legendHost: HTMLDivElement;
  private readonly tooltip: Tooltip;
  private data: ModelGridData | null = null;
  private options: ModelGridOptions | null = null;
  /** The head the keyboard is on (drawn like a hovered head). */
  private cursor: HeadRef | null = null;
  private readonly keys: KeyboardWidget;
  private layout: GridLayout | null = null;
  private theme: Theme | null = null;
  private rowsPerThumb = 0;
  private globalScale: ValueScale | null = null;
  /** All heads' own min..max, when the scale spans more (0 → 1). */
  private dataRange: [number, number] | null = null;
  private scratch: HTMLCanvasElement | null = null;
  private selected: HeadRef[] = [];
  /** Heads ablated in the run shown: crossed out (their own weights still show). */
  private ablated: HeadRef[] = [];
  private hovered: HeadRef | null = null;
  private linkedRows: number[] = [];
  lastDrawMs = 0;
  lastHoverMs = 0;

  constructor(
    target: HTMLElement,
    private readonly handlers: ModelGridHandlers = {},
  ) {
    this.root = el('div', 'atlas-model-grid', target);
    this.plot = el('div', 'atlas-model-grid-plot', this.root);
    this.plot.style.position = 'relative';
    this.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.plot.appendChild(this.svg);
    this.base = el('canvas', 'atlas-model-grid-cells', this.plot);
    this.overlay = el('canvas', 'atlas-model-grid-overlay', this.plot);
    for (const c of [this.base, this.overlay]) {
      c.style.position = 'absolute';
      c.style.left = `${LEFT}px`;
      c.style.top = `${TOP}px`;
    }
    this.overlay.style.cursor = 'pointer';
    this.tooltip = new Tooltip(this.plot);
    this.legendHost = el('div', 'atlas-model-grid-legend', this.root);
    this.overlay.addEventListener('mousemove', (e) => {
      const r = this.refAt(e);
      if (r?.layer === this.hovered?.layer && r?.head === this.hovered?.head) return;
      this.setHover(r);
      if (r) this.showTip(r, vw('viz.gridTipPointer'));
    });
    this.overlay.addEventListener('mouseleave', () => this.setHover(null));
    this.overlay.addEventListener('click', (e) => {
      const r = this.refAt(e);
      if (r) this.handlers.select?.(r, e.shiftKey || e.ctrlKey || e.metaKey);
    });
    this.keys = keyboardWidget(this.plot, {
      roledescription: 'grid of attention heads',
      help: vw('viz.gridHelp'),
      parent: this.root,
    });
    this.plot.addEventListener('keydown', (e) => this.onKey(e));
    this.plot.addEventListener('focus', () => {
      if (keyboardFocused(this.plot) && !this.cursor && this.data) this.moveCursor(this.selected[0] ?? { layer: 0, head: 0 });
    });
    this.plot.addEventListener('blur', () => {
      this.cursor = null;
      this.tooltip.hide();
      this.drawOverlay();
    });
  }

  private showTip(r: HeadRef, hint: string): void {
    const L = this.layout!;
    const [x, y] = thumbOrigin(L, r.layer, r.head);
    this.tooltip.show([`layer ${r.layer}, head ${r.head}`, hint], LEFT + x + L.thumb / 2, TOP + y + L.thumb / 2, LEFT + L.width);
  }

  private onKey(e: KeyboardEvent): void {
    const d = this.data;
    if (!d || e.altKey || e.metaKey || e.ctrlKey) return;
    const at = this.cursor ?? this.selected[0] ?? { layer: 0, head: 0 };
    if (isActivate(e)) {
      e.preventDefault();
      this.handlers.select?.(at, e.shiftKey);
      return;
    }
    if (e.key === 'Escape') {
      this.cursor = null;
      this.tooltip.hide();
      this.drawOverlay();
      return;
    }
    const step = gridStep(e, 4);
    if (!step) return;
    e.preventDefault();
    const layer = Math.max(0, Math.min(d.layers - 1, at.layer + step.dRow));
    const head = step.toRowStart ? 0 : step.toRowEnd ? d.heads - 1 : Math.max(0, Math.min(d.heads - 1, at.head + step.dCol));
    this.moveCursor({ layer, head });
  }

  private isSelected(r: HeadRef): boolean {
    return this.selected.some((s) => s.layer === r.layer && s.head === r.head);
  }

  /** The keyboard on a head: outline it, show its tooltip, read it out. */
  private moveCursor(r: HeadRef): void {
    const L = this.layout!;
    this.cursor = r;
    this.drawOverlay();
    this.showTip(r, vw('viz.gridTipKeys'));
    const [x, y] = thumbOrigin(L, r.layer, r.head);
    revealRect(this.plot, LEFT + x, TOP + y, L.thumb, L.thumb);
    this.announceCursor();
  }

  private announceCursor(): void {
    const r = this.cursor;
    if (!r) return;
    const about = this.data?.describe?.(r.layer, r.head);
    this.keys.announce(`layer ${r.layer}, head ${r.head}${this.isSelected(r) ? ' (selected)' : ''}${about ? `: ${about}` : ''}`, { layer: String(r.layer), head: String(r.head) });
    this.labelFor();
  }

  /** The accessible name: the grid's size, the selected heads, the head the keyboard is on. */
  private labelFor(): void {
    const d = this.data;
    if (!d) return;
    const sel = this.selected.map((r) => `layer ${r.layer} head ${r.head}`).join(', ');
    const c = this.cursor;
    this.root.dataset.cursor = c ? `${c.layer}:${c.head}` : '';
    this.keys.label(`Model view: ${d.layers} layers by ${d.heads} heads of ${d.valueLabel}. Selected: ${sel || 'none'}.${c ? ` Focused: layer ${c.layer}, head ${c.head}.` : ''}`);
  }

  update(data: ModelGridData, options: ModelGridOptions): number {
    const t0 = now();
    this.data = data;
    this.options = options;
    const theme = (this.theme = readTheme(this.root));
    const L = (this.layout = gridLayout(data.layers, data.heads, options.maxWidth, options.maxHeight));
    const dpr = devicePixelRatioOf();
    const { rows, cols } = this.paint(this.base, dpr);
    sizeCanvas(this.overlay, L.width, L.height);
    this.rowsPerThumb = rows;
    this.base.dataset.thumb = String(L.thumb);
    this.base.dataset.layers = String(data.layers);
    this.base.dataset.heads = String(data.heads);
    this.drawLabels(theme);
    drawLegend(this.legendHost, this.legendSpec(), Math.min(360, L.width), theme);
    for (const text of this.notes(rows, cols, dpr)) el('div', 'atlas-note', this.legendHost).textContent = text;
    if (this.cursor && (this.cursor.layer >= data.layers || this.cursor.head >= data.heads)) this.cursor = null;
    this.drawOverlay();
    this.labelFor();
    this.lastDrawMs = now() - t0;
    this.root.dataset.drawMs = this.lastDrawMs.toFixed(2);
    return this.lastDrawMs;
  }

  private legendSpec(): LegendSpec | null {
    const kind = this.options!.scaleKind;
    return this.globalScale ? { scale: this.globalScale, interpolate: interpolateSequential, label: `${this.data!.valueLabel}, all heads on one ${kind === 'log' ? 'log ' : ''}scale`, ...(this.dataRange ? { dataRange: this.dataRange } : {}) } : null;
  }

  private notes(rows: number, cols: number, dpr: number): string[] {
    const out: string[] = [];
    const L = this.layout!;
    if (this.options!.scaleMode === 'row') out.push(vw(this.options!.scaleKind === 'log' ? 'viz.gridRowScaledLog' : 'viz.gridRowScaled'));
    if (rows > L.thumb * dpr || cols > L.thumb * dpr) out.push(vw('viz.gridThumbs'));
    return out;
  }

  /** Every thumb into `canvas` at `dpr` device pixels per CSS pixel (the screen's, or the export's). */
  private paint(canvas: HTMLCanvasElement, dpr: number): { rows: number; cols: number } {
    const data = this.data!;
    const options = this.options!;
    const L = this.layout!;
    const { ctx, width, height } = sizeCanvas(canvas, L.width, L.height, dpr);
    const lut = sequentialLut();
    const mask = maskStyle(this.theme!, dpr);
    const kind = options.scaleKind;
    const n = data.layers * data.heads;
    const at = (k: number): [number, number] => [Math.floor(k / data.heads), k % data.heads];
    // Each thumb's device-pixel rectangle, edges on whole pixels so neighbours never overlap.
    const regions = Array.from({ length: n }, (_, k) => {
      const [x, y] = thumbOrigin(L, ...at(k));
      const x0 = Math.round(x * dpr);
      const y0 = Math.round(y * dpr);
      return { x: x0, y: y0, width: Math.round((x + L.thumb) * dpr) - x0, height: Math.round((y + L.thumb) * dpr) - y0 };
    });
    // Colour positions of every thumb at min(matrix, thumb) resolution: a thumb smaller
    // than its matrix keeps each block's strongest weight.
    const memo = thumbMemo(data.source);
    const cached = <T>(key: string, make: () => T): T => {
      if (!memo) return make();
      if (!memo.has(key)) memo.set(key, make());
      return memo.get(key) as T;
    };
    const first = cached('shape', () => {
      const m = data.matrix(0, 0);
      return { rows: m.rows, cols: m.cols };
    });
    const rows = first.rows;
    const cols = first.cols;
    const R = Math.min(rows, Math.min(...regions.map((r) => r.height)));
    const C = Math.min(cols, Math.min(...regions.map((r) => r.width)));
    let positions: Float32Array[];
    if (options.scaleMode === 'global' || options.scaleMode === 'probability') {
      // One pass per head for the block maxima and the true min..max; max commutes with
      // the increasing scale, so colouring the maxima equals reducing the colours.
      let lo = Infinity;
      let hi = -Infinity;
      const reduced = Array.from({ length: n }, (_, k) => {
        const r = cached(`max:${k}:${R}:${C}:${kind}`, () => data.blockMax?.(...at(k), R, C, kind) ?? reduceMax(data.matrix(...at(k)), R, C, kind));
        lo = Math.min(lo, r.lo);
        hi = Math.max(hi, r.hi);
        return r.out;
      });
      const domain = colourDomain(options.scaleMode, !!options.probabilities, kind, lo <= hi ? [lo, hi] : null);
      const scale = valueScale(kind, domain ?? [0, 1]);
      this.globalScale = domain ? scale : null;
      this.dataRange = lo <= hi && domain && (domain[0] !== lo || domain[1] !== hi) ? [lo, hi] : null;
      positions = reduced.map((out) => cellPositions({ rows: R, cols: C, values: out, masked: null }, scale));
    } else {
      this.globalScale = null;
      positions = Array.from({ length: n }, (_, k) =>
        cached(`row:${k}:${R}:${C}:${kind}`, () => {
          const m = data.matrix(...at(k));
          const scales = rowDomains(m.values, m.masked, m.rows, m.cols, kind).map((d) => (d ? valueScale(kind, d) : null));
          const t = cellPositions(m, (i) => scales[i]);
          return R < rows || C < cols ? boxReduce(t, rows, cols, R, C, 'max') : t;
        }),
      );
    }
    // All thumbs side by side at that resolution in one image, then each scaled into place.
    const atlas = ctx.createImageData(data.heads * C, data.layers * R);
    const flat = { ...mask, stripe: 0 };
    positions.forEach((t, k) => {
      const [l, h] = at(k);
      rasterize(atlas, { x: h * C, y: l * R, width: C, height: R }, R, C, t, lut, flat);
    });
    const scratch = (this.scratch ??= document.createElement('canvas'));
    scratch.width = atlas.width;
    scratch.height = atlas.height;
    scratch.getContext('2d')!.putImageData(atlas, 0, 0);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = false;
    const hatched = new Path2D();
    positions.forEach((t, k) => {
      const [l, h] = at(k);
      const r = regions[k];
      ctx.drawImage(scratch, h * C, l * R, C, R, r.x, r.y, r.width, r.height);
      addMaskedRuns(hatched, t, R, C, r);
    });
    ctx.fillStyle = hatchPattern(ctx, mask);
    ctx.fill(hatched);
    // A head with NaN or ±∞ anywhere: its thumb is outlined in the not-a-number colour
    // (a thumb is too small to show single cells), never hatched as if masked.
    let bad = 0;
    ctx.strokeStyle = NON_FINITE_CSS;
    ctx.lineWidth = Math.max(2, Math.round(dpr * 2));
    positions.forEach((_, k) => {
      const nonFinite = cached(`nonfinite:${k}`, () => {
        const known = data.nonFinite?.(...at(k));
        if (known !== undefined && known !== null) return known;
        const m = data.matrix(...at(k));
        return hasNonFinite(m.values, m.masked);
      });
      if (!nonFinite) return;
      const r = regions[k];
      ctx.strokeRect(r.x + ctx.lineWidth / 2, r.y + ctx.lineWidth / 2, r.width - ctx.lineWidth, r.height - ctx.lineWidth);
      bad++;
    });
    canvas.dataset.nonFiniteHeads = String(bad);
    ctx.restore();
    return { rows, cols };
  }

  /**
   * The figure as SVG parts: the grid (layer and head labels, every thumb painted at
   * `scale` into one embedded image, the selected heads outlined), the legend and notes.
   */
  exportParts(scale: number, style: SvgStyle): SvgPart[] {
    const L = this.layout;
    const d = this.data;
    const theme = this.theme;
    if (!L || !d || !theme) return [];
    const canvas = document.createElement('canvas');
    const { rows, cols } = this.paint(canvas, scale);
    const parts: SvgPart[] = [
      gridPlotPart({ layers: d.layers, heads: d.heads, left: L.left, top: L.top, width: L.width, height: L.height, origin: (l, h) => thumbOrigin(L, l, h), thumb: L.thumb, href: canvasHref(canvas), selected: this.selected, accent: theme.accent, style }),
    ];
    const spec = this.legendSpec();
    if (spec) parts.push(legendPart({ domain: spec.scale.domain, kind: spec.scale.kind, label: spec.label }, Math.min(360, L.width), style));
    for (const text of this.notes(rows, cols, devicePixelRatioOf())) parts.push(textLinePart(text, style, { maxWidth: L.left + L.width + 4 }));
    return parts;
  }

  private drawLabels(theme: Theme): void {
    const L = this.layout!;
    const d = this.data!;
    const svg = select(this.svg);
    svg.selectAll('*').remove();
    svg.attr('width', L.left + L.width + 4).attr('height', L.top + L.height + 4);
    const g = svg.append('g').attr('font-size', 11).attr('fill', theme.muted);
    for (let h = 0; h < d.heads; h++)
      g.append('text').attr('class', 'head-label').attr('x', L.left + thumbOrigin(L, 0, h)[0] + L.thumb / 2).attr('y', L.top - 6).attr('text-anchor', 'middle').text(h === 0 ? vw('viz.headFirst', { h }) : String(h));
    for (let l = 0; l < d.layers; l++)
      g.append('text').attr('class', 'layer-label').attr('x', L.left - 6).attr('y', L.top + thumbOrigin(L, l, 0)[1] + L.thumb / 2).attr('text-anchor', 'end').attr('dominant-baseline', 'central').text(`L${l}`);
  }

  /** Selected heads (outlined in the accent colour). */
  setSelected(refs: HeadRef[]): void {
    this.selected = refs;
    this.drawOverlay();
    this.root.dataset.selected = refs.map((r) => `${r.layer}:${r.head}`).join(' ');
    if (this.cursor) this.announceCursor();
    else this.labelFor();
  }

  /** Heads ablated in the run shown (a cross over each thumb); [] for an ordinary run. */
  setAblated(refs: HeadRef[]): void {
    this.ablated = refs;
    this.drawOverlay();
    this.root.dataset.ablated = refs.map((r) => `${r.layer}:${r.head}`).join(' ');
  }

  /** Rows of the hovered token (shown as a band in every head); [] to clear. */
  highlightRows(rows: number[]): void {
    const t0 = now();
    this.linkedRows = rows;
    this.drawOverlay();
    this.lastHoverMs = now() - t0;
    this.root.dataset.hoverMs = this.lastHoverMs.toFixed(2);
  }

  private setHover(r: HeadRef | null): void {
    const t0 = now();
    this.hovered = r;
    if (!r) this.tooltip.hide();
    this.drawOverlay();
    this.handlers.hover?.(r);
    this.lastHoverMs = now() - t0;
    this.root.dataset.hoverMs = this.lastHoverMs.toFixed(2);
  }

  private refAt(e: MouseEvent): HeadRef | null {
    const L = this.layout;
    const d = this.data;
    if (!L || !d) return null;
    const head = Math.floor(e.offsetX / (L.thumb + GAP));
    const layer = Math.floor(e.offsetY / (L.thumb + GAP));
    const dx = e.offsetX - head * (L.thumb + GAP) - GAP / 2;
    const dy = e.offsetY - layer * (L.thumb + GAP) - GAP / 2;
    const inX = dx >= 0 && dx < L.thumb;
    const inY = dy >= 0 && dy < L.thumb;
    return inX && inY && head >= 0 && head < d.heads && layer >= 0 && layer < d.layers ? { layer, head } : null;
  }

  private drawOverlay(): void {
    const L = this.layout;
    const d = this.data;
    const theme = this.theme;
    if (!L || !d || !theme) return;
    const ctx = this.overlay.getContext('2d')!;
    const dpr = devicePixelRatioOf();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, L.width, L.height);
    if (this.linkedRows.length && this.rowsPerThumb) {
      ctx.fillStyle = theme.highlight;
      ctx.globalAlpha = 0.55;
      const rowH = L.thumb / this.rowsPerThumb;
      for (let l = 0; l < d.layers; l++)
        for (let h = 0; h < d.heads; h++) {
          const [x, y] = thumbOrigin(L, l, h);
          for (const r of this.linkedRows) ctx.fillRect(x - 3, y + r * rowH, 3, Math.max(1, rowH));
        }
      ctx.globalAlpha = 1;
    }
    const outline = (r: HeadRef, colour: string, w: number): void => {
      const [x, y] = thumbOrigin(L, r.layer, r.head);
      ctx.strokeStyle = colour;
      ctx.lineWidth = w;
      ctx.strokeRect(x - w / 2 + 0.5, y - w / 2 + 0.5, L.thumb + w - 1, L.thumb + w - 1);
    };
    // Ablated: a cross in the text colour over a halo in the background colour, readable on any cells.
    for (const r of this.ablated) {
      const [x, y] = thumbOrigin(L, r.layer, r.head);
      const cross = new Path2D();
      cross.moveTo(x + 2, y + 2);
      cross.lineTo(x + L.thumb - 2, y + L.thumb - 2);
      cross.moveTo(x + L.thumb - 2, y + 2);
      cross.lineTo(x + 2, y + L.thumb - 2);
      ctx.strokeStyle = theme.bg;
      ctx.lineWidth = 5;
      ctx.stroke(cross);
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = 2;
      ctx.stroke(cross);
    }
    // Role badges, bottom left of each thumb, on a background-coloured tag so they read on any cells.
    if (d.badge && L.thumb >= 28) {
      ctx.font = `600 10px ${theme.font}`;
      ctx.textBaseline = 'bottom';
      const marks: string[] = [];
      for (let l = 0; l < d.layers; l++)
        for (let h = 0; h < d.heads; h++) {
          const b = d.badge(l, h);
          if (!b) continue;
          const [x, y] = thumbOrigin(L, l, h);
          const w = ctx.measureText(b).width + 6;
          ctx.fillStyle = theme.bg;
          ctx.globalAlpha = 0.85;
          ctx.fillRect(x + 1, y + L.thumb - 14, w, 13);
          ctx.globalAlpha = 1;
          ctx.fillStyle = theme.fg;
          ctx.fillText(b, x + 4, y + L.thumb - 2);
          marks.push(`${l}:${h}:${b}`);
        }
      this.root.dataset.badges = marks.join(' ');
    }
    if (this.hovered) outline(this.hovered, theme.fg, 1);
    if (this.cursor) outline(this.cursor, theme.fg, 2);
    for (const s of this.selected) outline(s, theme.accent, 3);
  }

  destroy(): void {
    this.root.remove();
  }
}

