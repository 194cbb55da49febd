// GPT-2's config.json (gpt2, distilgpt2), with the defaults of transformers' GPT2Config.

import { activation, epsilon, positiveInt, requireDivisible, type Activation } from '../config-fields';
import type { Json } from '../types';

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

export function parseGpt2Config(c: Json, modelType: string): Gpt2Config {
  const dModel = positiveInt(c, ['n_embd', 'hidden_size']);
  const heads = positiveInt(c, ['n_head', 'num_attention_heads']);
  requireDivisible(dModel, heads);
  return {
    family: 'gpt2',
    modelType,
    layers: positiveInt(c, ['n_layer', 'num_hidden_layers']),
    heads,
    dModel,
    dInner: c.n_inner == null ? 4 * dModel : positiveInt(c, ['n_inner']),
    vocabSize: positiveInt(c, ['vocab_size']),
    maxPositions: positiveInt(c, ['n_positions', 'max_position_embeddings'], 1024),
    eps: epsilon(c, 'layer_norm_epsilon', 1e-5),
    activation: activation(c.activation_function ?? 'gelu_new', 'activation_function'),
    scaleByInverseLayer: c.scale_attn_by_inverse_layer_idx === true,
    eosTokenId: typeof c.eos_token_id === 'number' ? c.eos_token_id : null,
  };
}
