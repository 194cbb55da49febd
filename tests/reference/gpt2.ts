// GPT2LMHeadModel in float64, written from Hugging Face's modeling_gpt2.py (eager attention).
//
//   h⁰ = wte[ids] + wpe[0..T)                                   learned absolute positions
//   for each block l:
//     a = ln_1(h)                                               pre-LayerNorm
//     q|k|v = a·c_attn.W + c_attn.b                             one fused Conv1D, W is [in, 3d]
//     per head: scores = q·kᵀ/√headDim, future keys := FLOAT32_MIN, probs = softmax(scores)
//     h = h + c_proj(concat_heads(probs·v))
//     h = h + mlp.c_proj(act(mlp.c_fc(ln_2(h))))                act = gelu_new (tanh GELU)
//   logits = ln_f(h)·wteᵀ                                       lm_head tied to wte
//
// Tensor names are `transformer.h.N.…`; the original gpt2/distilgpt2 safetensors store
// them without the `transformer.` prefix, so both spellings are accepted.

import { activation, addInPlace, argmaxLastRow, attend, conv1d, embed, layerNorm, linear, newAttention, newTensor, storeSlice, layerAblation, type RefAblation } from './ops';
import type { HFConfig, ReferenceTrace, Weights } from './types';
import { configBool, configNumber, configString, hasTensor, layerNormParams, tensor } from './weights';

export interface Gpt2Dims {
  layers: number;
  heads: number;
  dModel: number;
  headDim: number;
  inner: number;
  vocab: number;
  positions: number;
  eps: number;
}

export function gpt2Dims(config: HFConfig): Gpt2Dims {
  const dModel = configNumber(config, 'n_embd');
  const heads = configNumber(config, 'n_head');
  if (dModel % heads !== 0) throw new Error(`reference: n_embd ${dModel} is not divisible by n_head ${heads}`);
  return {
    layers: configNumber(config, 'n_layer'),
    heads,
    dModel,
    headDim: dModel / heads,
    inner: configNumber(config, 'n_inner', 4 * dModel), // null in config.json means 4·n_embd
    vocab: configNumber(config, 'vocab_size'),
    positions: configNumber(config, 'n_positions'),
    eps: configNumber(config, 'layer_norm_epsilon', 1e-5),
  };
}

export function gpt2Forward(config: HFConfig, weights: Weights, inputIds: readonly number[], ablation?: RefAblation): ReferenceTrace {
  const { layers, heads, dModel: d, headDim, inner, vocab, positions, eps } = gpt2Dims(config);
  const T = inputIds.length;
  if (T === 0 || T > positions) throw new Error(`reference: GPT-2 takes 1…${positions} tokens, got ${T}`);
  const act = activation(configString(config, 'activation_function', 'gelu_new'));
  const scaleByHeadDim = configBool(config, 'scale_attn_weights', true);
  const scaleByLayer = configBool(config, 'scale_attn_by_inverse_layer_idx', false);
  const prefix = hasTensor(weights, 'transformer.wte.weight') ? 'transformer.' : '';
  const w = (name: string, shape: number[]) => tensor(weights, prefix + name, shape);
  const ln = (name: string) => layerNormParams(weights, prefix + name, d);

  const wte = w('wte.weight', [vocab, d]);
  const wpe = w('wpe.weight', [positions, d]);
  let h = embed(wte, inputIds, d, vocab);
  addInPlace(h, embed(wpe, [...Array(T).keys()], d, positions));

  const attention = newAttention(layers, heads, T, T, headDim);
  const hidden = newTensor([layers + 1, T, d]);
  const blockOutputs = newTensor([layers, T, d]);
  storeSlice(hidden, 0, h);

  for (let l = 0; l < layers; l++) {
    const p = `h.${l}.`;
    const ln1 = ln(`${p}ln_1`);
    const a = layerNorm(h, T, d, ln1.gamma, ln1.beta, eps);
    const qkv = conv1d(a, T, d, w(`${p}attn.c_attn.weight`, [d, 3 * d]), w(`${p}attn.c_attn.bias`, [3 * d]), 3 * d);
    // Split the fused projection into q, k, v (columns 0…d, d…2d, 2d…3d).
    const q = new Float64Array(T * d);
    const k = new Float64Array(T * d);
    const v = new Float64Array(T * d);
    for (let t = 0; t < T; t++) {
      q.set(qkv.subarray(t * 3 * d, t * 3 * d + d), t * d);
      k.set(qkv.subarray(t * 3 * d + d, t * 3 * d + 2 * d), t * d);
      v.set(qkv.subarray(t * 3 * d + 2 * d, t * 3 * d + 3 * d), t * d);
    }
    const divisor = (scaleByHeadDim ? Math.sqrt(headDim) : 1) * (scaleByLayer ? l + 1 : 1);
    const merged = attend(
      { heads, headDim, queries: T, keys: T, q, k, v, divisor, allowed: (i, j) => j <= i, ablate: layerAblation(ablation, 'self', l), output: { dModel: d, layout: 'in-out', weight: w(`${p}attn.c_proj.weight`, [d, d]) } },
      attention,
      l,
    );
    addInPlace(h, conv1d(merged, T, d, w(`${p}attn.c_proj.weight`, [d, d]), w(`${p}attn.c_proj.bias`, [d]), d));

    const ln2 = ln(`${p}ln_2`);
    const m = layerNorm(h, T, d, ln2.gamma, ln2.beta, eps);
    const up = conv1d(m, T, d, w(`${p}mlp.c_fc.weight`, [d, inner]), w(`${p}mlp.c_fc.bias`, [inner]), inner);
    for (let i = 0; i < up.length; i++) up[i] = act(up[i]);
    addInPlace(h, conv1d(up, T, inner, w(`${p}mlp.c_proj.weight`, [inner, d]), w(`${p}mlp.c_proj.bias`, [d]), d));

    storeSlice(blockOutputs, l, h);
    if (l < layers - 1) storeSlice(hidden, l + 1, h);
  }

  const lnf = ln('ln_f');
  const final = layerNorm(h, T, d, lnf.gamma, lnf.beta, eps);
  storeSlice(hidden, layers, final); // HF appends the last hidden state after ln_f
  // GPT2LMHeadModel ties lm_head to wte unless the config unties them explicitly.
  const untied = configBool(config, 'tie_word_embeddings', true) === false && hasTensor(weights, 'lm_head.weight');
  const head = untied ? tensor(weights, 'lm_head.weight', [vocab, d]) : wte;
  const logits = { shape: [T, vocab], data: linear(final, T, d, head, null, vocab) };
  return {
    family: 'gpt2',
    modelType: configString(config, 'model_type', 'gpt2'),
    attention: { self: attention },
    hidden: { self: hidden },
    blockOutputs: { self: blockOutputs },
    logits,
  };
}

/** Greedy continuation: appends the argmax token `steps` times (full recomputation, no cache). */
export function gpt2Greedy(config: HFConfig, weights: Weights, inputIds: readonly number[], steps: number): number[] {
  const ids = [...inputIds];
  for (let s = 0; s < steps; s++) {
    ids.push(argmaxLastRow(gpt2Forward(config, weights, ids).logits));
  }
  return ids;
}
