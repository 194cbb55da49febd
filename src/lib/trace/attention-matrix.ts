// One attention matrix as the views show it: a head's (or an average of heads') softmax
// weights, which cells the model masked, and which tokens the rows and columns are.
// Pure data; no drawing.

import type { AttentionKind, Family, Trace, TraceToken } from './types';
import { isCausal } from '../families';
import { headMatrix, isPacked, type PackedMatrices } from './types';
import { dropsTheFuture, unpackHead } from './packed';
import { valueWeightedHead } from './analysis';

/** Which token list a row or column indexes: the input (T5: source) or the T5 target. */
export type Stream = 'input' | 'target';

/**
 * What a cell holds: the softmax weight α_ij (`weights`), or α_ij · ‖v_j^h·W_O^h‖, the size of
 * what the head moves from key j to query i (`value-norm`, Kobayashi et al. 2020; rows do not sum to 1).
 */
export type Weighting = 'weights' | 'value-norm';

/** Scores at or below this are the graph's mask sentinel (see json.ts). */
export const MASKED_SCORE = -1e30;

export interface AttentionMatrix {
  rows: number;
  cols: number;
  /** Row-major [rows, cols]; masked cells hold 0. May be a view into the trace: never write. */
  values: Float32Array;
  /** 1 where the model masked the cell (it never could attend there); null when nothing is masked. */
  masked: Uint8Array | null;
  /** Token index (in the row stream) of each displayed row; identity unless tokens were hidden. */
  rowIds: number[];
  colIds: number[];
  rowStream: Stream;
  colStream: Stream;
  /** `weights` (the default when absent): rows sum to 1; `value-norm`: rows are sizes, not shares. */
  weighting?: Weighting;
}

export function streamsOf(kind: AttentionKind): { rows: Stream; cols: Stream } {
  if (kind === 'decoder') return { rows: 'target', cols: 'target' };
  if (kind === 'cross') return { rows: 'target', cols: 'input' };
  return { rows: 'input', cols: 'input' };
}

export function tokensOf(trace: Trace, stream: Stream): TraceToken[] {
  return stream === 'target' ? (trace.decoderTokens ?? []) : trace.tokens;
}

/** Self-attention that may only look back (each family says which of its stacks are causal). */
export { isCausal };

/** Layer and head counts of one attention stack, read from its probs. */
export function stackShape(trace: Trace, kind: AttentionKind): { layers: number; heads: number } | null {
  const p = trace.attention[kind]?.probs;
  return p ? { layers: p.shape[0], heads: p.shape[1] } : null;
}

const ranges = new Map<number, number[]>();
/** 0..n-1, shared (callers never mutate ids). */
const range = (n: number): number[] => {
  let r = ranges.get(n);
  if (!r) ranges.set(n, (r = Array.from({ length: n }, (_, i) => i)));
  return r;
};

/**
 * The mask of one head: from the tapped scores when present (≤ MASKED_SCORE), else from
 * the family's causality. Null when no cell is masked.
 */
export function maskOf(trace: Trace, kind: AttentionKind, layer: number, head: number): Uint8Array | null {
  const key = trace.attention[kind]?.scores ?? trace.attention[kind]?.probs;
  if (!key) return null;
  let cache = maskCache.get(key);
  if (!cache) maskCache.set(key, (cache = new Map()));
  const id = `${trace.model.family}:${kind}:${layer}:${head}`;
  if (!cache.has(id)) cache.set(id, computeMask(trace, kind, layer, head));
  return cache.get(id)!;
}

/** Masks per tensor: redraws (hover, options) do not rescan 2 M scores. */
const maskCache = new WeakMap<object, Map<string, Uint8Array | null>>();

function computeMask(trace: Trace, kind: AttentionKind, layer: number, head: number): Uint8Array | null {
  const taps = trace.attention[kind];
  const probs = taps?.probs;
  if (!probs) return null;
  const [, , rows, cols] = probs.shape;
  const causal = isCausal(trace.model.family, kind) ? causalMask(rows, cols) : null;
  if (!taps.scores) return causal;
  const out = new Uint8Array(rows * cols);
  let any = false;
  const s = headMatrix(taps.scores, layer, head);
  for (let i = 0; i < s.length; i++)
    if (s[i] <= MASKED_SCORE) {
      out[i] = 1;
      any = true;
    }
  // The usual case: the scores mask exactly the future, and every head shares one mask (1 MB each at 1,024 tokens).
  if (causal && out.every((v, i) => v === causal[i])) return causal;
  return any ? out : null;
}

/** The causal mask of a [rows, cols] matrix (row i sees keys 0 … i), one per shape. */
const causalMasks = new Map<string, Uint8Array | null>();
function causalMask(rows: number, cols: number): Uint8Array | null {
  const key = `${rows}x${cols}`;
  if (causalMasks.has(key)) return causalMasks.get(key)!;
  const out = new Uint8Array(rows * cols);
  let any = false;
  for (let i = 0; i < rows; i++)
    for (let j = i + 1; j < cols; j++) {
      out[i * cols + j] = 1;
      any = true;
    }
  if (causalMasks.size > 8) causalMasks.clear();
  causalMasks.set(key, any ? out : null);
  return any ? out : null;
}

/** `into`: a buffer a packed head may be decoded into (a caller reading every head in turn, once each). */
export function headAttention(trace: Trace, kind: AttentionKind, layer: number, head: number, weighting: Weighting = 'weights', into?: Float32Array): AttentionMatrix {
  const probs = trace.attention[kind]?.probs;
  if (!probs) throw new Error(`This trace has no ${kind} attention.`);
  const [, , rows, cols] = probs.shape;
  const { rows: rowStream, cols: colStream } = streamsOf(kind);
  const masked = maskOf(trace, kind, layer, head);
  if (weighting === 'value-norm') {
    // α·‖f(x)‖ is 0 wherever α is (masked cells included).
    return { rows, cols, values: valueWeightedHead(trace, kind, layer, head), masked, rowIds: range(rows), colIds: range(cols), rowStream, colStream, weighting };
  }
  // A view of the tapped probs; copied only if a masked cell holds weight (never, for a
  // real softmax, where exp(−∞) = 0), so that the model grid does not copy 2 M floats.
  let values = into && isPacked(probs) ? unpackHead(probs, layer, head, into) : headMatrix(probs, layer, head);
  if (masked) {
    let leak = false;
    for (let i = 0; i < values.length && !leak; i++) leak = masked[i] === 1 && values[i] !== 0;
    if (leak) {
      values = values.slice();
      for (let i = 0; i < values.length; i++) if (masked[i]) values[i] = 0;
    }
  }
  return { rows, cols, values, masked, rowIds: range(rows), colIds: range(cols), rowStream, colStream, weighting };
}

/**
 * One head's weights and mask for drawing only: a view, no copy and no check that masked
 * cells hold 0 (masked cells are not drawn). The model grid reads 144 of these per draw.
 */
export function headCells(trace: Trace, kind: AttentionKind, layer: number, head: number, weighting: Weighting = 'weights'): { rows: number; cols: number; values: Float32Array; masked: Uint8Array | null } {
  const probs = trace.attention[kind]?.probs;
  if (!probs) throw new Error(`This trace has no ${kind} attention.`);
  const [, , rows, cols] = probs.shape;
  const values = weighting === 'value-norm' ? valueWeightedHead(trace, kind, layer, head) : headMatrix(probs, layer, head);
  return { rows, cols, values, masked: maskOf(trace, kind, layer, head) };
}

/** The cell-wise mean of same-shaped matrices; a cell is masked only if masked in all. */
export function averageMatrices(ms: AttentionMatrix[]): AttentionMatrix {
  if (ms.length === 0) throw new Error('Nothing to average.');
  const first = ms[0];
  const values = new Float32Array(first.values.length);
  const acc = new Float64Array(first.values.length);
  for (const m of ms) for (let i = 0; i < acc.length; i++) acc[i] += m.values[i];
  for (let i = 0; i < acc.length; i++) values[i] = acc[i] / ms.length;
  let masked: Uint8Array | null = null;
  if (ms.every((m) => m.masked)) {
    masked = new Uint8Array(values.length);
    let any = false;
    for (let i = 0; i < masked.length; i++) {
      masked[i] = ms.every((m) => m.masked![i]) ? 1 : 0;
      any ||= masked[i] === 1;
    }
    if (!any) masked = null;
  }
  return { ...first, values, masked };
}

/**
 * Drops the rows and columns whose tokens are special and renormalises each remaining
 * row over the remaining keys, so that rows sum to 1 again. A row left with no weight
 * at all (every remaining key masked) becomes fully masked. Value-weighted cells are sizes,
 * not shares: they are kept as they are.
 */
export function hideTokens(m: AttentionMatrix, hideRow: (id: number) => boolean, hideCol: (id: number) => boolean): AttentionMatrix {
  const rowIds = m.rowIds.filter((id) => !hideRow(id));
  const keep = m.colIds.map((id, j) => (hideCol(id) ? -1 : j)).filter((j) => j >= 0);
  const colIds = keep.map((j) => m.colIds[j]);
  const rows = rowIds.length;
  const cols = colIds.length;
  const values = new Float32Array(rows * cols);
  const masked = new Uint8Array(rows * cols);
  let anyMasked = false;
  rowIds.forEach((id, r) => {
    const i = m.rowIds.indexOf(id);
    let sum = 0;
    for (const j of keep) sum += m.values[i * m.cols + j];
    const divisor = m.weighting === 'value-norm' ? 1 : sum;
    keep.forEach((j, c) => {
      const isMasked = (m.masked?.[i * m.cols + j] ?? 0) === 1 || sum === 0;
      masked[r * cols + c] = isMasked ? 1 : 0;
      anyMasked ||= isMasked;
      values[r * cols + c] = isMasked ? 0 : m.values[i * m.cols + j] / divisor;
    });
  });
  return { ...m, rows, cols, values, masked: anyMasked ? masked : null, rowIds, colIds };
}

export type Averaging = 'none' | 'heads' | 'layers';

export interface MatrixRequest {
  kind: AttentionKind;
  layer: number;
  head: number;
  /** 'heads': mean over all heads of `layer`; 'layers': mean of `head` over all layers. */
  average: Averaging;
  hideSpecial: boolean;
  weighting?: Weighting;
}

/** The matrix a heatmap shows for a request. */
export function attentionMatrix(trace: Trace, req: MatrixRequest): AttentionMatrix {
  const shape = stackShape(trace, req.kind);
  if (!shape) throw new Error(`This trace has no ${req.kind} attention.`);
  let m: AttentionMatrix;
  const w = req.weighting ?? 'weights';
  if (req.average === 'heads') m = averageMatrices(range(shape.heads).map((h) => headAttention(trace, req.kind, req.layer, h, w)));
  else if (req.average === 'layers') m = averageMatrices(range(shape.layers).map((l) => headAttention(trace, req.kind, l, req.head, w)));
  else m = headAttention(trace, req.kind, req.layer, req.head, w);
  if (!req.hideSpecial) return m;
  const rowTokens = tokensOf(trace, m.rowStream);
  const colTokens = tokensOf(trace, m.colStream);
  return hideTokens(
    m,
    (id) => rowTokens[id]?.special ?? false,
    (id) => colTokens[id]?.special ?? false,
  );
}

/**
 * Whether a head's weights can be read packed (trace/packed.ts) in place of headCells: the page
 * keeps them packed, and exactly the cells the packing dropped are the ones the model masked.
 */
export function packedCells(trace: Trace, kind: AttentionKind, layer: number, head: number): PackedMatrices | null {
  const probs = trace.attention[kind]?.probs;
  if (!probs || !isPacked(probs)) return null;
  const mask = maskOf(trace, kind, layer, head);
  const [, , rows, cols] = probs.shape;
  if (probs.packing === 'f16') return mask === null ? probs : null;
  return dropsTheFuture(probs) && mask === causalMask(rows, cols) ? probs : null;
}
