// Scaled dot-product attention over projected queries, keys and values, shared by every
// family. It returns each intermediate as a named value so that the family builder can
// expose the requested ones as taps.

import { MASK_VALUE, type GraphBuilder } from './builder';
import type { TapName } from '../trace/types';

export interface AttentionInputs {
  /** Projections, [Tq, H·d] and [Tk, H·d]. */
  q: string;
  k: string;
  v: string;
  heads: number;
  dHead: number;
  /** Multiplier applied to q·kᵀ (1/√d for GPT-2 and BERT); null means none (T5). */
  scale: number | null;
  /** Boolean keep-mask broadcastable to [H, Tq, Tk]; false positions get MASK_VALUE. */
  mask?: string;
  /** Additive position bias [H, Tq, Tk] (T5). */
  bias?: string;
}

export type AttentionValues = Record<TapName, string> & { merged: string };

export function attention(g: GraphBuilder, a: AttentionInputs): AttentionValues {
  const q = g.splitHeads(a.q, a.heads, a.dHead);
  const k = g.splitHeads(a.k, a.heads, a.dHead);
  const v = g.splitHeads(a.v, a.heads, a.dHead);
  const kT = g.op('Transpose', [k], { perm: [0, 2, 1] }, 'kT');
  let scores = g.op('MatMul', [q, kT], {}, 'qk');
  if (a.scale !== null) scores = g.op('Mul', [scores, g.float(a.scale)], {}, 'scaled');
  if (a.bias) scores = g.op('Add', [scores, a.bias], {}, 'biased');
  if (a.mask) scores = g.op('Where', [a.mask, scores, g.float(MASK_VALUE)], {}, 'masked');
  const probs = g.op('Softmax', [scores], { axis: -1 }, 'probs');
  const context = g.op('MatMul', [probs, v], {}, 'context');
  return { q, k, v, scores, probs, context, merged: g.mergeHeads(context, a.heads, a.dHead) };
}

/** Collects per-layer tap values and emits each requested tap as one stacked output. */
export class TapCollector {
  private perLayer = new Map<TapName, string[]>();

  constructor(
    private readonly kind: string,
    private readonly wanted: ReadonlySet<TapName>,
  ) {}

  add(values: AttentionValues): void {
    for (const tap of this.wanted) {
      const list = this.perLayer.get(tap) ?? [];
      list.push(values[tap]);
      this.perLayer.set(tap, list);
    }
  }

  /** Output names are `<kind>.<tap>`, e.g. `self.probs`, `cross.q`. */
  emit(g: GraphBuilder): void {
    for (const [tap, values] of this.perLayer) g.output(g.stack(values), `${this.kind}.${tap}`, ['L', 'H', 'Tq', 'X']);
  }
}
