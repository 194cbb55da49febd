// Heatmap of one [query, key] matrix: cells on a canvas (pixels from raster.ts), token
// labels on both axes in SVG (as text), an overlay canvas for hover and linked
// highlights (so hovering redraws only the overlay), a tooltip with the exact value, and
// a legend over the true range of the values drawn.

import { select } from 'd3';
import { cssColor, dataDomain, lutColor, rowDomains, sequentialLut, valueScale, interpolateSequential, type ScaleKind, type ValueScale } from './color';
import { cellPositions, rasterize, type CellMatrix, type MaskStyle } from './raster';
import { addMaskedRuns, hatchPattern } from './upscale';
import { addNonFiniteCells, NON_FINITE_CSS, rowsNotSummingToOne } from './non-finite-cells';
import { el, maxTextWidth, now, sizeCanvas, devicePixelRatioOf } from './canvas';
import { fmt4, tokenLabel, visibleToken, spokenToken } from './format';
import { drawLegend } from './legend';
import { maskStyle, readTheme, type Theme } from './theme';
import { Tooltip } from './tooltip';
import { vw } from './words';
import { gridStep, isActivate, keyboardWidget, revealRect, type KeyboardWidget, keyboardFocused } from './keyboard';
import { canExportCellsAsVector, heatmapPlotPart, legendPart, textLinePart, type SvgPart, type SvgStyle } from './export-svg';
import { canvasHref } from './export-dom';

export interface HeatmapData {
  matrix: CellMatrix;
  /** Token text of each displayed row / column. */
  rowLabels: string[];
  colLabels: string[];
  /** Axis names, e.g. "query (target)" and "key (source)". */
  rowTitle: string;
  colTitle: string;
  /** What a value is ("attention weight", "mean weight over 12 heads"). */
  valueLabel: string;
  /** What the matrix is, for screen readers ("layer 2, head 1"). */
  description?: string;
}

/**
 * `probability`: attention weights on 0 → 1, the same for every matrix (the data's own range is
 * marked on the legend); `global`: fit to the matrix's min..max; `row`: each row its own min..max.
 * Matrices that are not shares (value-weighted sizes) are fitted whatever the mode says.
 */
export type ScaleMode = 'probability' | 'global' | 'row';

/** The colour domain of a matrix under `probability` (0 → 1; log: from its smallest positive value to 1), or its data domain. */
export function colourDomain(mode: ScaleMode, probabilities: boolean, kind: ScaleKind, data: [number, number] | null): [number, number] | null {
  if (mode !== 'probability' || !probabilities || !data) return data;
  return kind === 'log' ? [Math.min(data[0], 1), 1] : [0, 1];
}

export interface HeatmapOptions {
  scaleMode: ScaleMode;
  /** The values are shares in [0, 1] (attention weights, their means): `probability` applies. */
  probabilities?: boolean;
  scaleKind: ScaleKind;
  /** CSS pixels available for the whole figure. */
  maxWidth: number;
  /**
   * Scale the cells to fit (no smallest cell: labels thin out instead) within maxWidth and this
   * height, times `zoom` (above 1 the figure overflows its box and is panned). Without it, cells
   * stay at least LABEL_CELL for up to 128 tokens and the figure scrolls.
   */
  fit?: { maxHeight: number; zoom: number };
  /** Per-row mode: the row whose range the legend shows (else the hovered row, else 0). */
  legendRow?: number | null;
}

export interface Cell {
  row: number;
  col: number;
}

export interface HeatmapHandlers {
  hover?(cell: Cell | null): void;
  click?(cell: Cell): void;
  /** Pointer over an axis label: a row (query) or column (key) token; null when it leaves. */
  hoverLabel?(axis: 'row' | 'col', index: number | null): void;
}

/**
 * Cells at least this many device pixels wide are drawn at one pixel per cell and scaled
 * up on the canvas (nearest neighbour, whole-pixel cells), so the cost follows the cell
 * count, not the pixel count (512 tokens on a HiDPI screen is 4 M pixels but 262 k cells).
 */
const UPSCALE_MIN_PX = 2;
/** A fitted figure's cells are rounded to whole device pixels from this size up (losing at most 1/8). */
const FITTED_WHOLE_PX = 8;

/** Cells at least this big get every label, at a readable size. */
export const LABEL_CELL = 10;
const MAX_CELL = 28;
/** A fitted figure (presenter, lessons) may draw cells this big: read from the back of a room. */
const MAX_FITTED_CELL = 56;
const LABEL_FONT_PX = 11;
/** The axis labels' size for cells (or label steps) `pitch` px apart: at most 11 px, at least 9. */
// A label's box is about 1.2 × its font size: a font of pitch / 1.25 leaves its neighbours a gap.
export const labelFontPx = (pitch: number): number => Math.max(9, Math.min(LABEL_FONT_PX, Math.floor(pitch / 1.25)));
/** Thinned labels (cells under LABEL_CELL) are at least this far apart, so 9–10 px labels never touch. */
const THINNED_LABEL_PITCH = 13;
const LABEL_CHARS = 12;
/** Height under the cells for the colour legend and its lines (heatmapLayout's fit). */
export const LEGEND_ROOM = 104;
const MAX_MARGIN = 120;

export interface HeatmapLayout {
  cell: number;
  left: number;
  top: number;
  width: number;
  height: number;
  /** Show every `labelStep`-th label (1 = all). */
  labelStep: number;
}

/**
 * Square cells that fit `maxWidth`, but never smaller than LABEL_CELL while there are
 * at most 128 columns (the figure then scrolls), so every token stays labelled.
 */
export function heatmapLayout(rows: number, cols: number, maxWidth: number, left: number, top: number, fitTo?: HeatmapOptions['fit']): HeatmapLayout {
  let fit = (maxWidth - left - 12) / Math.max(1, cols);
  // The legend and its caption sit under the cells: keep room for them.
  if (fitTo) fit = Math.min(fit, (fitTo.maxHeight - top - LEGEND_ROOM) / Math.max(1, rows)) * fitTo.zoom;
  // Whole pixels where that costs little; a fitted figure keeps fractional small cells (flooring 1.8 to 1 would halve it).
  let cell = Math.min(fitTo ? MAX_FITTED_CELL * fitTo.zoom : MAX_CELL, fit >= (fitTo ? 4 : 1) ? Math.floor(fit) : fit);
  if (!fitTo && cols <= 128 && rows <= 128) cell = Math.max(cell, LABEL_CELL);
  cell = Math.max(cell, 0.25);
  const labelStep = cell >= LABEL_CELL ? 1 : Math.ceil(THINNED_LABEL_PITCH / cell);
  return { cell, left, top, width: cell * cols, height: cell * rows, labelStep };
}

export class Heatmap {
  readonly root: HTMLDivElement;
  private readonly caption: HTMLDivElement;
  private readonly plot: HTMLDivElement;
  private readonly svg: SVGSVGElement;
  private readonly base: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private readonly legendHost: HTMLDivElement;
  private readonly tooltip: Tooltip;
  private data: HeatmapData | null = null;
  private options: HeatmapOptions | null = null;
  private layout: HeatmapLayout | null = null;
  private theme: Theme | null = null;
  private rowScales: (ValueScale | null)[] = [];
  private positions: Float32Array | null = null;
  private rowText: string[] = [];
  private colText: string[] = [];
  private readonly keys: KeyboardWidget;
  private scratch: HTMLCanvasElement | null = null;
  private hovered: Cell | null = null;
  private linkedRows: number[] = [];
  private linkedCols: number[] = [];
  /** Milliseconds of the last full draw and the last hover update (for the perf report). */
  lastDrawMs = 0;
  lastHoverMs = 0;

  constructor(
    target: HTMLElement,
    private readonly handlers: HeatmapHandlers = {},
  ) {
    this.root = el('div', 'atlas-heatmap', target);
    this.caption = el('div', 'atlas-heatmap-caption atlas-note', this.root);
    this.plot = el('div', 'atlas-heatmap-plot', this.root);
    this.plot.style.position = 'relative';
    this.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.svg.classList.add('atlas-heatmap-axes');
    this.plot.appendChild(this.svg);
    this.base = el('canvas', 'atlas-heatmap-cells', this.plot);
    this.overlay = el('canvas', 'atlas-heatmap-overlay', this.plot);
    for (const c of [this.base, this.overlay]) c.style.position = 'absolute';
    this.tooltip = new Tooltip(this.plot);
    this.legendHost = el('div', 'atlas-heatmap-legend', this.root);
    this.keys = keyboardWidget(this.plot, {
      roledescription: 'heatmap',
      help: vw('viz.heatmapHelp'),
      parent: this.root,
    });
    this.plot.addEventListener('keydown', (e) => this.onKey(e));
    this.plot.addEventListener('focus', () => {
      if (keyboardFocused(this.plot) && !this.hovered && this.data) this.moveTo(this.startCell());
    });
    this.plot.addEventListener('blur', () => this.setHover(null, true));
    this.overlay.addEventListener('mousemove', (e) => this.onMove(e));
    this.overlay.addEventListener('mouseleave', () => this.setHover(null, true));
    this.svg.addEventListener('mouseover', (e) => {
      const t = (e.target as Element).closest?.('text[data-index]');
      const axis = t?.parentElement?.classList.contains('row-labels') ? 'row' : t?.parentElement?.classList.contains('col-labels') ? 'col' : null;
      if (t && axis) this.handlers.hoverLabel?.(axis, Number(t.getAttribute('data-index')));
    });
    this.svg.addEventListener('mouseout', (e) => {
      if ((e.target as Element).closest?.('text[data-index]')) this.handlers.hoverLabel?.('row', null);
    });
    this.overlay.addEventListener('click', (e) => {
      const c = this.cellAt(e);
      if (c) this.handlers.click?.(c);
    });
  }

  update(data: HeatmapData, options: HeatmapOptions): number {
    const t0 = now();
    this.data = data;
    this.options = options;
    const theme = (this.theme = readTheme(this.root));
    const { matrix: m } = data;
    const font = `${LABEL_FONT_PX}px ${theme.font}`;
    const rowText = data.rowLabels.map((s) => tokenLabel(s, LABEL_CHARS));
    const colText = data.colLabels.map((s) => tokenLabel(s, LABEL_CHARS));
    const left = Math.min(MAX_MARGIN, Math.ceil(maxTextWidth(rowText, font)) + 10);
    const top = Math.min(MAX_MARGIN, Math.ceil(maxTextWidth(colText, font)) + 10);
    const dpr = devicePixelRatioOf();
    let L = heatmapLayout(m.rows, m.cols, options.maxWidth, left, top, options.fit);
    // A fitted figure keeps small fractional cells (2.7 px floored to 2 would undo a zoom step);
    // cells drawn unevenly by a pixel cost less than a figure that does not fill its box.
    const upscale = L.cell * dpr >= (options.fit ? FITTED_WHOLE_PX : UPSCALE_MIN_PX);
    if (upscale) {
      // Whole device pixels per cell, so every cell is the same size on screen.
      // (Down, when fitted: a fitted figure must not outgrow its box.)
      const cell = (options.fit ? Math.floor(L.cell * dpr) : Math.round(L.cell * dpr)) / dpr;
      L = { ...L, cell, width: cell * m.cols, height: cell * m.rows };
    }
    this.layout = L;

    // Cells.
    const kind = options.scaleKind;
    let positions: Float32Array;
    if (options.scaleMode === 'row') {
      this.rowScales = rowDomains(m.values, m.masked, m.rows, m.cols, kind).map((d) => (d ? valueScale(kind, d) : null));
      positions = cellPositions(m, (i) => this.rowScales[i]);
    } else {
      const d = colourDomain(options.scaleMode, !!options.probabilities, kind, dataDomain(m.values, m.masked, kind));
      this.rowScales = [];
      positions = cellPositions(m, d ? valueScale(kind, d) : valueScale(kind, [0, 1]));
      if (!d) positions.fill(NaN);
    }
    this.positions = positions;
    this.paintCells(this.base, dpr);
    for (const c of [this.base, this.overlay]) {
      c.style.left = `${L.left}px`;
      c.style.top = `${L.top}px`;
    }
    sizeCanvas(this.overlay, L.width, L.height);
    this.base.dataset.rows = String(m.rows);
    this.base.dataset.cols = String(m.cols);
    this.base.dataset.cell = String(L.cell);

    this.rowText = rowText;
    this.colText = colText;
    this.drawAxes(rowText, colText, theme);
    this.drawLegendFor(this.hovered?.row ?? null);
    if (this.hovered && (this.hovered.row >= m.rows || this.hovered.col >= m.cols)) this.hovered = null;
    this.drawOverlay();
    this.labelFor(this.hovered);
    this.lastDrawMs = now() - t0;
    this.root.dataset.drawMs = this.lastDrawMs.toFixed(2);
    return this.lastDrawMs;
  }

  /** The cells into `canvas` at `dpr` device pixels per CSS pixel (the screen's, or the export's). */
  private paintCells(canvas: HTMLCanvasElement, dpr: number): void {
    const L = this.layout!;
    const m = this.data!.matrix;
    const { ctx, width, height } = sizeCanvas(canvas, L.width, L.height, dpr);
    const mask = maskStyle(this.theme!, dpr);
    if (L.cell * dpr >= UPSCALE_MIN_PX) this.drawUpscaled(ctx, width, height, m, this.positions!, mask);
    else {
      const img = ctx.createImageData(width, height);
      rasterize(img, { x: 0, y: 0, width, height }, m.rows, m.cols, this.positions!, sequentialLut(), mask);
      ctx.putImageData(img, 0, 0);
    }
    // NaN and ±∞ on top, in their own colour: never to be read as masked.
    const bad = new Path2D();
    const count = addNonFiniteCells(bad, m.values, m.masked, m.rows, m.cols, { x: 0, y: 0, width, height });
    canvas.dataset.nonFinite = String(count);
    if (count) {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = NON_FINITE_CSS;
      ctx.fill(bad);
      ctx.restore();
    }
    // Rows whose weights do not sum to 1 (a hand-edited or broken trace): outlined in the same colour.
    // Value-weighted cells are sizes, not shares: their rows need not sum to 1.
    const rows = m.weighting === 'value-norm' ? [] : rowsNotSummingToOne(m.values, m.masked, m.rows, m.cols);
    canvas.dataset.badRows = rows.join(',');
    if (rows.length) {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.strokeStyle = NON_FINITE_CSS;
      ctx.lineWidth = Math.max(2, Math.round(dpr * 2));
      const sy = height / m.rows;
      for (const r of rows) ctx.strokeRect(1, Math.round(r * sy) + 1, width - 2, Math.max(1, Math.round(sy) - 2));
      ctx.restore();
    }
  }

  /** One pixel per cell (pure raster), scaled up; masked runs hatched with a pattern anchored like onStripe. */
  private drawUpscaled(ctx: CanvasRenderingContext2D, width: number, height: number, m: CellMatrix, positions: Float32Array, mask: MaskStyle): void {
    const small = ctx.createImageData(m.cols, m.rows);
    rasterize(small, { x: 0, y: 0, width: m.cols, height: m.rows }, m.rows, m.cols, positions, sequentialLut(), { ...mask, stripe: 0 });
    const scratch = (this.scratch ??= document.createElement('canvas'));
    scratch.width = m.cols;
    scratch.height = m.rows;
    scratch.getContext('2d')!.putImageData(small, 0, 0);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(scratch, 0, 0, width, height);
    if (m.masked) {
      const path = new Path2D();
      addMaskedRuns(path, positions, m.rows, m.cols, { x: 0, y: 0, width, height });
      ctx.fillStyle = hatchPattern(ctx, mask);
      ctx.fill(path);
    }
    ctx.restore();
  }

  private drawAxes(rowText: string[], colText: string[], theme: Theme): void {
    const L = this.layout!;
    const d = this.data!;
    const svg = select(this.svg);
    svg.selectAll('*').remove();
    svg.attr('width', L.left + L.width + 8).attr('height', L.top + L.height + 8);
    const labels = (texts: string[], full: string[], cls: string, place: (i: number) => string, anchor: string): void => {
      // Labels a pixel smaller than their cells (9–11 px), so neighbours never touch (10 px cells had 11 px labels).
      const g = svg.append('g').attr('class', cls).attr('font-size', labelFontPx(L.cell * L.labelStep)).attr('fill', theme.fg);
      texts.forEach((t, i) => {
        if (i % L.labelStep !== 0) return;
        const node = g.append('text').attr('data-index', i).attr('transform', place(i)).attr('text-anchor', anchor).attr('dominant-baseline', 'central').text(t);
        node.append('title').text(visibleToken(full[i]));
      });
    };
    labels(rowText, d.rowLabels, 'row-labels', (i) => `translate(${L.left - 4},${L.top + (i + 0.5) * L.cell})`, 'end');
    labels(colText, d.colLabels, 'col-labels', (j) => `translate(${L.left + (j + 0.5) * L.cell},${L.top - 4}) rotate(-90)`, 'start');
    this.caption.textContent = vw('viz.rowsCols', { rows: d.rowTitle, cols: d.colTitle });
  }

  private legendWidth(): number {
    return Math.min(360, Math.max(200, this.layout!.width));
  }

  /** The legend for the drawn matrix (per-row mode: the range of `row`); null when nothing is drawn. */
  private legendSpec(row: number): { scale: ValueScale; label: string; dataRange?: [number, number] } | null {
    const o = this.options!;
    const d = this.data!;
    const m = d.matrix;
    if (o.scaleMode === 'row') {
      const s = this.rowScales[row] ?? null;
      return s ? { scale: s, label: `${d.valueLabel}, row “${tokenLabel(d.rowLabels[row] ?? '', 16)}” (each row scaled to its own range)` } : null;
    }
    const data = dataDomain(m.values, m.masked, o.scaleKind);
    const domain = colourDomain(o.scaleMode, !!o.probabilities, o.scaleKind, data);
    let note = '';
    if (o.scaleKind === 'log') {
      // Zeros have no place on a log axis: say where they went.
      let zeros = false;
      for (let i = 0; i < m.values.length && !zeros; i++) zeros = !(m.masked && m.masked[i]) && !(m.values[i] > 0);
      note = zeros ? ' (log scale; weights of exactly 0 get the lowest colour)' : ' (log scale)';
    }
    return domain ? { scale: valueScale(o.scaleKind, domain), label: d.valueLabel + note, ...(data && (data[0] !== domain[0] || data[1] !== domain[1]) ? { dataRange: data } : {}) } : null;
  }

  private drawLegendFor(hoverRow: number | null): void {
    const o = this.options!;
    const row = hoverRow ?? o.legendRow ?? 0;
    const spec = this.legendSpec(row);
    drawLegend(this.legendHost, spec ? { ...spec, interpolate: interpolateSequential } : null, this.legendWidth(), this.theme!);
    if (o.scaleMode === 'row') this.legendHost.dataset.row = String(row);
    else delete this.legendHost.dataset.row;
  }

  /** Linked highlight from another view: display rows / columns of the hovered token. */
  highlight(rows: number[], cols: number[]): void {
    const t0 = now();
    this.linkedRows = rows;
    this.linkedCols = cols;
    this.drawOverlay();
    const mark = (cls: string, idx: number[]): void => {
      for (const n of this.svg.querySelectorAll(`.${cls} text`)) n.classList.toggle('highlight', idx.includes(Number((n as SVGElement).dataset.index)));
    };
    mark('row-labels', rows);
    mark('col-labels', cols);
    this.lastHoverMs = now() - t0;
    this.root.dataset.hoverMs = this.lastHoverMs.toFixed(2);
  }

  private cellAt(e: MouseEvent): Cell | null {
    const L = this.layout;
    const m = this.data?.matrix;
    if (!L || !m) return null;
    const col = Math.floor(e.offsetX / L.cell);
    const row = Math.floor(e.offsetY / L.cell);
    return row >= 0 && row < m.rows && col >= 0 && col < m.cols ? { row, col } : null;
  }

  /** The cell the keyboard starts on: the selected query row (legendRow), first key. */
  private startCell(): Cell {
    const m = this.data!.matrix;
    return { row: Math.max(0, Math.min(m.rows - 1, this.options?.legendRow ?? 0)), col: 0 };
  }

  private onKey(e: KeyboardEvent): void {
    const m = this.data?.matrix;
    if (!m || m.rows === 0 || m.cols === 0 || e.altKey || e.metaKey || e.ctrlKey) return;
    const at = this.hovered ?? this.startCell();
    if (isActivate(e)) {
      e.preventDefault();
      this.handlers.click?.(at);
      return;
    }
    if (e.key === 'Escape') {
      this.setHover(null, true);
      return;
    }
    const step = gridStep(e);
    if (!step) return;
    e.preventDefault();
    const row = Math.max(0, Math.min(m.rows - 1, at.row + step.dRow));
    const col = step.toRowStart ? 0 : step.toRowEnd ? m.cols - 1 : Math.max(0, Math.min(m.cols - 1, at.col + step.dCol));
    this.moveTo({ row, col });
  }

  /** Keyboard focus on a cell: hover it (linked views follow), show its tooltip, read it out. */
  private moveTo(c: Cell): void {
    const L = this.layout!;
    this.setHover(c, true);
    this.showTooltip(c);
    revealRect(this.plot, L.left + c.col * L.cell, L.top + c.row * L.cell, L.cell, L.cell);
    const d = this.data!;
    const at = c.row * d.matrix.cols + c.col;
    const masked = d.matrix.masked?.[at] === 1;
    const v = d.matrix.values[at];
    this.keys.announce(`${d.description ? `${d.description}: ` : ''}${spokenToken(d.rowLabels[c.row])} → ${spokenToken(d.colLabels[c.col])} ${masked ? 'masked' : fmt4(v)}`, {
      row: String(c.row),
      col: String(c.col),
      value: masked ? 'masked' : String(v),
    });
    this.labelFor(c);
  }

  /** The accessible name: what the heatmap shows and the focused cell. */
  private labelFor(c: Cell | null): void {
    const d = this.data;
    if (!d) return;
    const m = d.matrix;
    let text = `Heatmap${d.description ? ` of ${d.description}` : ''}: ${m.rows} ${d.rowTitle} by ${m.cols} ${d.colTitle}, ${d.valueLabel}`;
    if (c) {
      const at = c.row * m.cols + c.col;
      text += `. Focused: ${spokenToken(d.rowLabels[c.row])} → ${spokenToken(d.colLabels[c.col])}, ${m.masked?.[at] === 1 ? 'masked' : fmt4(m.values[at])}`;
    }
    this.keys.label(text);
  }

  /**
   * The figure as SVG parts: the axis note, the plot (labels and cells) and the legend.
   * Cells are one rect each (`vector`, up to MAX_VECTOR_CELLS_SIDE a side) or an image
   * painted at `scale` by the same code as the screen.
   */
  exportParts(mode: { vector: true } | { vector: false; scale: number }, style: SvgStyle): SvgPart[] {
    const L = this.layout;
    const d = this.data;
    const theme = this.theme;
    if (!L || !d || !theme || !this.positions) return [];
    const m = d.matrix;
    if (mode.vector && !canExportCellsAsVector(m.rows, m.cols)) throw new Error(`A ${m.rows} × ${m.cols} heatmap is too large for a vector export.`);
    let cells: Parameters<typeof heatmapPlotPart>[0]['cells'];
    if (mode.vector) {
      const lut = sequentialLut();
      const t = this.positions;
      cells = { kind: 'rects', colour: (i) => (t[i] === t[i] ? cssColor(lutColor(lut, t[i])) : null), maskFill: cssColor(theme.maskFill), maskHatch: cssColor(theme.maskHatch) };
    } else {
      const canvas = document.createElement('canvas');
      this.paintCells(canvas, mode.scale);
      cells = { kind: 'image', href: canvasHref(canvas) };
    }
    const plot = heatmapPlotPart({
      rows: m.rows,
      cols: m.cols,
      cell: L.cell,
      left: L.left,
      top: L.top,
      labelStep: L.labelStep,
      rowLabels: this.rowText,
      colLabels: this.colText,
      rowTitles: d.rowLabels.map(visibleToken),
      colTitles: d.colLabels.map(visibleToken),
      fontSize: LABEL_FONT_PX,
      cells,
      style,
    });
    const parts = [textLinePart(vw('viz.rowsCols', { rows: d.rowTitle, cols: d.colTitle }), style, { maxWidth: plot.width }), plot];
    const spec = this.legendSpec(this.options!.legendRow ?? 0);
    if (spec) parts.push(legendPart({ domain: spec.scale.domain, kind: spec.scale.kind, label: spec.label }, this.legendWidth(), style));
    return parts;
  }

  private onMove(e: MouseEvent): void {
    const c = this.cellAt(e);
    if (c?.row === this.hovered?.row && c?.col === this.hovered?.col) return;
    this.setHover(c, true);
    if (c) this.showTooltip(c);
  }

  private setHover(c: Cell | null, notify: boolean): void {
    const t0 = now();
    const rowChanged = c?.row !== this.hovered?.row;
    this.hovered = c;
    this.drawOverlay();
    if (!c) this.tooltip.hide();
    if (rowChanged && this.options?.scaleMode === 'row') this.drawLegendFor(c?.row ?? null);
    if (notify) this.handlers.hover?.(c);
    this.lastHoverMs = now() - t0;
    this.root.dataset.hoverMs = this.lastHoverMs.toFixed(2);
  }

  private showTooltip(c: Cell): void {
    const d = this.data!;
    const L = this.layout!;
    const at = c.row * d.matrix.cols + c.col;
    const masked = d.matrix.masked?.[at] === 1;
    this.tooltip.show(
      [
        `${d.rowTitle}: ${visibleToken(d.rowLabels[c.row])}`,
        `${d.colTitle}: ${visibleToken(d.colLabels[c.col])}`,
        masked ? 'masked: this query cannot see this key' : `${d.valueLabel}: ${fmt4(d.matrix.values[at])}`,
      ],
      L.left + (c.col + 1) * L.cell,
      L.top + (c.row + 1) * L.cell,
      L.left + L.width + 200,
    );
    this.tooltip.node.dataset.value = masked ? 'masked' : String(d.matrix.values[at]);
  }

  private drawOverlay(): void {
    const L = this.layout;
    const theme = this.theme;
    if (!L || !theme) return;
    const ctx = this.overlay.getContext('2d')!;
    const dpr = devicePixelRatioOf();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, L.width, L.height);
    ctx.strokeStyle = theme.highlight;
    ctx.lineWidth = 1.5;
    const h = this.hovered;
    // Hovered here: a crosshair on the row and the column under the pointer. The linked highlight
    // would outline the hovered token's own column (its key), not the one the pointer is on.
    const rows = h ? [h.row] : this.linkedRows;
    const cols = h ? [h.col] : this.linkedCols;
    for (const r of rows) ctx.strokeRect(0.75, r * L.cell + 0.75, L.width - 1.5, L.cell - 1.5);
    for (const c of cols) ctx.strokeRect(c * L.cell + 0.75, 0.75, L.cell - 1.5, L.height - 1.5);
    this.overlay.dataset.outlined = `${rows.join(',')}|${cols.join(',')}`;
    if (h) {
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = 2;
      ctx.strokeRect(h.col * L.cell + 1, h.row * L.cell + 1, Math.max(1, L.cell - 2), Math.max(1, L.cell - 2));
    }
  }

  destroy(): void {
    this.root.remove();
  }
}
