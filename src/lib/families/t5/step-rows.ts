// With a key/value cache each T5 decoding step runs only the newest decoder token: its taps
// are one query row (against every cached key, or every source token for cross-attention).
// The alignment view watches the whole picture grow, so the rows are stacked back into the
// tensors a whole decoder run over the same tokens would give:
//   - per-query taps (q, context, scores, probs, the position bias) get one row per step;
//     a row of decoder self-attention is shorter than the last one (it had fewer keys), and
//     the keys it could not see are filled as the whole run's causal mask leaves them;
//   - per-key taps (k, v, value norms) are whole in every step: the last step's are the lot.

import { MASK_VALUE } from '../../graph/builder';
import { TAPS, TAP_KEYS, type TapKey } from '../../vocabulary/taps';
import type { AttentionKind, AttentionTaps, Tensor } from '../../trace/types';

/** The axis of the query in a tap's tensor, or null for taps laid out by key. */
function queryAxis(tap: TapKey): number | null {
  const layout = TAPS[tap].layout;
  if (layout === 'query-vectors' || layout === 'matrix') return 2;
  if (layout === 'stack-matrix') return 1;
  return null;
}

/**
 * What a whole causal run holds at key j > query i: the mask's value for scores, zero weight
 * for probs, and for T5's decoder position bias the bias of bucket 0 (every key at or after the
 * query is distance 0 in a unidirectional bucketing), which is the row's own diagonal.
 */
function unseen(tap: TapKey, row: Float32Array, query: number): number {
  if (tap === 'scores') return MASK_VALUE;
  if (tap === 'positionBias') return row[query];
  return 0;
}

export class StepRows {
  private readonly steps = new Map<string, Tensor[]>();
  private queries = 0;

  /** One step's taps of a stack. */
  add(kind: AttentionKind, taps: AttentionTaps<Tensor>): void {
    for (const tap of TAP_KEYS) {
      const t = taps[tap];
      if (!t) continue;
      const key = `${kind}.${tap}`;
      const list = this.steps.get(key) ?? [];
      list.push(t);
      this.steps.set(key, list);
    }
  }

  /** Ends a step that ran `rows` new queries (one token per step after the start token). */
  endStep(rows: number): void {
    this.queries += rows;
  }

  /** A stack's taps over every query so far, as a whole run would have laid them out. */
  taps(kind: AttentionKind): AttentionTaps<Tensor> {
    const out: AttentionTaps<Tensor> = {};
    for (const tap of TAP_KEYS) {
      const list = this.steps.get(`${kind}.${tap}`);
      if (!list?.length) continue;
      const axis = queryAxis(tap);
      out[tap] = axis === null ? list[list.length - 1] : stackRows(list, axis, tap, this.queries);
    }
    return out;
  }
}

/** Concatenates each step's rows along `axis` (the query), padding shorter last dimensions. */
function stackRows(list: Tensor[], axis: number, tap: TapKey, queries: number): Tensor {
  const last = list[list.length - 1].shape;
  const width = last[last.length - 1];
  const shape = [...last];
  shape[axis] = queries;
  // Dimensions before the query axis (layer, head), and between it and the last (none here: the query axis is second to last).
  const outer = last.slice(0, axis).reduce((a, b) => a * b, 1);
  const data = new Float32Array(outer * queries * width);
  let query = 0;
  for (const t of list) {
    const rows = t.shape[axis];
    const w = t.shape[t.shape.length - 1];
    for (let o = 0; o < outer; o++)
      for (let r = 0; r < rows; r++) {
        const src = t.data.subarray((o * rows + r) * w, (o * rows + r + 1) * w);
        const at = (o * queries + query + r) * width;
        data.set(src, at);
        if (w < width) data.fill(unseen(tap, src, query + r), at + w, at + width);
      }
    query += rows;
  }
  return { shape, data };
}
