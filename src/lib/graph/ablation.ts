// Head ablation as a graph input, so that choosing other heads or another mode re-runs the
// same session (no rebuild). Built only when a run asks for ablation: an ordinary run's graph
// has none of these ops.
//
// Input `ablate.<kind>` is [layers, heads, 3]: per head (keep, mean, uniform). What the head
// passes on to the output projection is
//     out = keep · c + mean · mean_over_positions(c),   c = p·V with p = α, or uniform when `uniform` is 1,
// where uniform gives each query equal weight on every key it may see (the mask's keys).
// Unablated: (1, 0, 0). Zero: (0, 0, 0). Mean: (0, 1, 0). Uniform: (1, 0, 1).
// The taps (probs, context) keep what the head itself computed, so its own pattern still shows.

import { DataType } from './onnx-proto';
import type { GraphBuilder } from './builder';

export type AblationMode = 'zero' | 'mean' | 'uniform';
export const ABLATION_MODES: readonly AblationMode[] = ['zero', 'mean', 'uniform'];

/** The per-head factors of one layer, each [heads, 1, 1]. */
export interface LayerAblation {
  keep: string;
  mean: string;
  uniform: string;
}

export const ablationInput = (kind: string): string => `ablate.${kind}`;

export class AblationInput {
  private readonly input: string | null;

  constructor(
    private readonly g: GraphBuilder,
    kind: string,
    layers: number,
    heads: number,
    enabled: boolean,
  ) {
    this.input = enabled ? g.input(ablationInput(kind), DataType.FLOAT, [layers, heads, 3]) : null;
  }

  forLayer(layer: number): LayerAblation | undefined {
    if (!this.input) return undefined;
    const g = this.g;
    const row = g.op('Gather', [this.input, g.int64([layer], [])], { axis: 0 }, 'ablate_layer');
    const factor = (i: number, name: string) =>
      g.op('Unsqueeze', [g.op('Slice', [row, g.int64([i]), g.int64([i + 1]), g.int64([1])]), g.int64([2])], {}, `ablate_${name}`);
    return { keep: factor(0, 'keep'), mean: factor(1, 'mean'), uniform: factor(2, 'uniform') };
  }
}

/** The factors fed for one stack: [layers, heads, 3], every head (1, 0, 0) except the ablated ones. */
export function ablationFactors(layers: number, heads: number, ablated: readonly [number, number][], mode: AblationMode): Float32Array {
  const out = new Float32Array(layers * heads * 3);
  for (let i = 0; i < layers * heads; i++) out[i * 3] = 1;
  const set = mode === 'zero' ? [0, 0, 0] : mode === 'mean' ? [0, 1, 0] : [1, 0, 1];
  for (const [l, h] of ablated) if (l < layers && h < heads) out.set(set, (l * heads + h) * 3);
  return out;
}
