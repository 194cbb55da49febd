// BertForMaskedLM and DistilBertForMaskedLM in float64, written from Hugging Face's
// modeling_bert.py and modeling_distilbert.py (eager attention).
//
// BERT (post-LN):
//   h⁰ = LN(word[ids] + position[0..T) + token_type[types])
//   for each layer:
//     per head: scores = q·kᵀ/√headDim, padded keys := FLOAT32_MIN, probs = softmax(scores)
//     h = LN(h + attention.output.dense(concat_heads(probs·v)))      attention.output.LayerNorm
//     h = LN(h + output.dense(act(intermediate.dense(h))))             output.LayerNorm
//   logits = LN(act(transform.dense(h)))·wordᵀ + cls.predictions.bias  decoder tied to word embeddings
// act = config.hidden_act ("gelu": exact erf GELU); LN eps = config.layer_norm_eps.
//
// DistilBERT is the same computation with other names (q_lin…out_lin, sa_layer_norm,
// ffn.lin1/lin2, output_layer_norm, vocab_transform/vocab_layer_norm/vocab_projector),
// no token types, eps fixed at 1e-12 in the code (not in config.json), act = config.activation.
//
// HF adds (1 − mask)·finfo.min to the scores of padded keys (BERT) or fills them with it
// (DistilBERT); in float32 both leave exactly finfo.min, which is what the trace records.

import { activation, addInPlace, attend, embed, layerNorm, linear, newAttention, newTensor, storeSlice, layerAblation, type RefAblation } from './ops';
import type { HFConfig, RefAttention, ReferenceTrace, Weights } from './types';
import { configNumber, configString, hasTensor, layerNormParams, tensor } from './weights';

export interface BertInputs {
  /** Segment ids (BERT only); all 0 when omitted. */
  tokenTypeIds?: readonly number[];
  /** 1 for real tokens, 0 for padding; all 1 when omitted. */
  attentionMask?: readonly number[];
  /** Heads to ablate (kind `self`). */
  ablation?: RefAblation;
}

export interface BertDims {
  layers: number;
  heads: number;
  dModel: number;
  headDim: number;
  inner: number;
  vocab: number;
  positions: number;
  eps: number;
}

/** DistilBERT's LayerNorms use eps=1e-12, hard-coded in modeling_distilbert.py. */
const DISTILBERT_LN_EPS = 1e-12;

export function bertDims(config: HFConfig): BertDims {
  const distil = configString(config, 'model_type', 'bert') === 'distilbert';
  const dModel = configNumber(config, distil ? 'dim' : 'hidden_size');
  const heads = configNumber(config, distil ? 'n_heads' : 'num_attention_heads');
  if (dModel % heads !== 0) throw new Error(`reference: width ${dModel} is not divisible by ${heads} heads`);
  return {
    layers: configNumber(config, distil ? 'n_layers' : 'num_hidden_layers'),
    heads,
    dModel,
    headDim: dModel / heads,
    inner: configNumber(config, distil ? 'hidden_dim' : 'intermediate_size'),
    vocab: configNumber(config, 'vocab_size'),
    positions: configNumber(config, 'max_position_embeddings', 512),
    eps: distil ? DISTILBERT_LN_EPS : configNumber(config, 'layer_norm_eps', 1e-12),
  };
}

/** Tensor names of one family, relative to the model prefix. */
interface Naming {
  prefix: string;
  word: string;
  position: string;
  tokenType: string | null;
  embeddingNorm: string;
  layer: (l: number) => {
    q: string;
    k: string;
    v: string;
    out: string;
    attnNorm: string;
    up: string;
    down: string;
    outNorm: string;
  };
  headTransform: string;
  headNorm: string;
  headBias: string[];
  headDecoder: string;
}

function naming(config: HFConfig, weights: Weights): Naming {
  if (configString(config, 'model_type', 'bert') === 'distilbert') {
    return {
      prefix: 'distilbert.',
      word: 'embeddings.word_embeddings.weight',
      position: 'embeddings.position_embeddings.weight',
      tokenType: null,
      embeddingNorm: 'embeddings.LayerNorm',
      layer: (l) => {
        const p = `transformer.layer.${l}.`;
        return {
          q: `${p}attention.q_lin`,
          k: `${p}attention.k_lin`,
          v: `${p}attention.v_lin`,
          out: `${p}attention.out_lin`,
          attnNorm: `${p}sa_layer_norm`,
          up: `${p}ffn.lin1`,
          down: `${p}ffn.lin2`,
          outNorm: `${p}output_layer_norm`,
        };
      },
      headTransform: 'vocab_transform',
      headNorm: 'vocab_layer_norm',
      headBias: ['vocab_projector.bias'],
      headDecoder: 'vocab_projector.weight',
    };
  }
  return {
    // BertForMaskedLM stores `bert.…`; a bare BertModel has no prefix (and no MLM head).
    prefix: hasTensor(weights, 'bert.embeddings.word_embeddings.weight') ? 'bert.' : '',
    word: 'embeddings.word_embeddings.weight',
    position: 'embeddings.position_embeddings.weight',
    tokenType: 'embeddings.token_type_embeddings.weight',
    embeddingNorm: 'embeddings.LayerNorm',
    layer: (l) => {
      const p = `encoder.layer.${l}.`;
      return {
        q: `${p}attention.self.query`,
        k: `${p}attention.self.key`,
        v: `${p}attention.self.value`,
        out: `${p}attention.output.dense`,
        attnNorm: `${p}attention.output.LayerNorm`,
        up: `${p}intermediate.dense`,
        down: `${p}output.dense`,
        outNorm: `${p}output.LayerNorm`,
      };
    },
    headTransform: 'cls.predictions.transform.dense',
    headNorm: 'cls.predictions.transform.LayerNorm',
    headBias: ['cls.predictions.bias', 'cls.predictions.decoder.bias'],
    headDecoder: 'cls.predictions.decoder.weight',
  };
}

export function bertForward(config: HFConfig, weights: Weights, inputIds: readonly number[], inputs: BertInputs = {}): ReferenceTrace {
  const modelType = configString(config, 'model_type', 'bert');
  const distil = modelType === 'distilbert';
  const { layers, heads, dModel: d, headDim, inner, vocab, positions, eps } = bertDims(config);
  const T = inputIds.length;
  if (T === 0 || T > positions) throw new Error(`reference: ${modelType} takes 1…${positions} tokens, got ${T}`);
  if (!distil && configString(config, 'position_embedding_type', 'absolute') !== 'absolute')
    throw new Error('reference: only absolute position embeddings are implemented');
  const act = activation(configString(config, distil ? 'activation' : 'hidden_act', 'gelu'));
  const mask = inputs.attentionMask ?? Array<number>(T).fill(1);
  if (mask.length !== T) throw new Error('reference: attention mask length differs from the input');
  const n = naming(config, weights);
  const w = (name: string, shape: number[]) => tensor(weights, n.prefix + name, shape);
  const ln = (x: Float64Array, name: string) => {
    const { gamma, beta } = layerNormParams(weights, n.prefix + name, d);
    return layerNorm(x, T, d, gamma, beta, eps);
  };
  const dense = (x: Float64Array, name: string, inDim: number, outDim: number, prefix = n.prefix) =>
    linear(x, T, inDim, tensor(weights, `${prefix}${name}.weight`, [outDim, inDim]), tensor(weights, `${prefix}${name}.bias`, [outDim]), outDim);

  const word = w(n.word, [vocab, d]);
  const e = embed(word, inputIds, d, vocab);
  addInPlace(e, embed(w(n.position, [positions, d]), [...Array(T).keys()], d, positions));
  if (n.tokenType) {
    const typeVocab = configNumber(config, 'type_vocab_size', 2);
    const types = inputs.tokenTypeIds ?? Array<number>(T).fill(0);
    if (types.length !== T) throw new Error('reference: token type ids length differs from the input');
    addInPlace(e, embed(w(n.tokenType, [typeVocab, d]), types, d, typeVocab));
  }
  let h = ln(e, n.embeddingNorm);

  const attention: RefAttention = newAttention(layers, heads, T, T, headDim);
  const hidden = newTensor([layers + 1, T, d]);
  const blockOutputs = newTensor([layers, T, d]);
  storeSlice(hidden, 0, h);
  for (let l = 0; l < layers; l++) {
    const names = n.layer(l);
    const merged = attend(
      {
        heads,
        headDim,
        queries: T,
        keys: T,
        q: dense(h, names.q, d, d),
        k: dense(h, names.k, d, d),
        v: dense(h, names.v, d, d),
        divisor: Math.sqrt(headDim),
        allowed: (_i, j) => mask[j] !== 0,
        ablate: layerAblation(inputs.ablation, 'self', l),
        output: { dModel: d, layout: 'out-in', weight: w(`${names.out}.weight`, [d, d]) },
      },
      attention,
      l,
    );
    const a = ln(addInPlace(dense(merged, names.out, d, d), h), names.attnNorm);
    const up = dense(a, names.up, d, inner);
    for (let i = 0; i < up.length; i++) up[i] = act(up[i]);
    h = ln(addInPlace(dense(up, names.down, inner, d), a), names.outNorm);
    storeSlice(blockOutputs, l, h);
    storeSlice(hidden, l + 1, h);
  }

  // The MLM head lives outside the `bert.`/`distilbert.` prefix.
  const t = dense(h, n.headTransform, d, d, '');
  for (let i = 0; i < t.length; i++) t[i] = act(t[i]);
  const { gamma, beta } = layerNormParams(weights, n.headNorm, d);
  const normed = layerNorm(t, T, d, gamma, beta, eps);
  // The decoder weight is tied to the word embeddings (HF ties it on load even when a copy is stored).
  const decoder = hasTensor(weights, n.headDecoder) && config.tie_word_embeddings === false ? tensor(weights, n.headDecoder, [vocab, d]) : word;
  const bias = tensor(weights, n.headBias, [vocab]);
  const logits = { shape: [T, vocab], data: linear(normed, T, d, decoder, bias, vocab) };
  return {
    family: 'bert',
    modelType,
    attention: { self: attention },
    hidden: { self: hidden },
    blockOutputs: { self: blockOutputs },
    logits,
  };
}
