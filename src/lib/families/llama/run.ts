// LLaMA's runtime: one causal-LM graph (see ../causal-lm.ts); Mistral's sliding window
// narrows the causal mask to the last `slidingWindow` keys.

import { causalLmRuntime } from '../causal-lm';
import { causalKeep } from '../../runtime/feeds';
import type { LlamaConfig } from './config';
import { buildLlama } from './graph';

/** Row i keeps keys j with i − window < j ≤ i (Hugging Face's sliding-window causal mask). */
export function slidingWindowKeep(n: number, window: number): Uint8Array {
  const keep = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) keep.fill(1, i * n + Math.max(0, i - window + 1), i * n + i + 1);
  return keep;
}

export const llamaRuntime = causalLmRuntime<LlamaConfig>(buildLlama, (n, c) => (c.slidingWindow === null ? causalKeep(n) : slidingWindowKeep(n, c.slidingWindow)));
