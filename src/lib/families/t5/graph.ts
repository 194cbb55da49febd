// T5 (t5-small; T5 v1.1 and flan-t5) as in Hugging Face's T5ForConditionalGeneration,
// built as two graphs so that generation runs the encoder once:
// - encoder: token ids → encoder hidden states (+ encoder taps, position bias);
// - decoder: decoder ids + encoder hidden states → logits (+ decoder and cross taps).
// RMS norm, no 1/√d scaling, a learned relative position bias (from block 0, shared by
// every layer of its stack), relu or gated-gelu FFN, and a tied head with the
// d_model^-0.5 rescale (or an untied lm_head for v1.1).

import { DataType } from '../../graph/onnx-proto';
import { GraphBuilder, type BuiltGraph } from '../../graph/builder';
import { attention, TapCollector } from '../../graph/attention';
import { AblationInput, type LayerAblation } from '../../graph/ablation';
import { emitLogitLens } from '../../graph/logit-lens';
import { INPUT, OUTPUT, type TapRequest } from '../../graph/taps';
import type { T5Config } from './config';
import type { Checkpoint } from '../../graph/weights';
import { KvCache, type LayerPast } from '../../graph/kv-cache';

type Stack = 'encoder' | 'decoder';

interface T5Parts {
  g: GraphBuilder;
  c: T5Config;
  inner: number;
}

function parts(name: string, c: T5Config, checkpoint: Checkpoint): T5Parts {
  return { g: new GraphBuilder(name, checkpoint), c, inner: c.heads * c.dKv };
}

/** Looks up the relative-position bias table [buckets, heads] and returns [H, Tq, Tk]. */
function positionBias({ g, c }: T5Parts, stack: Stack, buckets: string): string {
  const table = g.weight(`${stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight`, [c.buckets, c.heads]);
  return g.op('Transpose', [g.op('Gather', [table, buckets])], { perm: [2, 0, 1] }, 'position_bias');
}

/** What keys and values attend over: the states to project, or (cross-attention with a cache) the encoder's, already projected and split into heads. */
type Memory = string | LayerPast;

function selfOrCross(
  { g, c, inner }: T5Parts,
  prefix: string,
  x: string,
  memory: Memory,
  mask: string,
  bias: string | undefined,
  taps: TapCollector,
  ablation: LayerAblation | undefined,
  past?: LayerPast,
) {
  const proj = (name: string, input: string) => g.linear(input, g.weight(`${prefix}.${name}.weight`, [inner, c.dModel]));
  const o = g.weight(`${prefix}.o.weight`, [c.dModel, inner]);
  const projected = typeof memory !== 'string';
  const att = attention(g, {
    q: proj('q', x),
    k: projected ? memory.k : proj('k', memory),
    v: projected ? memory.v : proj('v', memory),
    kvByHead: projected,
    heads: c.heads,
    dHead: c.dKv,
    scale: null,
    mask,
    bias,
    output: taps.outputFor(o, 'out-in', c.dModel),
    ablation,
    past,
  });
  taps.add(att);
  return { att, out: g.linear(att.merged, o) };
}

function feedForward({ g, c }: T5Parts, prefix: string, x: string): string {
  const w = (name: string, shape: number[]) => g.weight(`${prefix}.DenseReluDense.${name}.weight`, shape);
  let up: string;
  if (c.gated)
    up = g.op('Mul', [g.activation(g.linear(x, w('wi_0', [c.dFF, c.dModel])), c.activation), g.linear(x, w('wi_1', [c.dFF, c.dModel]))]);
  else up = g.activation(g.linear(x, w('wi', [c.dFF, c.dModel])), c.activation);
  return g.linear(up, w('wo', [c.dModel, c.dFF]));
}

function norm({ g, c }: T5Parts, name: string, x: string): string {
  return g.rmsNorm(x, g.weight(name, [c.dModel]), c.eps);
}

function embed({ g, c }: T5Parts, ids: string): string {
  return g.op('Gather', [g.weight(['shared.weight', 'encoder.embed_tokens.weight', 'decoder.embed_tokens.weight'], [c.vocabSize, c.dModel]), ids], {}, 'embed');
}

export function buildT5Encoder(c: T5Config, checkpoint: Checkpoint, request: TapRequest): BuiltGraph {
  const p = parts('t5-encoder', c, checkpoint);
  const { g } = p;
  const ids = g.input(INPUT.ids, DataType.INT64, ['S']);
  const buckets = g.input(INPUT.buckets, DataType.INT64, ['S', 'S']);
  const keep = g.input(INPUT.mask, DataType.BOOL, [1, 'S']);

  let h = embed(p, ids);
  const hidden = [h];
  const bias = positionBias(p, 'encoder', buckets);
  const taps = new TapCollector('encoder', request.taps);
  const ablate = new AblationInput(g, 'encoder', c.layers, c.heads, !!request.ablation);
  for (let l = 0; l < c.layers; l++) {
    const b = `encoder.block.${l}.layer`;
    const x = norm(p, `${b}.0.layer_norm.weight`, h);
    const { out } = selfOrCross(p, `${b}.0.SelfAttention`, x, x, keep, bias, taps, ablate.forLayer(l));
    h = g.op('Add', [h, out]);
    h = g.op('Add', [h, feedForward(p, `${b}.1`, norm(p, `${b}.1.layer_norm.weight`, h))], {}, 'block');
    if (l < c.layers - 1) hidden.push(h);
  }
  const final = norm(p, 'encoder.final_layer_norm.weight', h);
  hidden.push(final);
  g.output(final, OUTPUT.encoderHidden, ['S', c.dModel]);
  // With a cache the decoder's cross-attention keys and values are computed here, once per source.
  if (request.kvCache) {
    const byLayer = (name: 'k' | 'v') =>
      Array.from({ length: c.decoderLayers }, (_, l) => g.splitHeads(g.linear(final, g.weight(`decoder.block.${l}.layer.1.EncDecAttention.${name}.weight`, [p.inner, c.dModel])), c.heads, c.dKv));
    g.output(g.stack(byLayer('k')), OUTPUT.crossK, ['L', c.heads, 'S', c.dKv]);
    g.output(g.stack(byLayer('v')), OUTPUT.crossV, ['L', c.heads, 'S', c.dKv]);
  }
  taps.emit(g);
  if (request.taps.has('scores')) g.output(bias, 'encoder.positionBias', [c.heads, 'S', 'S']);
  if (request.hidden) g.output(g.stack(hidden), OUTPUT.hidden, [c.layers + 1, 'S', c.dModel]);
  return g.build();
}

export function buildT5Decoder(c: T5Config, checkpoint: Checkpoint, request: TapRequest): BuiltGraph {
  const p = parts('t5-decoder', c, checkpoint);
  const { g } = p;
  const ids = g.input(INPUT.ids, DataType.INT64, ['T']);
  // With a cache the T new positions see the P cached ones too: buckets and mask are [T, P + T].
  const cache = new KvCache(g, c.heads, c.dKv, !!request.kvCache);
  const keys = cache.enabled ? 'K' : 'T';
  const buckets = g.input(INPUT.buckets, DataType.INT64, ['T', keys]);
  const causal = g.input(INPUT.mask, DataType.BOOL, ['T', keys]);
  // Cross-attention reads the encoder's states, or with a cache the keys and values the encoder graph projected from them.
  const memory = cache.enabled ? undefined : g.input(INPUT.encoderHidden, DataType.FLOAT, ['S', c.dModel]);
  const crossK = cache.enabled ? g.input(INPUT.crossK, DataType.FLOAT, ['L', c.heads, 'S', c.dKv]) : undefined;
  const crossV = cache.enabled ? g.input(INPUT.crossV, DataType.FLOAT, ['L', c.heads, 'S', c.dKv]) : undefined;
  const crossOf = (l: number): Memory => {
    if (memory) return memory;
    const at = g.int64([l], []);
    return { k: g.op('Gather', [crossK!, at], { axis: 0 }, `cross_k_${l}`), v: g.op('Gather', [crossV!, at], { axis: 0 }, `cross_v_${l}`) };
  };
  const memoryKeep = g.input(INPUT.encoderMask, DataType.BOOL, [1, 'S']);
  const logitPositions = g.input(INPUT.logitPositions, DataType.INT64, ['P']);

  let h = embed(p, ids);
  const hidden = [h];
  const bias = positionBias(p, 'decoder', buckets);
  const selfTaps = new TapCollector('decoder', request.taps);
  const crossTaps = new TapCollector('cross', request.taps);
  const ablateSelf = new AblationInput(g, 'decoder', c.decoderLayers, c.heads, !!request.ablation);
  const ablateCross = new AblationInput(g, 'cross', c.decoderLayers, c.heads, !!request.ablation);
  for (let l = 0; l < c.decoderLayers; l++) {
    const b = `decoder.block.${l}.layer`;
    const x = norm(p, `${b}.0.layer_norm.weight`, h);
    const self = selfOrCross(p, `${b}.0.SelfAttention`, x, x, causal, bias, selfTaps, ablateSelf.forLayer(l), cache.forLayer(l));
    cache.add(self.att.present);
    h = g.op('Add', [h, self.out]);
    // Cross-attention has no position bias in T5.
    const cross = selfOrCross(p, `${b}.1.EncDecAttention`, norm(p, `${b}.1.layer_norm.weight`, h), crossOf(l), memoryKeep, undefined, crossTaps, ablateCross.forLayer(l));
    h = g.op('Add', [h, cross.out]);
    h = g.op('Add', [h, feedForward(p, `${b}.2`, norm(p, `${b}.2.layer_norm.weight`, h))], {}, 'block');
    if (l < c.decoderLayers - 1) hidden.push(h);
  }
  const final = norm(p, 'decoder.final_layer_norm.weight', h);
  const residuals = [...hidden, h];
  hidden.push(final);

  // With tied embeddings T5 rescales the decoder output by d_model^-0.5 before the head.
  const head = c.tiedEmbeddings ? g.weight(['shared.weight', 'decoder.embed_tokens.weight', 'encoder.embed_tokens.weight'], [c.vocabSize, c.dModel]) : g.weight('lm_head.weight', [c.vocabSize, c.dModel]);
  const headOf = (normed: string) => g.op('Gemm', [c.tiedEmbeddings ? g.op('Mul', [normed, g.float(c.dModel ** -0.5)]) : normed, head], { transB: 1 }, 'logits');
  g.output(headOf(g.op('Gather', [final, logitPositions], { axis: 0 }, 'selected')), OUTPUT.logits, ['P', c.vocabSize]);
  if (request.logitLens) emitLogitLens(g, residuals, (x) => headOf(x === h ? final : norm(p, 'decoder.final_layer_norm.weight', x)));
  selfTaps.emit(g);
  crossTaps.emit(g);
  cache.emit();
  if (request.taps.has('scores')) g.output(bias, 'decoder.positionBias', [c.heads, 'T', keys]);
  if (request.hidden) g.output(g.stack(hidden), OUTPUT.hidden, [c.decoderLayers + 1, 'T', c.dModel]);
  return g.build();
}

/**
 * T5's relative position bucket (Raffel et al. 2020; transformers' _relative_position_bucket):
 * exact buckets for small distances, logarithmic ones up to maxDistance, and in the
 * bidirectional case separate halves for keys after and before the query.
 * The float steps are rounded to float32 as PyTorch computes them.
 */
export function relativeBucket(relative: number, bidirectional: boolean, buckets: number, maxDistance: number): number {
  let n = buckets;
  let base = 0;
  let distance: number;
  if (bidirectional) {
    n = Math.floor(n / 2);
    if (relative > 0) base = n;
    distance = Math.abs(relative);
  } else distance = -Math.min(relative, 0);
  const maxExact = Math.floor(n / 2);
  if (distance < maxExact) return base + distance;
  const f = Math.fround;
  const scaled = f(f(f(Math.log(f(distance / maxExact))) / f(Math.log(maxDistance / maxExact))) * (n - maxExact));
  return base + Math.min(maxExact + Math.trunc(scaled), n - 1);
}

/** Bucket ids [Tq, Tk] for relative position key − query; the queries start at `firstQuery` (a cached step's new tokens). */
export function bucketMatrix(queries: number, keys: number, bidirectional: boolean, c: T5Config, firstQuery = 0): BigInt64Array {
  const out = new BigInt64Array(queries * keys);
  for (let i = 0; i < queries; i++)
    for (let j = 0; j < keys; j++) out[i * keys + j] = BigInt(relativeBucket(j - i - firstQuery, bidirectional, c.buckets, c.maxDistance));
  return out;
}
