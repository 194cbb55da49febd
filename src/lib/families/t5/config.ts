// T5's config.json (t5, T5 v1.1, flan-t5), with the defaults of transformers' T5Config.

import { activation, epsilon, num, positiveInt, type Activation } from '../config-fields';
import type { Json } from '../types';

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

export function parseT5Config(c: Json, modelType: string): T5Config {
  const proj = String(c.feed_forward_proj ?? 'relu');
  const gated = proj.startsWith('gated-');
  const act = gated ? proj.slice('gated-'.length) : proj;
  const layers = positiveInt(c, ['num_layers']);
  return {
    family: 't5',
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
