// GPT-2 (gpt2, distilgpt2) as in Hugging Face's GPT2LMHeadModel: learned absolute
// positions, pre-LayerNorm blocks, fused QKV in a Conv1D ([in, out] weights), gelu_new,
// causal self-attention, and an LM head tied to the token embeddings.

import { DataType } from '../../graph/onnx-proto';
import { GraphBuilder, type BuiltGraph } from '../../graph/builder';
import { attention, TapCollector } from '../../graph/attention';
import { AblationInput } from '../../graph/ablation';
import { KvCache } from '../../graph/kv-cache';
import { emitLogitLens } from '../../graph/logit-lens';
import { emitPositionEmbedding } from '../../graph/position-embedding';
import { INPUT, OUTPUT, type TapRequest } from '../../graph/taps';
import type { Gpt2Config } from './config';
import type { Checkpoint } from '../../graph/weights';

export function buildGpt2(config: Gpt2Config, checkpoint: Checkpoint, request: TapRequest): BuiltGraph {
  const g = new GraphBuilder('gpt2', checkpoint);
  const { dModel: d, heads, dInner } = config;
  const dHead = d / heads;
  // Checkpoints saved from GPT2Model have no `transformer.` prefix.
  const w = (name: string, shape: number[]) => g.weight([`transformer.${name}`, name], shape);

  const ids = g.input(INPUT.ids, DataType.INT64, ['T']);
  const positions = g.input(INPUT.positions, DataType.INT64, ['T']);
  // With a key/value cache the new rows see the cached keys too: [T, P + T].
  const cache = new KvCache(g, heads, dHead, !!request.kvCache);
  const keep = g.input(INPUT.mask, DataType.BOOL, ['T', cache.enabled ? 'K' : 'T']);
  const logitPositions = g.input(INPUT.logitPositions, DataType.INT64, ['P']);

  const wte = w('wte.weight', [config.vocabSize, d]);
  const wpe = w('wpe.weight', [config.maxPositions, d]);
  const tokenVectors = g.op('Gather', [wte, ids]);
  const positionVectors = g.op('Gather', [wpe, positions]);
  let h = g.op('Add', [tokenVectors, positionVectors], {}, 'embed');
  if (request.positionEmbedding) emitPositionEmbedding(g, { token: tokenVectors, position: positionVectors, input: h, table: wpe, offset: 0 });
  const hidden = [h];
  const taps = new TapCollector('self', request.taps);
  const ablate = new AblationInput(g, 'self', config.layers, heads, !!request.ablation);

  for (let l = 0; l < config.layers; l++) {
    const p = `h.${l}.`;
    const a = g.layerNorm(h, w(p + 'ln_1.weight', [d]), w(p + 'ln_1.bias', [d]), config.eps);
    const qkv = g.conv1d(a, w(p + 'attn.c_attn.weight', [d, 3 * d]), w(p + 'attn.c_attn.bias', [3 * d]));
    const [q, k, v] = g.opN('Split', [qkv, g.int64([d, d, d])], 3, { axis: 1 }, 'qkv');
    const scale = 1 / Math.sqrt(dHead) / (config.scaleByInverseLayer ? l + 1 : 1);
    const proj = w(p + 'attn.c_proj.weight', [d, d]);
    const att = attention(g, { q, k, v, heads, dHead, scale, mask: keep, output: taps.outputFor(proj, 'in-out', d), ablation: ablate.forLayer(l), past: cache.forLayer(l) });
    taps.add(att);
    cache.add(att.present);
    h = g.op('Add', [h, g.conv1d(att.merged, proj, w(p + 'attn.c_proj.bias', [d]))]);
    const m = g.layerNorm(h, w(p + 'ln_2.weight', [d]), w(p + 'ln_2.bias', [d]), config.eps);
    const up = g.activation(g.conv1d(m, w(p + 'mlp.c_fc.weight', [d, dInner]), w(p + 'mlp.c_fc.bias', [dInner])), config.activation);
    h = g.op('Add', [h, g.conv1d(up, w(p + 'mlp.c_proj.weight', [dInner, d]), w(p + 'mlp.c_proj.bias', [d]))], {}, 'block');
    if (l < config.layers - 1) hidden.push(h);
  }
  const lnf = (x: string) => g.layerNorm(x, w('ln_f.weight', [d]), w('ln_f.bias', [d]), config.eps);
  const final = lnf(h);
  const residuals = [...hidden, h];
  // Hugging Face's hidden_states end with the output of the final LayerNorm.
  hidden.push(final);

  // Logits only where asked: the LM head is ~30 % of GPT-2-small's FLOPs over all positions.
  const selected = g.op('Gather', [final, logitPositions], { axis: 0 }, 'selected');
  const lmHead = g.hasWeight(['lm_head.weight']) ? g.weight('lm_head.weight', [config.vocabSize, d]) : wte;
  g.output(g.op('Gemm', [selected, lmHead], { transB: 1 }, 'logits'), OUTPUT.logits, ['P', config.vocabSize]);
  if (request.logitLens) emitLogitLens(g, residuals, (x) => g.op('Gemm', [lnf(x), lmHead], { transB: 1 }, 'lens_logits'));
  taps.emit(g);
  cache.emit();
  if (request.hidden) g.output(g.stack(hidden), OUTPUT.hidden, [config.layers + 1, 'T', d]);
  return g.build();
}
