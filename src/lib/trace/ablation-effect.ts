// What an ablation changed, from two traces of the same input: the plain run and the run with
// some heads ablated (graph/ablation.ts). Both are the model's own numbers; only their
// comparison is formed here.

import type { AttentionKind, Trace } from './types';
import { attentionKinds, headMatrix } from './types';

/** KL(P ‖ Q) in nats between softmax(p) and softmax(q), computed in float64 from logits. */
export function klFromLogits(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const logSoftmax = (x: ArrayLike<number>): Float64Array => {
    let max = -Infinity;
    for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += Math.exp(x[i] - max);
    const lse = max + Math.log(sum);
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = x[i] - lse;
    return out;
  };
  const lp = logSoftmax(p);
  const lq = logSoftmax(q);
  let kl = 0;
  for (let i = 0; i < lp.length; i++) kl += Math.exp(lp[i]) * (lp[i] - lq[i]);
  return Math.max(0, kl);
}

/** KL(plain ‖ ablated) at each position both traces kept logits for (run them with keepLogits). */
export function predictionShift(plain: Trace, ablated: Trace): { position: number; kl: number }[] {
  const a = plain.logits;
  const b = ablated.logits;
  if (!a || !b) throw new Error('Both runs need their logits (keepLogits) to compare predictions.');
  const v = a.values.shape[1];
  return a.positions.flatMap((position, i) => {
    const j = b.positions.indexOf(position);
    return j < 0 ? [] : [{ position, kl: klFromLogits(a.values.data.subarray(i * v, (i + 1) * v), b.values.data.subarray(j * v, (j + 1) * v)) }];
  });
}

export interface HeadChange {
  kind: AttentionKind;
  layer: number;
  head: number;
  /** Mean over query rows of ½·Σ_j |p_ij − p'_ij| (total variation: 0 = unchanged, 1 = disjoint). */
  change: number;
}

/** Every head's change in attention between the two runs, largest first; the ablated heads themselves are left out. */
export function attentionChanges(plain: Trace, ablated: Trace): HeadChange[] {
  const skip = new Set((ablated.ablation?.heads ?? []).map((h) => `${h.kind}:${h.layer}:${h.head}`));
  const out: HeadChange[] = [];
  for (const kind of attentionKinds(plain.model.family)) {
    const p = plain.attention[kind]?.probs;
    const q = ablated.attention[kind]?.probs;
    if (!p || !q || p.shape.join() !== q.shape.join()) continue;
    const [layers, heads, rows, cols] = p.shape;
    for (let l = 0; l < layers; l++)
      for (let h = 0; h < heads; h++) {
        if (skip.has(`${kind}:${l}:${h}`)) continue;
        const a = headMatrix(p, l, h);
        const b = headMatrix(q, l, h);
        let total = 0;
        for (let i = 0; i < rows; i++) {
          let row = 0;
          for (let j = 0; j < cols; j++) row += Math.abs(a[i * cols + j] - b[i * cols + j]);
          total += row / 2;
        }
        out.push({ kind, layer: l, head: h, change: total / rows });
      }
  }
  return out.sort((a, b) => b.change - a.change);
}
