// The logit lens (nostalgebraist 2020): the residual stream after the embeddings and after every
// layer, put through the model's own final norm and output head, as if the model stopped there.
// Built only when a run asks for it: it is a matmul with the vocabulary per layer. Per layer and
// position the graph keeps the top 10 tokens with their probabilities and the rank (0 = top) of
// the token the whole model predicts there, so no [layers, positions, vocab] tensor leaves it.

import type { GraphBuilder } from './builder';
import { DataType } from './onnx-proto';

export const LENS_TOP = 10;
export const LENS_OUTPUT = { probs: 'lens.probs', ids: 'lens.ids', rank: 'lens.rank' } as const;

/** residuals: [embeddings, after layer 0, …, after the last layer], each [T, d]; toLogits: final norm + head. */
export function emitLogitLens(g: GraphBuilder, residuals: string[], toLogits: (x: string) => string): void {
  const last = residuals[residuals.length - 1];
  const finalLogits = toLogits(last);
  const predicted = g.op('ArgMax', [finalLogits], { axis: -1, keepdims: 1 }, 'lens_predicted');
  const probs: string[] = [];
  const ids: string[] = [];
  const ranks: string[] = [];
  for (const r of residuals) {
    const logits = r === last ? finalLogits : toLogits(r);
    const [p, i] = g.opN('TopK', [g.op('Softmax', [logits], { axis: -1 }), g.int64([LENS_TOP])], 2, { axis: -1 }, 'lens_top');
    probs.push(p);
    // Token ids below 2^24 are exact in float32 (every vocabulary here is far smaller).
    ids.push(g.op('Cast', [i], { to: DataType.FLOAT }));
    const own = g.op('GatherElements', [logits, predicted], { axis: -1 }, 'lens_own');
    const above = g.op('Cast', [g.op('Greater', [logits, own])], { to: DataType.FLOAT });
    ranks.push(g.op('ReduceSum', [above, g.int64([-1])], { keepdims: 0 }, 'lens_rank'));
  }
  const layers = residuals.length;
  g.output(g.stack(probs), LENS_OUTPUT.probs, [layers, 'T', LENS_TOP]);
  g.output(g.stack(ids), LENS_OUTPUT.ids, [layers, 'T', LENS_TOP]);
  g.output(g.stack(ranks), LENS_OUTPUT.rank, [layers, 'T']);
}
