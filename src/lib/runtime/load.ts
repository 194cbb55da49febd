// Turns a model's files (config.json, tokenizer.json, safetensors) into a ModelRunner,
// wherever the files came from: the app's static folder, the Hub, a user's drop, disk.

import { quantizeWeights, type Quantization, type QuantizationReport } from '../graph/quantize';
import { AtlasError } from '../errors';
import { familySpec, parseConfig } from '../families';
import { Checkpoint } from '../graph/weights';
import { FLOAT_DTYPES, parseSafetensors } from '../hub/safetensors';
import type { ModelInfo } from '../trace/types';
import { backendFor, type BackendPreference } from './backend';
import { createCodec } from './codec';
import type { Watch } from '../tokenize/patterns';
import { modelInfo, ModelRunner } from './runner';
import { checkWeightMemory } from './memory';

export interface ModelFiles {
  config: unknown;
  tokenizer: unknown;
  tokenizerConfig?: unknown;
  /** One or more safetensors files (shards), by file name. */
  weights: { name: string; bytes: Uint8Array }[];
}

export type ModelOrigin = Pick<ModelInfo, 'id' | 'source' | 'revision'>;

/** `watch`: time budgets on tokenizing, for a thread a watchdog can stop (see createCodec). */
export interface LoadOptions {
  /** Round the weights as this precision stores them, expanded back to float32 at load (graph/quantize.ts). */
  quantize?: Quantization;
}

export async function loadModel(files: ModelFiles, origin: ModelOrigin, preference: BackendPreference = 'auto', watch?: Watch, options: LoadOptions = {}): Promise<ModelRunner> {
  const config = parseConfig(files.config);
  let quantization: QuantizationReport | undefined;
  if (options.quantize && files.weights.length) {
    const q = quantizeWeights(files.weights, options.quantize);
    files = { ...files, weights: q.weights };
    quantization = q.report;
  }
  if (files.weights.length === 0)
    throw new AtlasError('missing-tensor', `${origin.id} has no model.safetensors.`, 'Attention Atlas reads weights in the safetensors format only.');
  const shards = files.weights.map((w) => parseSafetensors(w.bytes, w.name));
  const checkpoint = new Checkpoint(shards);
  let parameters = 0;
  for (const s of shards) for (const t of s.tensors.values()) if (FLOAT_DTYPES.includes(t.dtype)) parameters += t.shape.reduce((a, b) => a * b, 1);
  // Before the tokenizer and the sessions: a model too big for the tab is refused while nothing is allocated.
  checkWeightMemory(origin.id, parameters);
  const codec = createCodec(origin.id, files.tokenizer, files.tokenizerConfig, { watch, embeddingRows: config.vocabSize });
  const backend = await backendFor(preference);
  const runtime = await familySpec(config.family).runtime();
  const info = modelInfo(config, origin, parameters);
  if (quantization) info.quantization = quantization;
  // Whether its tokens are written in GPT-2's byte alphabet: the views decode them for reading.
  if (codec.tokenizer.byteLevel) info.byteLevelTokens = true;
  const runner = new ModelRunner(config, info, codec, checkpoint, backend, runtime);
  runner.validate();
  return runner;
}
