// LLaMA (and Mistral, Qwen2) as in Hugging Face's LlamaForCausalLM: token embeddings (no
// position embedding), pre-RMSNorm blocks, rotary position embeddings applied to q and k
// in the rotate-half layout, grouped-query attention (kvHeads ≤ heads), a SwiGLU MLP
// down(silu(gate(x)) · up(x)), a final RMSNorm and a tied or untied LM head.

import { DataType } from '../../graph/onnx-proto';
import { GraphBuilder, type BuiltGraph } from '../../graph/builder';
import { attention, TapCollector } from '../../graph/attention';
import { AblationInput } from '../../graph/ablation';
import { KvCache } from '../../graph/kv-cache';
import { emitLogitLens } from '../../graph/logit-lens';
import { INPUT, OUTPUT, type TapRequest } from '../../graph/taps';
import type { Checkpoint } from '../../graph/weights';
import type { LlamaConfig } from './config';

export function buildLlama(c: LlamaConfig, checkpoint: Checkpoint, request: TapRequest): BuiltGraph {
  const g = new GraphBuilder(c.modelType, checkpoint);
  const { dModel: d, heads, kvHeads, headDim } = c;
  // LlamaForCausalLM stores `model.…`; a bare LlamaModel has no prefix.
  const w = (name: string, shape: number[]) => g.weight([`model.${name}`, name], shape);

  const ids = g.input(INPUT.ids, DataType.INT64, ['T']);
  // Positions enter only through the RoPE tables; the input is declared because every causal LM is fed it.
  g.input(INPUT.positions, DataType.INT64, ['T']);
  // With a key/value cache the new rows see the cached keys too: [T, P + T].
  const cache = new KvCache(g, kvHeads, headDim, !!request.kvCache);
  const keep = g.input(INPUT.mask, DataType.BOOL, ['T', cache.enabled ? 'K' : 'T']);
  const logitPositions = g.input(INPUT.logitPositions, DataType.INT64, ['P']);

  // cos, sin [T, headDim] come in as inputs (see ropeTables): GPU sin/cos are not accurate
  // enough at large angles (SwiftShader's WebGPU was off by ~1e-3).
  const rope = { cos: g.input(INPUT.ropeCos, DataType.FLOAT, ['T', headDim]), sin: g.input(INPUT.ropeSin, DataType.FLOAT, ['T', headDim]) };

  const embed = w('embed_tokens.weight', [c.vocabSize, d]);
  let h = g.op('Gather', [embed, ids], {}, 'embed');
  const hidden = [h];
  const taps = new TapCollector('self', request.taps);
  const ablate = new AblationInput(g, 'self', c.layers, heads, !!request.ablation);
  const qOut = heads * headDim;
  const kvOut = kvHeads * headDim;

  for (let l = 0; l < c.layers; l++) {
    const p = `layers.${l}.`;
    const a = g.rmsNorm(h, w(p + 'input_layernorm.weight', [d]), c.eps);
    const proj = (name: string, out: number, bias: boolean) =>
      g.linear(a, w(`${p}self_attn.${name}.weight`, [out, d]), bias ? w(`${p}self_attn.${name}.bias`, [out]) : undefined);
    const oWeight = w(p + 'self_attn.o_proj.weight', [d, qOut]);
    const att = attention(g, {
      q: proj('q_proj', qOut, c.qkvBias),
      k: proj('k_proj', kvOut, c.qkvBias),
      v: proj('v_proj', kvOut, c.qkvBias),
      heads,
      kvHeads,
      dHead: headDim,
      scale: 1 / Math.sqrt(headDim),
      mask: keep,
      rope,
      output: taps.outputFor(oWeight, 'out-in', d),
      ablation: ablate.forLayer(l),
      past: cache.forLayer(l),
    });
    taps.add(att);
    cache.add(att.present);
    const o = g.linear(att.merged, oWeight, c.oBias ? w(p + 'self_attn.o_proj.bias', [d]) : undefined);
    h = g.op('Add', [h, o]);
    const m = g.rmsNorm(h, w(p + 'post_attention_layernorm.weight', [d]), c.eps);
    const mlp = (name: string, out: number, inDim: number, x: string) =>
      g.linear(x, w(`${p}mlp.${name}.weight`, [out, inDim]), c.mlpBias ? w(`${p}mlp.${name}.bias`, [out]) : undefined);
    const gate = mlp('gate_proj', c.dInner, d, m);
    const silu = g.op('Mul', [gate, g.op('Sigmoid', [gate])], {}, 'silu');
    const up = mlp('up_proj', c.dInner, d, m);
    h = g.op('Add', [h, mlp('down_proj', d, c.dInner, g.op('Mul', [silu, up], {}, 'swiglu'))], {}, 'block');
    if (l < c.layers - 1) hidden.push(h);
  }
  const norm = (x: string) => g.rmsNorm(x, w('norm.weight', [d]), c.eps);
  const final = norm(h);
  const residuals = [...hidden, h];
  // Hugging Face's hidden_states end with the output of the final norm.
  hidden.push(final);

  const selected = g.op('Gather', [final, logitPositions], { axis: 0 }, 'selected');
  const untied = g.hasWeight(['lm_head.weight']) ? g.weight('lm_head.weight', [c.vocabSize, d]) : undefined;
  // An untied model must ship its head; a tied one reads the embeddings.
  const head = untied ?? (c.tiedEmbeddings ? embed : g.weight('lm_head.weight', [c.vocabSize, d]));
  g.output(g.op('Gemm', [selected, head], { transB: 1 }, 'logits'), OUTPUT.logits, ['P', c.vocabSize]);
  if (request.logitLens) emitLogitLens(g, residuals, (x) => g.op('Gemm', [norm(x), head], { transB: 1 }, 'lens_logits'));
  taps.emit(g);
  cache.emit();
  if (request.hidden) g.output(g.stack(hidden), OUTPUT.hidden, [c.layers + 1, 'T', d]);
  return g.build();
}
