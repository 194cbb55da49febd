// Numeric building blocks of the reference, in float64. Activations are row-major
// matrices [rows, cols] stored in Float64Arrays; weights are read straight from the
// checkpoint (float32 values, promoted to float64 as they are used).

import type { RefAttention, RefTensor } from './types';

/** torch.finfo(torch.float32).min: what HF writes into (or adds to) masked attention scores. */
export const FLOAT32_MIN = -3.4028234663852886e38;

type Vec = ArrayLike<number>;

export function newTensor(shape: number[]): RefTensor {
  return { shape, data: new Float64Array(shape.reduce((a, d) => a * d, 1)) };
}

// ---------------------------------------------------------------------------------------
// erf, to double precision.
//
// |x| < 3: erf(x) = 2/√π · e^(−x²) · Σ_{n≥0} x·(2x²)^n / (1·3·5···(2n+1)). Every term is
// positive, so there is no cancellation (unlike the alternating Taylor series) and the
// sum is accurate to a few ulp; it needs at most ~60 terms below 3.
// |x| ≥ 3: erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))),
// the classical continued fraction (Abramowitz & Stegun 7.1.14), evaluated with the
// modified Lentz method; it converges fast for large x.
// e^(−x²) is computed as e^(−h²)·e^(−(x−h)(x+h)) with h = x rounded to float32, so h² is
// exact and the rounding of x² does not cost ~x² ulp of relative error.

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/√π
const ERF_SERIES_LIMIT = 2;

function expMinusSquare(x: number): number {
  const h = Math.fround(x);
  return Math.exp(-h * h) * Math.exp(-(x - h) * (x + h));
}

function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  return (ONE_OVER_SQRT_PI * expMinusSquare(x)) / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < ERF_SERIES_LIMIT) {
    const twoX2 = 2 * x * x;
    let term = x;
    let sum = x;
    for (let n = 0; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= twoX2 / (2 * n + 3);
      sum += term;
    }
    return TWO_OVER_SQRT_PI * expMinusSquare(x) * sum;
  }
  const c = ax === Infinity ? 0 : erfcContinuedFraction(ax);
  return x > 0 ? 1 - c : c - 1;
}

// ---------------------------------------------------------------------------------------
// Activations, by their names in HF's ACT2FN.

/** "gelu": the exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)) (BERT, DistilBERT). */
export function geluExact(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** "gelu_new" (= "gelu_pytorch_tanh"): the tanh approximation (GPT-2, T5 v1.1 gated-gelu). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

export function relu(x: number): number {
  return x > 0 ? x : 0;
}

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

export function activation(name: string): (x: number) => number {
  switch (name) {
    case 'gelu':
      return geluExact;
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return geluTanh;
    case 'relu':
      return relu;
    case 'silu':
    case 'swish':
      return silu;
    default:
      throw new Error(`reference: activation "${name}" is not implemented`);
  }
}

export function mapInPlace(x: Float64Array, f: (v: number) => number): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = f(x[i]);
  return x;
}

// ---------------------------------------------------------------------------------------
// Dense layers.

/** torch.nn.Linear: y = x·Wᵀ + b, with W stored [out, in] (BERT, DistilBERT, T5). */
export function linear(x: Float64Array, rows: number, inDim: number, w: Vec, b: Vec | null, outDim: number): Float64Array {
  const y = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    const xo = r * inDim;
    for (let o = 0; o < outDim; o++) {
      const wo = o * inDim;
      let s = 0;
      for (let i = 0; i < inDim; i++) s += x[xo + i] * w[wo + i];
      y[r * outDim + o] = s + (b ? b[o] : 0);
    }
  }
  return y;
}

/** GPT-2's Conv1D: y = x·W + b, with W stored [in, out] (transposed relative to nn.Linear). */
export function conv1d(x: Float64Array, rows: number, inDim: number, w: Vec, b: Vec, outDim: number): Float64Array {
  const y = new Float64Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    const yo = r * outDim;
    for (let i = 0; i < inDim; i++) {
      const xi = x[r * inDim + i];
      const wo = i * outDim;
      for (let o = 0; o < outDim; o++) y[yo + o] += xi * w[wo + o];
    }
    for (let o = 0; o < outDim; o++) y[yo + o] += b[o];
  }
  return y;
}

/** Rows of an embedding table [vocab, d] for the given ids. */
export function embed(table: Vec, ids: readonly number[], d: number, vocab: number): Float64Array {
  const y = new Float64Array(ids.length * d);
  ids.forEach((id, r) => {
    if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new Error(`reference: token id ${id} outside [0, ${vocab})`);
    for (let i = 0; i < d; i++) y[r * d + i] = table[id * d + i];
  });
  return y;
}

export function addInPlace(a: Float64Array, b: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}

// ---------------------------------------------------------------------------------------
// Norms.

/** torch.nn.LayerNorm: (x − mean)/√(var + eps)·γ + β per row, var biased (divided by d). */
export function layerNorm(x: Float64Array, rows: number, d: number, gamma: Vec, beta: Vec, eps: number): Float64Array {
  const y = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[o + i];
    mean /= d;
    let variance = 0;
    for (let i = 0; i < d; i++) variance += (x[o + i] - mean) ** 2;
    variance /= d;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < d; i++) y[o + i] = (x[o + i] - mean) * inv * gamma[i] + beta[i];
  }
  return y;
}

/** T5LayerNorm (RMSNorm): x/√(mean(x²) + eps)·w; no mean subtraction, no bias. */
export function rmsNorm(x: Float64Array, rows: number, d: number, weight: Vec, eps: number): Float64Array {
  const y = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let meanSquare = 0;
    for (let i = 0; i < d; i++) meanSquare += x[o + i] * x[o + i];
    meanSquare /= d;
    const inv = 1 / Math.sqrt(meanSquare + eps);
    for (let i = 0; i < d; i++) y[o + i] = weight[i] * (x[o + i] * inv);
  }
  return y;
}

// ---------------------------------------------------------------------------------------
// Multi-head attention core.

export interface AttentionInputs {
  heads: number;
  headDim: number;
  queries: number;
  keys: number;
  /** Projected inputs: q [queries, heads·headDim], k and v [keys, heads·headDim]; head h is columns h·headDim…(h+1)·headDim. */
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  /** q·k is divided by this (√headDim for GPT-2/BERT, 1 for T5). */
  divisor: number;
  /** Additive bias per [head, query, key] (T5's relative position bias), or none. */
  bias?: (head: number, query: number, key: number) => number;
  /** Whether a query may attend to a key (causal mask, padding mask). */
  allowed: (query: number, key: number) => boolean;
  /** The output projection, for the value-norm tap (kvHeads = heads here). */
  output: Omit<OutputProjection, 'heads' | 'kvHeads' | 'headDim'>;
  /** Heads of this layer to ablate, and how (the taps keep what the heads computed). */
  ablate?: LayerAblationRef;
}

export interface LayerAblationRef {
  heads: number[];
  mode: 'zero' | 'mean' | 'uniform';
}

/**
 * Rewrites the ablated heads' columns of `merged` [queries, heads·headDim]: zero; the mean of
 * the head's output over the query positions; or the output the head would give with equal
 * weight on every key it may see (v [keys, kvHeads·headDim], query head h reading KV head h/group).
 */
export function applyAblation(
  merged: Float64Array,
  dims: { heads: number; kvHeads: number; headDim: number; queries: number; keys: number },
  v: Float64Array,
  allowed: (query: number, key: number) => boolean,
  ablate: LayerAblationRef | undefined,
): void {
  if (!ablate) return;
  const { heads, kvHeads, headDim: dh, queries: tq, keys: tk } = dims;
  const width = heads * dh;
  for (const h of ablate.heads) {
    const kv = Math.floor(h / (heads / kvHeads));
    for (let e = 0; e < dh; e++) {
      const col = h * dh + e;
      if (ablate.mode === 'zero') for (let i = 0; i < tq; i++) merged[i * width + col] = 0;
      else if (ablate.mode === 'mean') {
        let m = 0;
        for (let i = 0; i < tq; i++) m += merged[i * width + col];
        for (let i = 0; i < tq; i++) merged[i * width + col] = m / tq;
      } else
        for (let i = 0; i < tq; i++) {
          let s = 0;
          let n = 0;
          for (let j = 0; j < tk; j++)
            if (allowed(i, j)) {
              s += v[j * kvHeads * dh + kv * dh + e];
              n++;
            }
          merged[i * width + col] = s / n;
        }
    }
  }
}

/** A whole model's ablation in the reference: per stack, per layer, the heads. */
export interface RefAblation {
  mode: 'zero' | 'mean' | 'uniform';
  heads: { kind: string; layer: number; head: number }[];
}

export function layerAblation(a: RefAblation | undefined, kind: string, layer: number): LayerAblationRef | undefined {
  const heads = a?.heads.filter((x) => x.kind === kind && x.layer === layer).map((x) => x.head) ?? [];
  return a && heads.length ? { heads, mode: a.mode } : undefined;
}

/** Allocates the tap tensors of one attention stack. */
export function newAttention(layers: number, heads: number, queries: number, keys: number, headDim: number): RefAttention {
  return {
    q: newTensor([layers, heads, queries, headDim]),
    k: newTensor([layers, heads, keys, headDim]),
    v: newTensor([layers, heads, keys, headDim]),
    scores: newTensor([layers, heads, queries, keys]),
    probs: newTensor([layers, heads, queries, keys]),
    context: newTensor([layers, heads, queries, headDim]),
    valueNorms: newTensor([layers, heads, keys]),
  };
}

export interface OutputProjection {
  heads: number;
  /** Key/value heads (grouped-query attention); query head h reads KV head ⌊h / (heads / kvHeads)⌋. */
  kvHeads: number;
  headDim: number;
  dModel: number;
  /** `in-out`: Conv1D [heads·headDim, dModel] (GPT-2); `out-in`: Linear [dModel, heads·headDim]. */
  layout: 'in-out' | 'out-in';
  weight: Vec;
}

/**
 * Stores ‖v_j^h·W_O^h‖ for every head and key of `layer`: v is [keys, kvHeads·headDim] as it
 * enters attention. Computed as the product itself (not through a Gram matrix as the graph does).
 */
export function storeValueNorms(taps: RefAttention, layer: number, v: Float64Array, keys: number, o: OutputProjection): void {
  const { heads, kvHeads, headDim: dh, dModel, weight: w } = o;
  const inner = heads * dh;
  const out = new Float64Array(dModel);
  for (let h = 0; h < heads; h++) {
    const kv = Math.floor(h / (heads / kvHeads));
    for (let j = 0; j < keys; j++) {
      out.fill(0);
      for (let e = 0; e < dh; e++) {
        const x = v[j * kvHeads * dh + kv * dh + e];
        const r = h * dh + e;
        for (let c = 0; c < dModel; c++) out[c] += x * (o.layout === 'in-out' ? w[r * dModel + c] : w[c * inner + r]);
      }
      let sq = 0;
      for (let c = 0; c < dModel; c++) sq += out[c] * out[c];
      taps.valueNorms.data[(layer * heads + h) * keys + j] = Math.sqrt(sq);
    }
  }
}

/**
 * softmax(q·kᵀ/divisor + bias, masked) · v for every head, recording q, k, v, scores,
 * probs and context of `layer` into `taps`. Returns the heads' outputs concatenated per
 * query, [queries, heads·headDim], the input of the output projection.
 */
export function attend(a: AttentionInputs, taps: RefAttention, layer: number): Float64Array {
  const { heads, headDim: dh, queries: tq, keys: tk } = a;
  const width = heads * dh;
  const merged = new Float64Array(tq * width);
  const row = new Float64Array(tk);
  for (let h = 0; h < heads; h++) {
    const qkvBase = (t: number) => ((layer * heads + h) * t) * dh;
    const qBase = qkvBase(tq);
    const kBase = qkvBase(tk);
    for (let i = 0; i < tq; i++)
      for (let e = 0; e < dh; e++) taps.q.data[qBase + i * dh + e] = a.q[i * width + h * dh + e];
    for (let j = 0; j < tk; j++)
      for (let e = 0; e < dh; e++) {
        taps.k.data[kBase + j * dh + e] = a.k[j * width + h * dh + e];
        taps.v.data[kBase + j * dh + e] = a.v[j * width + h * dh + e];
      }
    const sBase = (layer * heads + h) * tq * tk;
    for (let i = 0; i < tq; i++) {
      let max = -Infinity;
      for (let j = 0; j < tk; j++) {
        let s: number;
        if (a.allowed(i, j)) {
          let dot = 0;
          for (let e = 0; e < dh; e++) dot += a.q[i * width + h * dh + e] * a.k[j * width + h * dh + e];
          s = dot / a.divisor + (a.bias ? a.bias(h, i, j) : 0);
        } else s = FLOAT32_MIN;
        row[j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j < tk; j++) {
        taps.scores.data[sBase + i * tk + j] = row[j];
        row[j] = Math.exp(row[j] - max);
        sum += row[j];
      }
      for (let j = 0; j < tk; j++) {
        row[j] /= sum;
        taps.probs.data[sBase + i * tk + j] = row[j];
      }
      for (let e = 0; e < dh; e++) {
        let c = 0;
        for (let j = 0; j < tk; j++) c += row[j] * a.v[j * width + h * dh + e];
        taps.context.data[qBase + i * dh + e] = c;
        merged[i * width + h * dh + e] = c;
      }
    }
  }
  storeValueNorms(taps, layer, a.v, tk, { ...a.output, heads, kvHeads: heads, headDim: dh });
  applyAblation(merged, { heads, kvHeads: heads, headDim: dh, queries: tq, keys: tk }, a.v, a.allowed, a.ablate);
  return merged;
}

/** Copies a [rows, d] matrix into slot `index` of a [n, rows, d] tensor. */
export function storeSlice(target: RefTensor, index: number, x: Float64Array): void {
  target.data.set(x, index * x.length);
}

/** The row-wise argmax of the last row of a [rows, cols] tensor (greedy decoding). */
export function argmaxLastRow(t: RefTensor): number {
  const [rows, cols] = t.shape;
  let best = 0;
  for (let c = 1; c < cols; c++) if (t.data[(rows - 1) * cols + c] > t.data[(rows - 1) * cols + best]) best = c;
  return best;
}
