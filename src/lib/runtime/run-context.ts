// What a family's runtime (src/lib/families/<family>/run.ts) gets from the runner: the
// family-free machinery of running a graph (sessions, the WebGPU→WASM fallback, the
// length and memory guards, turning outputs into a DenseTrace) and the run options.

import type * as ortTypes from 'onnxruntime-web';
import type { Ablation, TapRequest } from '../graph/taps';
import type { TraceStorage } from '../trace/compact';
import type { AttentionKind, ModelInfo, DenseTrace, TraceToken, TapName } from '../trace/types';
import type { TextCodec } from './codec';

export interface RunOptions {
  taps?: TapName[];
  /**
   * How the page keeps the trace's matrices (trace/compact.ts): `compact` (the default),
   * `lossless` (never float16: runs compared with another run) or `float32` (unpacked: the bench's comparison).
   */
  pageStorage?: TraceStorage;
  /** Leave out taps (scores first) rather than refuse a run too large for the memory limit (the explorer at 1,024 tokens). */
  fitTaps?: boolean;
  hidden?: boolean;
  /** Top-k predictions to report (GPT-2: next token; BERT: masked positions; T5: each decoder step). */
  topK?: number;
  /** Cut the input to the model's longest sequence instead of failing. */
  truncate?: boolean;
  /** BERT: pad the input with [PAD] to this length (padded keys are masked). */
  padTo?: number;
  /** BERT: predict at every position, not only at [MASK]s. GPT-2: logits at every position, not only the last. */
  predictAll?: boolean;
  /** Keep the raw logits in the trace (for research and tests; they are vocabulary-sized per position). */
  keepLogits?: boolean;
  /** Heads whose output is zeroed, replaced by its mean over positions, or computed from uniform weights. */
  ablation?: Ablation;
  /** The logit lens: every layer's residual stream through the final norm and output head (a matmul with the vocabulary per layer). */
  logitLens?: boolean | { positions?: number[]; budget?: number };
  /** Learned absolute positions: each token's vector, position vector and sum norms, and the position table's cosine similarity (GPT-2, BERT, OPT). */
  positionEmbedding?: boolean;
}

export interface GenerateOptions extends RunOptions {
  /** New tokens to generate. */
  steps: number;
  /** 1 = greedy; k > 1 samples from the top k. */
  sampleTopK?: number;
  temperature?: number;
  seed?: number;
  /** Called with the trace after each generated token (T5: watch the alignment grow). */
  onStep?: (trace: DenseTrace) => void;
  /** Checked between steps; a superseded run stops early. */
  cancelled?: () => boolean;
  /** Decoders: reuse the keys and values of earlier positions (the default); false recomputes the whole text every step. */
  cache?: boolean;
}

/**
 * Whether a generation reuses the key/value cache: by default, but not when a head is replaced by
 * its mean over positions (ablation mode `mean`), which a step that runs one position cannot take.
 */
export function usesCache(options: GenerateOptions): boolean {
  return options.cache !== false && options.ablation?.mode !== 'mean';
}

export type Feeds = Record<string, ortTypes.Tensor>;
export type Outputs = ortTypes.InferenceSession.ReturnType;

export interface RunContext<C> {
  readonly config: C;
  readonly info: ModelInfo;
  readonly codec: TextCodec;
  /** The tap set `options` asks for (all taps by default). */
  request(options: RunOptions): TapRequest;
  /** Runs one of the family's graphs (see FamilyRuntime.parts). */
  /** Reads the logit-lens outputs of `out`, if the graph made them, into the trace. */
  addLens(trace: DenseTrace, out: Outputs): void;
  exec(part: string, request: TapRequest, feeds: Feeds): Promise<Outputs>;
  /** The usable length of an input of `n` tokens: fails past the model's positions unless truncating. */
  checkLength(n: number, options: RunOptions, what?: string): number;
  /** Refuses a run whose trace would not fit the memory limit, before it starts. */
  checkMemory(queries: number, keys: number, request: TapRequest): void;
  /**
   * With `options.fitTaps`, the request with taps left out (scores first, then the per-head
   * vectors; never probs) until the trace fits the memory limit, and which were left out.
   */
  fitRequest(queries: number, keys: number, request: TapRequest, options: RunOptions): { request: TapRequest; leftOut?: DenseTrace['tapsLeftOut'] };
  /**
   * A trace with the tokens and timings, and (from `out`) the taps of `kinds` and the hidden
   * states. The timings cover the request so far; a `partial` trace (one step of a generation)
   * leaves the clock running, so the final trace times the whole run.
   */
  trace(text: string, tokens: TraceToken[], out: Outputs | null, kinds: readonly AttentionKind[], partial?: boolean): DenseTrace;
  /** The taps of `kinds` in a graph's outputs. */
  collect(out: Outputs, kinds: readonly AttentionKind[]): DenseTrace['attention'];
  /** Adds the top-k predictions at `positions` from a [positions, vocab] logits output. */
  addPredictions(trace: DenseTrace, positions: number[], logits: ortTypes.Tensor, options: RunOptions, k?: number): void;
  /** What one generation step chose: the id, the model's probability of it and its top 5, from `logits`. */
  stepChoice(logits: Float32Array, id: number): NonNullable<DenseTrace['generated']>['steps'][number];
  /** Picks the next token from one position's logits: greedy, or sampled from the top k. */
  pick(logits: Float32Array, options: GenerateOptions, random: () => number): number;
  /** Throws when a newer run has replaced this one. */
  checkCancelled(options: GenerateOptions): void;
}
