// Estimates a trace's size before running, so that a run which would exhaust the tab's
// memory is refused with a message instead of crashing the page.

import type { TapRequest } from '../graph/taps';
import type { ModelInfo } from '../trace/types';

/**
 * The most attention data one run may keep. GPT-2-small with every tap at 512 tokens is
 * ~340 MB; at 1024 tokens it would be ~1.4 GB, more than a laptop tab should hold.
 */
export const TRACE_MEMORY_LIMIT = 1_000_000_000;

const MATRIX_TAPS = ['scores', 'probs'] as const;
const VECTOR_TAPS = ['q', 'k', 'v', 'context'] as const;

export function estimateTraceBytes(info: ModelInfo, queries: number, keys: number, request: TapRequest): number {
  const matrices = MATRIX_TAPS.filter((t) => request.taps.has(t)).length;
  const vectors = VECTOR_TAPS.filter((t) => request.taps.has(t)).length;
  const stacks = info.family === 't5' ? 3 : 1;
  const layers = Math.max(info.layers, info.decoderLayers ?? 0);
  const perHead = matrices * queries * keys + vectors * Math.max(queries, keys) * info.headDim;
  const hidden = request.hidden ? (layers + 1) * Math.max(queries, keys) * info.dModel : 0;
  return 4 * (stacks * layers * info.heads * perHead + hidden);
}
