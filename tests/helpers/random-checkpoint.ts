// Random-weight checkpoints in the Hugging Face layout, for graph/runtime tests.
//
// A checkpoint is config.json + model.safetensors (HF tensor names, float32) + the family's
// tokenizer.json. Two kinds:
//  - `randomCheckpoint`: narrow models (2–3 layers, d 32–64, 2–4 heads) that keep the real
//    vocabulary by default, so the real GPT-2/BERT tokenizers work on them;
//  - `fullSizeCheckpoint`: the exact shapes of a real model (gpt2, bert-base-uncased,
//    t5-small, …) from its config.json in tests/fixtures/configs/, with random weights.
// Both are built in memory; `checkpointSafetensors` serializes and `writeCheckpoint` writes
// a directory. Same options, same bytes (seeded PRNG), on every platform.
//
// Weight scales are chosen so activations stay O(1) and attention is peaked, not uniform
// (a uniform softmax would hide mask and scale bugs): with unit-variance inputs, q and k
// projections get std g/√in so every q and k entry has std g, where g is set for a score
// std of ≈2.5 (GPT-2/BERT: g² = 2.5 after the 1/√headDim scale; T5, unscaled:
// g²·√d_kv = 2.5). Other projections get 1/√in; norm weights 1 ± 0.1; biases ± 0.1.

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSafetensors } from '../../src/lib/hub/safetensors';
import type { Family } from '../../src/lib/trace/types';
import type { HFConfig, Weights } from '../reference/types';
import { weightsFromTensors } from '../reference/weights';
import { Prng } from './prng';

export type RandomFamily = 'gpt2' | 'bert' | 'distilbert' | 't5' | 't5-v1_1' | 'llama' | 'qwen2' | 'mistral' | 'opt';

export interface RandomCheckpointOptions {
  family: RandomFamily;
  seed: number;
  /** Blocks (T5: encoder and decoder each). Default 2. */
  layers?: number;
  /** Model width. Default 32. */
  dModel?: number;
  /** Attention heads. Default 4 (head dim = dModel / heads). */
  heads?: number;
  /**
   * Vocabulary size. Default: the tokenizer's (50257 GPT-2, 30522 BERT, the tiny T5
   * tokenizer's size). A smaller vocabulary keeps fixtures small; ids from the real
   * tokenizer must then be reduced with `idsModulo`.
   */
  vocabSize?: number;
  /** Learned positions (GPT-2, BERT). Default: the real model's (1024, 512). */
  maxPositions?: number;
  /** GPT-2: store `h.0.…` instead of `transformer.h.0.…`, as the original gpt2 files do. */
  bareNames?: boolean;
  /** T5: relative_attention_num_buckets and relative_attention_max_distance. Default 32, 128. */
  buckets?: [number, number];
  /** LLaMA family: key/value heads (grouped-query attention). Default heads / 2. */
  kvHeads?: number;
  /** LLaMA family: extra config fields (rope_scaling, rope_theta, sliding_window, tie_word_embeddings, head_dim). */
  overrides?: HFConfig;
}

export type RealConfigName =
  | 'gpt2' | 'distilgpt2' | 'bert-base-uncased' | 'distilbert-base-uncased' | 't5-small' | 'flan-t5-small'
  | 'smollm2-135m' | 'tinyllama-1.1b-chat' | 'qwen2.5-0.5b' | 'llama-3.2-1b' | 'mistral-7b-v0.1' | 'opt-125m';

export interface CheckpointTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface RandomCheckpoint {
  /** Short description, e.g. `random-gpt2-l2-d32-h4-s1`. */
  name: string;
  family: Family;
  config: HFConfig;
  tensors: CheckpointTensor[];
  /** Absolute path of the tokenizer.json to ship with it. */
  tokenizerPath: string;
  /** What built it (recorded in the safetensors metadata). */
  recipe: { kind: 'random'; options: RandomCheckpointOptions } | { kind: 'full-size'; config: RealConfigName; seed: number };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TOKENIZERS: Record<Family, string> = {
  gpt2: join(ROOT, 'static/models/gpt2/tokenizer.json'),
  bert: join(ROOT, 'static/models/bert-base-uncased/tokenizer.json'),
  t5: join(ROOT, 'tests/fixtures/tiny-t5/tokenizer.json'),
  llama: join(ROOT, 'static/models/tinyllama/tokenizer.json'),
  // OPT's tokenizer is GPT-2's byte-level BPE (its vocabulary of 50,272 pads GPT-2's 50,257).
  opt: join(ROOT, 'static/models/gpt2/tokenizer.json'),
};

export function realConfig(name: RealConfigName): HFConfig {
  return JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/configs', `${name}.json`), 'utf8')) as HFConfig;
}

/** Number of pieces in a tokenizer.json (its model vocabulary plus added tokens beyond it). */
export function tokenizerVocabSize(path: string): number {
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    model: { vocab: Record<string, number> | [string, number][] };
    added_tokens?: { id: number }[];
  };
  const vocab = json.model.vocab;
  let size = Array.isArray(vocab) ? vocab.length : Object.keys(vocab).length;
  for (const t of json.added_tokens ?? []) size = Math.max(size, t.id + 1);
  return size;
}

/** Token ids reduced modulo a smaller vocabulary (for checkpoints built with `vocabSize`). */
export function idsModulo(ids: readonly number[], vocab: number): number[] {
  return ids.map((id) => id % vocab);
}

// ---------------------------------------------------------------------------------------
// Tensor generation.

/** How a tensor is initialized: normal(mean, std), optionally with per-column-block stds (GPT-2's fused c_attn). */
interface Init {
  mean?: number;
  std: number | number[];
}

const NORM_WEIGHT: Init = { mean: 1, std: 0.1 };
const SMALL: Init = { std: 0.1 };
/** Target std of attention scores before the softmax: peaked, not saturated. */
const SCORE_STD = 2.5;

class Builder {
  readonly tensors: CheckpointTensor[] = [];
  /** With no PRNG the builder only records names and shapes (data left empty). */
  constructor(private readonly prng: Prng | null) {}

  add(name: string, shape: number[], init: Init): void {
    if (!this.prng) {
      this.tensors.push({ name, shape, data: new Float32Array(0) });
      return;
    }
    const data = new Float32Array(shape.reduce((a, d) => a * d, 1));
    if (typeof init.std === 'number') this.prng.fillNormalFast(data, init.mean ?? 0, init.std);
    else {
      // Column blocks of a [rows, cols] matrix with their own std (equal widths).
      this.prng.fillNormalFast(data, 0, 1);
      const cols = shape[shape.length - 1];
      const block = cols / init.std.length;
      for (let i = 0; i < data.length; i++) data[i] = (init.mean ?? 0) + data[i] * init.std[Math.floor((i % cols) / block)];
    }
    this.tensors.push({ name, shape, data });
  }

  /** nn.Linear weight [out, in] (+ bias). */
  linear(prefix: string, inDim: number, outDim: number, std: number, bias = true): void {
    this.add(`${prefix}.weight`, [outDim, inDim], { std });
    if (bias) this.add(`${prefix}.bias`, [outDim], SMALL);
  }

  layerNorm(prefix: string, d: number): void {
    this.add(`${prefix}.weight`, [d], NORM_WEIGHT);
    this.add(`${prefix}.bias`, [d], SMALL);
  }
}

function gpt2Tensors(b: Builder, config: HFConfig, bare: boolean): void {
  const d = config.n_embd as number;
  const inner = (config.n_inner as number | null) ?? 4 * d;
  const vocab = config.vocab_size as number;
  const p = bare ? '' : 'transformer.';
  const g = Math.sqrt(SCORE_STD);
  const unit = 1 / Math.sqrt(d);
  b.add(`${p}wte.weight`, [vocab, d], { std: 3 / Math.sqrt(d) });
  b.add(`${p}wpe.weight`, [config.n_positions as number, d], { std: 3 / Math.sqrt(d) });
  for (let l = 0; l < (config.n_layer as number); l++) {
    const h = `${p}h.${l}.`;
    b.layerNorm(`${h}ln_1`, d);
    // Conv1D weights are [in, out]; c_attn's output columns are q | k | v.
    b.add(`${h}attn.c_attn.weight`, [d, 3 * d], { std: [g * unit, g * unit, unit] });
    b.add(`${h}attn.c_attn.bias`, [3 * d], SMALL);
    b.add(`${h}attn.c_proj.weight`, [d, d], { std: unit });
    b.add(`${h}attn.c_proj.bias`, [d], SMALL);
    b.layerNorm(`${h}ln_2`, d);
    b.add(`${h}mlp.c_fc.weight`, [d, inner], { std: unit });
    b.add(`${h}mlp.c_fc.bias`, [inner], SMALL);
    b.add(`${h}mlp.c_proj.weight`, [inner, d], { std: 1 / Math.sqrt(inner) });
    b.add(`${h}mlp.c_proj.bias`, [d], SMALL);
  }
  b.layerNorm(`${p}ln_f`, d);
}

function bertTensors(b: Builder, config: HFConfig): void {
  const d = config.hidden_size as number;
  const inner = config.intermediate_size as number;
  const vocab = config.vocab_size as number;
  const g = Math.sqrt(SCORE_STD);
  const unit = 1 / Math.sqrt(d);
  const emb = 3 / Math.sqrt(d);
  b.add('bert.embeddings.word_embeddings.weight', [vocab, d], { std: emb });
  b.add('bert.embeddings.position_embeddings.weight', [config.max_position_embeddings as number, d], { std: emb });
  b.add('bert.embeddings.token_type_embeddings.weight', [config.type_vocab_size as number, d], { std: emb });
  b.layerNorm('bert.embeddings.LayerNorm', d);
  for (let l = 0; l < (config.num_hidden_layers as number); l++) {
    const p = `bert.encoder.layer.${l}.`;
    b.linear(`${p}attention.self.query`, d, d, g * unit);
    b.linear(`${p}attention.self.key`, d, d, g * unit);
    b.linear(`${p}attention.self.value`, d, d, unit);
    b.linear(`${p}attention.output.dense`, d, d, unit);
    b.layerNorm(`${p}attention.output.LayerNorm`, d);
    b.linear(`${p}intermediate.dense`, d, inner, unit);
    b.linear(`${p}output.dense`, inner, d, 1 / Math.sqrt(inner));
    b.layerNorm(`${p}output.LayerNorm`, d);
  }
  // Present in the real bert-base-uncased checkpoint though BertForMaskedLM does not use them.
  b.linear('bert.pooler.dense', d, d, unit);
  b.linear('cls.seq_relationship', d, 2, unit);
  b.linear('cls.predictions.transform.dense', d, d, unit);
  b.layerNorm('cls.predictions.transform.LayerNorm', d);
  b.add('cls.predictions.bias', [vocab], SMALL);
}

function distilbertTensors(b: Builder, config: HFConfig): void {
  const d = config.dim as number;
  const inner = config.hidden_dim as number;
  const vocab = config.vocab_size as number;
  const g = Math.sqrt(SCORE_STD);
  const unit = 1 / Math.sqrt(d);
  const emb = 3 / Math.sqrt(d);
  b.add('distilbert.embeddings.word_embeddings.weight', [vocab, d], { std: emb });
  b.add('distilbert.embeddings.position_embeddings.weight', [config.max_position_embeddings as number, d], { std: emb });
  b.layerNorm('distilbert.embeddings.LayerNorm', d);
  for (let l = 0; l < (config.n_layers as number); l++) {
    const p = `distilbert.transformer.layer.${l}.`;
    b.linear(`${p}attention.q_lin`, d, d, g * unit);
    b.linear(`${p}attention.k_lin`, d, d, g * unit);
    b.linear(`${p}attention.v_lin`, d, d, unit);
    b.linear(`${p}attention.out_lin`, d, d, unit);
    b.layerNorm(`${p}sa_layer_norm`, d);
    b.linear(`${p}ffn.lin1`, d, inner, unit);
    b.linear(`${p}ffn.lin2`, inner, d, 1 / Math.sqrt(inner));
    b.layerNorm(`${p}output_layer_norm`, d);
  }
  b.linear('vocab_transform', d, d, unit);
  b.layerNorm('vocab_layer_norm', d);
  b.add('vocab_projector.bias', [vocab], SMALL);
}

function t5Tensors(b: Builder, config: HFConfig): void {
  const d = config.d_model as number;
  const dKv = config.d_kv as number;
  const heads = config.num_heads as number;
  const dFf = config.d_ff as number;
  const vocab = config.vocab_size as number;
  const inner = heads * dKv;
  const gated = String(config.feed_forward_proj).startsWith('gated-');
  const g = Math.sqrt(SCORE_STD / Math.sqrt(dKv)); // T5 does not scale scores by 1/√d_kv
  const unit = 1 / Math.sqrt(d);
  const buckets = (config.relative_attention_num_buckets as number | undefined) ?? 32;
  b.add('shared.weight', [vocab, d], { std: 1 });
  const attention = (p: string, relative: boolean) => {
    b.add(`${p}.q.weight`, [inner, d], { std: g * unit });
    b.add(`${p}.k.weight`, [inner, d], { std: g * unit });
    b.add(`${p}.v.weight`, [inner, d], { std: unit });
    b.add(`${p}.o.weight`, [d, inner], { std: 1 / Math.sqrt(inner) });
    if (relative) b.add(`${p}.relative_attention_bias.weight`, [buckets, heads], { std: 1 });
  };
  const ffn = (p: string) => {
    if (gated) {
      b.add(`${p}.DenseReluDense.wi_0.weight`, [dFf, d], { std: unit });
      b.add(`${p}.DenseReluDense.wi_1.weight`, [dFf, d], { std: unit });
    } else b.add(`${p}.DenseReluDense.wi.weight`, [dFf, d], { std: unit });
    b.add(`${p}.DenseReluDense.wo.weight`, [d, dFf], { std: 1 / Math.sqrt(dFf) });
    b.add(`${p}.layer_norm.weight`, [d], NORM_WEIGHT);
  };
  const layers = config.num_layers as number;
  const decoderLayers = (config.num_decoder_layers as number | undefined) ?? layers;
  for (let l = 0; l < layers; l++) {
    const p = `encoder.block.${l}.layer`;
    attention(`${p}.0.SelfAttention`, l === 0);
    b.add(`${p}.0.layer_norm.weight`, [d], NORM_WEIGHT);
    ffn(`${p}.1`);
  }
  b.add('encoder.final_layer_norm.weight', [d], NORM_WEIGHT);
  for (let l = 0; l < decoderLayers; l++) {
    const p = `decoder.block.${l}.layer`;
    attention(`${p}.0.SelfAttention`, l === 0);
    b.add(`${p}.0.layer_norm.weight`, [d], NORM_WEIGHT);
    attention(`${p}.1.EncDecAttention`, false);
    b.add(`${p}.1.layer_norm.weight`, [d], NORM_WEIGHT);
    ffn(`${p}.2`);
  }
  b.add('decoder.final_layer_norm.weight', [d], NORM_WEIGHT);
  if (config.tie_word_embeddings === false) b.add('lm_head.weight', [vocab, d], { std: 3 / Math.sqrt(d) });
}

/** LlamaForCausalLM (and Mistral, Qwen2) names; q/k/v std for a score std of SCORE_STD after 1/√headDim. */
function llamaTensors(b: Builder, config: HFConfig, tied: boolean): void {
  const d = config.hidden_size as number;
  const heads = config.num_attention_heads as number;
  const kvHeads = (config.num_key_value_heads as number | undefined) ?? heads;
  const dh = (config.head_dim as number | undefined) ?? d / heads;
  const inner = config.intermediate_size as number;
  const vocab = config.vocab_size as number;
  const qkvBias = config.model_type === 'qwen2' || config.attention_bias === true;
  const g = Math.sqrt(SCORE_STD);
  // RMSNorm makes the embeddings' scale irrelevant to the blocks; a tied head reads them as
  // its weights, so there they get std 1/√d to keep the logits O(1), as an untied head's are.
  b.add('model.embed_tokens.weight', [vocab, d], { std: tied ? 1 / Math.sqrt(d) : 1 });
  for (let l = 0; l < (config.num_hidden_layers as number); l++) {
    const p = `model.layers.${l}.`;
    b.add(`${p}input_layernorm.weight`, [d], NORM_WEIGHT);
    b.linear(`${p}self_attn.q_proj`, d, heads * dh, g / Math.sqrt(d), qkvBias);
    b.linear(`${p}self_attn.k_proj`, d, kvHeads * dh, g / Math.sqrt(d), qkvBias);
    b.linear(`${p}self_attn.v_proj`, d, kvHeads * dh, 1 / Math.sqrt(d), qkvBias);
    b.linear(`${p}self_attn.o_proj`, heads * dh, d, 1 / Math.sqrt(heads * dh), config.attention_bias === true && config.model_type !== 'qwen2');
    b.add(`${p}post_attention_layernorm.weight`, [d], NORM_WEIGHT);
    b.linear(`${p}mlp.gate_proj`, d, inner, 1 / Math.sqrt(d), false);
    b.linear(`${p}mlp.up_proj`, d, inner, 1 / Math.sqrt(d), false);
    b.linear(`${p}mlp.down_proj`, inner, d, 1 / Math.sqrt(inner), false);
  }
  b.add('model.norm.weight', [d], NORM_WEIGHT);
  if (!tied) b.add('lm_head.weight', [vocab, d], { std: 1 / Math.sqrt(d) });
}

const LLAMA_TYPES = new Set(['llama', 'mistral', 'qwen2']);

/** OPTForCausalLM names (model.decoder.…); positions have 2 extra rows (the offset). */
function optTensors(b: Builder, config: HFConfig): void {
  const d = config.hidden_size as number;
  const inner = config.ffn_dim as number;
  const proj = (config.word_embed_proj_dim as number | undefined) ?? d;
  const g = Math.sqrt(SCORE_STD);
  b.add('model.decoder.embed_tokens.weight', [config.vocab_size as number, proj], { std: 1 });
  b.add('model.decoder.embed_positions.weight', [(config.max_position_embeddings as number) + 2, d], { std: 0.5 });
  if (proj !== d) {
    b.add('model.decoder.project_in.weight', [d, proj], { std: 1 / Math.sqrt(proj) });
    b.add('model.decoder.project_out.weight', [proj, d], { std: 1 / Math.sqrt(d) });
  }
  const ln = (name: string) => {
    b.add(`${name}.weight`, [d], NORM_WEIGHT);
    b.add(`${name}.bias`, [d], SMALL);
  };
  for (let l = 0; l < (config.num_hidden_layers as number); l++) {
    const p = `model.decoder.layers.${l}.`;
    b.linear(`${p}self_attn.q_proj`, d, d, g / Math.sqrt(d));
    b.linear(`${p}self_attn.k_proj`, d, d, g / Math.sqrt(d));
    b.linear(`${p}self_attn.v_proj`, d, d, 1 / Math.sqrt(d));
    b.linear(`${p}self_attn.out_proj`, d, d, 1 / Math.sqrt(d));
    ln(`${p}self_attn_layer_norm`);
    b.linear(`${p}fc1`, d, inner, 1 / Math.sqrt(d));
    b.linear(`${p}fc2`, inner, d, 1 / Math.sqrt(inner));
    ln(`${p}final_layer_norm`);
  }
  if (config.do_layer_norm_before !== false) ln('model.decoder.final_layer_norm');
}

function familyOf(modelType: string): Family {
  if (LLAMA_TYPES.has(modelType)) return 'llama';
  if (modelType === 'opt') return 'opt';
  if (modelType === 'gpt2') return 'gpt2';
  if (modelType === 'bert' || modelType === 'distilbert') return 'bert';
  if (modelType === 't5') return 't5';
  throw new Error(`random checkpoint: model_type ${modelType} is not supported`);
}

function buildTensors(config: HFConfig, seed: number | null, bareNames: boolean): CheckpointTensor[] {
  const b = new Builder(seed === null ? null : new Prng(seed));
  const modelType = config.model_type as string;
  if (modelType === 'gpt2') gpt2Tensors(b, config, bareNames);
  else if (modelType === 'bert') bertTensors(b, config);
  else if (modelType === 'distilbert') distilbertTensors(b, config);
  else if (modelType === 't5') t5Tensors(b, config);
  else if (LLAMA_TYPES.has(modelType)) llamaTensors(b, config, config.tie_word_embeddings === true);
  else if (modelType === 'opt') optTensors(b, config);
  else throw new Error(`random checkpoint: model_type ${modelType} is not supported`);
  return b.tensors;
}

/** A narrow random model of a family, keeping the real config's other fields. */
export function randomCheckpoint(options: RandomCheckpointOptions): RandomCheckpoint {
  const { family, seed } = options;
  const layers = options.layers ?? 2;
  const d = options.dModel ?? 32;
  const heads = options.heads ?? 4;
  if (d % heads !== 0) throw new Error(`random checkpoint: dModel ${d} is not divisible by ${heads} heads`);
  const traceFamily: Family = family === 'gpt2' ? 'gpt2' : family === 't5' || family === 't5-v1_1' ? 't5' : LLAMA_TYPES.has(family) ? 'llama' : family === 'opt' ? 'opt' : 'bert';
  const tokenizerPath = TOKENIZERS[traceFamily];
  const vocab = options.vocabSize ?? tokenizerVocabSize(tokenizerPath);
  let config: HFConfig;
  if (family === 'gpt2') {
    const positions = options.maxPositions ?? 1024;
    config = { ...realConfig('gpt2'), n_embd: d, n_head: heads, n_layer: layers, n_positions: positions, n_ctx: positions, vocab_size: vocab };
  } else if (family === 'bert') {
    config = {
      ...realConfig('bert-base-uncased'),
      hidden_size: d,
      num_attention_heads: heads,
      num_hidden_layers: layers,
      intermediate_size: 4 * d,
      max_position_embeddings: options.maxPositions ?? 512,
      vocab_size: vocab,
    };
  } else if (family === 'distilbert') {
    config = {
      ...realConfig('distilbert-base-uncased'),
      dim: d,
      n_heads: heads,
      n_layers: layers,
      hidden_dim: 4 * d,
      max_position_embeddings: options.maxPositions ?? 512,
      vocab_size: vocab,
    };
  } else if (family === 'opt') {
    config = { ...realConfig('opt-125m'), hidden_size: d, num_attention_heads: heads, num_hidden_layers: layers, ffn_dim: 4 * d, word_embed_proj_dim: d, vocab_size: vocab, max_position_embeddings: options.maxPositions ?? 2048, ...options.overrides };
  } else if (LLAMA_TYPES.has(family)) {
    const real = realConfig(family === 'qwen2' ? 'qwen2.5-0.5b' : family === 'mistral' ? 'mistral-7b-v0.1' : 'tinyllama-1.1b-chat');
    config = {
      ...real,
      hidden_size: d,
      num_attention_heads: heads,
      num_key_value_heads: options.kvHeads ?? Math.max(1, heads / 2),
      num_hidden_layers: layers,
      intermediate_size: 3 * d,
      vocab_size: vocab,
      ...options.overrides,
    };
  } else {
    const [numBuckets, maxDistance] = options.buckets ?? [32, 128];
    config = {
      ...realConfig(family === 't5' ? 't5-small' : 'flan-t5-small'),
      d_model: d,
      d_kv: d / heads,
      d_ff: family === 't5' ? 4 * d : 2 * d,
      num_heads: heads,
      num_layers: layers,
      num_decoder_layers: layers,
      relative_attention_num_buckets: numBuckets,
      relative_attention_max_distance: maxDistance,
      vocab_size: vocab,
    };
    delete config.task_specific_params; // the real models' generation presets mean nothing here
  }
  const name = `random-${family}-l${layers}-d${d}-h${heads}-v${vocab}-s${seed}`;
  return {
    name,
    family: traceFamily,
    config,
    tensors: buildTensors(config, seed, options.bareNames ?? false),
    tokenizerPath,
    recipe: { kind: 'random', options },
  };
}

/** Random weights with the exact shapes of a real model (gpt2 ≈ 124M parameters, ≈ 500 MB as float32). */
export function fullSizeCheckpoint(configName: RealConfigName, seed: number): RandomCheckpoint {
  const config = realConfig(configName);
  const family = familyOf(config.model_type as string);
  return {
    name: `random-${configName}-s${seed}`,
    family,
    config,
    // The original gpt2/distilgpt2 safetensors store names without `transformer.`.
    tensors: buildTensors(config, seed, family === 'gpt2'),
    tokenizerPath: TOKENIZERS[family],
    recipe: { kind: 'full-size', config: configName, seed },
  };
}

/** The tensor names and shapes a full-size checkpoint would have, without generating it. */
export function fullSizeShapes(configName: RealConfigName): { name: string; shape: number[] }[] {
  const config = realConfig(configName);
  return buildTensors(config, null, familyOf(config.model_type as string) === 'gpt2').map(({ name, shape }) => ({ name, shape }));
}

export function checkpointWeights(checkpoint: RandomCheckpoint): Weights {
  return weightsFromTensors(checkpoint.tensors);
}

export function parameterCount(checkpoint: RandomCheckpoint): number {
  return checkpoint.tensors.reduce((a, t) => a + t.data.length, 0);
}

/** model.safetensors bytes (float32), with the recipe in the metadata. */
export function checkpointSafetensors(checkpoint: RandomCheckpoint): Uint8Array {
  return writeSafetensors(
    checkpoint.tensors.map((t) => ({ name: t.name, dtype: 'F32' as const, shape: t.shape, data: t.data })),
    { format: 'pt', random_checkpoint: JSON.stringify(checkpoint.recipe) },
  );
}

/**
 * The checkpoint's files in memory, by file name: config.json, model.safetensors,
 * tokenizer.json, and tokenizer_config.json when the family has one (GPT-2).
 */
export function checkpointFiles(checkpoint: RandomCheckpoint): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  files.set('config.json', new TextEncoder().encode(JSON.stringify(checkpoint.config, null, 2) + '\n'));
  files.set('model.safetensors', checkpointSafetensors(checkpoint));
  files.set('tokenizer.json', new Uint8Array(readFileSync(checkpoint.tokenizerPath)));
  const tokenizerConfig = join(checkpoint.tokenizerPath, '..', 'tokenizer_config.json');
  if (existsSync(tokenizerConfig)) files.set('tokenizer_config.json', new Uint8Array(readFileSync(tokenizerConfig)));
  return files;
}

/** Writes `checkpointFiles` into `dir` (created if needed). */
export function writeCheckpoint(checkpoint: RandomCheckpoint, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of checkpointFiles(checkpoint)) writeFileSync(join(dir, name), bytes);
}

/**
 * A real model's config with some fields overridden (fewer layers, a smaller vocabulary or
 * MLP), random weights: the width, heads, KV heads, head_dim and RoPE settings stay real.
 */
export function reducedCheckpoint(configName: RealConfigName, seed: number, overrides: HFConfig): RandomCheckpoint {
  const config = { ...realConfig(configName), ...overrides };
  const family = familyOf(config.model_type as string);
  return {
    name: `reduced-${configName}-s${seed}`,
    family,
    config,
    tensors: buildTensors(config, seed, false),
    tokenizerPath: TOKENIZERS[family],
    recipe: { kind: 'full-size', config: configName, seed },
  };
}
