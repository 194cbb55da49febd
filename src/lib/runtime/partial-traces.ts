// While T5 generates, the worker streams a partial trace after every token. Sending each one
// whole would cost the page O(steps³) bytes over a generation, so the worker sends what changed:
//   - the encoder's taps and hidden states are the same in every partial: only the first
//     carries them, later ones take them from the first;
//   - the decoder's and cross-attention's taps grow by one position per step (a new query row,
//     and for decoder self-attention a new key column): the worker sends only the values outside
//     the previous partial's shape, and the page copies the rest from the previous partial.
// Earlier positions do not change between steps: the decoder is causal, so a new token changes
// nothing that an earlier query could see (the values the page keeps are the earlier step's run,
// equal to the new run's up to float32 rounding, < 1e-5 relative in tests/unit/t5-limits.test.ts).
// The final trace is always sent whole, so the finished picture is exactly the last run's.

import type { AttentionKind, AttentionTaps, Tensor, DenseTrace } from '../trace/types';

/** Stacks that do not change between the partial traces of one generation. */
const STEADY_KINDS: readonly AttentionKind[] = ['encoder'];

/** Per stack and tap: the shape of the previous partial's tensor that this one's values extend. */
export type GrownTaps = Partial<Record<AttentionKind, Record<string, number[]>>>;

export interface PartialTrace {
  trace: DenseTrace;
  /** true: the steady stacks and hidden states were left out; take them from the first partial. */
  reusesFirst: boolean;
  /** Tensors sent as only their new values (outside the shape given here); the rest is in the previous partial. */
  grown?: GrownTaps;
}

/** Whether `next` is `prev` grown along some axes (same rank, no axis smaller, at least one larger). */
function grewFrom(prev: readonly number[], next: readonly number[]): boolean {
  return prev.length === next.length && prev.every((p, a) => p <= next[a]) && prev.some((p, a) => p < next[a]);
}

/** Visits every index of `shape` in row-major order, telling whether it lies inside `box`. */
function eachIndex(shape: readonly number[], box: readonly number[], visit: (flat: number, inside: boolean) => void): void {
  const r = shape.length;
  let flat = 0;
  const walk = (axis: number, inside: boolean): void => {
    if (axis === r) {
      visit(flat++, inside);
      return;
    }
    for (let i = 0; i < shape[axis]; i++) walk(axis + 1, inside && i < box[axis]);
  };
  walk(0, true);
}

/** The values of `t` outside the box `prev` (row-major order). */
export function grownPart(t: Tensor, prev: readonly number[]): Tensor {
  const out: number[] = [];
  eachIndex(t.shape, prev, (flat, inside) => {
    if (!inside) out.push(t.data[flat]);
  });
  return { shape: t.shape, data: Float32Array.from(out) };
}

/** `prevTensor` (shape `prev`) extended by the values `part` holds outside it. */
export function withGrownPart(prevTensor: Tensor, part: Tensor): Tensor {
  const data = new Float32Array(part.shape.reduce((a, b) => a * b, 1));
  let fromPrev = 0;
  let fromPart = 0;
  eachIndex(part.shape, prevTensor.shape, (flat, inside) => {
    data[flat] = inside ? prevTensor.data[fromPrev++] : part.data[fromPart++];
  });
  return { shape: part.shape, data };
}

/** The worker's side, one per run: what to post for each partial trace in turn. */
export class PartialSender {
  private index = 0;
  /** The shapes of the previous partial's growing taps. */
  private shapes = new Map<string, number[]>();

  next(trace: DenseTrace): PartialTrace {
    const first = this.index++ === 0;
    const attention: DenseTrace['attention'] = { ...trace.attention };
    const grown: GrownTaps = {};
    const shapes = new Map<string, number[]>();
    for (const kind of Object.keys(attention) as AttentionKind[]) {
      if (STEADY_KINDS.includes(kind)) {
        if (!first) delete attention[kind];
        continue;
      }
      const taps: AttentionTaps<Tensor> = { ...attention[kind] };
      for (const [tap, t] of Object.entries(taps) as [keyof AttentionTaps<Tensor>, Tensor][]) {
        const key = `${kind}.${tap}`;
        shapes.set(key, t.shape);
        const prev = this.shapes.get(key);
        if (prev && grewFrom(prev, t.shape)) {
          taps[tap] = grownPart(t, prev);
          (grown[kind] ??= {})[tap] = prev;
        } else if (kind === 'cross' && prev && prev.length === t.shape.length && prev.every((p, a) => p === t.shape[a])) {
          // Cross-attention's keys, values and their norms come from the encoder: the previous values stand.
          taps[tap] = { shape: t.shape, data: new Float32Array(0) };
          (grown[kind] ??= {})[tap] = prev;
        }
      }
      attention[kind] = taps;
    }
    this.shapes = shapes;
    const slim: DenseTrace = { ...trace, attention };
    if (!first && STEADY_KINDS.some((k) => trace.attention[k])) delete slim.hidden;
    return { trace: slim, reusesFirst: !first && STEADY_KINDS.some((k) => trace.attention[k]), ...(Object.keys(grown).length ? { grown } : {}) };
  }
}

/** The page's side: the full partial trace, from the one received, the run's first and the previous one. */
export function partialReceived(partial: PartialTrace, first: DenseTrace | undefined, previous: DenseTrace | undefined = first): DenseTrace {
  const attention = { ...partial.trace.attention };
  for (const [kind, taps] of Object.entries(partial.grown ?? {}) as [AttentionKind, Record<string, number[]>][]) {
    const before = previous?.attention[kind];
    const now: AttentionTaps<Tensor> = { ...attention[kind] };
    for (const tap of Object.keys(taps) as (keyof AttentionTaps<Tensor>)[]) {
      const old = before?.[tap];
      const part = now[tap];
      if (!old || !part) throw new Error(`partial trace: ${kind}.${tap} extends a tensor the page does not have`);
      now[tap] = withGrownPart(old, part);
    }
    attention[kind] = now;
  }
  if (partial.reusesFirst && first) {
    for (const k of STEADY_KINDS) if (first.attention[k]) attention[k] = first.attention[k];
    return { ...partial.trace, attention, ...(first.hidden ? { hidden: first.hidden } : {}) };
  }
  return { ...partial.trace, attention };
}
