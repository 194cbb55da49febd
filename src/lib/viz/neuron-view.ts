// Q/K/V view (BertViz's "neuron view", for every family): for one head and one query,
// the query vector, every key vector, q·k_j, the scaling, the position bias, the mask,
// the softmax and the weighted sum of value vectors, with the check of each recomputed
// step against the tap the model produced. Vectors are rows of coloured cells on
// canvases (diverging scale centred at 0); numbers are text.

import { vw } from './words';
import type { NeuronSteps } from '../trace/neuron';
import { divergingLut, interpolateDiverging, lutColor, cssColor, type ValueScale } from './color';
import { el, now, sizeCanvas } from './canvas';
import { fmt4, tokenLabel, visibleToken } from './format';
import { neuronChecks, neuronNumberColumns, neuronScales, neuronStepList, vectorCell, PROB_BAR_COL, PROB_BAR_MAX, type Part } from './neuron-table';
import { drawLegend } from './legend';
import { readTheme, type Theme } from './theme';
import { Tooltip } from './tooltip';

export interface NeuronViewData {
  steps: NeuronSteps;
  queryLabel: string;
  keyLabels: string[];
  /** "GPT-2 self-attention", "T5 cross-attention", … */
  stackLabel: string;
  /** Why there is no position bias, when there is none. */
  noBiasReason: string;
}

export interface NeuronViewHandlers {
  hoverKey?(index: number | null): void;
}

export const NEURON_ROW = 18;

function formula(parent: HTMLElement, parts: Part[], cls = 'atlas-formula'): HTMLElement {
  const span = el('span', cls, parent);
  for (const p of parts) {
    if (typeof p === 'string') span.append(p);
    else {
      const s = document.createElement('sup' in p ? 'sup' : 'sub');
      s.textContent = 'sup' in p ? p.sup : p.sub;
      span.append(s);
    }
  }
  return span;
}

function drawVectors(canvas: HTMLCanvasElement, rows: number, d: number, cell: number, value: (r: number, x: number) => number | null, scale: ValueScale, theme: Theme, rowHeight = NEURON_ROW): void {
  const { ctx } = sizeCanvas(canvas, d * cell, rows * rowHeight);
  ctx.clearRect(0, 0, d * cell, rows * rowHeight);
  const lut = divergingLut();
  const pad = 2;
  for (let r = 0; r < rows; r++)
    for (let x = 0; x < d; x++) {
      const v = value(r, x);
      ctx.fillStyle = v === null ? cssColor(theme.maskFill) : cssColor(lutColor(lut, scale.t(v)));
      ctx.fillRect(x * cell, r * rowHeight + pad, cell, rowHeight - 2 * pad);
    }
}

export class NeuronView {
  readonly root: HTMLDivElement;
  private readonly tooltip: Tooltip;
  private data: NeuronViewData | null = null;
  private marked: number | null = null;
  /** Width of one vector component in the last draw (the export draws the same). */
  private cell = 0;
  lastDrawMs = 0;

  constructor(
    target: HTMLElement,
    private readonly handlers: NeuronViewHandlers = {},
  ) {
    this.root = el('div', 'atlas-neuron', target);
    this.root.style.position = 'relative';
    this.tooltip = new Tooltip(this.root);
  }

  update(data: NeuronViewData, maxWidth: number): number {
    const t0 = now();
    this.data = data;
    const s = data.steps;
    const theme = readTheme(this.root);
    const keep = this.tooltip.node;
    this.root.replaceChildren(keep);
    this.tooltip.hide();
    const d = s.headDim;
    const n = s.keys;
    const cell = vectorCell(s, maxWidth);
    this.cell = cell;
    const { qk: qkScale, v: vScale, pv } = neuronScales(s);
    const numbers = neuronNumberColumns(s);

    // The steps, each with its formula.
    const steps = el('ol', 'atlas-neuron-steps', this.root);
    for (const step of neuronStepList(s, data)) {
      const item = el('li', '', steps);
      formula(item, step.parts);
      if (step.note) el('span', 'atlas-note', item).textContent = ' ' + step.note;
    }

    // One row per key.
    const grid = el('div', 'atlas-neuron-grid', this.root);
    const columns = ['110px', `${d * cell}px`, ...numbers.map((c) => `${c.width}px`), `${PROB_BAR_COL}px`, `${d * cell}px`];
    grid.style.gridTemplateColumns = columns.join(' ');
    grid.style.gridAutoRows = `${NEURON_ROW}px`;
    const header = (parts: Part[], title: string): void => {
      const h = formula(grid, parts, 'atlas-neuron-head');
      h.title = title;
    };
    header([vw('viz.qkv.keyHeader')], 'the key token j');
    header(['k', { sub: 'j' }], 'the key vector of token j');
    for (const c of numbers) header(c.header, c.title);
    header([vw('viz.qkv.tappedP'), { sub: 'j' }], 'the weight the model computed (probs tap)');
    header(['p', { sub: 'j' }, ' v', { sub: 'j' }], 'value vector of key j times its weight');
    // Row 2: the query vector, above the key vectors it is multiplied with.
    const qLabel = formula(grid, ['q', { sub: String(s.query) }, ` “${tokenLabel(data.queryLabel, 12)}”`], 'atlas-neuron-cell tok atlas-neuron-qlabel');
    qLabel.style.gridColumn = '1';
    qLabel.style.gridRow = '2';
    qLabel.title = `query: ${visibleToken(data.queryLabel)}`;
    const qCanvas = el('canvas', 'atlas-vector atlas-q', grid);
    qCanvas.style.gridColumn = '2';
    qCanvas.style.gridRow = '2';
    drawVectors(qCanvas, 1, d, cell, (_, x) => s.q[x], qkScale, theme);
    this.hoverVector(qCanvas, cell, (_, x) => `q[${x}] = ${fmt4(s.q[x])}`);
    const kCanvas = el('canvas', 'atlas-vector atlas-k', grid);
    kCanvas.style.gridColumn = '2';
    kCanvas.style.gridRow = `3 / span ${n}`;
    drawVectors(kCanvas, n, d, cell, (j, x) => s.k[j * d + x], qkScale, theme);
    this.hoverVector(kCanvas, cell, (j, x) => `k${j}[${x}] = ${fmt4(s.k[j * d + x])} (key “${visibleToken(data.keyLabels[j])}”)`);
    const pvCanvas = el('canvas', 'atlas-vector atlas-pv', grid);
    pvCanvas.style.gridColumn = String(columns.length);
    pvCanvas.style.gridRow = `3 / span ${n}`;
    drawVectors(pvCanvas, n, d, cell, (j, x) => (s.masked[j] ? null : pv[j * d + x]), vScale, theme);
    this.hoverVector(pvCanvas, cell, (j, x) => `p${j}·v${j}[${x}] = ${fmt4(pv[j * d + x])} (v = ${fmt4(s.v[j * d + x])})`);
    for (let j = 0; j < n; j++) {
      const row = String(j + 3);
      const cellText = (col: number, text: string, cls = 'num'): HTMLElement => {
        const c = el('div', `atlas-neuron-cell ${cls}`, grid);
        c.style.gridColumn = String(col);
        c.style.gridRow = row;
        c.dataset.key = String(j);
        c.textContent = text;
        return c;
      };
      const tok = cellText(1, tokenLabel(data.keyLabels[j], 14), 'tok');
      tok.title = visibleToken(data.keyLabels[j]);
      numbers.forEach((c, k) => {
        const v = c.cell(j);
        cellText(3 + k, v.text, v.masked ? 'num masked' : 'num');
      });
      const bar = cellText(3 + numbers.length, '', 'bar');
      const p = s.tappedProbs ? s.tappedProbs[j] : NaN;
      const fill = el('span', 'atlas-bar-fill', bar);
      fill.style.width = `${Math.max(0, Math.min(1, p)) * PROB_BAR_MAX}px`;
      el('span', 'atlas-bar-text', bar).textContent = s.tappedProbs ? fmt4(p) : '—';
    }

    // The head's output under the p_j·v_j column it sums: recomputed, then tapped.
    const last = columns.length;
    const outRow = (row: number, label: Part[], values: ArrayLike<number> | null, cls: string): void => {
      const l = formula(grid, label, 'atlas-neuron-cell atlas-neuron-outlabel');
      l.style.gridColumn = `1 / ${last}`;
      l.style.gridRow = String(row);
      if (!values) {
        const none = el('div', 'atlas-neuron-cell atlas-note', grid);
        none.style.gridColumn = String(last);
        none.style.gridRow = String(row);
        none.textContent = 'not tapped';
        return;
      }
      const c = el('canvas', `atlas-vector ${cls}`, grid);
      c.style.gridColumn = String(last);
      c.style.gridRow = String(row);
      drawVectors(c, 1, d, cell, (_, x) => values[x], vScale, theme);
      this.hoverVector(c, cell, (_, x) => `[${x}] = ${fmt4(values[x])}`);
    };
    outRow(n + 3, ['output = Σ', { sub: 'j' }, ' p', { sub: 'j' }, 'v', { sub: 'j' }, vw('viz.qkv.recomputed')], s.context, 'atlas-context');
    outRow(n + 4, [vw('viz.qkv.contextRow')], s.tappedContext, 'atlas-tapped-context');

    // The checks.
    const checks = el('ul', 'atlas-neuron-checks', this.root);
    for (const c of neuronChecks(s)) {
      const item = el('li', c.status === 'missing' ? 'missing' : c.status, checks);
      item.dataset.check = c.name;
      if (c.maxDiff !== null) item.dataset.maxDiff = String(c.maxDiff);
      item.textContent = c.text;
    }

    const legends = el('div', 'atlas-neuron-legends', this.root);
    drawLegend(el('div', '', legends), { scale: qkScale, interpolate: interpolateDiverging, label: vw('viz.qkv.qkLegend') }, 260, theme);
    drawLegend(el('div', '', legends), { scale: vScale, interpolate: interpolateDiverging, label: vw('viz.qkv.vLegend') }, 260, theme);

    grid.addEventListener('mouseover', (e) => {
      const k = (e.target as HTMLElement).closest?.('[data-key]') as HTMLElement | null;
      if (k) this.handlers.hoverKey?.(Number(k.dataset.key));
    });
    grid.addEventListener('mouseleave', () => this.handlers.hoverKey?.(null));
    if (this.marked !== null) this.mark(this.marked);
    this.lastDrawMs = now() - t0;
    this.root.dataset.drawMs = this.lastDrawMs.toFixed(2);
    return this.lastDrawMs;
  }

  /** What the export draws (export-qkv.ts): the data and the vector cell width on screen. */
  exportData(): (NeuronViewData & { cell: number }) | null {
    return this.data ? { ...this.data, cell: this.cell } : null;
  }

  private hoverVector(canvas: HTMLCanvasElement, cell: number, text: (row: number, x: number) => string): void {
    canvas.addEventListener('mousemove', (e) => {
      const x = Math.floor(e.offsetX / cell);
      const r = Math.floor(e.offsetY / NEURON_ROW);
      const rootBox = this.root.getBoundingClientRect();
      this.tooltip.show([text(r, x)], e.clientX - rootBox.left, e.clientY - rootBox.top, rootBox.width);
    });
    canvas.addEventListener('mouseleave', () => this.tooltip.hide());
  }

  /** Linked highlight: the row of key j. */
  mark(j: number | null): void {
    this.marked = j;
    for (const c of this.root.querySelectorAll<HTMLElement>('.atlas-neuron-cell')) c.classList.toggle('highlight', j !== null && Number(c.dataset.key) === j);
  }

  destroy(): void {
    this.root.remove();
  }
}
