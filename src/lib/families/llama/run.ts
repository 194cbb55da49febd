// LLaMA's runtime: one causal-LM graph (see ../causal-lm.ts); Mistral's sliding window
// narrows the causal mask to the last `slidingWindow` keys.

import { causalLmRuntime } from '../causal-lm';
import { causalKeep, floats } from '../../runtime/feeds';
import { INPUT } from '../../graph/taps';
import { inverseFrequencies, type LlamaConfig } from './config';
import { buildLlama } from './graph';

/** Row i keeps keys j with i − window < j ≤ i (Hugging Face's sliding-window causal mask). */
export function slidingWindowKeep(n: number, window: number): Uint8Array {
  const keep = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) keep.fill(1, i * n + Math.max(0, i - window + 1), i * n + i + 1);
  return keep;
}

/**
 * cos and sin of position·θ_i [n, headDim], repeated for both halves (the rotate-half
 * layout), in float64 and then rounded: one table per run, exact on every backend.
 */
export function ropeTables(n: number, c: LlamaConfig): { cos: Float32Array; sin: Float32Array } {
  return ropeTablesAt(Array.from({ length: n }, (_, i) => i), c);
}

/** The same tables at the given positions (a cached generation step runs only the newest). */
export function ropeTablesAt(positions: number[], c: LlamaConfig): { cos: Float32Array; sin: Float32Array } {
  const inv = inverseFrequencies(c);
  const d = c.headDim;
  const cos = new Float32Array(positions.length * d);
  const sin = new Float32Array(positions.length * d);
  positions.forEach((p, row) => {
    for (let e = 0; e < d; e++) {
      const angle = p * inv[e % (d / 2)];
      cos[row * d + e] = Math.cos(angle);
      sin[row * d + e] = Math.sin(angle);
    }
  });
  return { cos, sin };
}

export const llamaRuntime = causalLmRuntime<LlamaConfig>(buildLlama, {
  keep: (n, c) => (c.slidingWindow === null ? causalKeep(n) : slidingWindowKeep(n, c.slidingWindow)),
  // The query at position p sees keys p − window < j ≤ p (all earlier ones without a window).
  keepRow: (p, keys, c) => new Uint8Array(keys).fill(1, c.slidingWindow === null ? 0 : Math.max(0, p - c.slidingWindow + 1), p + 1),
  feeds: (positions, c) => {
    const t = ropeTablesAt(positions, c);
    return { [INPUT.ropeCos]: floats(t.cos, [positions.length, c.headDim]), [INPUT.ropeSin]: floats(t.sin, [positions.length, c.headDim]) };
  },
});
