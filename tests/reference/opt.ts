// OPTForCausalLM in float64, written from Hugging Face's modeling_opt.py (eager attention):
//
//   h⁰ = embed_tokens[ids] (→ project_in when word_embed_proj_dim ≠ hidden_size)
//        + embed_positions[p + 2]                              learned absolute, offset 2
//   each layer (do_layer_norm_before = true):
//     h = h + out_proj(attn(self_attn_layer_norm(h)))          q, k, v, out all biased
//     h = h + fc2(relu(fc1(final_layer_norm(h))))
//   (do_layer_norm_before = false: the same, each LayerNorm applied after its residual add)
//   attention: scores = (q/√d)·kᵀ, future keys := FLOAT32_MIN, softmax
//   out = final_layer_norm(h) (pre-norm models) → project_out; logits = out·embed_tokensᵀ

import { FLOAT32_MIN, argmaxLastRow, embed, layerNorm, linear, newAttention, newTensor, relu, storeSlice, storeValueNorms, applyAblation, layerAblation, type RefAblation } from './ops';
import type { HFConfig, ReferenceTrace, Weights } from './types';
import { configNumber, hasTensor, tensor } from './weights';

export function optForward(config: HFConfig, weights: Weights, ids: readonly number[], ablation?: RefAblation): ReferenceTrace {
  const d = configNumber(config, 'hidden_size');
  const heads = configNumber(config, 'num_attention_heads');
  const layers = configNumber(config, 'num_hidden_layers');
  const inner = configNumber(config, 'ffn_dim');
  const vocab = configNumber(config, 'vocab_size');
  const maxPos = configNumber(config, 'max_position_embeddings');
  const proj = typeof config.word_embed_proj_dim === 'number' ? config.word_embed_proj_dim : d;
  const pre = config.do_layer_norm_before !== false;
  const dh = d / heads;
  const T = ids.length;
  const prefix = hasTensor(weights, 'model.decoder.embed_tokens.weight') ? 'model.decoder.' : 'decoder.';
  const w = (name: string, shape: number[]) => tensor(weights, prefix + name, shape);
  const ln = (x: Float64Array, name: string) => layerNorm(x, T, d, w(`${name}.weight`, [d]), w(`${name}.bias`, [d]), 1e-5);
  const lin = (x: Float64Array, name: string, out: number, inDim: number) => linear(x, T, inDim, w(`${name}.weight`, [out, inDim]), w(`${name}.bias`, [out]), out);

  const table = w('embed_tokens.weight', [vocab, proj]);
  let h = embed(table, ids, proj, vocab);
  if (proj !== d) h = linear(h, T, proj, w('project_in.weight', [d, proj]), null, d);
  const pos = w('embed_positions.weight', [maxPos + 2, d]);
  for (let t = 0; t < T; t++) for (let e = 0; e < d; e++) h[t * d + e] += pos[(t + 2) * d + e];

  const att = newAttention(layers, heads, T, T, dh);
  const hidden = newTensor([layers + 1, T, d]);
  const blockOutputs = newTensor([layers, T, d]);
  storeSlice(hidden, 0, h);
  for (let l = 0; l < layers; l++) {
    const p = `layers.${l}.`;
    const a = pre ? ln(h, p + 'self_attn_layer_norm') : h;
    const q = lin(a, p + 'self_attn.q_proj', d, d);
    const k = lin(a, p + 'self_attn.k_proj', d, d);
    const v = lin(a, p + 'self_attn.v_proj', d, d);
    const merged = new Float64Array(T * d);
    for (let hh = 0; hh < heads; hh++) {
      for (let t = 0; t < T; t++)
        for (let e = 0; e < dh; e++) {
          const at = ((l * heads + hh) * T + t) * dh + e;
          att.q.data[at] = q[t * d + hh * dh + e];
          att.k.data[at] = k[t * d + hh * dh + e];
          att.v.data[at] = v[t * d + hh * dh + e];
        }
      for (let i = 0; i < T; i++) {
        const row = new Float64Array(T);
        let max = -Infinity;
        for (let j = 0; j < T; j++) {
          let s = FLOAT32_MIN;
          if (j <= i) {
            s = 0;
            for (let e = 0; e < dh; e++) s += (q[i * d + hh * dh + e] / Math.sqrt(dh)) * k[j * d + hh * dh + e];
          }
          att.scores.data[((l * heads + hh) * T + i) * T + j] = row[j] = s;
          max = Math.max(max, s);
        }
        let sum = 0;
        for (let j = 0; j < T; j++) sum += row[j] = Math.exp(row[j] - max);
        for (let j = 0; j < T; j++) att.probs.data[((l * heads + hh) * T + i) * T + j] = row[j] /= sum;
        for (let e = 0; e < dh; e++) {
          let c = 0;
          for (let j = 0; j < T; j++) c += row[j] * v[j * d + hh * dh + e];
          att.context.data[((l * heads + hh) * T + i) * dh + e] = c;
          merged[i * d + hh * dh + e] = c;
        }
      }
    }
    storeValueNorms(att, l, v, T, { heads, kvHeads: heads, headDim: dh, dModel: d, layout: 'out-in', weight: w(`${p}self_attn.out_proj.weight`, [d, d]) });
    applyAblation(merged, { heads, kvHeads: heads, headDim: dh, queries: T, keys: T }, v, (i, j) => j <= i, layerAblation(ablation, 'self', l));
    const o = lin(merged, p + 'self_attn.out_proj', d, d);
    for (let i = 0; i < h.length; i++) h[i] += o[i];
    if (!pre) h = ln(h, p + 'self_attn_layer_norm');
    const m = pre ? ln(h, p + 'final_layer_norm') : h;
    const up = lin(m, p + 'fc1', inner, d).map(relu);
    const down = linear(up, T, inner, w(`${p}fc2.weight`, [d, inner]), w(`${p}fc2.bias`, [d]), d);
    for (let i = 0; i < h.length; i++) h[i] += down[i];
    if (!pre) h = ln(h, p + 'final_layer_norm');
    storeSlice(blockOutputs, l, h);
    if (l < layers - 1) storeSlice(hidden, l + 1, h);
  }
  let out = pre && config._remove_final_layer_norm !== true ? ln(h, 'final_layer_norm') : h;
  if (proj !== d) out = linear(out, T, d, w('project_out.weight', [proj, d]), null, proj);
  storeSlice(hidden, layers, out);
  const head = hasTensor(weights, 'lm_head.weight') ? tensor(weights, 'lm_head.weight', [vocab, proj]) : table;
  return {
    family: 'opt',
    modelType: 'opt',
    attention: { self: att },
    hidden: { self: hidden },
    blockOutputs: { self: blockOutputs },
    logits: { shape: [T, vocab], data: linear(out, T, proj, head, null, vocab) },
  };
}

export function optGreedy(config: HFConfig, weights: Weights, ids: readonly number[], steps: number): number[] {
  const out = [...ids];
  for (let s = 0; s < steps; s++) out.push(argmaxLastRow(optForward(config, weights, out).logits));
  return out;
}
