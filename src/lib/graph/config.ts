// Reads a Hugging Face config.json into the few numbers each graph builder needs,
// with the defaults of the transformers classes where a field is absent.

import { AtlasError } from '../errors';
import { FAMILY_OF_MODEL_TYPE } from '../hub/manifest';
import type { Family } from '../trace/types';

export type Activation = 'gelu' | 'gelu_new' | 'relu';

export interface Gpt2Config {
  family: 'gpt2';
  modelType: string;
  layers: number;
  heads: number;
  dModel: number;
  dInner: number;
  vocabSize: number;
  maxPositions: number;
  eps: number;
  activation: Activation;
  /** GPT-2's `scale_attn_by_inverse_layer_idx` (false for the OpenAI checkpoints). */
  scaleByInverseLayer: boolean;
  eosTokenId: number | null;
}

export interface BertConfig {
  family: 'bert';
  /** DistilBERT names its tensors differently and has no token types. */
  variant: 'bert' | 'distilbert';
  modelType: string;
  layers: number;
  heads: number;
  dModel: number;
  dInner: number;
  vocabSize: number;
  maxPositions: number;
  typeVocabSize: number;
  eps: number;
  activation: Activation;
  padTokenId: number;
}

export interface T5Config {
  family: 't5';
  modelType: string;
  layers: number;
  decoderLayers: number;
  heads: number;
  dModel: number;
  dKv: number;
  dFF: number;
  vocabSize: number;
  buckets: number;
  maxDistance: number;
  eps: number;
  /** Original T5: relu FFN. T5 v1.1 / flan-t5: gated-gelu (wi_0, wi_1). */
  gated: boolean;
  activation: Activation;
  tiedEmbeddings: boolean;
  decoderStartTokenId: number;
  eosTokenId: number;
  padTokenId: number;
}

export type ModelConfig = Gpt2Config | BertConfig | T5Config;

export const SUPPORTED_MODEL_TYPES = Object.keys(FAMILY_OF_MODEL_TYPE);

type Json = Record<string, unknown>;

function num(c: Json, keys: string[], fallback?: number): number {
  for (const k of keys) {
    const v = c[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  if (fallback !== undefined) return fallback;
  throw new AtlasError('bad-config', `config.json has no numeric "${keys[0]}".`, 'Check that the model folder holds its own config.json.');
}

/**
 * A layer-norm epsilon: a positive number. Zero or less divides by zero or takes the root of
 * a negative variance, and the model computes NaN attention (issue 19, item 6).
 */
function epsilon(c: Json, key: string, fallback: number): number {
  const v = c[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new AtlasError(
      'bad-config',
      `config.json's "${key}" is ${JSON.stringify(v)}, but a layer-norm epsilon must be a positive number.`,
      'With zero or less the model computes NaN. Typical values: 1e-5 (GPT-2), 1e-12 (BERT), 1e-6 (T5).',
    );
  return v;
}

function positiveInt(c: Json, keys: string[], fallback?: number): number {
  const v = num(c, keys, fallback);
  // Generous bounds: catch garbage (negative, fractional, absurd) before any allocation.
  if (!Number.isInteger(v) || v <= 0 || v > 10_000_000)
    throw new AtlasError('bad-config', `config.json has an invalid "${keys[0]}": ${v}.`, 'It must be a positive whole number.');
  return v;
}

function activation(value: unknown, where: string): Activation {
  const a = String(value);
  if (a === 'gelu_new' || a === 'gelu_pytorch_tanh') return 'gelu_new';
  if (a === 'gelu' || a === 'relu') return a;
  throw new AtlasError('unsupported-model', `The activation "${a}" in ${where} is not supported.`, 'Supported: gelu, gelu_new, relu.');
}

export function familyOf(config: Json): Family {
  const type = config.model_type;
  const family = typeof type === 'string' ? FAMILY_OF_MODEL_TYPE[type] : undefined;
  if (!family)
    throw new AtlasError(
      'unsupported-model',
      `This model's type is ${JSON.stringify(type ?? null)}, which Attention Atlas cannot run.`,
      `Supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')} (GPT-2, BERT/DistilBERT and T5 families).`,
    );
  return family;
}

export function parseConfig(json: unknown): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new AtlasError('bad-config', 'config.json is not a JSON object.');
  const c = json as Json;
  const family = familyOf(c);
  const modelType = String(c.model_type);
  let config: ModelConfig;
  if (family === 'gpt2') {
    const dModel = positiveInt(c, ['n_embd', 'hidden_size']);
    config = {
      family,
      modelType,
      layers: positiveInt(c, ['n_layer', 'num_hidden_layers']),
      heads: positiveInt(c, ['n_head', 'num_attention_heads']),
      dModel,
      dInner: c.n_inner == null ? 4 * dModel : positiveInt(c, ['n_inner']),
      vocabSize: positiveInt(c, ['vocab_size']),
      maxPositions: positiveInt(c, ['n_positions', 'max_position_embeddings'], 1024),
      eps: epsilon(c, 'layer_norm_epsilon', 1e-5),
      activation: activation(c.activation_function ?? 'gelu_new', 'activation_function'),
      scaleByInverseLayer: c.scale_attn_by_inverse_layer_idx === true,
      eosTokenId: typeof c.eos_token_id === 'number' ? c.eos_token_id : null,
    };
  } else if (family === 'bert') {
    const distil = modelType === 'distilbert';
    const dModel = positiveInt(c, distil ? ['dim'] : ['hidden_size']);
    config = {
      family,
      variant: distil ? 'distilbert' : 'bert',
      modelType,
      layers: positiveInt(c, distil ? ['n_layers'] : ['num_hidden_layers']),
      heads: positiveInt(c, distil ? ['n_heads'] : ['num_attention_heads']),
      dModel,
      dInner: positiveInt(c, distil ? ['hidden_dim'] : ['intermediate_size'], 4 * dModel),
      vocabSize: positiveInt(c, ['vocab_size']),
      maxPositions: positiveInt(c, ['max_position_embeddings'], 512),
      typeVocabSize: distil ? 0 : positiveInt(c, ['type_vocab_size'], 2),
      eps: distil ? 1e-12 : epsilon(c, 'layer_norm_eps', 1e-12),
      activation: activation((distil ? c.activation : c.hidden_act) ?? 'gelu', distil ? 'activation' : 'hidden_act'),
      padTokenId: num(c, ['pad_token_id'], 0),
    };
  } else {
    const proj = String(c.feed_forward_proj ?? 'relu');
    const gated = proj.startsWith('gated-');
    const act = gated ? proj.slice('gated-'.length) : proj;
    const layers = positiveInt(c, ['num_layers']);
    config = {
      family,
      modelType,
      layers,
      decoderLayers: c.num_decoder_layers == null ? layers : positiveInt(c, ['num_decoder_layers']),
      heads: positiveInt(c, ['num_heads']),
      dModel: positiveInt(c, ['d_model']),
      dKv: positiveInt(c, ['d_kv']),
      dFF: positiveInt(c, ['d_ff']),
      vocabSize: positiveInt(c, ['vocab_size']),
      buckets: positiveInt(c, ['relative_attention_num_buckets'], 32),
      maxDistance: positiveInt(c, ['relative_attention_max_distance'], 128),
      eps: epsilon(c, 'layer_norm_epsilon', 1e-6),
      gated,
      // HF maps "gated-gelu" (T5 v1.1, flan-t5) to gelu_new, the tanh approximation.
      activation: gated && act === 'gelu' ? 'gelu_new' : activation(act, 'feed_forward_proj'),
      tiedEmbeddings: c.tie_word_embeddings !== false,
      decoderStartTokenId: num(c, ['decoder_start_token_id'], 0),
      eosTokenId: num(c, ['eos_token_id'], 1),
      padTokenId: num(c, ['pad_token_id'], 0),
    };
  }
  const d = config.family === 't5' ? config.dKv * config.heads : config.dModel;
  if (config.family !== 't5' && d % config.heads !== 0)
    throw new AtlasError('bad-config', `The hidden size ${d} does not divide into ${config.heads} heads.`);
  return config;
}

export function headDim(c: ModelConfig): number {
  return c.family === 't5' ? c.dKv : c.dModel / c.heads;
}
