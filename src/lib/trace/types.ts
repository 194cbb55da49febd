// The Trace: everything one forward pass tells us, as plain data.
//
// A Trace is what the runtime hands to the views. It holds the model's own numbers,
// read from the graph's taps, as flat Float32Arrays with explicit shapes (the view
// code never sees a tensor library). It can be saved as JSON (see ./json.ts) and a
// page can be drawn from a saved trace without any model.

import type { Family } from '../vocabulary/families';
import type { AttentionKind, PositionEncoding } from '../vocabulary/attention-kinds';
import type { TapKey, TapName } from '../vocabulary/taps';
import { isPacked, packedValue, unpackAll, unpackHead, type PackedMatrices } from './packed';
import { exactHead } from './exact';

// The shared vocabulary lives upstream (src/lib/vocabulary/); re-exported for the views.
export type { Family } from '../vocabulary/families';
export type { AttentionKind, PositionEncoding } from '../vocabulary/attention-kinds';
export type { TapName, TapKey } from '../vocabulary/taps';
export { TAP_NAMES } from '../vocabulary/taps';

/** A dense row-major float32 array with its shape. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** [layer, head, query, key] matrices: dense, or packed in the page (./packed.ts); read a head with headMatrix. */
export type Matrices = Tensor | PackedMatrices;

/** The taps that may be packed: the [layer, head, query, key] matrices. */
export type MatrixTap = 'probs' | 'scores';

/** One stack's taps, keyed as in the tap registry (src/lib/vocabulary/taps.ts). */
export type AttentionTaps<M extends Matrices = Matrices> = Partial<Record<Exclude<TapKey, MatrixTap>, Tensor>> & Partial<Record<MatrixTap, M>>;

export interface TraceToken {
  id: number;
  /** The token's own string from the vocabulary (e.g. `Ġworld`, `##ing`, `▁the`). */
  text: string;
  /** Character (UTF-16 code unit) span in the input text; start === end for tokens with no source text. */
  start: number;
  end: number;
  special: boolean;
}

export interface ModelInfo {
  /** Its tokenizer writes tokens in GPT-2's byte alphabet (Ġ = space): the views decode them to text. */
  byteLevelTokens?: boolean;
  /** Where it came from: an embedded id (`tiny-gpt2`), a Hub id (`gpt2`), or a local name. */
  id: string;
  source: 'embedded' | 'hub' | 'local';
  revision?: string;
  family: Family;
  /** `config.json`'s `model_type` (gpt2, bert, distilbert, t5). */
  modelType: string;
  layers: number;
  /** T5 only: decoder layers (may differ from encoder layers). */
  decoderLayers?: number;
  heads: number;
  /** Key/value heads (grouped-query attention: fewer than `heads`); absent means one per query head. */
  kvHeads?: number;
  headDim: number;
  /** Weights rounded to a lower precision at load (graph/quantize.ts): how, and what they would store. */
  quantization?: { mode: 'fp16' | 'int8' | 'int4'; scheme: string; tensors: number; parameters: number; bytes: number; fp32Bytes: number };
  /** The feed-forward block: its inner width and how many d × dim matrices it has (3 when gated: SwiGLU, gated-GELU). */
  ffn?: { dim: number; matrices: 2 | 3 };
  dModel: number;
  vocabSize: number;
  /** Longest input the model takes; null when positions are relative (T5). */
  maxPositions: number | null;
  positionEncoding: PositionEncoding;
  /** RoPE models: the base θ of the rotation frequencies (`rope_theta`). */
  ropeTheta?: number;
  /** RoPE models: the rotation frequency of each dimension pair (i, i + headDim/2), radians per position, after rope_scaling. */
  ropeFrequencies?: number[];
  /** Whether scores are divided by √headDim before the softmax (not in T5). */
  scaled: boolean;
  /** Parameters in the checkpoint. */
  parameters: number;
}

export interface Backend {
  name: 'webgpu' | 'wasm';
  /** WASM threads in use; 1 when the page is not cross-origin isolated. */
  threads?: number;
  /** Why this backend was chosen, in words a user can read (e.g. why WebGPU was not used). */
  reason: string;
  /** The same as a code, so the page can say it in the user's language (reason keeps the details). */
  why?: BackendWhy;
}

export const BACKEND_WHYS = ['settings', 'node', 'no-webgpu', 'no-adapter', 'fallback-adapter', 'webgpu-failed', 'webgpu'] as const;
export type BackendWhy = (typeof BACKEND_WHYS)[number];

/** Next-token (GPT) or masked-token (BERT) predictions at one position. */
export interface Prediction {
  position: number;
  candidates: { id: number; text: string; prob: number }[];
}

/**
 * A trace whose matrices may be packed (the page's, ./packed.ts); `DenseTrace` is what the
 * runner, the CLI and the JSON reader produce, every tap a dense Float32Array.
 */
export interface Trace<M extends Matrices = Matrices> {
  version: 1;
  model: ModelInfo;
  backend: Backend;
  /** The input text (T5: the source). */
  text: string;
  tokens: TraceToken[];
  /** T5 only: the target text (given or generated) and its tokens, starting with the decoder start token. */
  target?: string;
  decoderTokens?: TraceToken[];
  /** Taps per attention kind; which are present depends on what was asked for. */
  attention: Partial<Record<AttentionKind, AttentionTaps<M>>>;
  /** Hidden states, [layer + 1, position, dModel] (embeddings first), when asked for. */
  hidden?: Tensor;
  predictions?: Prediction[];
  /** Greedy decoding (T5): why it stopped, at </s> or at its length limit (twice the source). */
  generation?: {
    stopped: 'end-of-sequence' | 'length-limit' | 'steps';
    limit: number;
    /** Whether the steps reused the decoder's key/value cache, their mean time (ms per written token), each step's time (the first runs the start token) and the self-attention cache's bytes at the end. */
    cache?: boolean;
    msPerToken?: number;
    stepMs?: number[];
    cacheBytes?: number;
  };
  /**
   * A continuation (GPT-2, OPT, LLaMA): the tokens from position `from` on were written by the model,
   * one per step; each step records the chosen id and the model's own probability of it and its
   * top alternatives, from that step's forward pass (at temperature 1, whatever sampling chose).
   */
  generated?: { from: number; steps: { id: number; text: string; prob: number; alternatives: Prediction['candidates'] }[]; /** Whether the steps reused the key/value cache, and their mean time (ms per generated token). */ cache?: boolean; msPerToken?: number; /** Each step's forward pass (ms); with the cache the first one runs the whole prompt. */ stepMs?: number[]; /** The cache's bytes at the end (keys and values of every position the last step read). */ cacheBytes?: number };
  /**
   * Analyses computed from the taps when asked for (CLI `--analysis`, trace/analysis.ts): value-weighted
   * attention α_ij·‖v_j·W_O^h‖ [layer, head, query, key] and attention rollout [layer, query, key].
   */
  analysis?: { valueWeighted?: Partial<Record<AttentionKind, Tensor>>; rollout?: Partial<Record<AttentionKind, Tensor>> };
  /**
   * Heads ablated in this run (CLI `--ablate`, the explorer's ablation): predictions and logits are
   * the ablated model's; the ablated heads' own taps still show what they computed.
   */
  ablation?: { heads: { kind: AttentionKind; layer: number; head: number }[]; mode: 'zero' | 'mean' | 'uniform' };
  /**
   * The logit lens (when asked for): per residual stream (0 = the embeddings, l + 1 = after layer l;
   * T5: the decoder's) and position, the top 10 tokens `ids` with their `probs` [streams, position, 10]
   * and the `rank` (0 = top) of the token the whole model predicts there [streams, position].
   */
  logitLens?: {
    /** The positions read (the explorer reads a window that fits its budget for large vocabularies). */
    positions: number[];
    probs: Tensor;
    ids: Tensor;
    rank: Tensor;
    /** The vocabulary's string of each id, in the order of `ids`. */
    texts: string[];
  };
  /**
   * Learned absolute positions (GPT-2, BERT, OPT; when asked for): `norms` [3, T] holds, per input
   * token, ‖token vector‖, ‖position vector‖ and ‖their sum‖ (what the first layer reads; BERT's
   * before its embedding LayerNorm); `similarity` [M, M] is the cosine similarity of the position
   * table's rows at `samples` (every s-th position up to the model's limit).
   */
  positionEmbedding?: { norms: Tensor; samples: number[]; similarity: Tensor };
  /**
   * The selection the trace was saved with (the export menu's JSON): { kind, layer, head, heads,
   * query, heatmap }. Opaque here; /view/ reopens the same picture from it (state/view-state.ts checks each field).
   */
  view?: Record<string, unknown>;
  /** Taps left out so that the trace fits the memory limit (RunOptions.fitTaps), and the bytes all asked-for taps would have taken. */
  tapsLeftOut?: { taps: TapName[]; bytes: number };
  /** The text had more tokens than the model reads and was cut to the first `tokens.length` (of `tokens` here). */
  truncated?: { tokens: number };
  /** Raw output logits [positions.length, vocab] at `positions` (T5: decoder positions), when asked for. */
  logits?: { positions: number[]; values: Tensor };
  timings: { runMs: number; buildMs?: number; tokenizeMs?: number };
}

export type DenseTrace = Trace<Tensor>;

/** Element index of [a, b, c, d] in a tensor of shape [A, B, C, D]. */
export function index4(shape: number[], a: number, b: number, c: number, d: number): number {
  return ((a * shape[1] + b) * shape[2] + c) * shape[3] + d;
}

/**
 * One [query, key] attention matrix of a [layer, head, query, key] tensor: a view of a dense
 * one (never write to it), a decoded copy of a packed one (the last few kept, so that a view
 * redrawing one head does not decode it again). A float16 head whose exact values were
 * fetched (./exact.ts) reads those.
 */
export function headMatrix(t: Matrices, layer: number, head: number): Float32Array {
  const [, , rows, cols] = t.shape;
  if (isPacked(t)) return exactHead(t, layer, head) ?? decodedHead(t, layer, head);
  const start = index4(t.shape, layer, head, 0, 0);
  return t.data.subarray(start, start + rows * cols);
}

/** Decoded heads per packed stack, most recent last; about this many bytes in all. */
const DECODED_BYTES = 48e6;
const decoded = new WeakMap<PackedMatrices, Map<number, Float32Array>>();
function decodedHead(t: PackedMatrices, layer: number, head: number): Float32Array {
  let heads = decoded.get(t);
  if (!heads) decoded.set(t, (heads = new Map()));
  const key = layer * t.shape[1] + head;
  let m = heads.get(key);
  if (m) {
    heads.delete(key);
    heads.set(key, m);
    return m;
  }
  m = unpackHead(t, layer, head);
  const keep = Math.max(2, Math.floor(DECODED_BYTES / m.byteLength));
  while (heads.size >= keep) heads.delete(heads.keys().next().value!);
  heads.set(key, m);
  return m;
}

/** One value [layer, head, query, key] of dense or packed matrices. */
export function matrixValue(t: Matrices, layer: number, head: number, query: number, key: number): number {
  if (!isPacked(t)) return t.data[index4(t.shape, layer, head, query, key)];
  const exact = exactHead(t, layer, head);
  return exact ? exact[query * t.shape[3] + key] : packedValue(t, layer, head, query, key);
}

/** Dense float32 values of dense or packed matrices (packed: a new array of the whole stack). */
export function denseData(t: Matrices): Float32Array {
  return isPacked(t) ? unpackAll(t) : t.data;
}

/** Dense or packed matrices as a dense Tensor (for JSON files, scripts and whole-stack sums). */
export function denseTensor(t: Matrices): Tensor {
  return isPacked(t) ? { shape: t.shape, data: unpackAll(t) } : t;
}

/** Bytes the page holds for a tap (packed: the packed bytes). */
export const matricesBytes = (t: Matrices): number => (isPacked(t) ? t.packed.byteLength : t.data.byteLength);

/** Bytes a trace's taps and hidden states hold (packed matrices: as packed). */
export function traceBytes(t: Trace): number {
  let n = 0;
  for (const taps of Object.values(t.attention)) for (const tensor of Object.values(taps ?? {}) as Matrices[]) n += matricesBytes(tensor);
  return n + (t.hidden?.data.byteLength ?? 0);
}

export { isPacked, type PackedMatrices } from './packed';

/** The attention kinds a family's trace has, in display order. */
export { attentionKinds } from '../families';
