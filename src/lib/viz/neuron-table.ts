// What the Q/K/V view says, as plain data: the steps with their formulas, the number
// columns of the key table, the checks, and the colour scales of the vectors. The view
// (neuron-view.ts) lays it out in HTML; the export (export-qkv.ts) in SVG; both say the
// same thing. Pure.

import { vw } from './words';
import type { NeuronSteps } from '../trace/neuron';
import { symmetricDomain, valueScale, type ValueScale } from './color';
import { fmt4, fmtDiff } from './format';

/** Formula text: plain strings with superscripts and subscripts. */
export type Part = string | { sup: string } | { sub: string };

export const partsText = (parts: Part[]): string => parts.map((p) => (typeof p === 'string' ? p : 'sup' in p ? `^${p.sup}` : `_${p.sub}`)).join('');

export interface NeuronLabels {
  /** "GPT-2 self-attention", "T5 cross-attention", … */
  stackLabel: string;
  /** Why there is no position bias, when there is none. */
  noBiasReason: string;
}

/** The steps from the projections to the head's output, each a formula and a note. */
export function neuronStepList(s: NeuronSteps, labels: NeuronLabels): { parts: Part[]; note?: string }[] {
  const d = s.headDim;
  const hasBias = s.bias !== null;
  const scaled = s.scale !== null;
  const out: { parts: Part[]; note?: string }[] = [];
  out.push({ parts: ['Q = XW', { sup: 'Q' }, ', K = XW', { sup: 'K' }, ', V = XW', { sup: 'V' }], note: vw('viz.qkv.projections', { d, stack: labels.stackLabel, layer: s.layer, head: s.head }) });
  out.push({ parts: ['q · k', { sub: 'j' }], note: vw('viz.qkv.everyKey') });
  if (scaled) out.push({ parts: ['÷ √d', { sub: 'k' }, ` = ÷ √${d} = ÷ ${fmt4(Math.sqrt(d))}`] });
  else out.push({ parts: [vw('viz.qkv.noScaling')], note: vw('viz.qkv.noScalingNote') });
  if (hasBias) out.push({ parts: ['+ B', { sub: 'j' }], note: vw('viz.qkv.bias', { head: s.head }) });
  else out.push({ parts: [vw('viz.qkv.noBias')], note: `(${labels.noBiasReason})` });
  out.push({ parts: ['+ M', { sub: 'j' }], note: s.maskSource === 'none' ? vw('viz.qkv.nothingMasked') : vw('viz.qkv.masked') });
  const soft: Part[] = ['softmax(QK', { sup: 'T' }, ...(scaled ? ['/√d', { sub: 'k' }] : []), hasBias ? ' + B' : '', ' + M)'];
  out.push({ parts: ['p = ', ...soft], note: vw('viz.qkv.tappedProbs') });
  out.push({ parts: ['output = Σ', { sub: 'j' }, ' p', { sub: 'j' }, ' v', { sub: 'j' }, ' = softmax(QK', { sup: 'T' }, ...(scaled ? ['/√d', { sub: 'k' }] : []), ')V'], note: vw('viz.qkv.tappedContext') });
  return out;
}

export interface NumberColumn {
  /** Machine name (CSV header, data attributes). */
  name: string;
  header: Part[];
  title: string;
  /** CSS pixels on screen. */
  width: number;
  /** The shown text of key j, whether it is a masked cell, and the number behind it (NaN: none). */
  cell(j: number): { text: string; masked: boolean; value: number };
}

export const NUM_COL = 64;

/** The number columns between the key vectors and the p·v vectors, in order. */
export function neuronNumberColumns(s: NeuronSteps): NumberColumn[] {
  const d = s.headDim;
  const cols: NumberColumn[] = [];
  const m = (j: number): boolean => s.masked[j] === 1;
  cols.push({ name: 'q_dot_k', header: ['q·k', { sub: 'j' }], title: 'dot product of q with k_j, from the tapped vectors', width: NUM_COL, cell: (j) => ({ text: fmt4(s.dots[j]), masked: false, value: s.dots[j] }) });
  if (s.scale !== null) {
    const k = s.scale;
    cols.push({ name: 'scaled', header: ['÷√d', { sub: 'k' }], title: `q·k_j divided by √${d}`, width: NUM_COL, cell: (j) => ({ text: fmt4(s.dots[j] * k), masked: false, value: s.dots[j] * k }) });
  }
  const bias = s.bias;
  if (bias) cols.push({ name: 'bias', header: ['+ B', { sub: 'j' }], title: 'position bias', width: NUM_COL, cell: (j) => ({ text: (bias[j] >= 0 ? '+' : '') + fmt4(bias[j]), masked: false, value: bias[j] }) });
  cols.push({ name: 'mask', header: ['+ M', { sub: 'j' }], title: 'mask: 0, or −∞ for keys this query may not see', width: NUM_COL - 16, cell: (j) => ({ text: m(j) ? '−∞' : '0', masked: m(j), value: m(j) ? -Infinity : 0 }) });
  cols.push({ name: 'score', header: ['= s', { sub: 'j' }], title: 'the score recomputed here', width: NUM_COL, cell: (j) => ({ text: m(j) ? '−∞' : fmt4(s.scores[j]), masked: m(j), value: s.scores[j] }) });
  const ts = s.tappedScores;
  cols.push({
    name: 'tapped_score',
    header: [vw('viz.qkv.tappedS'), { sub: 'j' }],
    title: 'the score the model computed (scores tap)',
    width: NUM_COL,
    cell: (j) => ({ text: ts ? (ts[j] <= -1e30 ? vw('viz.qkv.maskedCell') : fmt4(ts[j])) : '—', masked: m(j), value: ts ? (ts[j] <= -1e30 ? -Infinity : ts[j]) : NaN }),
  });
  cols.push({ name: 'softmax', header: ['softmax', { sub: 'j' }], title: 'softmax of the recomputed scores', width: NUM_COL, cell: (j) => ({ text: fmt4(s.probs[j]), masked: false, value: s.probs[j] }) });
  return cols;
}

/** The tapped-probs column: a bar and its number. */
export const PROB_BAR_COL = 118;
export const PROB_BAR_MAX = 56;

export interface CheckLine {
  name: 'scores' | 'probs' | 'context';
  status: 'ok' | 'fail' | 'missing';
  text: string;
  maxDiff: number | null;
}

export function neuronChecks(s: NeuronSteps): CheckLine[] {
  const hasBias = s.bias !== null;
  const line = (name: CheckLine['name'], what: string, c: NeuronSteps['scoreCheck']): CheckLine =>
    c
      ? { name, status: c.ok ? 'ok' : 'fail', maxDiff: c.maxDiff, text: vw(c.compared === 1 ? 'viz.qkv.checkOne' : 'viz.qkv.check', { mark: c.ok ? '✓' : '✗', what, diff: fmtDiff(c.maxDiff), n: c.compared, tol: fmtDiff(c.tolerance) }) }
      : { name, status: 'missing', maxDiff: null, text: vw('viz.qkv.checkMissing', { what }) };
  return [
    line('scores', `q·k${s.scale !== null ? '/√d_k' : ''}${hasBias ? ' + B' : ''} + M = ${vw('viz.qkv.tappedScores')}`, s.scoreCheck),
    line('probs', `softmax(s) = ${vw('viz.qkv.tappedProbsCheck')}`, s.probCheck),
    line('context', `Σ p_j v_j = ${vw('viz.qkv.tappedContextCheck')}`, s.contextCheck),
  ];
}

export interface NeuronScales {
  qk: ValueScale;
  v: ValueScale;
  /** p_j·v_j per key and dimension, [keys, headDim]. */
  pv: Float64Array;
}

/** Diverging scales centred at 0: one for q and k, one for p·v and the output. */
export function neuronScales(s: NeuronSteps): NeuronScales {
  const d = s.headDim;
  const n = s.keys;
  const pv = new Float64Array(n * d);
  for (let j = 0; j < n; j++) {
    const p = s.tappedProbs ? s.tappedProbs[j] : s.probs[j];
    for (let x = 0; x < d; x++) pv[j * d + x] = p * s.v[j * d + x];
  }
  return { qk: valueScale('linear', symmetricDomain(s.q, s.k)), v: valueScale('linear', symmetricDomain(pv, s.context, s.tappedContext ?? [])), pv };
}

/** Width of one vector component, so that the two vector columns fit beside the numbers. */
export function vectorCell(s: NeuronSteps, maxWidth: number): number {
  const numCols = neuronNumberColumns(s).length;
  const vecWidth = Math.max(96, Math.min(256, (maxWidth - 110 - numCols * NUM_COL - 100) / 2));
  return Math.max(2, Math.min(14, Math.floor(vecWidth / s.headDim)));
}
