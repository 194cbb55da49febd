// Cross-attention alignment (encoder-decoder): the source tokens in a row on top, the
// target tokens in a row below, a line from each target token up to each source token
// with opacity by weight. `update` with a trace that has more target tokens (during
// generation) adds the new tokens and fades their lines in, keeping the old ones.

import { vw } from './words';
import { rgb } from 'd3';
import type { CellMatrix } from './raster';
import { el, maxTextWidth, now, sizeCanvas } from './canvas';
import { tokenLabel, visibleToken, spokenToken } from './format';
import { readTheme } from './theme';
import { MIN_LINE_WEIGHT, lineStyle } from './head-view';
import { fmt4 } from './format';
import { isActivate, keyboardWidget, revealRect, type KeyboardWidget, keyboardFocused } from './keyboard';

export interface AlignmentData {
  source: string[];
  target: string[];
  /** [target, source] weights. */
  matrix: CellMatrix;
  colour: string;
}

export type AlignmentSide = 'source' | 'target';

export interface AlignmentHandlers {
  hover?(side: AlignmentSide, index: number | null): void;
}

export const LINES_HEIGHT = 140;
const MIN_SLOT = 12;
const FADE_MS = 350;

export interface AlignmentLayout {
  width: number;
  sourceSlot: number;
  targetSlot: number;
  rotate: boolean;
  labelHeight: number;
}

/** Tokens spread over the width; labels turn vertical when the widest does not fit its slot. */
export function alignmentLayout(nSource: number, nTarget: number, maxWidth: number, widest: number): AlignmentLayout {
  const n = Math.max(nSource, nTarget, 1);
  const width = Math.max(maxWidth, n * MIN_SLOT);
  const sourceSlot = width / Math.max(1, nSource);
  const targetSlot = width / Math.max(1, nTarget);
  const rotate = widest + 6 > Math.min(sourceSlot, targetSlot);
  return { width, sourceSlot, targetSlot, rotate, labelHeight: rotate ? Math.min(110, widest + 8) : 22 };
}

/** Which target rows are new in `next` compared with the previous count (they animate). */
export function newRows(previous: number, next: number, sameSource: boolean): number[] {
  const from = sameSource ? Math.min(previous, next) : 0;
  return Array.from({ length: next - from }, (_, i) => from + i);
}

export class Alignment {
  readonly root: HTMLDivElement;
  private readonly sourceRow: HTMLDivElement;
  private readonly targetRow: HTMLDivElement;
  private readonly base: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private data: AlignmentData | null = null;
  private layout: AlignmentLayout | null = null;
  private focused: { side: AlignmentSide; index: number } | null = null;
  private cursor: { side: AlignmentSide; index: number } | null = null;
  private readonly keys: KeyboardWidget;
  private animation = 0;
  /** Counts full updates (tests use it to see that an update did not rebuild the view). */
  updates = 0;
  lastDrawMs = 0;
  lastHoverMs = 0;

  constructor(
    target: HTMLElement,
    private readonly handlers: AlignmentHandlers = {},
  ) {
    this.root = el('div', 'atlas-alignment', target);
    this.sourceRow = el('div', 'atlas-align-row atlas-align-source', this.root);
    const mid = el('div', 'atlas-align-lines', this.root);
    mid.style.position = 'relative';
    this.base = el('canvas', '', mid);
    this.overlay = el('canvas', '', mid);
    this.overlay.style.position = 'absolute';
    this.overlay.style.left = '0';
    this.overlay.style.top = '0';
    this.overlay.style.pointerEvents = 'none';
    this.targetRow = el('div', 'atlas-align-row atlas-align-target', this.root);
    for (const [row, side] of [
      [this.sourceRow, 'source'],
      [this.targetRow, 'target'],
    ] as const) {
      row.addEventListener('mouseover', (e) => {
        const n = (e.target as HTMLElement).closest?.('.atlas-token') as HTMLElement | null;
        if (!n) return;
        const i = Number(n.dataset.index);
        if (this.handlers.hover) this.handlers.hover(side, i);
        else this.focus(side, i);
      });
      row.addEventListener('mouseleave', () => {
        if (this.handlers.hover) this.handlers.hover(side, null);
        else this.focus(side, null);
      });
    }
    this.keys = keyboardWidget(this.root, {
      roledescription: 'alignment',
      help: vw('viz.alignmentHelp'),
      parent: this.root,
    });
    this.root.addEventListener('keydown', (e) => this.onKey(e));
    this.root.addEventListener('focus', () => {
      if (keyboardFocused(this.root) && !this.cursor && this.data) this.moveCursor({ side: 'target', index: 0 });
    });
    this.root.addEventListener('blur', () => this.leave());
  }

  private leave(): void {
    const side = this.cursor?.side ?? 'target';
    this.cursor = null;
    if (this.handlers.hover) this.handlers.hover(side, null);
    else this.focus(side, null);
  }

  private onKey(e: KeyboardEvent): void {
    const d = this.data;
    if (!d || e.altKey || e.metaKey || e.ctrlKey || isActivate(e)) return;
    const at = this.cursor ?? { side: 'target' as AlignmentSide, index: 0 };
    const count = (side: AlignmentSide): number => (side === 'source' ? d.source.length : d.target.length);
    const next = { ...at };
    switch (e.key) {
      case 'ArrowLeft':
        next.index--;
        break;
      case 'ArrowRight':
        next.index++;
        break;
      case 'ArrowUp':
        next.side = 'source';
        break;
      case 'ArrowDown':
        next.side = 'target';
        break;
      case 'Home':
        next.index = 0;
        break;
      case 'End':
        next.index = count(at.side) - 1;
        break;
      case 'Escape':
        this.leave();
        return;
      default:
        return;
    }
    e.preventDefault();
    this.moveCursor({ side: next.side, index: Math.max(0, Math.min(count(next.side) - 1, next.index)) });
  }

  private moveCursor(c: { side: AlignmentSide; index: number }): void {
    const d = this.data!;
    this.cursor = c;
    if (this.handlers.hover) this.handlers.hover(c.side, c.index);
    else this.focus(c.side, c.index);
    const row = c.side === 'source' ? this.sourceRow : this.targetRow;
    const node = row.querySelector<HTMLElement>(`.atlas-token[data-index="${c.index}"]`);
    if (node) revealRect(row, node.offsetLeft, 0, node.offsetWidth, row.offsetHeight);
    const { cols, values } = d.matrix;
    const own = c.side === 'source' ? d.source : d.target;
    const other = c.side === 'source' ? d.target : d.source;
    let best = -1;
    let bestAt = -1;
    for (let k = 0; k < other.length; k++) {
      const w = c.side === 'source' ? values[k * cols + c.index] : values[c.index * cols + k];
      if (w > best) [best, bestAt] = [w, k];
    }
    const otherSide = c.side === 'source' ? 'target' : 'source';
    const head = `${c.side} ${c.index} “${visibleToken(own[c.index] ?? '')}”`;
    this.keys.announce(bestAt < 0 ? head : `${head}: strongest ${otherSide} “${spokenToken(other[bestAt])}” ${fmt4(best)}`, { side: c.side, index: String(c.index) });
    this.root.dataset.cursor = `${c.side}:${c.index}`;
  }

  update(data: AlignmentData, maxWidth: number): number {
    const t0 = now();
    const prev = this.data;
    const sameSource = !!prev && prev.source.length === data.source.length && prev.source.every((s, i) => s === data.source[i]);
    const fresh = new Set(prev ? newRows(prev.target.length, data.target.length, sameSource) : []);
    this.data = data;
    const theme = readTheme(this.root);
    const font = `12px ${theme.font}`;
    const labels = [...data.source, ...data.target].map((t) => tokenLabel(t, 14));
    const L = (this.layout = alignmentLayout(data.source.length, data.target.length, maxWidth, maxTextWidth(labels, font)));
    this.fillRow(this.sourceRow, data.source, L.sourceSlot, L, 'source', new Set());
    this.fillRow(this.targetRow, data.target, L.targetSlot, L, 'target', fresh);
    sizeCanvas(this.overlay, L.width, LINES_HEIGHT);
    cancelAnimationFrame(this.animation);
    const reduced = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
    if (fresh.size && !reduced) {
      const start = now();
      const step = (): void => {
        const k = Math.min(1, (now() - start) / FADE_MS);
        this.drawBase(fresh, k);
        if (k < 1) this.animation = requestAnimationFrame(step);
      };
      step();
    } else this.drawBase(fresh, 1);
    this.keys.label(`Alignment: lines from ${data.target.length} target tokens to ${data.source.length} source tokens`);
    if (this.cursor && this.cursor.index >= (this.cursor.side === 'source' ? data.source.length : data.target.length)) this.cursor = null;
    this.updates++;
    this.root.dataset.updates = String(this.updates);
    this.root.dataset.targets = String(data.target.length);
    const f = this.focused;
    if (f) this.focus(f.side, f.index);
    this.lastDrawMs = now() - t0;
    this.root.dataset.drawMs = this.lastDrawMs.toFixed(2);
    return this.lastDrawMs;
  }

  private fillRow(row: HTMLDivElement, tokens: string[], slot: number, L: AlignmentLayout, side: AlignmentSide, fresh: Set<number>): void {
    row.style.width = `${L.width}px`;
    row.style.height = `${L.labelHeight}px`;
    row.classList.toggle('rotated', L.rotate);
    row.replaceChildren(
      ...tokens.map((t, i) => {
        const d = document.createElement('div');
        d.className = 'atlas-token' + (fresh.has(i) ? ' new' : '');
        d.dataset.index = String(i);
        d.dataset.side = side;
        d.title = visibleToken(t);
        d.style.left = `${i * slot}px`;
        d.style.width = `${slot}px`;
        const span = document.createElement('span');
        span.textContent = tokenLabel(t, 14);
        d.appendChild(span);
        return d;
      }),
    );
  }

  private lineCoords(i: number, j: number): [number, number, number, number] {
    const L = this.layout!;
    return [(j + 0.5) * L.sourceSlot, 0, (i + 0.5) * L.targetSlot, LINES_HEIGHT];
  }

  /** All lines; rows in `fresh` at opacity factor k (the fade-in). */
  private drawBase(fresh: Set<number>, k: number): void {
    const d = this.data!;
    const L = this.layout!;
    const { ctx } = sizeCanvas(this.base, L.width, LINES_HEIGHT);
    ctx.clearRect(0, 0, L.width, LINES_HEIGHT);
    this.drawLines(ctx, null, (i) => (fresh.has(i) ? k : 1));
    this.base.dataset.fade = String(k);
  }

  private drawLines(ctx: CanvasRenderingContext2D, only: { side: AlignmentSide; index: number } | null, factor: (row: number) => number = () => 1): void {
    const { rows, cols, values } = this.data!.matrix;
    ctx.strokeStyle = this.data!.colour;
    for (let i = 0; i < rows; i++) {
      if (only?.side === 'target' && only.index !== i) continue;
      for (let j = 0; j < cols; j++) {
        if (only?.side === 'source' && only.index !== j) continue;
        const w = values[i * cols + j];
        if (!(w >= MIN_LINE_WEIGHT)) continue;
        const s = lineStyle(w);
        ctx.globalAlpha = s.alpha * factor(i);
        ctx.lineWidth = s.width;
        const [x0, y0, x1, y1] = this.lineCoords(i, j);
        ctx.beginPath();
        ctx.moveTo(x0, y0);
        ctx.bezierCurveTo(x0, y1 * 0.5, x1, y1 * 0.5, x1, y1);
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
  }

  /** Only one token's lines (null: all), tinting the other row's tokens by weight. */
  focus(side: AlignmentSide, index: number | null): void {
    const t0 = now();
    const d = this.data;
    const L = this.layout;
    if (!d || !L) return;
    this.focused = index === null ? null : { side, index };
    const ctx = this.overlay.getContext('2d')!;
    const dpr = this.overlay.width / L.width;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, L.width, LINES_HEIGHT);
    this.base.style.opacity = index === null ? '1' : '0.08';
    for (const n of this.root.querySelectorAll<HTMLElement>('.atlas-token')) {
      n.style.background = '';
      n.classList.toggle('focused', index !== null && n.dataset.side === side && Number(n.dataset.index) === index);
    }
    if (index !== null) {
      this.drawLines(ctx, { side, index });
      const { cols, values } = d.matrix;
      const otherRow = side === 'source' ? this.targetRow : this.sourceRow;
      const c = rgb(d.colour);
      for (const n of otherRow.querySelectorAll<HTMLElement>('.atlas-token')) {
        const k = Number(n.dataset.index);
        const w = side === 'source' ? values[k * cols + index] : values[index * cols + k];
        c.opacity = Math.min(1, w);
        n.style.background = w > 0 ? c.formatRgb() : '';
      }
    }
    this.lastHoverMs = now() - t0;
    this.root.dataset.hoverMs = this.lastHoverMs.toFixed(2);
  }

  /** What the export draws (export-lines.ts): the data and the layout on screen. */
  exportData(): (AlignmentData & { layout: AlignmentLayout }) | null {
    return this.data && this.layout ? { ...this.data, layout: this.layout } : null;
  }

  /** Linked highlight: mark a token hovered in another view. */
  mark(side: AlignmentSide, index: number | null): void {
    const row = side === 'source' ? this.sourceRow : this.targetRow;
    for (const n of this.root.querySelectorAll('.atlas-token.highlight')) n.classList.remove('highlight');
    if (index !== null) row.querySelector(`.atlas-token[data-index="${index}"]`)?.classList.add('highlight');
  }

  destroy(): void {
    cancelAnimationFrame(this.animation);
    this.root.remove();
  }
}
