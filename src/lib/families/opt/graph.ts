// OPT as in Hugging Face's OPTForCausalLM: token embeddings plus learned absolute
// positions read at position + 2, pre- (or post-) LayerNorm blocks with biased q/k/v/out
// projections, a ReLU MLP, a final LayerNorm, and an LM head tied to the embeddings.
// (HF scales q by 1/√d before q·kᵀ; scaling the scores instead is the same number, so the
// q tap here is the projection itself, as for GPT-2 and BERT.)

import { DataType } from '../../graph/onnx-proto';
import { GraphBuilder, type BuiltGraph } from '../../graph/builder';
import { attention, TapCollector } from '../../graph/attention';
import { AblationInput } from '../../graph/ablation';
import { KvCache } from '../../graph/kv-cache';
import { emitLogitLens } from '../../graph/logit-lens';
import { emitPositionEmbedding } from '../../graph/position-embedding';
import { INPUT, OUTPUT, type TapRequest } from '../../graph/taps';
import type { Checkpoint } from '../../graph/weights';
import { OPT_POSITION_OFFSET, type OptConfig } from './config';

export function buildOpt(c: OptConfig, checkpoint: Checkpoint, request: TapRequest): BuiltGraph {
  const g = new GraphBuilder('opt', checkpoint);
  const { dModel: d, heads, dInner } = c;
  // OPTForCausalLM stores `model.decoder.…`; a bare OPTModel `decoder.…`.
  const w = (name: string, shape: number[]) => g.weight([`model.decoder.${name}`, `decoder.${name}`], shape);
  const bias = (name: string, n: number) => (c.bias ? w(name, [n]) : undefined);
  const ln = (x: string, name: string) => g.layerNorm(x, w(`${name}.weight`, [d]), w(`${name}.bias`, [d]), c.eps);

  const ids = g.input(INPUT.ids, DataType.INT64, ['T']);
  const positions = g.input(INPUT.positions, DataType.INT64, ['T']);
  // With a key/value cache the new rows see the cached keys too: [T, P + T].
  const cache = new KvCache(g, heads, d / heads, !!request.kvCache);
  const keep = g.input(INPUT.mask, DataType.BOOL, ['T', cache.enabled ? 'K' : 'T']);
  const logitPositions = g.input(INPUT.logitPositions, DataType.INT64, ['P']);

  const embed = w('embed_tokens.weight', [c.vocabSize, c.embedDim]);
  let tokens = g.op('Gather', [embed, ids]);
  if (c.embedDim !== d) tokens = g.linear(tokens, w('project_in.weight', [d, c.embedDim]));
  const table = w('embed_positions.weight', [c.maxPositions + OPT_POSITION_OFFSET, d]);
  const shifted = g.op('Add', [positions, g.int64([OPT_POSITION_OFFSET], [])]);
  const positionVectors = g.op('Gather', [table, shifted]);
  let h = g.op('Add', [tokens, positionVectors], {}, 'embed');
  if (request.positionEmbedding) emitPositionEmbedding(g, { token: tokens, position: positionVectors, input: h, table, offset: OPT_POSITION_OFFSET });
  const hidden = [h];
  const taps = new TapCollector('self', request.taps);
  const ablate = new AblationInput(g, 'self', c.layers, heads, !!request.ablation);
  const scale = 1 / Math.sqrt(d / heads);

  for (let l = 0; l < c.layers; l++) {
    const p = `layers.${l}.`;
    const proj = (x: string, name: string, out: number, inDim: number) => g.linear(x, w(`${p}${name}.weight`, [out, inDim]), bias(`${p}${name}.bias`, out));
    const a = c.preNorm ? ln(h, p + 'self_attn_layer_norm') : h;
    const att = attention(g, { q: proj(a, 'self_attn.q_proj', d, d), k: proj(a, 'self_attn.k_proj', d, d), v: proj(a, 'self_attn.v_proj', d, d), heads, dHead: d / heads, scale, mask: keep, output: taps.outputFor(w(`${p}self_attn.out_proj.weight`, [d, d]), 'out-in', d), ablation: ablate.forLayer(l), past: cache.forLayer(l) });
    taps.add(att);
    cache.add(att.present);
    h = g.op('Add', [h, proj(att.merged, 'self_attn.out_proj', d, d)]);
    if (!c.preNorm) h = ln(h, p + 'self_attn_layer_norm');
    const m = c.preNorm ? ln(h, p + 'final_layer_norm') : h;
    h = g.op('Add', [h, proj(g.activation(proj(m, 'fc1', dInner, d), c.activation), 'fc2', d, dInner)], {}, 'block');
    if (!c.preNorm) h = ln(h, p + 'final_layer_norm');
    if (l < c.layers - 1) hidden.push(h);
  }
  const toOutput = (x: string) => {
    const n = c.finalNorm ? ln(x, 'final_layer_norm') : x;
    return c.embedDim !== d ? g.linear(n, w('project_out.weight', [c.embedDim, d])) : n;
  };
  const residuals = [...hidden, h];
  const final = toOutput(h);
  // Hugging Face's hidden_states end with the decoder's output (after its final norm).
  hidden.push(final);

  const selected = g.op('Gather', [final, logitPositions], { axis: 0 }, 'selected');
  const head = g.hasWeight(['lm_head.weight']) ? g.weight('lm_head.weight', [c.vocabSize, c.embedDim]) : embed;
  g.output(g.op('Gemm', [selected, head], { transB: 1 }, 'logits'), OUTPUT.logits, ['P', c.vocabSize]);
  if (request.logitLens) emitLogitLens(g, residuals, (x) => g.op('Gemm', [toOutput(x), head], { transB: 1 }, 'lens_logits'));
  taps.emit(g);
  cache.emit();
  if (request.hidden) g.output(g.stack(hidden), OUTPUT.hidden, [c.layers + 1, 'T', c.embedDim === d ? d : 'D']);
  return g.build();
}
