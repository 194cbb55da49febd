// Q/K/V view (BertViz's "neuron view", for every family): for one head and one query,
// the query vector, every key vector, q·k_j, the scaling, the position bias, the mask,
// the softmax and the weighted sum of value vectors, with the check of each recomputed
// step against the tap the model produced. Vectors are rows of coloured cells on
// canvases (diverging scale centred at 0); numbers are text.

import type { NeuronSteps } from '../trace/neuron';
import { divergingLut, interpolateDiverging, lutColor, cssColor, symmetricDomain, valueScale, type ValueScale } from './color';
import { el, now, sizeCanvas } from './canvas';
import { fmt4, fmtDiff, tokenLabel, visibleToken } from './format';
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
const NUM_COL = 64;

type Part = string | { sup: string } | { sub: string };

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
    const hasBias = s.bias !== null;
    const numCols = 5 + (s.scale !== null ? 1 : 0) + (hasBias ? 1 : 0);
    const vecWidth = Math.max(96, Math.min(256, (maxWidth - 110 - numCols * NUM_COL - 100) / 2));
    const cell = Math.max(2, Math.min(14, Math.floor(vecWidth / d)));
    const qkScale = valueScale('linear', symmetricDomain(s.q, s.k));
    const weighted = (j: number, x: number): number => (s.tappedProbs ? s.tappedProbs[j] : s.probs[j]) * s.v[j * d + x];
    const pv = new Float64Array(n * d);
    for (let j = 0; j < n; j++) for (let x = 0; x < d; x++) pv[j * d + x] = weighted(j, x);
    const vScale = valueScale('linear', symmetricDomain(pv, s.context, s.tappedContext ?? []));

    // The steps, each with its formula.
    const steps = el('ol', 'atlas-neuron-steps', this.root);
    const li = (parts: Part[], note?: string): void => {
      const item = el('li', '', steps);
      formula(item, parts);
      if (note) el('span', 'atlas-note', item).textContent = ' ' + note;
    };
    li(['Q = XW', { sup: 'Q' }, ', K = XW', { sup: 'K' }, ', V = XW', { sup: 'V' }], `(tapped per head; d_k = ${d}; ${data.stackLabel}, layer ${s.layer}, head ${s.head})`);
    li(['q · k', { sub: 'j' }], 'for every key j');
    if (s.scale !== null) li(['÷ √d', { sub: 'k' }, ` = ÷ √${d} = ÷ ${fmt4(Math.sqrt(d))}`]);
    else li(['no scaling in T5'], '(T5 does not divide by √d_k; the scale is folded into its weight initialisation)');
    if (hasBias) li(['+ B', { sub: 'j' }], `(relative position bias of head ${s.head}, shared by all layers)`);
    else li(['no position bias'], `(${data.noBiasReason})`);
    li(['+ M', { sub: 'j' }], s.maskSource === 'none' ? '(nothing is masked here)' : '(−∞ where the query may not look: keys after it)');
    li(['p = softmax(QK', { sup: 'T' }, s.scale !== null ? '/√d' : '', s.scale !== null ? { sub: 'k' } : '', hasBias ? ' + B' : '', ' + M)'], '(the tapped probs)');
    li(['output = Σ', { sub: 'j' }, ' p', { sub: 'j' }, ' v', { sub: 'j' }, ' = softmax(QK', { sup: 'T' }, s.scale !== null ? '/√d' : '', s.scale !== null ? { sub: 'k' } : '', ')V'], '(the tapped context, before the output projection)');

    // One row per key.
    const grid = el('div', 'atlas-neuron-grid', this.root);
    const columns = ['110px', `${d * cell}px`, `${NUM_COL}px`];
    if (s.scale !== null) columns.push(`${NUM_COL}px`);
    if (hasBias) columns.push(`${NUM_COL}px`);
    columns.push(`${NUM_COL - 16}px`, `${NUM_COL}px`, `${NUM_COL}px`, `${NUM_COL}px`, '118px', `${d * cell}px`);
    grid.style.gridTemplateColumns = columns.join(' ');
    grid.style.gridAutoRows = `${NEURON_ROW}px`;
    const header = (parts: Part[], title: string): void => {
      const h = formula(grid, parts, 'atlas-neuron-head');
      h.title = title;
    };
    header(['key'], 'the key token j');
    header(['k', { sub: 'j' }], 'the key vector of token j');
    header(['q·k', { sub: 'j' }], 'dot product of q with k_j, from the tapped vectors');
    if (s.scale !== null) header(['÷√d', { sub: 'k' }], `q·k_j divided by √${d}`);
    if (hasBias) header(['+ B', { sub: 'j' }], 'position bias');
    header(['+ M', { sub: 'j' }], 'mask: 0, or −∞ for keys this query may not see');
    header(['= s', { sub: 'j' }], 'the score recomputed here');
    header(['tapped s', { sub: 'j' }], 'the score the model computed (scores tap)');
    header(['softmax', { sub: 'j' }], 'softmax of the recomputed scores');
    header(['tapped p', { sub: 'j' }], 'the weight the model computed (probs tap)');
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
      const masked = s.masked[j] === 1;
      const tok = cellText(1, tokenLabel(data.keyLabels[j], 14), 'tok');
      tok.title = visibleToken(data.keyLabels[j]);
      let col = 3;
      cellText(col++, fmt4(s.dots[j]));
      if (s.scale !== null) cellText(col++, fmt4(s.dots[j] * s.scale));
      if (hasBias) cellText(col++, (s.bias![j] >= 0 ? '+' : '') + fmt4(s.bias![j]));
      cellText(col++, masked ? '−∞' : '0', masked ? 'num masked' : 'num');
      cellText(col++, masked ? '−∞' : fmt4(s.scores[j]), masked ? 'num masked' : 'num');
      const ts = s.tappedScores;
      cellText(col++, ts ? (ts[j] <= -1e30 ? 'masked' : fmt4(ts[j])) : '—', masked ? 'num masked' : 'num');
      cellText(col++, fmt4(s.probs[j]));
      const bar = cellText(col++, '', 'bar');
      const p = s.tappedProbs ? s.tappedProbs[j] : NaN;
      const fill = el('span', 'atlas-bar-fill', bar);
      fill.style.width = `${Math.max(0, Math.min(1, p)) * 56}px`;
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
    outRow(n + 3, ['output = Σ', { sub: 'j' }, ' p', { sub: 'j' }, 'v', { sub: 'j' }, ' (recomputed here)'], s.context, 'atlas-context');
    outRow(n + 4, ['tapped context (the model’s output of this head)'], s.tappedContext, 'atlas-tapped-context');

    // The checks.
    const checks = el('ul', 'atlas-neuron-checks', this.root);
    const check = (name: string, what: string, c: NeuronSteps['scoreCheck']): void => {
      const item = el('li', '', checks);
      item.dataset.check = name;
      if (!c) {
        item.textContent = `${what}: the trace has no tap to compare with.`;
        item.className = 'missing';
        return;
      }
      item.dataset.maxDiff = String(c.maxDiff);
      item.className = c.ok ? 'ok' : 'fail';
      item.textContent = `${c.ok ? '✓' : '✗'} ${what}: max |difference| = ${fmtDiff(c.maxDiff)} over ${c.compared} ${c.compared === 1 ? 'value' : 'values'} (tolerance ${fmtDiff(c.tolerance)})`;
    };
    const scoreWhat = `q·k${s.scale !== null ? '/√d_k' : ''}${hasBias ? ' + B' : ''} + M = tapped scores`;
    check('scores', scoreWhat, s.scoreCheck);
    check('probs', 'softmax(s) = tapped probs', s.probCheck);
    check('context', 'Σ p_j v_j = tapped context', s.contextCheck);

    const legends = el('div', 'atlas-neuron-legends', this.root);
    drawLegend(el('div', '', legends), { scale: qkScale, interpolate: interpolateDiverging, label: 'q and k components' }, 260, theme);
    drawLegend(el('div', '', legends), { scale: vScale, interpolate: interpolateDiverging, label: 'p·v and output components' }, 260, theme);

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
