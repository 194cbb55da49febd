// Estimates a trace's size before running, so that a run which would exhaust the tab's
// memory is refused with a message instead of crashing the page.

import { AtlasError } from '../errors';
import type { TapRequest } from '../graph/taps';
import type { ModelInfo } from '../trace/types';
import { familySpec } from '../families';
import { TAPS, tapApplies, type TapLayout } from '../vocabulary/taps';

/**
 * The most attention data one run may keep. GPT-2-small with every tap at 512 tokens is
 * ~340 MB; at 1024 tokens it would be ~1.4 GB, more than a laptop tab should hold.
 */
export const TRACE_MEMORY_LIMIT = 1_000_000_000;

/** Float32 values per layer and head of one requested tap, by its layout in the tap registry. */
function valuesPerLayer(layout: TapLayout, queries: number, keys: number, info: ModelInfo): number {
  if (layout === 'matrix') return info.heads * queries * keys;
  if (layout === 'query-vectors') return info.heads * queries * info.headDim;
  if (layout === 'kv-vectors') return (info.kvHeads ?? info.heads) * keys * info.headDim;
  if (layout === 'head-keys') return info.heads * keys;
  return 0; // stack-matrix: once per stack, counted below
}

/** Bytes the taps of `request` would take, counting every tap of the registry that is asked for. */
export function estimateTraceBytes(info: ModelInfo, queries: number, keys: number, request: TapRequest): number {
  const stacks = familySpec(info.family).kinds.length;
  const layers = Math.max(info.layers, info.decoderLayers ?? 0);
  let perLayer = 0;
  for (const tap of request.taps) if (tapApplies(tap, info.positionEncoding)) perLayer += valuesPerLayer(TAPS[tap].layout, queries, keys, info);
  // Emitted with scores: one [head, query, key] matrix per stack (T5's position bias).
  const perStack = request.taps.has('scores') && info.positionEncoding === 't5-relative-bias' ? info.heads * queries * keys : 0;
  const hidden = request.hidden ? (layers + 1) * Math.max(queries, keys) * info.dModel : 0;
  return 4 * (stacks * (layers * perLayer + perStack) + hidden);
}

/**
 * The most weight bytes one model may bring. onnxruntime-web reads a graph's weights into
 * its WASM heap, which is 32-bit (4 GiB at most, less in practice), and the app's graphs
 * compute in float32 whatever the file's dtype: a model needs 4 bytes per parameter there,
 * plus room for activations. So about 750 M parameters is the ceiling for one tab; an fp16
 * or bf16 file halves the download, not this.
 */
export const WEIGHT_MEMORY_LIMIT = 3 * 2 ** 30;

export function checkWeightMemory(id: string, parameters: number): void {
  const bytes = 4 * parameters;
  if (bytes > WEIGHT_MEMORY_LIMIT)
    throw new AtlasError(
      'too-much-memory',
      `${id} has ${(parameters / 1e6).toFixed(0)} M parameters: as float32 that is ${(bytes / 2 ** 30).toFixed(1)} GiB, more than the ${WEIGHT_MEMORY_LIMIT / 2 ** 30} GiB a browser tab's WASM runtime can hold (its heap is 4 GiB at most).`,
      'Choose a model under about 750 M parameters (e.g. SmolLM2-360M or Qwen2.5-0.5B). A half-precision (fp16/bf16) file downloads faster but runs as float32 all the same.',
    );
}
