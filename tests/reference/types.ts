// Types of the float64 reference implementations (test support only).
//
// The reference runs a Hugging Face checkpoint with plain loops over Float64Arrays and
// returns every number the ONNX graphs can tap, so tests can compare the app's graphs
// against an implementation that shares no code with them. Shapes follow the Trace
// contract of src/lib/trace/types.ts (only the types are imported from there).

import type { AttentionKind, Family } from '../../src/lib/trace/types';

/** A dense row-major float64 array with its shape. */
export interface RefTensor {
  shape: number[];
  data: Float64Array;
}

/** One attention stack (all layers, all heads). */
export interface RefAttention {
  /** Per-head projections: q [layer, head, query, headDim]; k, v [layer, head, key, headDim]. */
  q: RefTensor;
  k: RefTensor;
  v: RefTensor;
  /**
   * Pre-softmax logits [layer, head, query, key], after the 1/√headDim scale (GPT-2, BERT),
   * the relative position bias (T5 self-attention) and the mask. Masked entries are exactly
   * FLOAT32_MIN: that is what HF's float32 arithmetic produces (score + min rounds to min).
   */
  scores: RefTensor;
  /** Softmax of `scores` [layer, head, query, key]; masked entries are exactly 0. */
  probs: RefTensor;
  /** probs·V per head, before the output projection [layer, head, query, headDim]. */
  context: RefTensor;
  /**
   * ‖v_j^h·W_O^h‖ [layer, head, key] (Kobayashi et al. 2020): key j's value vector of head h (its
   * KV head under grouped-query attention, value bias included) times the rows of the output
   * projection that take head h's output (output bias excluded), as a Euclidean norm.
   */
  valueNorms: RefTensor;
  /** RoPE models: q [layer, head, query, headDim] and k [layer, kvHead, key, headDim] before the rotation (q and k are after it). */
  qPreRope?: RefTensor;
  kPreRope?: RefTensor;
  /**
   * T5 self-attention only: the relative position bias [head, query, key] computed from
   * block 0's `relative_attention_bias` and shared by every layer of the stack. It does not
   * include the causal or padding mask.
   */
  positionBias?: RefTensor;
}

/** The residual streams: `self` for GPT-2/BERT, `encoder` and `decoder` for T5. */
export type HiddenStack = 'self' | 'encoder' | 'decoder';

export interface ReferenceTrace {
  family: Family;
  /** config.json's model_type: gpt2, bert, distilbert, t5. */
  modelType: string;
  attention: Partial<Record<AttentionKind, RefAttention>>;
  /**
   * Hidden states [layer + 1, position, dModel] in Hugging Face's `output_hidden_states`
   * convention: entry 0 is the embedding output (GPT-2: wte+wpe; BERT: after the embedding
   * LayerNorm; T5: the raw token embeddings), entry i (1 ≤ i < layers) the output of block
   * i-1. The LAST entry differs by family, exactly as in HF: for GPT-2 and T5 it is the
   * output of the last block AFTER the final norm (ln_f / final_layer_norm); for BERT and
   * DistilBERT (post-LN, no final norm) it is simply the last block's output.
   */
  hidden: Partial<Record<HiddenStack, RefTensor>>;
  /** The raw output of every block, before any final norm, [layer, position, dModel]. */
  blockOutputs: Partial<Record<HiddenStack, RefTensor>>;
  /** Output logits [position, vocab] (T5: decoder positions). */
  logits: RefTensor;
}

/** A checkpoint tensor as read from safetensors (float32 or converted from f16/bf16). */
export interface RefWeight {
  shape: number[];
  data: Float32Array | Float64Array;
}

/** Looks tensors up by their Hugging Face names. */
export interface Weights {
  get(name: string): RefWeight | undefined;
  names(): string[];
}

/** config.json as parsed JSON. */
export type HFConfig = Record<string, unknown>;
