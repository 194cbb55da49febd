// The tap registry: every per-layer value a graph can expose, with its layout. The
// tap names, their trace JSON keys, the memory estimate, the shape checks of saved
// traces and the default tap set are all read from this one table, so a new tap
// cannot be dropped from a saved trace or left out of the memory guard.

/**
 * How a tap's tensor is laid out, per attention stack:
 * - `query-vectors`: [layer, head, query, headDim] (q, context);
 * - `kv-vectors`: [layer, kvHead, key, headDim] (k, v): one per key/value head, which with
 *   grouped-query attention is fewer than the query heads (query head h reads KV head
 *   ⌊h / (heads / kvHeads)⌋); without it kvHeads = heads;
 * - `matrix`: [layer, head, query, key] (scores, probs);
 * - `stack-matrix`: [head, query, key], one for the whole stack (T5's position bias);
 * - `head-keys`: [layer, head, key], one number per query head and key (value norms).
 */
export type TapLayout = 'query-vectors' | 'kv-vectors' | 'matrix' | 'stack-matrix' | 'head-keys';

export interface TapSpec {
  layout: TapLayout;
  /** Where the JSON form keeps it: `attentions.<kind>` (probs), `taps.<kind>.<key>` or `analysis.<key>.<kind>`. */
  json: 'attentions' | 'taps' | 'analysis';
  /** Masked entries are the float32 minimum in the graph and `null` in JSON. */
  maskedAsNull: boolean;
  /** A graph output a request can ask for (false: emitted alongside another tap). */
  requestable: boolean;
  /** What it is, in a reader's words (README, /view/ messages). */
  description: string;
  /** Only models with rotary positions have it (the values before the rotation). */
  ropeOnly?: boolean;
}

export const TAPS = {
  q: { layout: 'query-vectors', json: 'taps', maskedAsNull: false, requestable: true, description: 'per-head queries (RoPE models: after the rotation, what enters q·kᵀ)' },
  k: { layout: 'kv-vectors', json: 'taps', maskedAsNull: false, requestable: true, description: 'per-KV-head keys (RoPE models: after the rotation)' },
  v: { layout: 'kv-vectors', json: 'taps', maskedAsNull: false, requestable: true, description: 'per-KV-head values' },
  qPreRope: { layout: 'query-vectors', json: 'taps', maskedAsNull: false, requestable: true, ropeOnly: true, description: 'per-head queries before the rotary position embedding' },
  kPreRope: { layout: 'kv-vectors', json: 'taps', maskedAsNull: false, requestable: true, ropeOnly: true, description: 'per-KV-head keys before the rotary position embedding' },
  scores: { layout: 'matrix', json: 'taps', maskedAsNull: true, requestable: true, description: 'pre-softmax scores after scaling, mask and position bias' },
  probs: { layout: 'matrix', json: 'attentions', maskedAsNull: false, requestable: true, description: 'softmax weights' },
  context: { layout: 'query-vectors', json: 'taps', maskedAsNull: false, requestable: true, description: "each head's output, probs·V, before the output projection" },
  // Kobayashi et al. 2020: how much head h can move from key j, whatever it attends with.
  // α_ij · valueNorms_j is the size of what query i receives from key j through head h.
  valueNorms: { layout: 'head-keys', json: 'analysis', maskedAsNull: false, requestable: true, description: "‖v_j·W_O^h‖: the length of what key j sends through head h's slice of the output projection (value bias in, output bias out)" },
  // Emitted with `scores`: the bias is part of what the scores are made of.
  positionBias: { layout: 'stack-matrix', json: 'taps', maskedAsNull: true, requestable: false, description: 'T5 relative position bias, shared by every layer of a stack' },
} as const satisfies Record<string, TapSpec>;

/** Every key a stack's taps can have. */
export type TapKey = keyof typeof TAPS;
/** The taps a graph can be asked for. */
export type TapName = { [K in TapKey]: (typeof TAPS)[K]['requestable'] extends true ? K : never }[TapKey];

export const TAP_KEYS = Object.keys(TAPS) as TapKey[];
export const TAP_NAMES = TAP_KEYS.filter((k): k is TapName => TAPS[k].requestable);

/** Whether a model with this position encoding has the tap at all. */
export function tapApplies(tap: TapKey, positionEncoding: string): boolean {
  return !(TAPS[tap] as TapSpec).ropeOnly || positionEncoding === 'rope';
}
/** What the app asks for by default: everything the views can show. */
export const DEFAULT_TAPS: readonly TapName[] = TAP_NAMES;
