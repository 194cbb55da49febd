// Analyses computed from a trace's own taps, beyond the raw attention weights:
//
// - value-weighted attention (Kobayashi et al. 2020): α_ij · ‖v_j^h·W_O^h‖, the size of what
//   query i receives from key j through head h. The norms are a graph tap (valueNorms); only
//   the product with the weights is formed here.
// - attention rollout (Abnar & Zuidema 2020): per stack, R_0 = Â_0 and R_l = Â_l·R_{l−1} with
//   Â_l = 0.5·mean over heads of A_l + 0.5·I, rows renormalised: how much of each input token
//   a position has mixed in by layer l, if attention and the residual were all that mixed.
//
// Both are pure functions of tapped numbers; tests/unit/analysis.test.ts checks them against
// the float64 reference's own taps.

import type { AttentionKind, Tensor, Trace } from './types';
import { headMatrix } from './types';
import { isExact } from './exact';
import { isCausal } from '../families';

export function hasValueNorms(trace: Trace, kind: AttentionKind): boolean {
  return trace.attention[kind]?.valueNorms !== undefined;
}

/** One head's [query, key] matrix of α_ij · ‖v_j^h·W_O^h‖ (a new array, cached per tensor). */
export function valueWeightedHead(trace: Trace, kind: AttentionKind, layer: number, head: number): Float32Array {
  const taps = trace.attention[kind];
  const probs = taps?.probs;
  const norms = taps?.valueNorms;
  if (!probs || !norms) throw new Error(`This trace has no value norms for ${kind} attention: run it again with the valueNorms tap.`);
  let cache = weightedCache.get(probs);
  if (!cache) weightedCache.set(probs, (cache = new Map()));
  // A float16 head is computed again once its exact values arrive (./exact.ts).
  const id = `${layer}:${head}${isExact(probs, layer, head) ? '' : ':f16'}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const [, , rows, cols] = probs.shape;
  const p = headMatrix(probs, layer, head);
  const n = norms.data.subarray(((layer * norms.shape[1]) + head) * cols, ((layer * norms.shape[1]) + head + 1) * cols);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = p[i * cols + j] * n[j];
  cache.set(id, out);
  return out;
}

const weightedCache = new WeakMap<object, Map<string, Float32Array>>();

/** Every head's value-weighted matrix, [layer, head, query, key] (for the trace JSON). */
export function valueWeightedTensor(trace: Trace, kind: AttentionKind): Tensor {
  const probs = trace.attention[kind]?.probs;
  if (!probs) throw new Error(`This trace has no ${kind} attention.`);
  const [layers, heads, rows, cols] = probs.shape;
  const data = new Float32Array(layers * heads * rows * cols);
  for (let l = 0; l < layers; l++) for (let h = 0; h < heads; h++) data.set(valueWeightedHead(trace, kind, l, h), ((l * heads + h) * rows) * cols);
  return { shape: [layers, heads, rows, cols], data };
}

/** Stacks whose rollout is defined: self-attention, where queries and keys are the same tokens. */
export function rolloutApplies(kind: AttentionKind): boolean {
  return kind !== 'cross';
}

/** Why cross-attention has no rollout, in a reader's words. */
export const CROSS_ROLLOUT_REASON =
  'Cross-attention is left out: its rows are target tokens and its columns source tokens, so it cannot be multiplied into a token-to-itself chain, and the residual stream it adds to belongs to the decoder alone.';

/** Attention rollout of one self-attention stack, [layer, token, token]; row i of layer l sums to 1. */
export function rollout(trace: Trace, kind: AttentionKind): Tensor {
  const probs = trace.attention[kind]?.probs;
  if (!probs) throw new Error(`This trace has no ${kind} attention.`);
  const [layers, , n] = probs.shape;
  const out = new Float32Array(layers * n * n);
  for (let l = 0; l < layers; l++) out.set(rolloutLayer(trace, kind, l), l * n * n);
  return { shape: [layers, n, n], data: out };
}

/**
 * Rollout through `layer`, [query, key], computed only as far as asked (each layer is a
 * product with the one before: O(n³), seconds in JavaScript at 1,024 tokens, so a view showing
 * layer 0 never pays for layer 11). Causal stacks multiply lower triangles only.
 */
export function rolloutLayer(trace: Trace, kind: AttentionKind, layer: number): Float32Array {
  if (!rolloutApplies(kind)) throw new Error(CROSS_ROLLOUT_REASON);
  const probs = trace.attention[kind]?.probs;
  if (!probs) throw new Error(`This trace has no ${kind} attention.`);
  let cache = rolloutCache.get(probs);
  if (!cache) rolloutCache.set(probs, (cache = { layers: [], last: null }));
  const done = cache.layers;
  const [, heads, n] = probs.shape;
  const causal = isCausal(trace.model.family, kind);
  while (done.length <= layer) {
    const l = done.length;
    const prev = cache.last;
    // Â = 0.5 · mean over heads + 0.5 · I, each row renormalised.
    const a = new Float64Array(n * n);
    for (let h = 0; h < heads; h++) {
      const m = headMatrix(probs, l, h);
      for (let i = 0; i < n * n; i++) a[i] += m[i] / heads;
    }
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        a[i * n + j] = 0.5 * a[i * n + j] + (i === j ? 0.5 : 0);
        sum += a[i * n + j];
      }
      if (sum > 0) for (let j = 0; j < n; j++) a[i * n + j] /= sum;
    }
    const r = new Float64Array(n * n);
    if (!prev) r.set(a);
    else
      for (let i = 0; i < n; i++)
        for (let k = 0; k < (causal ? i + 1 : n); k++) {
          const x = a[i * n + k];
          if (x === 0) continue;
          // A causal product's row i, column j needs only k ≥ j (both factors are lower triangles).
          for (let j = 0; j < (causal ? k + 1 : n); j++) r[i * n + j] += x * prev[k * n + j];
        }
    // float64 carries the product on; each layer is kept as the float32 the views draw.
    cache.last = r;
    done.push(Float32Array.from(r));
  }
  return done[layer];
}

const rolloutCache = new WeakMap<object, { layers: Float32Array[]; last: Float64Array | null }>();

/** The analyses a trace JSON can carry (CLI `--analysis`); valueNorms is a graph tap, logitLens graph outputs. */
export const ANALYSES = ['valueNorms', 'valueWeighted', 'rollout', 'logitLens', 'positionEmbedding'] as const;
export type AnalysisName = (typeof ANALYSES)[number];

/** Attaches the derived analyses named in `names` to the trace (for saving as JSON). */
export function attachAnalyses(trace: Trace, names: ReadonlySet<AnalysisName>): Trace {
  const analysis: NonNullable<Trace['analysis']> = { ...trace.analysis };
  for (const kind of Object.keys(trace.attention) as AttentionKind[]) {
    if (!trace.attention[kind]?.probs) continue;
    if (names.has('valueWeighted')) (analysis.valueWeighted ??= {})[kind] = valueWeightedTensor(trace, kind);
    if (names.has('rollout') && rolloutApplies(kind)) (analysis.rollout ??= {})[kind] = rollout(trace, kind);
  }
  return Object.keys(analysis).length ? { ...trace, analysis } : trace;
}
