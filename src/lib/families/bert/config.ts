// BERT's and DistilBERT's config.json, with the defaults of transformers' config classes.

import { activation, epsilon, num, positiveInt, requireDivisible, type Activation } from '../config-fields';
import type { Json } from '../types';

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

export function parseBertConfig(c: Json, modelType: string): BertConfig {
  const distil = modelType === 'distilbert';
  const dModel = positiveInt(c, distil ? ['dim'] : ['hidden_size']);
  const heads = positiveInt(c, distil ? ['n_heads'] : ['num_attention_heads']);
  requireDivisible(dModel, heads);
  return {
    family: 'bert',
    variant: distil ? 'distilbert' : 'bert',
    modelType,
    layers: positiveInt(c, distil ? ['n_layers'] : ['num_hidden_layers']),
    heads,
    dModel,
    dInner: positiveInt(c, distil ? ['hidden_dim'] : ['intermediate_size'], 4 * dModel),
    vocabSize: positiveInt(c, ['vocab_size']),
    maxPositions: positiveInt(c, ['max_position_embeddings'], 512),
    typeVocabSize: distil ? 0 : positiveInt(c, ['type_vocab_size'], 2),
    eps: distil ? 1e-12 : epsilon(c, 'layer_norm_eps', 1e-12),
    activation: activation((distil ? c.activation : c.hidden_act) ?? 'gelu', distil ? 'activation' : 'hidden_act'),
    padTokenId: num(c, ['pad_token_id'], 0),
  };
}
