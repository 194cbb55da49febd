// The JSON form of a Trace (documented in the README): plain nested arrays so that any
// script can read it, e.g. `trace.attentions.self[layer][head][query][key]`.
//
// {
//   "format": "attention-atlas-trace", "version": 1,
//   "model": ModelInfo, "backend": Backend, "timings": {...},
//   "text": "...", "tokens": [{"id","text","start","end","special"}],
//   "target"?: "...", "decoderTokens"?: [...],
//   "attentions": { "self": [l][h][q][k] }            // GPT-2, BERT
//              or { "encoder", "decoder", "cross" }  // T5; cross is [l][h][target][source]
//   "taps"?: { "<kind>": { "q"|"k"|"v"|"scores"|"context": nested, "positionBias"?: [h][q][k] } },
//   "analysis"?: { "valueNorms"?: { "<kind>": [l][h][key] },               (a tap of the graph)
//                  "valueWeighted"?: { "<kind>": [l][h][q][key] }, "rollout"?: { "<kind>": [l][q][key] },
//                  "logitLens"?: [stream][i][{ "id", "text", "prob" } × 10], "logitLensRank"?: [stream][i],
//                  "logitLensPositions"?: [i] (the position of column i) },
//   "ablation"?: { "heads": [[kind, layer, head]…], "mode" },  (version-1 files with {kind, layer, head} objects still read)
//   "positionEmbedding"?: { "norms": [3][pos] (‖token‖, ‖position‖, ‖sum‖), "samples": [i], "similarity": [i][j] },
//   "truncated"?: { "tokens" } (the text's whole length in tokens, when it was cut to the model's),
//   "view"?: { "kind", "layer", "head", "heads", "query", "heatmap" } (the selection it was saved with),
//   "hidden"?: [layer+1][pos][d], "predictions"?: [...], "logits"?: {"positions", "values": [p][vocab]}
// }
// Masked scores (the float32 minimum in the graph) are written as null, since JSON has
// no -Infinity and the exact sentinel is an implementation detail. Numbers that are not
// finite are written as the strings "NaN", "Infinity", "-Infinity", so that they are
// never read back as masked (JSON.stringify would have written null for them too).

import { AtlasError } from '../errors';
import type { AttentionKind, AttentionTaps, DenseTrace, Tensor, Trace } from './types';
import { denseTensor } from './types';
import { ATTENTION_KINDS } from '../vocabulary/attention-kinds';
import { TAPS, TAP_KEYS as ALL_TAP_KEYS } from '../vocabulary/taps';

export const TRACE_FORMAT = 'attention-atlas-trace';

/** Scores at or below this are the mask sentinel. */
export const MASKED_SCORE = -1e30;

type Nested = number | string | null | Nested[];

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
/** The float32 minimum: what a masked score is in the graph (and what null reads back as). */
const MASK_SENTINEL = -3.4028234663852886e38;

export function tensorToNested(t: Tensor, maskSentinel = false): Nested {
  const { shape, data } = t;
  const build = (dim: number, offset: number): Nested => {
    const size = shape[dim];
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const out: Nested[] = new Array(size);
    for (let i = 0; i < size; i++) {
      if (dim === shape.length - 1) {
        const v = data[offset + i];
        out[i] = maskSentinel && v <= MASKED_SCORE ? null : Number.isFinite(v) ? v : String(v);
      } else out[i] = build(dim + 1, offset + i * stride);
    }
    return out;
  };
  return shape.length === 0 ? data[0] : build(0, 0);
}

/**
 * `maskable`: the tensor may hold masked entries (scores, position bias), written as null.
 * Elsewhere a null can only be a NaN written by JSON.stringify (older traces), so it reads
 * back as NaN, never as the mask sentinel (−3.4e38 in the weights wrecked every scale).
 */
export function nestedToTensor(value: unknown, what: string, maskable = false): Tensor {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (shape.length > MAX_TENSOR_DIMS) throw new AtlasError('bad-trace', `${what} is nested more than ${MAX_TENSOR_DIMS} deep; trace tensors have at most ${MAX_TENSOR_DIMS} dimensions.`);
    probe = probe[0];
  }
  const size = shape.reduce((a, b) => a * b, 1);
  // The shape is read from the first entry of each level: a file can claim far more than it holds.
  if (size > MAX_TENSOR_VALUES)
    throw new AtlasError('bad-trace', `${what} would have shape [${shape}], ${size.toExponential(2)} numbers: more than the ${MAX_TENSOR_VALUES / 2 ** 20} M a trace may hold.`);
  const data = new Float32Array(size);
  let at = 0;
  const walk = (v: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (v === null) data[at++] = maskable ? MASK_SENTINEL : NaN;
      else if (typeof v === 'number') data[at++] = v;
      else if (typeof v === 'string' && v in NON_FINITE) data[at++] = NON_FINITE[v];
      else throw new AtlasError('bad-trace', `${what} holds ${JSON.stringify(v)} where a number belongs.`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim])
      throw new AtlasError('bad-trace', `${what} is not a rectangular array (dimension ${dim} should have ${shape[dim]} entries).`);
    for (const x of v) walk(x, dim + 1);
  };
  walk(value, 0);
  return { shape, data };
}

/** Taps kept under `taps.<kind>` (probs: `attentions.<kind>`; analysis taps: `analysis.<key>.<kind>`), from the tap registry. */
const TAP_KEYS = ALL_TAP_KEYS.filter((k) => TAPS[k].json === 'taps');
const ANALYSIS_TAP_KEYS = ALL_TAP_KEYS.filter((k) => TAPS[k].json === 'analysis');
/** Analyses computed from the taps (trace/analysis.ts), kept when a trace carries them. */
const DERIVED_KEYS = ['valueWeighted', 'rollout'] as const;
/** [layer][head][query][key] is the deepest tensor a trace has. */
const MAX_TENSOR_DIMS = 4;
/** 1 GB of float32, the app's memory guard for one trace. */
const MAX_TENSOR_VALUES = 256 * 2 ** 20;

/** The JSON object of a trace, with each tensor given by `tensor` (nested arrays, or a stand-in to stream). */
export function traceJSONParts<T>(trace: Trace, tensor: (t: Tensor, maskSentinel: boolean) => T): Record<string, unknown> {
  const attentions: Record<string, T> = {};
  const taps: Record<string, Record<string, T>> = {};
  const analysis: Record<string, Record<string, T>> = {};
  // Packed matrices (the page's, ./packed.ts) are written dense: the file format does not change.
  for (const [kind, t] of Object.entries(trace.attention) as [AttentionKind, AttentionTaps][]) {
    if (t.probs) attentions[kind] = tensor(denseTensor(t.probs), false);
    for (const key of TAP_KEYS) {
      const x = t[key];
      if (x) (taps[kind] ??= {})[key] = tensor(denseTensor(x), TAPS[key].maskedAsNull);
    }
    for (const key of ANALYSIS_TAP_KEYS) {
      const x = t[key];
      if (x) (analysis[key] ??= {})[kind] = tensor(denseTensor(x), false);
    }
  }
  for (const key of DERIVED_KEYS)
    for (const [kind, x] of Object.entries(trace.analysis?.[key] ?? {}) as [AttentionKind, Tensor][]) (analysis[key] ??= {})[kind] = tensor(x, false);
  return {
    format: TRACE_FORMAT,
    version: trace.version,
    model: trace.model,
    backend: trace.backend,
    timings: trace.timings,
    text: trace.text,
    tokens: trace.tokens,
    ...(trace.target !== undefined ? { target: trace.target } : {}),
    ...(trace.decoderTokens ? { decoderTokens: trace.decoderTokens } : {}),
    attentions,
    ...(Object.keys(taps).length ? { taps } : {}),
    ...(Object.keys(analysis).length || trace.logitLens ? { analysis: { ...analysis, ...(trace.logitLens ? lensToJSON(trace.logitLens) : {}) } } : {}),
    ...(trace.positionEmbedding ? { positionEmbedding: { norms: tensor(trace.positionEmbedding.norms, false), samples: trace.positionEmbedding.samples, similarity: tensor(trace.positionEmbedding.similarity, false) } } : {}),
    ...(trace.hidden ? { hidden: tensor(trace.hidden, false) } : {}),
    ...(trace.predictions ? { predictions: trace.predictions } : {}),
    ...(trace.generation ? { generation: trace.generation } : {}),
    ...(trace.ablation ? { ablation: { heads: trace.ablation.heads.map((h) => [h.kind, h.layer, h.head]), mode: trace.ablation.mode } } : {}),
    ...(trace.logits ? { logits: { positions: trace.logits.positions, values: tensor(trace.logits.values, false) } } : {}),
    ...(trace.view ? { view: trace.view } : {}),
    ...(trace.truncated ? { truncated: trace.truncated } : {}),
    ...(trace.generated ? { generated: trace.generated } : {}),
  };
}

export function traceToJSON(trace: Trace): Record<string, unknown> {
  return traceJSONParts(trace, tensorToNested);
}

/** The whole JSON as one string: for small traces and tests. Large ones: traceToJSONChunks (./json-stream.ts). */
export function traceToJSONString(trace: Trace): string {
  return JSON.stringify(traceToJSON(trace));
}

export function traceFromJSON(json: unknown): DenseTrace {
  if (typeof json !== 'object' || json === null) throw new AtlasError('bad-trace', 'This file is not a trace: it is not a JSON object.');
  const j = json as Record<string, unknown>;
  if (j.format !== TRACE_FORMAT)
    throw new AtlasError('bad-trace', `This file is not an Attention Atlas trace (format is ${JSON.stringify(j.format)}).`, 'Save a trace from the app or with `npm run trace`.');
  if (j.version !== 1) throw new AtlasError('bad-trace', `Trace version ${JSON.stringify(j.version)} is not supported (this app reads version 1).`);
  const attention: DenseTrace['attention'] = {};
  const attentions = (j.attentions ?? {}) as Record<string, unknown>;
  const taps = (j.taps ?? {}) as Record<string, Record<string, unknown>>;
  const analysis = (j.analysis ?? {}) as Record<string, Record<string, unknown>>;
  for (const kind of ATTENTION_KINDS) {
    if (!(kind in attentions) && !(kind in taps)) continue;
    const t: AttentionTaps<Tensor> = {};
    if (kind in attentions) t.probs = nestedToTensor(attentions[kind], `attentions.${kind}`);
    for (const key of TAP_KEYS) if (taps[kind]?.[key] !== undefined) t[key] = nestedToTensor(taps[kind][key], `taps.${kind}.${key}`, TAPS[key].maskedAsNull);
    for (const key of ANALYSIS_TAP_KEYS) if (analysis[key]?.[kind] !== undefined) t[key] = nestedToTensor(analysis[key][kind], `analysis.${key}.${kind}`);
    attention[kind] = t;
  }
  const derived: NonNullable<Trace['analysis']> = {};
  for (const key of DERIVED_KEYS)
    for (const kind of ATTENTION_KINDS)
      if (analysis[key]?.[kind] !== undefined) (derived[key] ??= {})[kind] = nestedToTensor(analysis[key][kind], `analysis.${key}.${kind}`);
  if (!Array.isArray(j.tokens)) throw new AtlasError('bad-trace', 'This trace has no token list.');
  return {
    version: 1,
    model: j.model as Trace['model'],
    backend: j.backend as Trace['backend'],
    timings: (j.timings ?? { runMs: 0 }) as Trace['timings'],
    text: String(j.text ?? ''),
    tokens: j.tokens as Trace['tokens'],
    target: j.target as string | undefined,
    decoderTokens: j.decoderTokens as Trace['decoderTokens'],
    attention,
    hidden: j.hidden !== undefined ? nestedToTensor(j.hidden, 'hidden') : undefined,
    predictions: j.predictions as Trace['predictions'],
    ...(isGeneration(j.generation) ? { generation: j.generation } : {}),
    ...(Object.keys(derived).length ? { analysis: derived } : {}),
    ...(ablationFromJSON(j.ablation)),
    ...(analysis.logitLens !== undefined ? { logitLens: lensFromJSON({ logitLens: analysis.logitLens, logitLensRank: analysis.logitLensRank, logitLensPositions: analysis.logitLensPositions }) } : {}),
    logits: logitsFromJSON(j.logits),
    ...positionEmbeddingFromJSON(j.positionEmbedding, (j.tokens as unknown[]).length),
    ...(isGenerated(j.generated, (j.tokens as unknown[]).length) ? { generated: j.generated } : {}),
    ...(Number.isInteger((j.truncated as { tokens?: unknown } | undefined)?.tokens) ? { truncated: { tokens: (j.truncated as { tokens: number }).tokens } } : {}),
    ...(j.view && typeof j.view === 'object' && !Array.isArray(j.view) ? { view: j.view as Record<string, unknown> } : {}),
  };
}

function positionEmbeddingFromJSON(value: unknown, tokens: number): { positionEmbedding?: NonNullable<Trace['positionEmbedding']> } {
  if (value === undefined) return {};
  const v = value as { norms?: unknown; samples?: unknown; similarity?: unknown };
  const norms = nestedToTensor(v.norms, 'positionEmbedding.norms');
  const similarity = nestedToTensor(v.similarity, 'positionEmbedding.similarity');
  const samples = v.samples;
  if (norms.shape.length !== 2 || norms.shape[0] !== 3 || norms.shape[1] !== tokens) throw new AtlasError('bad-trace', `positionEmbedding.norms should be [3, ${tokens}] (token, position, sum per token) but is [${norms.shape.join(', ')}].`);
  if (!Array.isArray(samples) || !samples.every((p) => Number.isInteger(p) && p >= 0)) throw new AtlasError('bad-trace', 'positionEmbedding.samples is not a list of positions.');
  if (similarity.shape.length !== 2 || similarity.shape[0] !== samples.length || similarity.shape[1] !== samples.length)
    throw new AtlasError('bad-trace', `positionEmbedding.similarity should be [${samples.length}, ${samples.length}] (one row per sampled position) but is [${similarity.shape.join(', ')}].`);
  return { positionEmbedding: { norms, samples: samples as number[], similarity } };
}

function logitsFromJSON(value: unknown): Trace['logits'] {
  if (value === undefined) return undefined;
  const v = value as { positions?: unknown; values?: unknown };
  if (!Array.isArray(v.positions)) throw new AtlasError('bad-trace', 'logits.positions is not a list.');
  return { positions: v.positions as number[], values: nestedToTensor(v.values, 'logits.values') };
}

type LensJSON = { logitLens: { id: number; text: string; prob: number }[][][]; logitLensRank: number[][]; logitLensPositions: number[] };

/** analysis.logitLens[stream][position] = the top 10 as { id, text, prob }; analysis.logitLensRank[stream][position]. */
function lensToJSON(lens: NonNullable<Trace['logitLens']>): LensJSON {
  const [streams, positions, k] = lens.probs.shape;
  const top = Array.from({ length: streams }, (_, l) =>
    Array.from({ length: positions }, (_, p) => Array.from({ length: k }, (_, i) => {
      const at = (l * positions + p) * k + i;
      return { id: lens.ids.data[at], text: lens.texts[at], prob: lens.probs.data[at] };
    })),
  );
  const rank = Array.from({ length: streams }, (_, l) => Array.from(lens.rank.data.subarray(l * positions, (l + 1) * positions)));
  return { logitLens: top, logitLensRank: rank, logitLensPositions: lens.positions };
}

function lensFromJSON(v: unknown): NonNullable<Trace['logitLens']> {
  const { logitLens: top, logitLensRank: rank, logitLensPositions: columns } = v as LensJSON;
  const ok = Array.isArray(top) && Array.isArray(rank) && top.every((s) => Array.isArray(s) && s.every((p) => Array.isArray(p) && p.every((c) => typeof c?.prob === 'number' && Number.isInteger(c.id) && typeof c.text === 'string')));
  if (!ok) throw new AtlasError('bad-trace', 'logitLens is not a list of layers × positions of { id, text, prob }.');
  const streams = top.length;
  const n = top[0]?.length ?? 0;
  const k = top[0]?.[0]?.length ?? 0;
  if (top.some((s) => s.length !== n || s.some((p) => p.length !== k)) || rank.length !== streams || rank.some((r) => r.length !== n))
    throw new AtlasError('bad-trace', 'logitLens has rows of different lengths.');
  if (!Array.isArray(columns) || columns.length !== n || !columns.every(Number.isInteger))
    throw new AtlasError('bad-trace', 'logitLensPositions should list the position of each logitLens column.');
  const flat = top.flat(2);
  return {
    positions: columns,
    probs: { shape: [streams, n, k], data: Float32Array.from(flat, (c) => c.prob) },
    ids: { shape: [streams, n, k], data: Float32Array.from(flat, (c) => c.id) },
    texts: flat.map((c) => c.text),
    rank: { shape: [streams, n], data: Float32Array.from(rank.flat()) },
  };
}

/** `{ heads: [[kind, layer, head]…], mode }`; the object form `{kind, layer, head}` of earlier files is read too. */
function ablationFromJSON(v: unknown): { ablation?: NonNullable<Trace['ablation']> } {
  const a = v as { heads?: unknown; mode?: unknown } | undefined;
  if (!a || typeof a !== 'object' || !['zero', 'mean', 'uniform'].includes(a.mode as string) || !Array.isArray(a.heads)) return {};
  const heads = a.heads.map((h) => {
    const [kind, layer, head] = Array.isArray(h) ? h : [h?.kind, h?.layer, h?.head];
    return (ATTENTION_KINDS as readonly string[]).includes(kind) && Number.isInteger(layer) && Number.isInteger(head)
      ? { kind: kind as AttentionKind, layer: layer as number, head: head as number }
      : undefined;
  });
  if (heads.some((h) => !h)) return {};
  return { ablation: { heads: heads as NonNullable<Trace['ablation']>['heads'], mode: a.mode as NonNullable<Trace['ablation']>['mode'] } };
}

function isGenerated(v: unknown, tokens: number): v is NonNullable<Trace['generated']> {
  const g = v as Trace['generated'];
  return !!g && Number.isInteger(g.from) && Array.isArray(g.steps) && g.from + g.steps.length === tokens && g.steps.every((s) => Number.isInteger(s?.id) && typeof s.prob === 'number' && Array.isArray(s.alternatives));
}

function isGeneration(v: unknown): v is NonNullable<Trace['generation']> {
  const g = v as Trace['generation'];
  return !!g && ['end-of-sequence', 'length-limit', 'steps'].includes(g.stopped) && Number.isInteger(g.limit);
}
