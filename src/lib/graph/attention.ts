// Scaled dot-product attention over projected queries, keys and values, shared by every
// family. It returns each intermediate as a named value so that the family builder can
// expose the requested ones as taps.

import { MASK_VALUE, type GraphBuilder } from './builder';
import { TAPS, type TapName } from '../vocabulary/taps';
import type { LayerAblation } from './ablation';
import type { LayerPast } from './kv-cache';

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
  /**
   * The output projection's weight, for the value-norm tap: `in-out` is a Conv1D's [H·d, dModel]
   * (GPT-2), `out-in` a Linear's [dModel, H·d] (everyone else).
   */
  output?: { weight: string; layout: 'in-out' | 'out-in'; dModel: number };
  /** Head ablation factors of this layer (graph/ablation.ts); absent in ordinary runs. */
  ablation?: LayerAblation;
  /** The cached keys and values of the earlier positions [kvHeads, P, d] (graph/kv-cache.ts): the new ones are appended. */
  past?: LayerPast;
  /** k and v are already split into heads, [kvHeads, Tk, d]: T5's cross-attention reads them from what the encoder computed once. */
  kvByHead?: boolean;
}

type OptionalTap = 'qPreRope' | 'kPreRope' | 'valueNorms';
export type AttentionValues = Record<Exclude<TapName, OptionalTap>, string> & Partial<Record<OptionalTap, string>> & { merged: string; present?: LayerPast };

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

/**
 * ‖v_j^h·W_O^h‖ for every query head h and key j, as √(v·G_h·vᵀ) with G_h = W_O^h·W_O^hᵀ
 * [d, d]: G_h depends on weights only, so onnxruntime folds it at load time and a run pays
 * T·H·d² instead of T·d·dModel for the product itself.
 */
function valueNorms(g: GraphBuilder, vByHead: string, out: NonNullable<AttentionInputs['output']>, heads: number, dHead: number): string {
  const w = out.layout === 'out-in' ? g.op('Transpose', [out.weight], { perm: [1, 0] }, 'wo_in_out') : out.weight;
  const perHead = g.op('Reshape', [w, g.int64([heads, dHead, out.dModel])], {}, 'wo_heads');
  const gram = g.op('MatMul', [perHead, g.op('Transpose', [perHead], { perm: [0, 2, 1] })], {}, 'wo_gram');
  const squared = g.op('ReduceSum', [g.op('Mul', [g.op('MatMul', [vByHead, gram]), vByHead]), g.int64([-1])], { keepdims: 0 }, 'value_norm_sq');
  // v·G·vᵀ ≥ 0 in exact arithmetic; float32 rounding can leave −1e-9 for a zero vector.
  return g.op('Sqrt', [g.op('Relu', [squared])], {}, 'value_norms');
}

/** What each head passes on under ablation: keep·c + mean·mean_positions(c), c from α or from uniform weights. */
function ablate(g: GraphBuilder, f: LayerAblation, scores: string, probs: string, context: string, vByHead: string, mask: string | undefined): string {
  // Uniform over the keys the mask allows: softmax of zeros where allowed (same shape as the scores).
  const zeros = g.op('Mul', [scores, g.float(0)], {}, 'zeros');
  const flat = g.op('Softmax', [mask ? g.op('Where', [mask, zeros, g.float(MASK_VALUE)]) : zeros], { axis: -1 }, 'uniform_probs');
  const used = g.op('Add', [probs, g.op('Mul', [f.uniform, g.op('Sub', [flat, probs])])], {}, 'ablated_probs');
  const c = g.op('MatMul', [used, vByHead], {}, 'ablated_context');
  const mean = g.op('ReduceMean', [c], { axes: [1], keepdims: 1 }, 'context_mean');
  return g.op('Add', [g.op('Mul', [f.keep, c]), g.op('Mul', [f.mean, mean])], {}, 'ablated');
}

export function attention(g: GraphBuilder, a: AttentionInputs): AttentionValues {
  const kvHeads = a.kvHeads ?? a.heads;
  const qPre = g.splitHeads(a.q, a.heads, a.dHead);
  const kPre = a.kvByHead ? a.k : g.splitHeads(a.k, kvHeads, a.dHead);
  const vNew = a.kvByHead ? a.v : g.splitHeads(a.v, kvHeads, a.dHead);
  const q = a.rope ? rotate(g, qPre, a.rope, a.dHead) : qPre;
  const kNew = a.rope ? rotate(g, kPre, a.rope, a.dHead) : kPre;
  // With a cache, the keys and values are the earlier positions' followed by the new ones.
  const k = a.past ? g.op('Concat', [a.past.k, kNew], { axis: 1 }, 'k_all') : kNew;
  const v = a.past ? g.op('Concat', [a.past.v, vNew], { axis: 1 }, 'v_all') : vNew;
  const kT = g.op('Transpose', [repeatKv(g, k, a.heads, kvHeads, a.dHead)], { perm: [0, 2, 1] }, 'kT');
  let scores = g.op('MatMul', [q, kT], {}, 'qk');
  if (a.scale !== null) scores = g.op('Mul', [scores, g.float(a.scale)], {}, 'scaled');
  if (a.bias) scores = g.op('Add', [scores, a.bias], {}, 'biased');
  if (a.mask) scores = g.op('Where', [a.mask, scores, g.float(MASK_VALUE)], {}, 'masked');
  const probs = g.op('Softmax', [scores], { axis: -1 }, 'probs');
  const vByHead = repeatKv(g, v, a.heads, kvHeads, a.dHead);
  const context = g.op('MatMul', [probs, vByHead], {}, 'context');
  const passed = a.ablation ? ablate(g, a.ablation, scores, probs, context, vByHead, a.mask) : context;
  const values: AttentionValues = { q, k, v, scores, probs, context, merged: g.mergeHeads(passed, a.heads, a.dHead) };
  if (a.output) values.valueNorms = valueNorms(g, vByHead, a.output, a.heads, a.dHead);
  if (a.rope) Object.assign(values, { qPreRope: qPre, kPreRope: kPre });
  if (a.past) values.present = { k, v };
  return values;
}

/** Collects per-layer tap values and emits each requested tap as one stacked output. */
export class TapCollector {
  private perLayer = new Map<TapName, string[]>();

  constructor(
    private readonly kind: string,
    private readonly wanted: ReadonlySet<TapName>,
  ) {}

  /** The output-projection spec for the value-norm tap, only when that tap is asked for (it costs a few ops per layer). */
  outputFor(weight: string, layout: 'in-out' | 'out-in', dModel: number): AttentionInputs['output'] {
    return this.wanted.has('valueNorms') ? { weight, layout, dModel } : undefined;
  }

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
    for (const [tap, values] of this.perLayer) g.output(g.stack(values), `${this.kind}.${tap}`, TAPS[tap].layout === 'head-keys' ? ['L', 'H', 'Tk'] : ['L', 'H', 'Tq', 'X']);
  }
}
