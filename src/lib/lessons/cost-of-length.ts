// The cost of length, measured: run the model at lengths 8, 16, 32, … and fit the time per
// forward pass as a + b·T + c·T² (least squares). The attention weights' bytes are read from
// each trace's own tensors, so their T² growth is a measurement too, not a formula.

import type { ModelInfo, Trace } from '$lib/trace/types';
import { ATTENTION_KINDS } from '$lib/vocabulary/attention-kinds';

export interface LengthPoint {
  tokens: number;
  /** Median wall time of the runs at this length (page → worker → page). */
  ms: number;
  /** Bytes of every attention-weight tensor in the trace. */
  attentionBytes: number;
}

/** Lengths to try: doubling from 8 up to the model's limit (or `cap` for models without one). */
export function sweepLengths(maxPositions: number | null, cap = 1024): number[] {
  const limit = Math.min(maxPositions ?? cap, cap);
  const out: number[] = [];
  for (let n = 8; n < limit; n *= 2) out.push(n);
  out.push(limit);
  return out;
}

/** Bytes of the attention weights as the model computed them (float32, every cell), however the page stores them. */
export function attentionBytes(trace: Trace): number {
  let bytes = 0;
  for (const k of ATTENTION_KINDS) {
    const p = trace.attention[k]?.probs;
    if (p) bytes += 4 * p.shape.reduce((a, b) => a * b, 1);
  }
  return bytes;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export interface QuadraticFit {
  a: number;
  b: number;
  c: number;
}

/** Least-squares a + b·x + c·x² through the points (normal equations, solved by Cramer's rule). */
export function fitQuadratic(xs: number[], ys: number[]): QuadraticFit | null {
  if (xs.length < 3) return null;
  const S = [0, 0, 0, 0, 0];
  const T = [0, 0, 0];
  xs.forEach((x, i) => {
    for (let p = 0; p < 5; p++) S[p] += x ** p;
    for (let p = 0; p < 3; p++) T[p] += ys[i] * x ** p;
  });
  const det3 = (m: number[][]) => m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const M = [
    [S[0], S[1], S[2]],
    [S[1], S[2], S[3]],
    [S[2], S[3], S[4]],
  ];
  const d = det3(M);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-12 * Math.abs(S[4] * S[2] * S[0] || 1)) return null;
  const col = (j: number) => M.map((row, i) => row.map((v, k) => (k === j ? T[i] : v)));
  return { a: det3(col(0)) / d, b: det3(col(1)) / d, c: det3(col(2)) / d };
}

/**
 * The fit with c ≥ 0: time cannot shrink with the square of the length, so a least-squares
 * curve bending down (noise at a few small lengths) is replaced by the best straight line.
 */
export function fitCost(xs: number[], ys: number[]): QuadraticFit | null {
  const f = fitQuadratic(xs, ys);
  if (!f || f.c >= 0) return f;
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const b = sxx > 0 ? xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / sxx : 0;
  return { a: my - b * mx, b, c: 0 };
}

/** The share of the fitted time at `tokens` that is the quadratic part (0 when the fit has none). */
export function quadraticShare(f: QuadraticFit, tokens: number): number {
  const quad = Math.max(0, f.c) * tokens ** 2;
  const total = f.a + f.b * tokens + f.c * tokens ** 2;
  return total > 0 ? Math.min(1, quad / total) : 0;
}

/**
 * Multiply-adds ×2 of the layers at T tokens, counted from the model's shapes: the q, k, v and
 * output projections, QKᵀ and PV (T × T per head: the quadratic part), and the feed-forward
 * block. The embeddings and the output head are left out. Encoder-only and decoder-only
 * stacks; T5 (two stacks and cross-attention) is not counted (null).
 */
export function layerFlops(info: Pick<ModelInfo, 'layers' | 'heads' | 'kvHeads' | 'headDim' | 'dModel' | 'ffn' | 'decoderLayers'>, T: number): { attention: number; total: number } | null {
  if (!info.ffn || info.decoderLayers !== undefined) return null;
  const { dModel: d, heads: H, headDim: dh, layers: L } = info;
  const kvH = info.kvHeads ?? H;
  const projections = 2 * T * d * H * dh + 2 * 2 * T * d * kvH * dh + 2 * T * H * dh * d;
  const attention = 2 * 2 * T * T * H * dh;
  const ffn = info.ffn.matrices * 2 * T * d * info.ffn.dim;
  return { attention: L * attention, total: L * (projections + attention + ffn) };
}

/**
 * A generation step whose query reads `n` keys: with the cache the layers run one token (its
 * projections and FFN) and one row of QKᵀ and PV over the n keys; recomputing runs all n tokens.
 * Null where layerFlops does not count (T5).
 */
export function stepFlops(info: Parameters<typeof layerFlops>[0], n: number): { cached: number; recomputed: number } | null {
  const one = layerFlops(info, 1);
  const all = layerFlops(info, n);
  if (!one || !all) return null;
  return { cached: one.total - one.attention + one.attention * n, recomputed: all.total };
}

/** The length at which QKᵀ and PV (a·T²) equal the rest of the layers' work (r·T): T = r / a. */
export function attentionCrossover(info: Parameters<typeof layerFlops>[0]): number | null {
  const one = layerFlops(info, 1);
  return one ? Math.round((one.total - one.attention) / one.attention) : null;
}

/** A text of about `tokens` tokens: the source cut after its `tokens`-th token (from a trace of the whole). */
export function prefixText(whole: Trace, tokens: number): string {
  const ordinary = whole.tokens.filter((t) => t.end > t.start);
  const last = ordinary[Math.min(tokens, ordinary.length) - 1];
  return last ? whole.text.slice(0, last.end) : whole.text;
}
