// How a model knows where a token is, read from the trace: T5's relative position bias as a
// function of the query–key offset, and for RoPE models the score of one query against
// the same key placed at every distance (from the model's own pre-rotation q and k and its
// rotation frequencies), checked against the tapped score at the key's real position.

import type { AttentionKind, Trace } from './types';
import { matrixValue } from './types';
import { kvHeadOf } from './neuron';
import { isCausal } from '../families';

/** T5: bias[head][offset] for offsets key − query from −(n−1) to n−1; null where the matrix has no such pair (causal). */
export interface BiasByOffset {
  offsets: number[];
  bias: (number | null)[][];
}

/** Scores at or below this are the mask sentinel. */
const MASKED = -1e30;

export function relativeBiasByOffset(trace: Trace, kind: AttentionKind): BiasByOffset | null {
  const t = trace.attention[kind]?.positionBias;
  if (!t) return null;
  const [H, Q, K] = t.shape;
  const n = Math.max(Q, K);
  // The tapped bias has no mask in it; in a causal stack a key ahead of the query is never read.
  const causal = isCausal(trace.model.family, kind);
  const offsets = Array.from({ length: 2 * n - 1 }, (_, i) => i - (n - 1));
  const bias = Array.from({ length: H }, (_, h) =>
    offsets.map((d) => {
      // The first (query, key) pair at this offset; the bias depends on the offset's bucket only.
      const q = Math.max(0, -d);
      const k = q + d;
      if (q >= Q || k < 0 || k >= K || (causal && d > 0)) return null;
      const v = t.data[(h * Q + q) * K + k];
      return v <= MASKED ? null : v;
    }),
  );
  return { offsets, bias };
}

export interface RopeScoreCurve {
  query: number;
  key: number;
  kvHead: number;
  /** Distances query − key from 0 to query (where a causal model lets the key be). */
  distances: number[];
  /** (R(p_q)·q)·(R(p_q − distance)·k) / √d: the same key vector placed `distance` tokens back. */
  rotated: number[];
  /** q·k / √d before the rotation: the same at every distance. */
  unrotated: number;
  /** The tapped (post-RoPE) score at the key's real position, and how far the curve is from it there. */
  tapped: number | null;
  check: number | null;
}

/** Rotates x (headDim, rotate-half layout) by `position` with the model's frequencies. */
function rotate(x: ArrayLike<number>, position: number, freqs: readonly number[]): Float64Array {
  const d = x.length;
  const half = d / 2;
  const out = new Float64Array(d);
  for (let i = 0; i < half; i++) {
    const a = position * freqs[i];
    const c = Math.cos(a);
    const s = Math.sin(a);
    out[i] = x[i] * c - x[i + half] * s;
    out[i + half] = x[i + half] * c + x[i] * s;
  }
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function ropeScoreCurve(trace: Trace, layer: number, head: number, query: number, key: number): RopeScoreCurve | null {
  const taps = trace.attention.self;
  const freqs = trace.model.ropeFrequencies;
  const qT = taps?.qPreRope;
  const kT = taps?.kPreRope;
  if (!taps || !freqs || !qT || !kT) return null;
  const [, H, T, d] = qT.shape;
  const kvHead = kvHeadOf(head, H, kT.shape[1]);
  const q = qT.data.subarray(((layer * H + head) * T + query) * d, ((layer * H + head) * T + query + 1) * d);
  const k = kT.data.subarray(((layer * kT.shape[1] + kvHead) * T + key) * d, ((layer * kT.shape[1] + kvHead) * T + key + 1) * d);
  const scale = 1 / Math.sqrt(d);
  const qr = rotate(q, query, freqs);
  const distances = Array.from({ length: query + 1 }, (_, i) => i);
  const rotated = distances.map((dist) => dot(qr, rotate(k, query - dist, freqs)) * scale);
  const s = taps.scores;
  const tapped = s ? matrixValue(s, layer, head, query, key) : null;
  const real = key <= query ? rotated[query - key] : null;
  return {
    query,
    key,
    kvHead,
    distances,
    rotated,
    unrotated: dot(q, k) * scale,
    tapped: tapped !== null && tapped > MASKED ? tapped : null,
    check: tapped !== null && tapped > MASKED && real !== null ? Math.abs(real - tapped) : null,
  };
}

export interface LearnedPositions {
  /** Per input token: ‖token vector‖, ‖position vector‖, ‖their sum‖, and the position's share ‖p‖ / (‖t‖ + ‖p‖). */
  tokens: { token: number; position: number; sum: number; share: number }[];
  medianShare: number;
  /** Table rows compared and their cosine similarity [M, M]. */
  samples: number[];
  similarity: Float32Array;
  /** Mean cosine similarity of sampled rows `gap` samples apart, for gap = 1 … M − 1. */
  byGap: number[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** GPT-2, BERT, OPT: what the graph reported about the learned position vectors (trace.positionEmbedding). */
export function learnedPositions(trace: Trace): LearnedPositions | null {
  const p = trace.positionEmbedding;
  if (!p) return null;
  const T = p.norms.shape[1];
  const at = (row: number, i: number) => p.norms.data[row * T + i];
  const tokens = Array.from({ length: T }, (_, i) => ({ token: at(0, i), position: at(1, i), sum: at(2, i), share: at(1, i) / (at(0, i) + at(1, i)) }));
  const M = p.samples.length;
  const byGap = Array.from({ length: Math.max(0, M - 1) }, (_, g) => {
    let s = 0;
    for (let i = 0; i + g + 1 < M; i++) s += p.similarity.data[i * M + i + g + 1];
    return s / (M - g - 1);
  });
  return { tokens, medianShare: median(tokens.map((t) => t.share)), samples: p.samples, similarity: p.similarity.data, byGap };
}

export interface RopeStep {
  position: number;
  kvHead: number;
  /** The query before and after the rotation (the graph's qPreRope and q taps). */
  before: Float32Array;
  after: Float32Array;
  /** The rotation angle of each dimension pair (i, i + d/2) at this position, in radians. */
  angles: number[];
  /** max |R(p)·q_pre − q| over the query, and over every key's k (each at its own position). */
  queryError: number;
  keyError: number;
}

/** The rotation step of the Q/K/V view: the model's pre-RoPE q rotated by the model's frequencies, checked against its post-RoPE taps. */
export function ropeStep(trace: Trace, layer: number, head: number, query: number): RopeStep | null {
  const t = trace.attention.self;
  const freqs = trace.model.ropeFrequencies;
  if (!t?.qPreRope || !t.kPreRope || !t.q || !t.k || !freqs) return null;
  const [, H, T, d] = t.qPreRope.shape;
  const Hkv = t.kPreRope.shape[1];
  const kvHead = kvHeadOf(head, H, Hkv);
  const slice = (x: Float32Array, heads: number, h: number, i: number) => x.subarray(((layer * heads + h) * T + i) * d, ((layer * heads + h) * T + i + 1) * d);
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  };
  const before = slice(t.qPreRope.data, H, head, query);
  const after = slice(t.q.data, H, head, query);
  let keyError = 0;
  for (let j = 0; j < T; j++) keyError = Math.max(keyError, maxDiff(rotate(slice(t.kPreRope.data, Hkv, kvHead, j), j, freqs), slice(t.k.data, Hkv, kvHead, j)));
  return { position: query, kvHead, before, after, angles: freqs.map((f) => f * query), queryError: maxDiff(rotate(before, query, freqs), after), keyError };
}
