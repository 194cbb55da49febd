// Per-head and per-layer summaries of attention, as pure functions of the matrices.
// Each is a mean over query rows (rows with no weight at all are skipped); per layer,
// a mean over heads.

import type { AttentionKind, Trace, TraceToken } from './types';
import { headAttention, stackShape, streamsOf, tokensOf, type AttentionMatrix, type Weighting } from './attention-matrix';

/** Mean over rows of Σ_j p_ij · |pos_i − pos_j|: how far (in tokens) a head looks. */
export function meanAttentionDistance(m: AttentionMatrix): number {
  return meanOverRows(m, (i, row) => {
    let acc = 0;
    for (let j = 0; j < m.cols; j++) acc += row[j] * Math.abs(m.rowIds[i] - m.colIds[j]);
    return acc;
  });
}

/** Mean over rows of −Σ_j p_ij ln p_ij, in nats: 0 = one key, ln(n) = uniform over n keys. */
export function attentionEntropy(m: AttentionMatrix): number {
  return meanOverRows(m, (_, row) => {
    let acc = 0;
    for (let j = 0; j < m.cols; j++) {
      if (row[j] > 0) acc -= row[j] * Math.log(row[j]);
      // A NaN weight makes the row's entropy unknown, not 0 (a chart would plot it as "one key").
      else if (row[j] !== row[j]) return NaN;
    }
    return acc;
  });
}

/** Mean over rows of the weight that lands on special keys ([CLS], [SEP], </s>, …). */
export function specialTokenShare(m: AttentionMatrix, colTokens: readonly TraceToken[]): number {
  return meanOverRows(m, (_, row) => {
    let acc = 0;
    for (let j = 0; j < m.cols; j++) if (colTokens[m.colIds[j]]?.special) acc += row[j];
    return acc;
  });
}

/** Mean over rows with a previous token (pos ≥ 1) of the weight on position pos − 1. */
export function previousTokenShare(m: AttentionMatrix): number {
  const colOf = new Map(m.colIds.map((id, j) => [id, j]));
  let acc = 0;
  let n = 0;
  for (let i = 0; i < m.rows; i++) {
    const pos = m.rowIds[i];
    if (pos < 1 || rowWeight(m, i) === 0) continue;
    const j = colOf.get(pos - 1);
    acc += j === undefined ? 0 : m.values[i * m.cols + j];
    n++;
  }
  return n ? acc / n : NaN;
}

function rowWeight(m: AttentionMatrix, i: number): number {
  let s = 0;
  for (let j = 0; j < m.cols; j++) s += m.values[i * m.cols + j];
  return s;
}

function meanOverRows(m: AttentionMatrix, f: (i: number, row: Float32Array) => number): number {
  let acc = 0;
  let n = 0;
  for (let i = 0; i < m.rows; i++) {
    if (rowWeight(m, i) === 0) continue;
    acc += f(i, m.values.subarray(i * m.cols, (i + 1) * m.cols));
    n++;
  }
  return n ? acc / n : NaN;
}

export type MetricName = 'distance' | 'entropy' | 'special' | 'previous';

export const METRICS: { name: MetricName; label: string; unit: string }[] = [
  { name: 'distance', label: 'Mean attention distance', unit: 'tokens' },
  { name: 'entropy', label: 'Attention entropy', unit: 'nats' },
  { name: 'special', label: 'Share on special tokens', unit: 'fraction' },
  { name: 'previous', label: 'Share on previous token', unit: 'fraction' },
];

/** Distance and previous-token share mean nothing across two different token lists. */
export function metricApplies(metric: MetricName, kind: AttentionKind): boolean {
  return kind !== 'cross' || metric === 'entropy' || metric === 'special';
}

/**
 * Value-weighted rows as shares: α_ij·‖f_j‖ / Σ_k α_ik·‖f_k‖, the fraction of the size of what
 * query i receives that comes from key j (Kobayashi et al.'s normalised form).
 */
export function shareOfRow(m: AttentionMatrix): AttentionMatrix {
  const values = new Float32Array(m.values.length);
  for (let i = 0; i < m.rows; i++) {
    let sum = 0;
    for (let j = 0; j < m.cols; j++) sum += m.values[i * m.cols + j];
    if (sum > 0) for (let j = 0; j < m.cols; j++) values[i * m.cols + j] = m.values[i * m.cols + j] / sum;
  }
  return { ...m, values, weighting: 'weights' };
}

/**
 * All four metrics of one matrix in one pass over its rows, equal to the functions above value for
 * value (the same additions in the same order): each row's weight is summed once, a row is read
 * only up to its last nonzero cell (the cells after it add 0 to every sum; a causal row's future
 * is all 0), and the special share adds only the special columns. For the summary's 144 heads of
 * 1,024² weights this is ~3× less work than the four functions one after another.
 */
export function matrixMetrics(m: AttentionMatrix, colTokens: readonly TraceToken[]): Record<MetricName, number> {
  const { rows, cols, values, rowIds, colIds } = m;
  const specialCols = colIds.flatMap((id, j) => (colTokens[id]?.special ? [j] : []));
  const colOf = new Map(colIds.map((id, j) => [id, j]));
  let distance = 0;
  let entropy = 0;
  let special = 0;
  let previous = 0;
  let n = 0;
  let nPrevious = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let weight = 0;
    for (let j = 0; j < cols; j++) weight += values[base + j];
    if (weight === 0) continue;
    let end = cols;
    while (end > 0 && values[base + end - 1] === 0) end--;
    const pos = rowIds[i];
    let d = 0;
    let e = 0;
    for (let j = 0; j < end; j++) {
      const v = values[base + j];
      d += v * Math.abs(pos - colIds[j]);
      // A NaN weight makes the row's entropy unknown (attentionEntropy).
      if (v > 0) e -= v * Math.log(v);
      else if (v !== v) e = NaN;
    }
    let sp = 0;
    for (const j of specialCols) if (j < end) sp += values[base + j];
    distance += d;
    entropy += e;
    special += sp;
    n++;
    if (pos >= 1) {
      const j = colOf.get(pos - 1);
      previous += j === undefined ? 0 : values[base + j];
      nPrevious++;
    }
  }
  return { distance: n ? distance / n : NaN, entropy: n ? entropy / n : NaN, special: n ? special / n : NaN, previous: nPrevious ? previous / nPrevious : NaN };
}

export function headMetric(trace: Trace, kind: AttentionKind, layer: number, head: number, metric: MetricName, weighting: Weighting = 'weights'): number {
  const raw = headAttention(trace, kind, layer, head, weighting);
  return metricOf(trace, weighting === 'value-norm' ? shareOfRow(raw) : raw, metric);
}

function metricOf(trace: Trace, m: AttentionMatrix, metric: MetricName): number {
  switch (metric) {
    case 'distance':
      return meanAttentionDistance(m);
    case 'entropy':
      return attentionEntropy(m);
    case 'special':
      return specialTokenShare(m, tokensOf(trace, m.colStream));
    case 'previous':
      return previousTokenShare(m);
  }
}

/** [layer][head] values of one metric for one stack. */
export function headMetrics(trace: Trace, kind: AttentionKind, metric: MetricName, weighting: Weighting = 'weights'): number[][] {
  return allHeadMetrics(trace, kind, weighting)?.[metric] ?? [];
}

/**
 * Every metric of every head, read in one pass over the heads and kept per stack: the summary
 * asks for each metric in turn, and reading a head again costs a decode when the page keeps it
 * packed (trace/packed.ts; 144 heads of 1,024² weights for GPT-2-small).
 */
const metricMemo = new WeakMap<object, Map<Weighting, Record<MetricName, number[][]>>>();
function allHeadMetrics(trace: Trace, kind: AttentionKind, weighting: Weighting): Record<MetricName, number[][]> | null {
  const shape = stackShape(trace, kind);
  const probs = trace.attention[kind]?.probs;
  if (!shape || !probs) return null;
  let byWeighting = metricMemo.get(probs);
  if (!byWeighting) metricMemo.set(probs, (byWeighting = new Map()));
  const known = byWeighting.get(weighting);
  if (known) return known;
  const names = METRICS.map((x) => x.name);
  const out = Object.fromEntries(names.map((n) => [n, Array.from({ length: shape.layers }, () => new Array<number>(shape.heads))])) as Record<MetricName, number[][]>;
  // Each head is read once and left: packed heads are decoded into one buffer.
  const [, , rows, cols] = probs.shape;
  const scratch = new Float32Array(rows * cols);
  const colTokens = tokensOf(trace, streamsOf(kind).cols);
  for (let l = 0; l < shape.layers; l++)
    for (let h = 0; h < shape.heads; h++) {
      const raw = headAttention(trace, kind, l, h, weighting, scratch);
      const m = weighting === 'value-norm' ? shareOfRow(raw) : raw;
      const all = matrixMetrics(m, colTokens);
      for (const n of names) out[n][l][h] = all[n];
    }
  byWeighting.set(weighting, out);
  return out;
}

/** Per layer, the mean over heads (NaN where the metric does not apply). */
export function layerMetric(trace: Trace, kind: AttentionKind, metric: MetricName, weighting: Weighting = 'weights'): number[] {
  if (!metricApplies(metric, kind)) return (stackShape(trace, kind) ? new Array(stackShape(trace, kind)!.layers).fill(NaN) : []);
  return headMetrics(trace, kind, metric, weighting).map((heads) => heads.reduce((a, b) => a + b, 0) / heads.length);
}

/**
 * Sentences that describe two models' per-layer summaries, computed from the very series the
 * chart draws (never a general claim that the data may contradict): per metric, which model is
 * higher in how many of the layers both have, and their means over layers.
 */
export function compareSentences(series: { name: MetricName; label: string; unit: string; lines: { label: string; values: number[] }[] }[]): string[] {
  const out: string[] = [];
  const fmt = (v: number, unit: string) => (unit === 'fraction' ? `${(100 * v).toFixed(0)} %` : `${v.toFixed(2)} ${unit}`);
  for (const m of series) {
    if (m.lines.length !== 2) continue;
    const [a, b] = m.lines;
    const n = Math.min(a.values.length, b.values.length);
    const pairs = Array.from({ length: n }, (_, l) => [a.values[l], b.values[l]]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (!pairs.length) continue;
    const mean = (v: number[]) => v.filter(Number.isFinite).reduce((s, x) => s + x, 0) / Math.max(1, v.filter(Number.isFinite).length);
    const aHigher = pairs.filter(([x, y]) => x > y).length;
    const bHigher = pairs.filter(([x, y]) => y > x).length;
    const who = aHigher === pairs.length ? `${a.label} is higher in every layer` : bHigher === pairs.length ? `${b.label} is higher in every layer` : `${a.label} is higher in ${aHigher} of ${pairs.length} layers, ${b.label} in ${bHigher}`;
    out.push(`${m.label}: ${who} (mean ${fmt(mean(a.values), m.unit)} vs ${fmt(mean(b.values), m.unit)}).`);
  }
  return out;
}
