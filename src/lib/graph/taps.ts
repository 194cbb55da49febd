// Which intermediate values a graph exposes. Chosen when the graph is built, so a tap
// that is not asked for costs nothing at run time.

import { DEFAULT_TAPS, type TapName } from '../vocabulary/taps';
import type { AttentionKind } from '../vocabulary/attention-kinds';
import type { AblationMode } from './ablation';

/** Heads to ablate (graph/ablation.ts): T5 names its stack, the others use `self`. */
export interface Ablation {
  heads: { kind: AttentionKind; layer: number; head: number }[];
  mode: AblationMode;
}

export interface TapRequest {
  taps: ReadonlySet<TapName>;
  /** Hidden states per layer, [layers + 1, positions, dModel]. */
  hidden: boolean;
  /** When present the graph takes ablation factors as inputs (the same graph serves any heads and mode). */
  ablation?: Ablation;
  /** The logit lens (graph/logit-lens.ts): top tokens of every layer's residual stream through the output head. */
  logitLens?: boolean;
  /** Which positions the lens reads (fed, not built in): these, or the last ones that fit `lensBudget` multiply-adds, or all. */
  lensPositions?: number[];
  lensBudget?: number;
  /** Learned absolute positions (graph/position-embedding.ts): the norms of each token's parts and the position table's cosine similarity. */
  positionEmbedding?: boolean;
  /** A decoder step graph with a key/value cache (graph/kv-cache.ts): past_k/past_v in, present_k/present_v out. */
  kvCache?: boolean;
}

/** What the app draws by default: everything the views can show. */
export const ALL_TAPS: TapRequest = { taps: new Set(DEFAULT_TAPS), hidden: false };
export const PROBS_ONLY: TapRequest = { taps: new Set(['probs']), hidden: false };
export const NO_TAPS: TapRequest = { taps: new Set(), hidden: false };

/** Input names shared by the builders and the runtime. */
export const INPUT = {
  ids: 'input_ids',
  positions: 'position_ids',
  tokenTypes: 'token_type_ids',
  mask: 'attention_keep',
  logitPositions: 'logit_positions',
  buckets: 'relative_buckets',
  encoderHidden: 'encoder_hidden',
  encoderMask: 'encoder_keep',
  /** RoPE's cos and sin [T, headDim] at the input's positions, computed by the runtime in float64. */
  ropeCos: 'rope_cos',
  ropeSin: 'rope_sin',
  /** The key/value cache of the earlier positions, [layers, kvHeads, P, headDim] (graph/kv-cache.ts). */
  pastK: 'past_k',
  pastV: 'past_v',
  /** T5's cross-attention keys and values [decoderLayers, heads, S, headDim], computed once by the encoder graph. */
  crossK: 'cross_k',
  crossV: 'cross_v',
} as const;

export const OUTPUT = {
  logits: 'logits',
  hidden: 'hidden',
  encoderHidden: 'encoder_hidden_out',
  presentK: 'present_k',
  presentV: 'present_v',
  crossK: 'cross_k_out',
  crossV: 'cross_v_out',
} as const;
