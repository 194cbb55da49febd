// The logit lens (nostalgebraist 2020): the residual stream after the embeddings and after every
// layer, put through the model's own final norm and output head, as if the model stopped there.
// Built only when a run asks for it: it is a matmul with the vocabulary per layer. Per layer and
// position the graph keeps the top 10 tokens with their probabilities and the rank (0 = top) of
// the token the whole model predicts there, so no [layers, positions, vocab] tensor leaves it.

//
// It costs (layers + 1) × positions × dModel × vocabulary multiply-adds: for GPT-2-small at 128
// tokens 13 times its LM head over every position (~6.6 s on one WASM thread, bench/analysis.ts),
// so the `lens_positions` input says which positions to read (the explorer picks a window that
// fits its budget, LENS_BUDGET; the CLI reads every position).

import type { GraphBuilder } from './builder';
import { DataType } from './onnx-proto';

export const LENS_TOP = 10;
export const LENS_POSITIONS = 'lens_positions';
export const LENS_OUTPUT = { probs: 'lens.probs', ids: 'lens.ids', rank: 'lens.rank' } as const;
/**
 * Multiply-adds the explorer spends on the lens by default. Measured (bench/analysis.ts, one WASM
 * thread): 48 ms per position for GPT-2-small (13 streams × 768 × 50,257 = 5·10⁸), so this reads
 * its last 16 positions in about 0.8 s, and every position of the tiny models.
 */
export const LENS_BUDGET = 8e9;

/** The last positions of a T-token input whose lens fits the budget (all of them for the tiny models). */
export function lensWindow(tokens: number, layers: number, dModel: number, vocab: number, budget = LENS_BUDGET): number[] {
  const n = Math.max(1, Math.min(tokens, Math.floor(budget / ((layers + 1) * dModel * vocab))));
  return Array.from({ length: n }, (_, i) => tokens - n + i);
}

/** residuals: [embeddings, after layer 0, …, after the last layer], each [T, d]; toLogits: final norm + head. */
export function emitLogitLens(g: GraphBuilder, residuals: string[], toLogits: (x: string) => string): void {
  const positions = g.input(LENS_POSITIONS, DataType.INT64, ['N']);
  residuals = residuals.map((r) => g.op('Gather', [r, positions], { axis: 0 }, 'lens_rows'));
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
  g.output(g.stack(probs), LENS_OUTPUT.probs, [layers, 'N', LENS_TOP]);
  g.output(g.stack(ids), LENS_OUTPUT.ids, [layers, 'N', LENS_TOP]);
  g.output(g.stack(ranks), LENS_OUTPUT.rank, [layers, 'N']);
}
