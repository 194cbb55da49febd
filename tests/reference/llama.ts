// LlamaForCausalLM (also MistralForCausalLM, Qwen2ForCausalLM) in float64, written from
// Hugging Face's modeling_llama.py, modeling_mistral.py, modeling_qwen2.py and
// modeling_rope_utils.py (eager attention):
//
//   h⁰ = embed_tokens[ids]                                      no position embedding
//   inv_freq_i = θ^(−2i/d), i < d/2  (then rope_scaling: linear divides by factor; llama3
//                 divides the low frequencies by factor and blends the middle band)
//   cos, sin [T, d] = cos/sin of (p · inv_freq) repeated for both halves (rotate-half layout)
//   for each layer:
//     a = input_layernorm(h)                                    RMSNorm: w · x / √(mean x² + eps)
//     q = a·Wqᵀ (+bq), k = a·Wkᵀ (+bk), v = a·Wvᵀ (+bv)         H query heads, H_kv key/value heads
//     q' = q·cos + rotate_half(q)·sin, k' likewise              rotate_half(x) = [−x₂, x₁]
//     query head h reads KV head ⌊h / (H/H_kv)⌋                 repeat_kv
//     scores = q'·k'ᵀ/√d, keys after the query (or before the sliding window) := FLOAT32_MIN
//     h = h + o_proj(concat_heads(softmax(scores)·v))
//     h = h + down_proj(silu(gate_proj(m)) · up_proj(m)), m = post_attention_layernorm(h)
//   logits = norm(h)·lm_headᵀ                                   lm_head, or embed_tokens when tied
//
// This file shares no code with src/lib/families/llama/: only the float64 helpers of ./ops.

import { FLOAT32_MIN, argmaxLastRow, embed, linear, newTensor, rmsNorm, silu, storeSlice, storeValueNorms, applyAblation, layerAblation, type RefAblation } from './ops';
import type { HFConfig, RefAttention, ReferenceTrace, RefTensor, Weights } from './types';
import { configNumber, configString, hasTensor, tensor } from './weights';

export interface LlamaDims {
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  dModel: number;
  inner: number;
  vocab: number;
  eps: number;
}

export function llamaDims(config: HFConfig): LlamaDims {
  const dModel = configNumber(config, 'hidden_size');
  const heads = configNumber(config, 'num_attention_heads');
  const headDim = typeof config.head_dim === 'number' ? config.head_dim : dModel / heads;
  return {
    layers: configNumber(config, 'num_hidden_layers'),
    heads,
    kvHeads: typeof config.num_key_value_heads === 'number' ? config.num_key_value_heads : heads,
    headDim,
    dModel,
    inner: configNumber(config, 'intermediate_size'),
    vocab: configNumber(config, 'vocab_size'),
    eps: configNumber(config, 'rms_norm_eps', 1e-6),
  };
}

/** modeling_rope_utils: the default, linear and llama3 inverse frequencies. */
export function llamaInverseFrequencies(config: HFConfig, headDim: number): number[] {
  const base = configNumber(config, 'rope_theta', 10000);
  const inv: number[] = [];
  for (let e = 0; e < headDim; e += 2) inv.push(1 / base ** (e / headDim));
  const scaling = config.rope_scaling as Record<string, number | string> | null | undefined;
  const type = scaling ? String(scaling.rope_type ?? scaling.type) : 'default';
  if (type === 'linear') return inv.map((f) => f / Number(scaling!.factor));
  if (type === 'llama3') {
    const factor = Number(scaling!.factor);
    const low = Number(scaling!.low_freq_factor);
    const high = Number(scaling!.high_freq_factor);
    const oldLen = Number(scaling!.original_max_position_embeddings);
    return inv.map((f) => {
      const wavelen = (2 * Math.PI) / f;
      const scaled = wavelen > oldLen / low ? f / factor : f;
      const medium = !(wavelen < oldLen / high) && !(wavelen > oldLen / low);
      if (!medium) return scaled;
      const smooth = (oldLen / wavelen - low) / (high - low);
      return ((1 - smooth) * scaled) / factor + smooth * scaled;
    });
  }
  if (type !== 'default') throw new Error(`reference: rope type ${type}`);
  return inv;
}

/** The reference's taps: k, v and kPreRope per KV head; q and qPreRope per query head. */
export type LlamaAttention = RefAttention & { qPreRope: RefTensor; kPreRope: RefTensor };

export function llamaForward(config: HFConfig, weights: Weights, inputIds: readonly number[], ablation?: RefAblation): ReferenceTrace & { attention: { self: LlamaAttention } } {
  const { layers, heads, kvHeads, headDim: dh, dModel: d, inner, vocab, eps } = llamaDims(config);
  const modelType = configString(config, 'model_type', 'llama');
  const T = inputIds.length;
  const group = heads / kvHeads;
  const qkvBias = modelType === 'qwen2' || config.attention_bias === true;
  const oBias = modelType !== 'qwen2' && config.attention_bias === true;
  const mlpBias = config.mlp_bias === true;
  const window = modelType === 'mistral' ? (config.sliding_window === undefined ? 4096 : (config.sliding_window as number | null)) : null;
  const prefix = hasTensor(weights, 'model.embed_tokens.weight') ? 'model.' : '';
  const w = (name: string, shape: number[]) => tensor(weights, prefix + name, shape);
  const bias = (name: string, n: number, on: boolean) => (on ? w(name, [n]) : null);

  // cos/sin per position and dimension.
  const inv = llamaInverseFrequencies(config, dh);
  const cos = new Float64Array(T * dh);
  const sin = new Float64Array(T * dh);
  for (let t = 0; t < T; t++)
    for (let e = 0; e < dh; e++) {
      const angle = t * inv[e % (dh / 2)];
      cos[t * dh + e] = Math.cos(angle);
      sin[t * dh + e] = Math.sin(angle);
    }
  const rope = (x: Float64Array, n: number): Float64Array => {
    // x is [T, n·dh]; each head's vector is rotated in its own dh columns.
    const y = new Float64Array(x.length);
    const half = dh / 2;
    for (let t = 0; t < T; t++)
      for (let hh = 0; hh < n; hh++) {
        const o = t * n * dh + hh * dh;
        for (let e = 0; e < dh; e++) {
          const rotated = e < half ? -x[o + e + half] : x[o + e - half];
          y[o + e] = x[o + e] * cos[t * dh + e] + rotated * sin[t * dh + e];
        }
      }
    return y;
  };
  const allowed = (i: number, j: number) => j <= i && (window === null || i - j < window);

  const embedTable = w('embed_tokens.weight', [vocab, d]);
  const h = embed(embedTable, inputIds, d, vocab);
  const perHead = (n: number, width: number) => newTensor([layers, n, T, width]);
  const att: LlamaAttention = {
    q: perHead(heads, dh),
    k: perHead(kvHeads, dh),
    v: perHead(kvHeads, dh),
    qPreRope: perHead(heads, dh),
    kPreRope: perHead(kvHeads, dh),
    scores: perHead(heads, T),
    probs: perHead(heads, T),
    context: perHead(heads, dh),
    valueNorms: newTensor([layers, heads, T]),
  };
  const store = (target: RefTensor, layer: number, x: Float64Array, n: number) => {
    for (let hh = 0; hh < n; hh++)
      for (let t = 0; t < T; t++)
        for (let e = 0; e < dh; e++) target.data[((layer * n + hh) * T + t) * dh + e] = x[t * n * dh + hh * dh + e];
  };
  const hidden = newTensor([layers + 1, T, d]);
  const blockOutputs = newTensor([layers, T, d]);
  storeSlice(hidden, 0, h);

  for (let l = 0; l < layers; l++) {
    const p = `layers.${l}.`;
    const a = rmsNorm(h, T, d, w(`${p}input_layernorm.weight`, [d]), eps);
    const proj = (name: string, out: number) => linear(a, T, d, w(`${p}self_attn.${name}.weight`, [out, d]), bias(`${p}self_attn.${name}.bias`, out, qkvBias), out);
    const qPre = proj('q_proj', heads * dh);
    const kPre = proj('k_proj', kvHeads * dh);
    const v = proj('v_proj', kvHeads * dh);
    const q = rope(qPre, heads);
    const k = rope(kPre, kvHeads);
    store(att.qPreRope, l, qPre, heads);
    store(att.kPreRope, l, kPre, kvHeads);
    store(att.q, l, q, heads);
    store(att.k, l, k, kvHeads);
    store(att.v, l, v, kvHeads);

    const merged = new Float64Array(T * heads * dh);
    for (let hh = 0; hh < heads; hh++) {
      const kv = Math.floor(hh / group);
      for (let i = 0; i < T; i++) {
        const row = new Float64Array(T);
        let max = -Infinity;
        for (let j = 0; j < T; j++) {
          let s = FLOAT32_MIN;
          if (allowed(i, j)) {
            let dot = 0;
            for (let e = 0; e < dh; e++) dot += q[i * heads * dh + hh * dh + e] * k[j * kvHeads * dh + kv * dh + e];
            s = dot / Math.sqrt(dh);
          }
          row[j] = s;
          att.scores.data[((l * heads + hh) * T + i) * T + j] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let j = 0; j < T; j++) sum += (row[j] = Math.exp(row[j] - max));
        for (let j = 0; j < T; j++) att.probs.data[((l * heads + hh) * T + i) * T + j] = row[j] /= sum;
        for (let e = 0; e < dh; e++) {
          let c = 0;
          for (let j = 0; j < T; j++) c += row[j] * v[j * kvHeads * dh + kv * dh + e];
          att.context.data[((l * heads + hh) * T + i) * dh + e] = c;
          merged[i * heads * dh + hh * dh + e] = c;
        }
      }
    }
    storeValueNorms(att, l, v, T, { heads, kvHeads, headDim: dh, dModel: d, layout: 'out-in', weight: w(`${p}self_attn.o_proj.weight`, [d, heads * dh]) });
    applyAblation(merged, { heads, kvHeads, headDim: dh, queries: T, keys: T }, v, allowed, layerAblation(ablation, 'self', l));
    const o = linear(merged, T, heads * dh, w(`${p}self_attn.o_proj.weight`, [d, heads * dh]), bias(`${p}self_attn.o_proj.bias`, d, oBias), d);
    for (let i = 0; i < h.length; i++) h[i] += o[i];

    const m = rmsNorm(h, T, d, w(`${p}post_attention_layernorm.weight`, [d]), eps);
    const gate = linear(m, T, d, w(`${p}mlp.gate_proj.weight`, [inner, d]), bias(`${p}mlp.gate_proj.bias`, inner, mlpBias), inner);
    const up = linear(m, T, d, w(`${p}mlp.up_proj.weight`, [inner, d]), bias(`${p}mlp.up_proj.bias`, inner, mlpBias), inner);
    for (let i = 0; i < gate.length; i++) gate[i] = silu(gate[i]) * up[i];
    const down = linear(gate, T, inner, w(`${p}mlp.down_proj.weight`, [d, inner]), bias(`${p}mlp.down_proj.bias`, d, mlpBias), d);
    for (let i = 0; i < h.length; i++) h[i] += down[i];
    storeSlice(blockOutputs, l, h);
    if (l < layers - 1) storeSlice(hidden, l + 1, h);
  }
  const final = rmsNorm(h, T, d, w('norm.weight', [d]), eps);
  storeSlice(hidden, layers, final);
  const head = hasTensor(weights, 'lm_head.weight') ? tensor(weights, 'lm_head.weight', [vocab, d]) : embedTable;
  return {
    family: 'llama',
    modelType,
    attention: { self: att },
    hidden: { self: hidden },
    blockOutputs: { self: blockOutputs },
    logits: { shape: [T, vocab], data: linear(final, T, d, head, null, vocab) },
  };
}

/** Greedy continuation by full recomputation. */
export function llamaGreedy(config: HFConfig, weights: Weights, inputIds: readonly number[], steps: number): number[] {
  const ids = [...inputIds];
  for (let s = 0; s < steps; s++) ids.push(argmaxLastRow(llamaForward(config, weights, ids).logits));
  return ids;
}
