// What the key/value cache held at one step of a generation, from the trace's own taps: a causal
// model's self-attention, or T5's decoder self-attention (with cross-attention's keys and values,
// which the encoder side computed once and every step read).
// In a causal model a position's key and value never change once computed (later tokens cannot
// reach them), so the cache the step read is exactly rows 0..p of this trace's k and v, and
// the step's new query attended over them with row p of its weights.

import type { AttentionKind, Trace } from './types';
import { headMatrix } from './types';

export interface CacheAtStep {
  /** The query position of the step (it wrote token p + 1); the cache holds keys 0..p. */
  position: number;
  /** Keys held (position + 1). */
  positions: number;
  kvHead: number;
  headDim: number;
  /** Row-major [positions, headDim] keys and values of this layer and KV head. */
  keys: Float32Array;
  values: Float32Array;
  /** The step's attention over the cached keys: row p of the head's weights, [positions]. */
  weights: Float32Array;
  /** 2 · layers · kvHeads · headDim · positions · 4 bytes (float32 keys and values). */
  bytes: number;
  /** The same with one key/value head per query head (what grouped-query attention saves). */
  bytesWithoutSharing: number;
  /** T5: cross-attention's keys and values, projected once from the source's `sources` tokens and read by every step. */
  cross?: { sources: number; bytes: number };
}

/** The stack whose keys and values a generation caches: T5's decoder, everyone else's self-attention. */
export const cachedStack = (trace: Trace): AttentionKind => (trace.model.family === 't5' ? 'decoder' : 'self');

/** Query head h reads KV head ⌊h / (H / H_kv)⌋ (grouped-query attention repeats, not tiles). */
export const kvHeadOf = (head: number, heads: number, kvHeads: number): number => Math.floor(head / (heads / kvHeads));

export function cacheAtStep(trace: Trace, layer: number, head: number, position: number): CacheAtStep | null {
  const stack = cachedStack(trace);
  const taps = trace.attention[stack];
  const k = taps?.k;
  const v = taps?.v;
  const p = taps?.probs;
  if (!k || !v || !p) return null;
  const { heads, headDim } = trace.model;
  const layers = stack === 'decoder' ? (trace.model.decoderLayers ?? trace.model.layers) : trace.model.layers;
  const kvHeads = trace.model.kvHeads ?? heads;
  const [, kvH, T, d] = k.shape;
  if (kvH !== kvHeads || d !== headDim || position < 0 || position >= T) return null;
  const n = position + 1;
  const kv = kvHeadOf(head, heads, kvHeads);
  const at = (layer * kvHeads + kv) * T * d;
  const [, , Q, K] = p.shape;
  const row = position * K;
  return {
    position,
    positions: n,
    kvHead: kv,
    headDim: d,
    keys: k.data.slice(at, at + n * d),
    values: v.data.slice(at, at + n * d),
    weights: headMatrix(p, layer, head).slice(row, row + n),
    bytes: 2 * layers * kvHeads * d * n * 4,
    bytesWithoutSharing: 2 * layers * heads * d * n * 4,
    ...(crossOf(trace, layers) ?? {}),
  };
}

function crossOf(trace: Trace, layers: number): { cross: CacheAtStep['cross'] } | null {
  const k = trace.attention.cross?.k;
  if (!k) return null;
  const [, kvH, S, d] = k.shape;
  return { cross: { sources: S, bytes: 2 * layers * kvH * d * S * 4 } };
}
