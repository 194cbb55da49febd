// The attention arithmetic of one head for one query, step by step, from the tapped
// q, k and v: q·k_j, the scaling, the position bias (T5), the mask, the softmax and the
// weighted sum of values. Each recomputed step is checked against the tap the model
// itself produced (scores, probs, context); the Q/K/V view prints the differences.

import type { AttentionKind, TapName, Trace } from './types';
import { headMatrix, index4, type Matrices } from './types';
import { isExact } from './exact';
import { isCausal, MASKED_SCORE } from './attention-matrix';

/** Float32 matmuls on any backend agree with float64 recomputation far inside these. */
export const SCORE_TOLERANCE = 1e-3;
export const PROB_TOLERANCE = 1e-4;
export const CONTEXT_TOLERANCE = 1e-3;

export interface Check {
  maxDiff: number;
  tolerance: number;
  ok: boolean;
  /** Cells compared (masked cells are compared as "masked in both"). */
  compared: number;
}

export interface NeuronSteps {
  kind: AttentionKind;
  layer: number;
  head: number;
  query: number;
  /** The key/value head this query head reads (grouped-query attention); equals `head` without it. */
  kvHead: number;
  headDim: number;
  keys: number;
  q: Float32Array;
  /** [keys, headDim] */
  k: Float32Array;
  v: Float32Array;
  dots: Float64Array;
  /** 1/√d, or null where the model does not scale (T5). */
  scale: number | null;
  /** T5: positionBias[head, query, j]; null otherwise. */
  bias: Float64Array | null;
  masked: Uint8Array;
  maskSource: 'scores' | 'causal' | 'none';
  /** dots·scale + bias, −∞ where masked. */
  scores: Float64Array;
  tappedScores: Float32Array | null;
  scoreCheck: Check | null;
  probs: Float64Array;
  tappedProbs: Float32Array | null;
  probCheck: Check | null;
  /** Σ_j p_j·v_j with the tapped p (so this step checks V alone). */
  context: Float64Array;
  tappedContext: Float32Array | null;
  contextCheck: Check | null;
}

export type NeuronResult = { ok: true; steps: NeuronSteps } | { ok: false; missing: TapName[] };

const row = (data: Float32Array, start: number, n: number): Float32Array => data.subarray(start, start + n);

function compare(a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number, skip?: Uint8Array): Check {
  let maxDiff = 0;
  let compared = 0;
  for (let i = 0; i < a.length; i++) {
    compared++;
    if (skip?.[i]) continue;
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= maxDiff)) maxDiff = d; // NaN propagates as a failure
  }
  return { maxDiff, tolerance, ok: maxDiff <= tolerance, compared };
}

/**
 * What float16 storage in the page (trace/compact.ts, only for traces too large for float32)
 * may have moved a tapped value: half a unit in the last place, 2⁻¹¹ of the largest value.
 * The check's tolerance grows by it, and the check line prints the tolerance it used.
 */
function storageSlack(t: Matrices, layer: number, head: number, values: ArrayLike<number>, skip?: Uint8Array): number {
  // Exact values fetched from the worker (./exact.ts) need no slack.
  if (isExact(t, layer, head)) return 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) if (!skip?.[i] && Number.isFinite(values[i])) max = Math.max(max, Math.abs(values[i]));
  return max * 2 ** -11;
}

/** The key/value head that query head `head` reads when `heads` query heads share `kvHeads` KV heads. */
export function kvHeadOf(head: number, heads: number, kvHeads: number): number {
  return Math.floor(head / (heads / kvHeads));
}

export function neuronSteps(trace: Trace, kind: AttentionKind, layer: number, head: number, query: number): NeuronResult {
  const taps = trace.attention[kind];
  const missing = (['q', 'k', 'v'] as TapName[]).filter((t) => !taps?.[t]);
  if (!taps || missing.length) return { ok: false, missing };
  const qT = taps.q!;
  const kT = taps.k!;
  const vT = taps.v!;
  const d = qT.shape[3];
  const nk = kT.shape[2];
  const q = row(qT.data, index4(qT.shape, layer, head, query, 0), d);
  // Query head h reads KV head ⌊h / (heads / kvHeads)⌋ (k and v are stored per KV head).
  const kvHead = kvHeadOf(head, qT.shape[1], kT.shape[1]);
  const k = row(kT.data, index4(kT.shape, layer, kvHead, 0, 0), nk * d);
  const v = row(vT.data, index4(vT.shape, layer, kvHead, 0, 0), nk * d);
  const tappedScores = taps.scores ? row(headMatrix(taps.scores, layer, head), query * nk, nk) : null;
  const tappedProbs = taps.probs ? row(headMatrix(taps.probs, layer, head), query * nk, nk) : null;
  const tappedContext = taps.context ? row(taps.context.data, index4(taps.context.shape, layer, head, query, 0), d) : null;

  const dots = new Float64Array(nk);
  for (let j = 0; j < nk; j++) {
    let acc = 0;
    for (let x = 0; x < d; x++) acc += q[x] * k[j * d + x];
    dots[j] = acc;
  }
  const scale = trace.model.scaled ? 1 / Math.sqrt(d) : null;
  let bias: Float64Array | null = null;
  const pb = taps.positionBias;
  if (pb) {
    const [, pq, pk] = pb.shape;
    bias = new Float64Array(nk);
    for (let j = 0; j < nk; j++) bias[j] = pb.data[(head * pq + query) * pk + j];
  }
  const masked = new Uint8Array(nk);
  let maskSource: NeuronSteps['maskSource'] = 'none';
  if (tappedScores) {
    for (let j = 0; j < nk; j++) masked[j] = tappedScores[j] <= MASKED_SCORE ? 1 : 0;
    if (masked.some((m) => m)) maskSource = 'scores';
  } else if (isCausal(trace.model.family, kind)) {
    for (let j = query + 1; j < nk; j++) masked[j] = 1;
    maskSource = 'causal';
  }
  const scores = new Float64Array(nk);
  for (let j = 0; j < nk; j++) scores[j] = masked[j] ? -Infinity : dots[j] * (scale ?? 1) + (bias ? bias[j] : 0);

  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  const probs = new Float64Array(nk);
  let sum = 0;
  for (let j = 0; j < nk; j++) sum += masked[j] ? 0 : Math.exp(scores[j] - max);
  for (let j = 0; j < nk; j++) probs[j] = masked[j] ? 0 : Math.exp(scores[j] - max) / sum;

  const weights = tappedProbs ?? probs;
  const context = new Float64Array(d);
  for (let j = 0; j < nk; j++) for (let x = 0; x < d; x++) context[x] += weights[j] * v[j * d + x];

  return {
    ok: true,
    steps: {
      kind,
      layer,
      head,
      query,
      kvHead,
      headDim: d,
      keys: nk,
      q,
      k,
      v,
      dots,
      scale,
      bias,
      masked,
      maskSource,
      scores,
      tappedScores,
      scoreCheck: tappedScores ? compare(scores, tappedScores, SCORE_TOLERANCE + storageSlack(taps.scores!, layer, head, tappedScores, masked), masked) : null,
      probs,
      tappedProbs,
      probCheck: tappedProbs ? compare(probs, tappedProbs, PROB_TOLERANCE + storageSlack(taps.probs!, layer, head, tappedProbs)) : null,
      context,
      tappedContext,
      contextCheck: tappedContext ? compare(context, tappedContext, CONTEXT_TOLERANCE) : null,
    },
  };
}
