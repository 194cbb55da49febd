// The LLaMA family's config.json (`llama`, `mistral`, `qwen2`), with the defaults of
// transformers' LlamaConfig, MistralConfig and Qwen2Config. The three differ only in
// q/k/v biases (Qwen2 always has them), sliding-window attention (Mistral) and defaults.

import { AtlasError } from '../../errors';
import { epsilon, num, positiveInt } from '../config-fields';
import type { Json } from '../types';

export interface RopeScaling {
  type: 'default' | 'linear' | 'llama3';
  factor: number;
  /** llama3 only. */
  lowFreqFactor?: number;
  highFreqFactor?: number;
  originalMaxPositions?: number;
}

export interface LlamaConfig {
  family: 'llama';
  modelType: string;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  dModel: number;
  dInner: number;
  vocabSize: number;
  maxPositions: number;
  eps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling;
  /** Biases on the q, k, v projections (Qwen2; LLaMA's `attention_bias`, which also covers o). */
  qkvBias: boolean;
  oBias: boolean;
  mlpBias: boolean;
  tiedEmbeddings: boolean;
  /** Mistral: each query sees at most this many keys (itself and the ones before). */
  slidingWindow: number | null;
  eosTokenId: number | null;
}

const DEFAULT_MAX_POSITIONS: Record<string, number> = { llama: 2048, mistral: 4096 * 32, qwen2: 32768 };

function ropeScaling(value: unknown): RopeScaling {
  if (value == null) return { type: 'default', factor: 1 };
  if (typeof value !== 'object') throw new AtlasError('bad-config', 'config.json has a rope_scaling that is not an object.');
  const r = value as Json;
  const type = String(r.rope_type ?? r.type ?? 'default');
  if (type === 'default') return { type, factor: 1 };
  const factor = num(r, ['factor']);
  if (!(factor > 0)) throw new AtlasError('bad-config', `config.json's rope_scaling.factor must be positive, not ${factor}.`);
  if (type === 'linear') return { type, factor };
  if (type === 'llama3') {
    const s = { type, factor, lowFreqFactor: num(r, ['low_freq_factor']), highFreqFactor: num(r, ['high_freq_factor']), originalMaxPositions: positiveInt(r, ['original_max_position_embeddings']) } as const;
    if (!(s.highFreqFactor > s.lowFreqFactor && s.lowFreqFactor > 0)) throw new AtlasError('bad-config', 'config.json\'s llama3 rope_scaling needs 0 < low_freq_factor < high_freq_factor.');
    return s;
  }
  throw new AtlasError('unsupported-model', `RoPE scaling "${type}" is not supported.`, 'Supported rope_scaling types: linear and llama3 (or none).');
}

export function parseLlamaConfig(c: Json, modelType: string): LlamaConfig {
  const dModel = positiveInt(c, ['hidden_size']);
  const heads = positiveInt(c, ['num_attention_heads']);
  const kvHeads = c.num_key_value_heads == null ? heads : positiveInt(c, ['num_key_value_heads']);
  if (heads % kvHeads !== 0) throw new AtlasError('bad-config', `${heads} attention heads do not divide into ${kvHeads} key/value heads.`, 'Grouped-query attention needs num_attention_heads to be a multiple of num_key_value_heads.');
  if (c.head_dim == null && dModel % heads !== 0) throw new AtlasError('bad-config', `The hidden size ${dModel} does not divide into ${heads} heads.`);
  const headDim = c.head_dim == null ? dModel / heads : positiveInt(c, ['head_dim']);
  if (headDim % 2 !== 0) throw new AtlasError('bad-config', `The head dimension ${headDim} is odd; rotary embeddings rotate pairs of dimensions.`);
  const act = String(c.hidden_act ?? 'silu');
  if (act !== 'silu') throw new AtlasError('unsupported-model', `The activation "${act}" in hidden_act is not supported for ${modelType}.`, 'Supported: silu (SwiGLU).');
  if (c.partial_rotary_factor != null && c.partial_rotary_factor !== 1)
    throw new AtlasError('unsupported-model', 'Partial rotary embeddings (partial_rotary_factor) are not supported.');
  if (modelType === 'qwen2' && c.use_sliding_window === true)
    throw new AtlasError('unsupported-model', 'Qwen2 models with use_sliding_window are not supported.', 'Qwen2.5 models have it off.');
  const eps = epsilon(c, 'rms_norm_eps', 1e-6);
  const attentionBias = c.attention_bias === true;
  const mistralWindow = modelType === 'mistral' ? (c.sliding_window === undefined ? 4096 : c.sliding_window === null ? null : positiveInt(c, ['sliding_window'])) : null;
  const eos = Array.isArray(c.eos_token_id) ? c.eos_token_id[0] : c.eos_token_id;
  return {
    family: 'llama',
    modelType,
    layers: positiveInt(c, ['num_hidden_layers']),
    heads,
    kvHeads,
    headDim,
    dModel,
    dInner: positiveInt(c, ['intermediate_size']),
    vocabSize: positiveInt(c, ['vocab_size']),
    maxPositions: positiveInt(c, ['max_position_embeddings'], DEFAULT_MAX_POSITIONS[modelType] ?? 2048),
    eps,
    ropeTheta: num(c, ['rope_theta'], 10000),
    ropeScaling: ropeScaling(c.rope_scaling),
    qkvBias: modelType === 'qwen2' || attentionBias,
    oBias: modelType !== 'qwen2' && attentionBias,
    mlpBias: c.mlp_bias === true,
    tiedEmbeddings: c.tie_word_embeddings === true,
    slidingWindow: mistralWindow,
    eosTokenId: typeof eos === 'number' ? eos : null,
  };
}

/**
 * RoPE's inverse frequencies θ^(−2i/d) for i < d/2, with the config's scaling, computed
 * as transformers' rope init functions do (default, linear, llama3).
 */
export function inverseFrequencies(c: Pick<LlamaConfig, 'headDim' | 'ropeTheta' | 'ropeScaling'>): Float64Array {
  const half = c.headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(c.ropeTheta, (2 * i) / c.headDim);
  const s = c.ropeScaling;
  if (s.type === 'linear') for (let i = 0; i < half; i++) inv[i] /= s.factor;
  if (s.type === 'llama3') {
    const low = s.lowFreqFactor!, high = s.highFreqFactor!, old = s.originalMaxPositions!;
    const lowWavelen = old / low;
    const highWavelen = old / high;
    for (let i = 0; i < half; i++) {
      const wavelen = (2 * Math.PI) / inv[i];
      if (wavelen > lowWavelen) inv[i] /= s.factor; // long wavelengths: scaled down
      else if (wavelen >= highWavelen) {
        // In between: a smooth mix of scaled and unscaled.
        const smooth = (old / wavelen - low) / (high - low);
        inv[i] = ((1 - smooth) * inv[i]) / s.factor + smooth * inv[i];
      }
    }
  }
  return inv;
}
