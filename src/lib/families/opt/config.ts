// OPT's config.json (facebook/opt-*), with the defaults of transformers' OPTConfig.

import { AtlasError } from '../../errors';
import { activation, positiveInt, requireDivisible, type Activation } from '../config-fields';
import type { Json } from '../types';

/** OPT's learned positions start at index 2 of the table (ids 0 and 1 were padding in fairseq). */
export const OPT_POSITION_OFFSET = 2;

export interface OptConfig {
  family: 'opt';
  modelType: string;
  layers: number;
  heads: number;
  dModel: number;
  dInner: number;
  /** Width of the token embeddings; when it differs from dModel, project_in/out map between them (opt-350m). */
  embedDim: number;
  vocabSize: number;
  maxPositions: number;
  /** true: pre-LayerNorm blocks (opt-125m and most); false: post-LayerNorm (opt-350m). */
  preNorm: boolean;
  /** The decoder's final LayerNorm (pre-norm models, unless `_remove_final_layer_norm`). */
  finalNorm: boolean;
  activation: Activation;
  bias: boolean;
  eps: number;
  eosTokenId: number | null;
}

export function parseOptConfig(c: Json, modelType: string): OptConfig {
  const dModel = positiveInt(c, ['hidden_size']);
  const heads = positiveInt(c, ['num_attention_heads']);
  requireDivisible(dModel, heads);
  const preNorm = c.do_layer_norm_before !== false;
  if (c.layer_norm_elementwise_affine === false) throw new AtlasError('unsupported-model', 'OPT models without LayerNorm weights (layer_norm_elementwise_affine false) are not supported.');
  return {
    family: 'opt',
    modelType,
    layers: positiveInt(c, ['num_hidden_layers']),
    heads,
    dModel,
    dInner: positiveInt(c, ['ffn_dim']),
    embedDim: c.word_embed_proj_dim == null ? dModel : positiveInt(c, ['word_embed_proj_dim']),
    vocabSize: positiveInt(c, ['vocab_size']),
    maxPositions: positiveInt(c, ['max_position_embeddings'], 2048),
    preNorm,
    finalNorm: preNorm && c._remove_final_layer_norm !== true,
    activation: activation(c.activation_function ?? 'relu', 'activation_function'),
    bias: c.enable_bias !== false,
    // OPT's LayerNorms use PyTorch's default epsilon.
    eps: 1e-5,
    eosTokenId: typeof c.eos_token_id === 'number' ? c.eos_token_id : null,
  };
}

