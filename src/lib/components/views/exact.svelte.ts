// Views ask for the exact values of the heads they show when the page keeps a trace as
// float16 (trace/exact.ts), and redraw when they arrive: derivations that read head values
// read exactArrivals() too.

import { loadExactHeads, onExact } from '$lib/trace/exact';
import type { AttentionKind, Trace } from '$lib/trace/types';
import type { Averaging } from '$lib/trace/attention-matrix';

let arrived = $state(0);
onExact(() => arrived++);

/** Changes whenever exact heads arrive. */
export const exactArrivals = (): number => arrived;

/** Asks for the exact values of these heads of `kind` (nothing happens when the trace is not float16). */
export function showExact(trace: Trace, kind: AttentionKind, heads: readonly (readonly [number, number])[]): void {
  void loadExactHeads(trace, kind, heads);
}

/** The heads a heatmap reads: one, a layer's (mean over heads) or a head's layers (mean over layers). */
export function matrixHeads(trace: Trace, kind: AttentionKind, layer: number, head: number, average: Averaging): [number, number][] {
  const shape = trace.attention[kind]?.probs?.shape;
  if (!shape) return [];
  if (average === 'heads') return Array.from({ length: shape[1] }, (_, h) => [layer, h]);
  if (average === 'layers') return Array.from({ length: shape[0] }, (_, l) => [l, head]);
  return [[layer, head]];
}
