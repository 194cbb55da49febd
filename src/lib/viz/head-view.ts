// Head view: queries in a column on the left, keys on the right, a line from each query
// to each key whose width and opacity follow the weight, one colour per head (several
// heads blend). Hovering a token shows only its lines: a query its outgoing lines, a key
// its incoming ones; the other column's tokens are tinted by the weight.
// Tokens are HTML elements with textContent; lines are on canvases (all lines on the
// base, the focused token's lines on an overlay, so hover never redraws the base).

import { vw } from './words';
import { rgb } from 'd3';
import type { CellMatrix } from './raster';
import { el, maxTextWidth, now, sizeCanvas } from './canvas';
import { tokenLabel, visibleToken, fmt4, spokenToken } from './format';
import { readTheme } from './theme';
import { isActivate, keyboardWidget, revealRect, type KeyboardWidget, keyboardFocused } from './keyboard';

export interface HeadLines {
  head: number;
  colour: string;
  matrix: CellMatrix;
}

export interface HeadViewData {
  /** Query tokens (rows) and key tokens (columns). */
  left: string[];
  right: string[];
  leftTitle: string;
  rightTitle: string;
  heads: HeadLines[];
  /**
   * Values are divided by this for line strength and tint only (numbers shown stay raw): 1 for
   * attention weights, the largest value shown for value-weighted sizes, which are not in [0, 1].
   */
  strengthScale?: number;
  /** The card's width in CSS px: the lines take what the token columns leave (at least LINES_WIDTH, at most MAX_LINES_WIDTH). */
  availableWidth?: number;
}

export type Side = 'query' | 'key';

export interface HeadViewHandlers {
  hover?(side: Side, index: number | null): void;
  click?(side: Side, index: number): void;
}

export const ROW_HEIGHT = 18;
export const LINES_WIDTH = 220;
/** Wider lines stop helping: slopes flatten and the key labels drift far from their queries. */
export const MAX_LINES_WIDTH = 560;
export const MIN_LINES_WIDTH = 90;
const TOKEN_CHARS = 16;
/** Lines below this weight are not drawn (they would be invisible, and cost time at 128 tokens). */
export const MIN_LINE_WEIGHT = 0.005;
/** Weights are drawn in this many opacity/width bins, one path per bin per head. */
export const BINS = 24;
/**
 * Lines drawn at most (all heads shown together); past it the faintest are left out, and the view
 * says so. One GPT-2-small head at 1,024 tokens has ~32,000 lines above MIN_LINE_WEIGHT, thousands
 * of pixels long: ~4.5 s to paint here, ~1.8 s for the 10,000 strongest (a probe of the bench's
 * views at 1,024 tokens). Those left out are the faintest (opacity = weight).
 */
export const LINE_BUDGET = 10_000;
/** Weight levels of the histogram that finds where the budget cuts. */
const LEVELS = 1024;
const levelOf = (w: number): number => Math.min(LEVELS - 1, Math.floor(w * LEVELS));

/** Line width and opacity for a weight in [0, 1]: opacity is the weight (as in BertViz), so
 * the hundreds of near-uniform weights of a long input fade instead of fogging the view. */
export function lineStyle(w: number): { width: number; alpha: number } {
  const c = Math.max(0, Math.min(1, w));
  return { width: 0.5 + 2.5 * c, alpha: c };
}

export class HeadView {
  readonly root: HTMLDivElement;
  private readonly leftCol: HTMLDivElement;
  /** The token nodes by side and index, and those the last focus tinted (a hover resets only them: 2,048 tokens at 1,024). */
  private nodes: Record<Side, HTMLElement[]> = { query: [], key: [] };
  private touched: HTMLElement[] = [];
  private readonly rightCol: HTMLDivElement;
  private readonly lines: HTMLDivElement;
  private readonly base: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private data: HeadViewData | null = null;
  private focused: { side: Side; index: number } | null = null;
  /** The token the keyboard is on. */
  private cursor: { side: Side; index: number } | null = null;
  private widths: [number, number] = [0, 0];
  private linesWidth = LINES_WIDTH;
  private readonly keys: KeyboardWidget;
  lastDrawMs = 0;
  lastHoverMs = 0;

  constructor(
    target: HTMLElement,
    private readonly handlers: HeadViewHandlers = {},
  ) {
    this.root = el('div', 'atlas-head-view', target);
    this.leftCol = el('div', 'atlas-tokens atlas-tokens-left', this.root);
    this.lines = el('div', 'atlas-head-lines', this.root);
    this.rightCol = el('div', 'atlas-tokens atlas-tokens-right', this.root);
    this.base = el('canvas', 'atlas-head-lines-base', this.lines);
    this.overlay = el('canvas', 'atlas-head-lines-focus', this.lines);
    this.lines.style.position = 'relative';
    this.root.style.position = 'relative'; // tokens' offsets (keyboard scrolling) are relative to the root
    this.overlay.style.position = 'absolute';
    this.overlay.style.left = '0';
    this.overlay.style.top = '0';
    this.overlay.style.pointerEvents = 'none';
    for (const [col, side] of [
      [this.leftCol, 'query'],
      [this.rightCol, 'key'],
    ] as const) {
      col.addEventListener('mouseover', (e) => {
        const i = indexOf(e.target);
        // With a handler the owner decides what to focus (linked views, pinned hover).
        if (i !== null) {
          if (this.handlers.hover) this.handlers.hover(side, i);
          else this.focus(side, i);
        }
      });
      col.addEventListener('mouseleave', () => {
        if (this.handlers.hover) this.handlers.hover(side, null);
        else this.focus(side, null);
      });
      col.addEventListener('click', (e) => {
        const i = indexOf(e.target);
        if (i !== null) this.handlers.click?.(side, i);
      });
    }
    this.keys = keyboardWidget(this.root, {
      roledescription: 'head view',
      help: vw('viz.headViewHelp'),
      parent: this.root,
    });
    this.root.addEventListener('keydown', (e) => this.onKey(e));
    this.root.addEventListener('focus', () => {
      if (keyboardFocused(this.root) && !this.cursor && this.data) this.moveCursor({ side: 'query', index: 0 });
    });
    this.root.addEventListener('blur', () => {
      this.cursor = null;
      if (this.handlers.hover) this.handlers.hover('query', null);
      else this.focus('query', null);
    });
  }

  private onKey(e: KeyboardEvent): void {
    const d = this.data;
    if (!d || e.altKey || e.metaKey || e.ctrlKey) return;
    const at = this.cursor ?? { side: 'query' as Side, index: 0 };
    const count = (side: Side): number => (side === 'query' ? d.left.length : d.right.length);
    let next = { ...at };
    if (isActivate(e)) {
      e.preventDefault();
      this.handlers.click?.(at.side, at.index);
      return;
    }
    switch (e.key) {
      case 'ArrowUp':
        next.index--;
        break;
      case 'ArrowDown':
        next.index++;
        break;
      case 'ArrowLeft':
        next.side = 'query';
        break;
      case 'ArrowRight':
        next.side = 'key';
        break;
      case 'Home':
        next.index = 0;
        break;
      case 'End':
        next.index = count(at.side) - 1;
        break;
      case 'Escape':
        this.cursor = null;
        if (this.handlers.hover) this.handlers.hover(at.side, null);
        else this.focus(at.side, null);
        return;
      default:
        return;
    }
    e.preventDefault();
    next = { side: next.side, index: Math.max(0, Math.min(count(next.side) - 1, next.index)) };
    this.moveCursor(next);
  }

  /** The keyboard on a token: show its lines (through the owner, so linked views follow), read out its strongest link. */
  private moveCursor(c: { side: Side; index: number }): void {
    this.cursor = c;
    if (this.handlers.hover) this.handlers.hover(c.side, c.index);
    else this.focus(c.side, c.index);
    const col = c.side === 'query' ? this.leftCol : this.rightCol;
    const node = col.querySelector<HTMLElement>(`.atlas-token[data-index="${c.index}"]`);
    if (node) revealRect(this.root, node.offsetLeft, node.offsetTop, node.offsetWidth, node.offsetHeight);
    this.keys.announce(this.describe(c), { side: c.side, index: String(c.index) });
    this.root.dataset.cursor = `${c.side}:${c.index}`;
  }

  /** "query 3 “cat”: strongest key “The” 0.83 (head 1)". */
  private describe(c: { side: Side; index: number }): string {
    const d = this.data!;
    const own = c.side === 'query' ? d.left : d.right;
    const other = c.side === 'query' ? d.right : d.left;
    let best = -1;
    let bestAt = -1;
    let bestHead = -1;
    for (const h of d.heads) {
      const { cols, values, masked } = h.matrix;
      for (let k = 0; k < other.length; k++) {
        const at = c.side === 'query' ? c.index * cols + k : k * cols + c.index;
        const w = masked?.[at] ? -1 : values[at];
        if (w > best) [best, bestAt, bestHead] = [w, k, h.head];
      }
    }
    const head = `${c.side} ${c.index} “${spokenToken(own[c.index] ?? '')}”`;
    if (bestAt < 0) return `${head}: no weights`;
    const what = c.side === 'query' ? 'strongest key' : 'strongest query';
    return `${head}: ${what} “${spokenToken(other[bestAt])}” ${fmt4(best)}${d.heads.length > 1 ? ` (head ${bestHead})` : ''}`;
  }

  /** What the export draws (export-lines.ts): the data and the column widths laid out on screen. */
  exportData(): (HeadViewData & { leftWidth: number; rightWidth: number; linesWidth: number }) | null {
    return this.data ? { ...this.data, leftWidth: this.widths[0], rightWidth: this.widths[1], linesWidth: this.linesWidth } : null;
  }

  update(data: HeadViewData): number {
    const t0 = now();
    this.data = data;
    const theme = readTheme(this.root);
    const font = `12px ${theme.font}`;
    const fill = (col: HTMLDivElement, tokens: string[], title: string, side: Side): HTMLElement[] => {
      const width = Math.min(160, Math.ceil(maxTextWidth(tokens.map((t) => tokenLabel(t, TOKEN_CHARS)), font)) + 12);
      col.style.width = `${width}px`;
      this.widths[side === 'query' ? 0 : 1] = width;
      const head = document.createElement('div');
      head.className = 'atlas-tokens-title';
      head.textContent = title;
      const nodes = tokens.map((t, i) => {
        const d = document.createElement('div');
        d.className = 'atlas-token';
        d.dataset.index = String(i);
        d.dataset.side = side;
        d.textContent = tokenLabel(t, TOKEN_CHARS);
        d.title = visibleToken(t);
        d.style.height = `${ROW_HEIGHT}px`;
        return d;
      });
      col.replaceChildren(head, ...nodes);
      return nodes;
    };
    this.nodes = { query: fill(this.leftCol, data.left, data.leftTitle, 'query'), key: fill(this.rightCol, data.right, data.rightTitle, 'key') };
    this.touched = [];
    const height = Math.max(data.left.length, data.right.length) * ROW_HEIGHT;
    // The lines fill the card (the head view used to take its left 60 %).
    const spare = (data.availableWidth ?? 0) - this.widths[0] - this.widths[1] - 24;
    // On a phone the lines narrow (down to MIN_LINES_WIDTH) rather than push the key labels off the card.
    this.linesWidth = data.availableWidth ? Math.max(MIN_LINES_WIDTH, Math.min(MAX_LINES_WIDTH, Math.floor(spare))) : LINES_WIDTH;
    this.lines.style.width = `${this.linesWidth}px`;
    this.lines.style.marginTop = `${ROW_HEIGHT}px`; // below the column titles
    const { ctx } = sizeCanvas(this.base, this.linesWidth, height);
    ctx.clearRect(0, 0, this.linesWidth, height);
    // The faintest lines go first when all of them would exceed the budget: a histogram of the
    // weights in 1,024 levels gives the lowest level from which at most LINE_BUDGET remain (never
    // none: lines that all weigh alike are drawn all).
    const counts = new Float64Array(LEVELS);
    for (const h of data.heads) this.forLines(h, null, (w) => counts[levelOf(w)]++);
    let total = counts.reduce((a, b) => a + b, 0);
    const all = total;
    let from = 0;
    while (total > LINE_BUDGET && from < LEVELS - 1 && total - counts[from] > 0) total -= counts[from++];
    this.minLevel = from;
    this.linesLeftOut = total < all ? { lines: all - total, below: from / LEVELS, drawn: total } : null;
    this.root.dataset.linesLeftOut = String(this.linesLeftOut?.lines ?? 0);
    this.root.dataset.linesDrawn = String(total);
    for (const h of data.heads) this.drawLines(ctx, h, null);
    sizeCanvas(this.overlay, this.linesWidth, height);
    this.root.dataset.heads = data.heads.map((h) => h.head).join(' ');
    const f = this.focused;
    this.focused = null;
    if (f) this.focus(f.side, f.index);
    const n = data.left.length;
    const heads = data.heads.map((h) => h.head).join(', ');
    this.keys.label(`Head view: lines from ${n} ${data.leftTitle} to ${data.right.length} ${data.rightTitle}, head${data.heads.length === 1 ? '' : 's'} ${heads}`);
    if (this.cursor && this.cursor.index >= (this.cursor.side === 'query' ? n : data.right.length)) this.cursor = null;
    this.lastDrawMs = now() - t0;
    this.root.dataset.drawMs = this.lastDrawMs.toFixed(2);
    return this.lastDrawMs;
  }

  /** The lowest weight level drawn when all lines are shown (lighter ones are left out: LINE_BUDGET). */
  private minLevel = 0;
  /** Lines left out by LINE_BUDGET in the last update: how many, below which weight, and how many were drawn. */
  linesLeftOut: { lines: number; below: number; drawn: number } | null = null;

  /** Calls `f` with the weight (scaled) of each line of a head (`only`: one token's lines), query i to key j. */
  private forLines(h: HeadLines, only: { side: Side; index: number } | null, f: (w: number, i: number, j: number) => void): void {
    const { rows, cols, values, masked } = h.matrix;
    const scale = this.data?.strengthScale ?? 1;
    const add = (i: number, j: number): void => {
      const at = i * cols + j;
      const w = values[at] / scale;
      if (masked?.[at] || !(w >= MIN_LINE_WEIGHT)) return;
      f(w, i, j);
    };
    if (!only) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) add(i, j);
    else if (only.side === 'query') for (let j = 0; j < cols; j++) add(only.index, j);
    else for (let i = 0; i < rows; i++) add(i, only.index);
  }

  /** Lines of one head; `only` restricts them to one token's lines (all of them: a token has few). */
  private drawLines(ctx: CanvasRenderingContext2D, h: HeadLines, only: { side: Side; index: number } | null): void {
    const paths = Array.from({ length: BINS }, () => new Path2D());
    const used = new Uint8Array(BINS);
    const min = only ? 0 : this.minLevel;
    this.forLines(h, only, (w, i, j) => {
      if (levelOf(w) < min) return;
      const b = Math.min(BINS - 1, Math.floor(w * BINS));
      paths[b].moveTo(0, (i + 0.5) * ROW_HEIGHT);
      paths[b].lineTo(this.linesWidth, (j + 0.5) * ROW_HEIGHT);
      used[b] = 1;
    });
    ctx.strokeStyle = h.colour;
    for (let b = 0; b < BINS; b++) {
      if (!used[b]) continue;
      const s = lineStyle((b + 0.5) / BINS);
      ctx.globalAlpha = s.alpha;
      ctx.lineWidth = s.width;
      ctx.stroke(paths[b]);
    }
    ctx.globalAlpha = 1;
  }

  /** Shows only the lines of one token (null: all lines again) and tints the other side. */
  focus(side: Side, index: number | null): void {
    const t0 = now();
    const d = this.data;
    if (!d) return;
    this.focused = index === null ? null : { side, index };
    const ctx = this.overlay.getContext('2d')!;
    const dpr = this.overlay.width / Math.max(1, parseFloat(this.overlay.style.width) || this.linesWidth);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.linesWidth, this.overlay.height / dpr);
    this.base.style.opacity = index === null ? '1' : '0.06';
    const other = this.nodes[side === 'query' ? 'key' : 'query'];
    const mine = this.nodes[side];
    for (const n of this.touched) {
      n.style.background = '';
      n.classList.remove('focused');
      n.removeAttribute('data-weight');
    }
    this.touched = [];
    if (index !== null) {
      for (const h of d.heads) this.drawLines(ctx, h, { side, index });
      const me = mine[index];
      if (me) {
        me.classList.add('focused');
        this.touched.push(me);
      }
      // Tint each token on the other side by its weight (the strongest head's colour).
      const n = side === 'query' ? d.right.length : d.left.length;
      for (let k = 0; k < n; k++) {
        let best = 0;
        let colour = '';
        for (const h of d.heads) {
          const { cols, values, masked } = h.matrix;
          const at = side === 'query' ? index * cols + k : k * cols + index;
          const w = masked?.[at] ? 0 : values[at];
          if (w > best) {
            best = w;
            colour = h.colour;
          }
        }
        const node = other[k];
        if (node && best > 0) {
          const c = rgb(colour);
          c.opacity = Math.min(1, best / (d.strengthScale ?? 1));
          node.style.background = c.formatRgb();
          node.dataset.weight = fmt4(best);
          this.touched.push(node);
        }
      }
    }
    this.lastHoverMs = now() - t0;
    this.root.dataset.hoverMs = this.lastHoverMs.toFixed(2);
  }

  /** Marks tokens as hovered elsewhere (linked views), without changing the lines. */
  mark(side: Side, index: number | null): void {
    const col = side === 'query' ? this.leftCol : this.rightCol;
    for (const n of col.querySelectorAll('.atlas-token.highlight')) n.classList.remove('highlight');
    if (index !== null) col.querySelector(`.atlas-token[data-index="${index}"]`)?.classList.add('highlight');
  }

  destroy(): void {
    this.root.remove();
  }
}

function indexOf(target: EventTarget | null): number | null {
  const n = (target as HTMLElement | null)?.closest?.('.atlas-token') as HTMLElement | null;
  return n?.dataset.index !== undefined ? Number(n.dataset.index) : null;
}
