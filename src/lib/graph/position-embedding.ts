// Learned absolute positions (GPT-2, BERT, OPT): the model adds a learned vector per position
// to each token's embedding. Built only when a run asks for it, the graph reports, from the
// very nodes it adds:
//   - `embed.norms` [3, T]: ‖token vector‖, ‖position vector‖ and ‖their sum‖ (the input the
//     first layer reads, before BERT's LayerNorm; BERT's token-type row is in the sum);
//   - `embed.similarity` [M, M]: the cosine similarity of the position table's rows at the
//     positions fed in `position_sample` (every s-th position up to the model's limit, so
//     GPT-2's 1,024 rows are read as 256 × 256).
// The table is a weight: the similarity is the model's own, not a stand-in.

import type { GraphBuilder } from './builder';
import { DataType } from './onnx-proto';

export const POSITION_SAMPLE = 'position_sample';
export const POSITION_OUTPUT = { norms: 'embed.norms', similarity: 'embed.similarity' } as const;
/** At most this many table rows are compared (M ≤ 256: 256² × d multiply-adds, a few ms). */
export const POSITION_SAMPLE_MAX = 256;

/** The table rows compared: every s-th position from 0, at most POSITION_SAMPLE_MAX of them. */
export function positionSample(maxPositions: number): number[] {
  const step = Math.ceil(maxPositions / POSITION_SAMPLE_MAX);
  return Array.from({ length: Math.ceil(maxPositions / step) }, (_, i) => i * step);
}

export interface PositionNodes {
  /** [T, d] token embeddings as the model adds them. */
  token: string;
  /** [T, d] position vectors as the model adds them. */
  position: string;
  /** [T, d] the sum the first layer (or BERT's embedding LayerNorm) reads. */
  input: string;
  /** [rows, d] the position table. */
  table: string;
  /** Table row of position 0 (OPT reads its table at position + 2). */
  offset: number;
}

export function emitPositionEmbedding(g: GraphBuilder, n: PositionNodes): void {
  const sample = g.input(POSITION_SAMPLE, DataType.INT64, ['M']);
  const norm = (x: string) => g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [x, x]), g.int64([-1])], { keepdims: 0 })], {}, 'embed_norm');
  g.output(g.stack([norm(n.token), norm(n.position), norm(n.input)]), POSITION_OUTPUT.norms, [3, 'T']);
  const rows = g.op('Gather', [n.table, n.offset ? g.op('Add', [sample, g.int64([n.offset], [])]) : sample], { axis: 0 }, 'embed_sample');
  const unit = g.op('Div', [rows, g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [rows, rows]), g.int64([-1])], { keepdims: 1 })])], {}, 'embed_unit');
  g.output(g.op('MatMul', [unit, g.op('Transpose', [unit], { perm: [1, 0] })], {}, 'embed_cosine'), POSITION_OUTPUT.similarity, ['M', 'M']);
}
