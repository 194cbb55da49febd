// T5ForConditionalGeneration in float64, written from Hugging Face's modeling_t5.py.
//
// Encoder (no positional embedding at the input):
//   h⁰ = shared[ids]
//   for each block l:
//     per head: scores = q·kᵀ + bias[h, i, j]                  NO 1/√d_kv scaling
//       bias = relative_attention_bias[bucket(j − i)], bucket bidirectional,
//       computed from block 0's table and shared by every block of the stack
//     h = h + o(concat_heads(softmax(scores)·v))                 on RMSNorm(h) (layer.0.layer_norm)
//     h = h + FFN(RMSNorm(h))                                    layer.1
//   out = RMSNorm(h)                                             final_layer_norm
// Decoder: the same with a unidirectional (causal) bucket, future keys masked, and a
// cross-attention sub-layer between the two (layer.1.EncDecAttention: q from the decoder,
// k and v from the encoder's `out`, no position bias), FFN in layer.2.
// FFN: relu: wo(relu(wi x)) (t5);  gated-gelu: wo(gelu_new(wi_0 x) ⊙ wi_1 x) (T5 v1.1, flan-t5).
// RMSNorm: x/√(mean(x²) + eps)·w, eps = layer_norm_epsilon. Projections have no bias.
// Head: tie_word_embeddings (default true): logits = (out·d_model^−½)·sharedᵀ;
//       otherwise logits = out·lm_headᵀ (flan-t5, T5 v1.1).

import { activation, addInPlace, argmaxLastRow, attend, embed, linear, newAttention, newTensor, rmsNorm, storeSlice, layerAblation, type RefAblation } from './ops';
import type { HFConfig, RefAttention, RefTensor, ReferenceTrace, Weights } from './types';
import { configBool, configNumber, configString, hasTensor, tensor } from './weights';

export interface T5Dims {
  layers: number;
  decoderLayers: number;
  heads: number;
  dModel: number;
  dKv: number;
  dFf: number;
  vocab: number;
  numBuckets: number;
  maxDistance: number;
  eps: number;
  gated: boolean;
  /** The FFN activation's ACT2FN name (derived from feed_forward_proj, as T5Config does). */
  act: string;
  tied: boolean;
  decoderStart: number;
  eos: number;
}

export function t5Dims(config: HFConfig): T5Dims {
  const layers = configNumber(config, 'num_layers', 6);
  const proj = configString(config, 'feed_forward_proj', 'relu');
  const parts = proj.split('-');
  const gated = parts[0] === 'gated';
  if (parts.length > 2 || (parts.length === 2 && !gated)) throw new Error(`reference: feed_forward_proj "${proj}" is not valid`);
  return {
    layers,
    decoderLayers: configNumber(config, 'num_decoder_layers', layers),
    heads: configNumber(config, 'num_heads', 8),
    dModel: configNumber(config, 'd_model', 512),
    dKv: configNumber(config, 'd_kv', 64),
    dFf: configNumber(config, 'd_ff', 2048),
    vocab: configNumber(config, 'vocab_size', 32128),
    numBuckets: configNumber(config, 'relative_attention_num_buckets', 32),
    maxDistance: configNumber(config, 'relative_attention_max_distance', 128),
    eps: configNumber(config, 'layer_norm_epsilon', 1e-6),
    gated,
    // T5Config maps "gated-gelu" to gelu_new for backwards compatibility; otherwise the last part.
    act: proj === 'gated-gelu' ? 'gelu_new' : parts[parts.length - 1],
    tied: configBool(config, 'tie_word_embeddings', true),
    decoderStart: configNumber(config, 'decoder_start_token_id', 0),
    eos: configNumber(config, 'eos_token_id', 1),
  };
}

/**
 * T5's relative position bucket (Mesh TensorFlow's `_relative_position_bucket`).
 * `relativePosition` = key position − query position. Bidirectional (encoder): half the
 * buckets for keys after the query, half for keys at or before it. Unidirectional
 * (decoder): keys after the query all fall in bucket 0. Within a half, distances below
 * maxExact = buckets/2 get a bucket each; larger ones share logarithmically wider buckets
 * up to maxDistance, and everything beyond lands in the last bucket.
 * HF computes the logarithm in float32; for the configurations in use (32/128 and others
 * checked against torch) double precision gives the same buckets for |distance| ≤ 3000.
 */
export function t5RelativePositionBucket(relativePosition: number, bidirectional: boolean, numBuckets: number, maxDistance: number): number {
  let bucket = 0;
  let buckets = numBuckets;
  let distance: number;
  if (bidirectional) {
    buckets = Math.floor(buckets / 2);
    if (relativePosition > 0) bucket += buckets;
    distance = Math.abs(relativePosition);
  } else {
    distance = Math.max(-relativePosition, 0);
  }
  const maxExact = Math.floor(buckets / 2);
  if (distance < maxExact) return bucket + distance;
  const large = maxExact + Math.trunc((Math.log(distance / maxExact) / Math.log(maxDistance / maxExact)) * (buckets - maxExact));
  return bucket + Math.min(large, buckets - 1);
}

/** The position bias [head, query, key] from a relative_attention_bias table [buckets, heads]. */
export function t5PositionBias(table: ArrayLike<number>, dims: T5Dims, queries: number, keys: number, bidirectional: boolean): RefTensor {
  const { heads, numBuckets, maxDistance } = dims;
  const bias = newTensor([heads, queries, keys]);
  for (let i = 0; i < queries; i++)
    for (let j = 0; j < keys; j++) {
      const b = t5RelativePositionBucket(j - i, bidirectional, numBuckets, maxDistance);
      for (let h = 0; h < heads; h++) bias.data[(h * queries + i) * keys + j] = table[b * heads + h];
    }
  return bias;
}

interface StackResult {
  out: Float64Array;
  hidden: RefTensor;
  blockOutputs: RefTensor;
  self: RefAttention;
  cross?: RefAttention;
}

function runStack(
  dims: T5Dims,
  weights: Weights,
  kind: 'encoder' | 'decoder',
  ids: readonly number[],
  shared: ArrayLike<number>,
  encoder?: { out: Float64Array; length: number; mask: readonly number[] },
  selfMask?: readonly number[],
  ablation?: RefAblation,
): StackResult {
  const { heads, dModel: d, dKv, dFf, vocab, eps, gated } = dims;
  const layers = kind === 'encoder' ? dims.layers : dims.decoderLayers;
  const inner = heads * dKv;
  const T = ids.length;
  const act = activation(dims.act);
  const w = (name: string, shape: number[]) => tensor(weights, `${kind}.${name}`, shape);
  const proj = (x: Float64Array, rows: number, name: string, inDim: number, outDim: number) =>
    linear(x, rows, inDim, w(`${name}.weight`, [outDim, inDim]), null, outDim);

  const decoder = kind === 'decoder';
  const table = w('block.0.layer.0.SelfAttention.relative_attention_bias.weight', [dims.numBuckets, heads]);
  const positionBias = t5PositionBias(table, dims, T, T, !decoder);
  const self = newAttention(layers, heads, T, T, dKv);
  self.positionBias = positionBias;
  const cross = decoder && encoder ? newAttention(layers, heads, T, encoder.length, dKv) : undefined;
  const hidden = newTensor([layers + 1, T, d]);
  const blockOutputs = newTensor([layers, T, d]);

  let h = embed(shared, ids, d, vocab);
  storeSlice(hidden, 0, h);
  const mask = selfMask ?? Array<number>(T).fill(1);
  for (let l = 0; l < layers; l++) {
    const p = `block.${l}.layer.`;
    // Self-attention (layer.0).
    const n0 = rmsNorm(h, T, d, w(`${p}0.layer_norm.weight`, [d]), eps);
    const merged = attend(
      {
        heads,
        headDim: dKv,
        queries: T,
        keys: T,
        q: proj(n0, T, `${p}0.SelfAttention.q`, d, inner),
        k: proj(n0, T, `${p}0.SelfAttention.k`, d, inner),
        v: proj(n0, T, `${p}0.SelfAttention.v`, d, inner),
        divisor: 1,
        bias: (hh, i, j) => positionBias.data[(hh * T + i) * T + j],
        allowed: decoder ? (i, j) => j <= i && mask[j] !== 0 : (_i, j) => mask[j] !== 0,
        ablate: layerAblation(ablation, kind, l),
        output: { dModel: d, layout: 'out-in', weight: w(`${p}0.SelfAttention.o.weight`, [d, inner]) },
      },
      self,
      l,
    );
    addInPlace(h, proj(merged, T, `${p}0.SelfAttention.o`, inner, d));

    // Cross-attention (decoder layer.1): queries from the decoder, keys/values from the encoder output.
    if (decoder && encoder && cross) {
      const n1 = rmsNorm(h, T, d, w(`${p}1.layer_norm.weight`, [d]), eps);
      const S = encoder.length;
      const crossMerged = attend(
        {
          heads,
          headDim: dKv,
          queries: T,
          keys: S,
          q: proj(n1, T, `${p}1.EncDecAttention.q`, d, inner),
          k: proj(encoder.out, S, `${p}1.EncDecAttention.k`, d, inner),
          v: proj(encoder.out, S, `${p}1.EncDecAttention.v`, d, inner),
          divisor: 1,
          allowed: (_i, j) => encoder.mask[j] !== 0,
          ablate: layerAblation(ablation, 'cross', l),
          output: { dModel: d, layout: 'out-in', weight: w(`${p}1.EncDecAttention.o.weight`, [d, inner]) },
        },
        cross,
        l,
      );
      addInPlace(h, proj(crossMerged, T, `${p}1.EncDecAttention.o`, inner, d));
    }

    // Feed-forward (encoder layer.1, decoder layer.2).
    const f = `${p}${decoder ? 2 : 1}.`;
    const nf = rmsNorm(h, T, d, w(`${f}layer_norm.weight`, [d]), eps);
    let up: Float64Array;
    if (gated) {
      up = proj(nf, T, `${f}DenseReluDense.wi_0`, d, dFf);
      const linearPart = proj(nf, T, `${f}DenseReluDense.wi_1`, d, dFf);
      for (let i = 0; i < up.length; i++) up[i] = act(up[i]) * linearPart[i];
    } else {
      up = proj(nf, T, `${f}DenseReluDense.wi`, d, dFf);
      for (let i = 0; i < up.length; i++) up[i] = act(up[i]);
    }
    addInPlace(h, proj(up, T, `${f}DenseReluDense.wo`, dFf, d));
    storeSlice(blockOutputs, l, h);
    if (l < layers - 1) storeSlice(hidden, l + 1, h);
  }
  const out = rmsNorm(h, T, d, w('final_layer_norm.weight', [d]), eps);
  storeSlice(hidden, layers, out); // HF appends the final-normed state as the last hidden state
  return { out, hidden, blockOutputs, self, cross };
}

export interface T5Inputs {
  /** 1 for real encoder tokens, 0 for padding; all 1 when omitted. */
  encoderMask?: readonly number[];
  /** Heads to ablate (kinds encoder, decoder, cross). */
  ablation?: RefAblation;
}

/**
 * One teacher-forced pass: `decoderIds` are the decoder inputs (they should start with
 * decoder_start_token_id, 0 for T5); logits[i] predicts decoder token i + 1.
 */
export function t5Forward(
  config: HFConfig,
  weights: Weights,
  encoderIds: readonly number[],
  decoderIds: readonly number[],
  inputs: T5Inputs = {},
): ReferenceTrace {
  const dims = t5Dims(config);
  const { dModel: d, vocab } = dims;
  if (encoderIds.length === 0 || decoderIds.length === 0) throw new Error('reference: T5 needs encoder and decoder tokens');
  const shared = tensor(weights, ['shared.weight', 'encoder.embed_tokens.weight'], [vocab, d]);
  const encMask = inputs.encoderMask ?? Array<number>(encoderIds.length).fill(1);
  if (encMask.length !== encoderIds.length) throw new Error('reference: encoder mask length differs from the input');
  const enc = runStack(dims, weights, 'encoder', encoderIds, shared, undefined, encMask, inputs.ablation);
  const dec = runStack(dims, weights, 'decoder', decoderIds, shared, { out: enc.out, length: encoderIds.length, mask: encMask }, undefined, inputs.ablation);

  const T = decoderIds.length;
  let logitsData: Float64Array;
  if (dims.tied) {
    // Rescale before the tied projection (Mesh TensorFlow convention).
    const scaled = dec.out.map((x) => x * d ** -0.5);
    logitsData = linear(scaled, T, d, shared, null, vocab);
  } else {
    if (!hasTensor(weights, 'lm_head.weight')) throw new Error('reference: tie_word_embeddings is false but lm_head.weight is missing');
    logitsData = linear(dec.out, T, d, tensor(weights, 'lm_head.weight', [vocab, d]), null, vocab);
  }
  if (!dec.cross) throw new Error('reference: decoder ran without cross-attention');
  return {
    family: 't5',
    modelType: configString(config, 'model_type', 't5'),
    attention: { encoder: enc.self, decoder: dec.self, cross: dec.cross },
    hidden: { encoder: enc.hidden, decoder: dec.hidden },
    blockOutputs: { encoder: enc.blockOutputs, decoder: dec.blockOutputs },
    logits: { shape: [T, vocab], data: logitsData },
  };
}

/**
 * Greedy decoding: starts from decoder_start_token_id and appends the argmax token until
 * eos_token_id or `maxNewTokens`. Returns the decoder ids including the start token
 * (and the eos token when reached). Recomputes everything each step (no cache).
 */
export function t5Greedy(config: HFConfig, weights: Weights, encoderIds: readonly number[], maxNewTokens: number): number[] {
  const { decoderStart, eos } = t5Dims(config);
  const ids = [decoderStart];
  for (let s = 0; s < maxNewTokens; s++) {
    const next = argmaxLastRow(t5Forward(config, weights, encoderIds, ids).logits);
    ids.push(next);
    if (next === eos) break;
  }
  return ids;
}
