// What lower-precision weights changed, from two traces of the same input: the float32 run and
// the run with quantized weights (graph/quantize.ts). Both are the model's own numbers; only
// their differences are formed here.

import type { AttentionKind, Trace } from './types';
import { attentionKinds, headMatrix } from './types';
import { klFromLogits } from './ablation-effect';

export interface HeadDelta {
  kind: AttentionKind;
  layer: number;
  head: number;
  /** Largest and mean |p − p'| over the cells either run gives weight to (masked cells are 0 in both). */
  max: number;
  mean: number;
}

/** Every head's change in attention weights, in stack, layer, head order. */
export function attentionDeltas(base: Trace, other: Trace): HeadDelta[] {
  const out: HeadDelta[] = [];
  for (const kind of attentionKinds(base.model.family)) {
    const p = base.attention[kind]?.probs;
    const q = other.attention[kind]?.probs;
    if (!p || !q || p.shape.join() !== q.shape.join()) continue;
    const [layers, heads, rows, cols] = p.shape;
    for (let l = 0; l < layers; l++)
      for (let h = 0; h < heads; h++) {
        const a = headMatrix(p, l, h);
        const b = headMatrix(q, l, h);
        let max = 0;
        let sum = 0;
        let n = 0;
        for (let i = 0; i < rows * cols; i++) {
          if (a[i] === 0 && b[i] === 0) continue;
          const d = Math.abs(a[i] - b[i]);
          max = Math.max(max, d);
          sum += d;
          n++;
        }
        out.push({ kind, layer: l, head: h, max, mean: n ? sum / n : 0 });
      }
  }
  return out;
}

/** Top-1 agreement and KL(base ‖ other) over the positions both runs kept logits for (predictAll + keepLogits). */
export function predictionAgreement(base: Trace, other: Trace): { positions: number; top1: number; meanKl: number; maxKl: number } {
  const a = base.logits;
  const b = other.logits;
  if (!a || !b) throw new Error('Both runs need their logits (keepLogits) to compare predictions.');
  const v = a.values.shape[1];
  const argmax = (x: Float32Array) => x.reduce((best, y, i) => (y > x[best] ? i : best), 0);
  let same = 0;
  let klSum = 0;
  let klMax = 0;
  let n = 0;
  a.positions.forEach((position, i) => {
    const j = b.positions.indexOf(position);
    if (j < 0) return;
    const x = a.values.data.subarray(i * v, (i + 1) * v);
    const y = b.values.data.subarray(j * v, (j + 1) * v);
    if (argmax(x) === argmax(y)) same++;
    const kl = klFromLogits(x, y);
    klSum += kl;
    klMax = Math.max(klMax, kl);
    n++;
  });
  return { positions: n, top1: n ? same / n : 0, meanKl: n ? klSum / n : 0, maxKl: klMax };
}
