// What one model family knows, as one object per family (see ./index.ts for the
// registry). The light half (labels, notes, config parsing, which stacks are causal)
// is imported by pages; the heavy half (graph builders, input preparation) is loaded
// with `runtime()` only where a model runs (the worker, Node), so the pages never
// bundle the ONNX writer.

import type { Family } from '../vocabulary/families';
import type { AttentionKind, PositionEncoding } from '../vocabulary/attention-kinds';
import type { TapRequest } from '../graph/taps';
import type { BuiltGraph } from '../graph/builder';
import type { Checkpoint } from '../graph/weights';
import type { ModelInfo, DenseTrace, TraceToken } from '../trace/types';
import type { RunContext, RunOptions, GenerateOptions } from '../runtime/run-context';

export type Json = Record<string, unknown>;

/** Every parsed config names its family, so a config union narrows on `family`. */
export interface FamilyConfig<F extends Family = Family> {
  family: F;
  modelType: string;
  vocabSize: number;
}

/** The numbers of a model that a trace reports (ModelInfo without where it came from). */
export type ModelShape = Pick<ModelInfo, 'layers' | 'decoderLayers' | 'heads' | 'kvHeads' | 'headDim' | 'dModel' | 'vocabSize' | 'maxPositions' | 'ropeTheta' | 'ropeFrequencies' | 'ffn'>;

/**
 * What a family's models are for, which decides the explorer's controls:
 * - `continue`: a causal language model; it continues the text (greedy or sampled);
 * - `fill-mask`: a masked language model; it guesses each [MASK];
 * - `seq2seq`: an encoder-decoder; it writes a target for a source.
 */
export type FamilyTask = 'continue' | 'fill-mask' | 'seq2seq';

/** The tokens one run reads. Seq2seq families also take a target (teacher forcing) or, without one, decode greedily. */
export interface RunInput {
  text: string;
  tokens: TraceToken[];
  target?: string;
  /** Target tokens without the decoder start token; encoded from `target` when absent. */
  targetTokens?: TraceToken[];
}

export interface FamilyRuntime<C extends FamilyConfig> {
  /** The graphs a model of this family is run as (one, or T5's encoder and decoder). */
  parts: readonly string[];
  build(part: string, config: C, checkpoint: Checkpoint, request: TapRequest): BuiltGraph;
  /** One forward pass (seq2seq without a target: greedy decoding). */
  forward(ctx: RunContext<C>, input: RunInput, options: RunOptions | GenerateOptions): Promise<DenseTrace>;
  /** Writing text; absent when the family does not generate (its `task` says what it does instead). */
  generate?(ctx: RunContext<C>, text: string, options: GenerateOptions): Promise<DenseTrace>;
}

export interface FamilySpec<F extends Family, C extends FamilyConfig<F>> {
  id: F;
  /** Short name in pickers and captions: "GPT-2". */
  label: string;
  /** The one-line note the explorer shows under the model picker. */
  note: string;
  /** The shorter note beside it on the compare page (which shows its first stack). */
  compareNote: string;
  /** config.json `model_type` values this family runs. */
  modelTypes: readonly string[];
  /** The family's attention stacks, in display order. */
  kinds: readonly AttentionKind[];
  /** The stacks whose queries may only look back. */
  causalKinds: readonly AttentionKind[];
  positionEncoding: PositionEncoding;
  /** Whether scores are divided by √headDim before the softmax. */
  scaled: boolean;
  task: FamilyTask;
  /** Families without a position table (T5) still get a longest input, and the reason for it. */
  lengthLimit?: { tokens: number; why: string };
  /** Label of the main text box. */
  inputLabel: string;
  /** The float64 reference the family is tested against. */
  reference: string;
  parseConfig(config: Json, modelType: string): C;
  /** Token ids the config itself feeds the model (T5's decoder start, BERT's [PAD]): each must have an embedding row. */
  configTokenIds?(config: C): [string, number][];
  shape(config: C): ModelShape;
  runtime(): Promise<FamilyRuntime<C>>;
}
