// Scaled dot-product attention over projected queries, keys and values, shared by every
// family. It returns each intermediate as a named value so that the family builder can
// expose the requested ones as taps.

import { MASK_VALUE, type GraphBuilder } from './builder';
import type { TapName } from '../vocabulary/taps';

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
  /** Key/value heads, when fewer than `heads` (grouped-query attention); k and v are [Tk, kvHeads·d]. */
  kvHeads?: number;
  /** Rotary position embedding (LLaMA): cos and sin [T, d] in Hugging Face's rotate-half layout. */
  rope?: { cos: string; sin: string };
}

type RopeTap = 'qPreRope' | 'kPreRope';
export type AttentionValues = Record<Exclude<TapName, RopeTap>, string> & Partial<Record<RopeTap, string>> & { merged: string };

/** x·cos + rotate_half(x)·sin, rotate_half(x) = [−x₂, x₁] with x₁, x₂ the two halves of the head dimension. */
function rotate(g: GraphBuilder, x: string, rope: { cos: string; sin: string }, dHead: number): string {
  const half = dHead / 2;
  const x1 = g.op('Slice', [x, g.int64([0]), g.int64([half]), g.int64([2])], {}, 'x1');
  const x2 = g.op('Slice', [x, g.int64([half]), g.int64([dHead]), g.int64([2])], {}, 'x2');
  const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { axis: 2 }, 'rotate_half');
  return g.op('Add', [g.op('Mul', [x, rope.cos]), g.op('Mul', [rotated, rope.sin])], {}, 'rope');
}

/** [kvHeads, T, d] → [heads, T, d], each KV head repeated for its group of query heads (HF's repeat_kv). */
function repeatKv(g: GraphBuilder, x: string, heads: number, kvHeads: number, dHead: number): string {
  if (kvHeads === heads) return x;
  const tiled = g.op('Tile', [g.op('Unsqueeze', [x, g.int64([1])]), g.int64([1, heads / kvHeads, 1, 1])]);
  return g.op('Reshape', [tiled, g.int64([heads, -1, dHead])], {}, 'repeat_kv');
}

export function attention(g: GraphBuilder, a: AttentionInputs): AttentionValues {
  const kvHeads = a.kvHeads ?? a.heads;
  const qPre = g.splitHeads(a.q, a.heads, a.dHead);
  const kPre = g.splitHeads(a.k, kvHeads, a.dHead);
  const v = g.splitHeads(a.v, kvHeads, a.dHead);
  const q = a.rope ? rotate(g, qPre, a.rope, a.dHead) : qPre;
  const k = a.rope ? rotate(g, kPre, a.rope, a.dHead) : kPre;
  const kT = g.op('Transpose', [repeatKv(g, k, a.heads, kvHeads, a.dHead)], { perm: [0, 2, 1] }, 'kT');
  let scores = g.op('MatMul', [q, kT], {}, 'qk');
  if (a.scale !== null) scores = g.op('Mul', [scores, g.float(a.scale)], {}, 'scaled');
  if (a.bias) scores = g.op('Add', [scores, a.bias], {}, 'biased');
  if (a.mask) scores = g.op('Where', [a.mask, scores, g.float(MASK_VALUE)], {}, 'masked');
  const probs = g.op('Softmax', [scores], { axis: -1 }, 'probs');
  const context = g.op('MatMul', [probs, repeatKv(g, v, a.heads, kvHeads, a.dHead)], {}, 'context');
  const values: AttentionValues = { q, k, v, scores, probs, context, merged: g.mergeHeads(context, a.heads, a.dHead) };
  if (a.rope) Object.assign(values, { qPreRope: qPre, kPreRope: kPre });
  return values;
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
      const value = values[tap];
      if (value === undefined) continue; // a tap this family does not have (e.g. pre-RoPE q without RoPE)
      const list = this.perLayer.get(tap) ?? [];
      list.push(value);
      this.perLayer.set(tap, list);
    }
  }

  /** Output names are `<kind>.<tap>`, e.g. `self.probs`, `cross.q`. */
  emit(g: GraphBuilder): void {
    for (const [tap, values] of this.perLayer) g.output(g.stack(values), `${this.kind}.${tap}`, ['L', 'H', 'Tq', 'X']);
  }
}
