// Exact values for float16 stacks. A trace over the page's budget (trace/compact.ts: GPT-2-small
// past ~520 tokens) keeps its matrices as float16 in the page, which rounds each value to 11
// significant bits. The inference worker keeps that run's lossless stacks; this module fetches
// a head from there when a view shows it, and whole stacks when the trace is exported, so that
// hover, CSV and JSON read the model's own float32. Grid thumbnails and whole-trace summaries
// (metrics, roles, rollout) read the float16 stack: their differences are below what they draw.

import type { AttentionKind } from '../vocabulary/attention-kinds';
import type { PackedMatrices } from './packed';
import type { Matrices, MatrixTap, Trace } from './types';

/** Where a trace's exact values live (the worker, runtime/client.ts). null: no longer kept. */
export interface ExactSource {
  /** One head as a dense row-major [query, key] float32 array. */
  head(kind: AttentionKind, tap: MatrixTap, layer: number, head: number): Promise<Float32Array | null>;
  /** A whole stack, lossless (dense or lower-triangle packed). */
  stack(kind: AttentionKind, tap: MatrixTap): Promise<Matrices | null>;
}

interface Entry {
  kind: AttentionKind;
  tap: MatrixTap;
  source: ExactSource;
  /** Exact heads by layer · heads + head, most recent last. */
  heads: Map<number, Float32Array>;
  pending: Map<number, Promise<boolean>>;
  /** The worker said it no longer keeps this run: stop asking. */
  gone: boolean;
}

const MATRIX_TAPS: readonly MatrixTap[] = ['probs', 'scores'];
const entries = new WeakMap<PackedMatrices, Entry>();
const listeners = new Set<() => void>();

/** Exact heads kept per stack: about this many bytes, and always a whole layer's heads or a head's layers (a mean over them). */
const EXACT_BYTES = 48e6;

const isF16 = (t: Matrices | undefined): t is PackedMatrices => !!t && 'packed' in t && t.packing !== 'lower';

/** Whether a trace has float16 stacks, whose exact values are elsewhere. */
export function hasFloat16(trace: Trace): boolean {
  return Object.values(trace.attention).some((taps) => MATRIX_TAPS.some((tap) => isF16(taps?.[tap])));
}

/** Registers where a trace's float16 stacks can get their exact values. */
export function attachExact(trace: Trace, source: ExactSource): void {
  for (const [kind, taps] of Object.entries(trace.attention) as [AttentionKind, Trace['attention'][AttentionKind]][])
    for (const tap of MATRIX_TAPS) {
      const t = taps?.[tap];
      if (isF16(t)) entries.set(t, { kind, tap, source, heads: new Map(), pending: new Map(), gone: false });
    }
}

/** The exact head, if it has been fetched. */
export function exactHead(t: PackedMatrices, layer: number, head: number): Float32Array | undefined {
  const e = entries.get(t);
  return e?.heads.get(layer * t.shape[1] + head);
}

/** Whether a stack's values for this head are what the model produced (not float16-rounded). */
export function isExact(t: Matrices, layer: number, head: number): boolean {
  return !isF16(t) || exactHead(t, layer, head) !== undefined;
}

/** Called when exact heads arrive, or turn out to be lost (views redraw). */
export function onExact(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Fetches one head's exact values, if the stack is float16 and they are not here yet.
 * Resolves true when the head is exact now, false when the worker no longer has them.
 */
export function loadExact(t: Matrices, layer: number, head: number): Promise<boolean> {
  if (!isF16(t)) return Promise.resolve(true);
  const e = entries.get(t);
  if (!e || e.gone) return Promise.resolve(false);
  const key = layer * t.shape[1] + head;
  if (e.heads.has(key)) return Promise.resolve(true);
  let p = e.pending.get(key);
  if (p) return p;
  p = e.source
    .head(e.kind, e.tap, layer, head)
    .catch(() => null)
    .then((m) => {
      e.pending.delete(key);
      if (!m) {
        e.gone = true;
        return false;
      }
      const [layers, heads, rows, cols] = t.shape;
      const keep = Math.max(Math.max(layers, heads) + 1, Math.floor(EXACT_BYTES / (4 * rows * cols)));
      while (e.heads.size >= keep) e.heads.delete(e.heads.keys().next().value!);
      e.heads.set(key, m);
      return true;
    });
  e.pending.set(key, p);
  return p;
}

/** Fetches the exact heads of `kind` (probs and scores) that a view shows; resolves true when any arrived. */
export async function loadExactHeads(trace: Trace, kind: AttentionKind, heads: readonly (readonly [number, number])[]): Promise<boolean> {
  const taps = trace.attention[kind];
  const wanted = MATRIX_TAPS.map((tap) => taps?.[tap]).filter(isF16);
  const missing = wanted.flatMap((t) => heads.filter(([l, h]) => !exactHead(t, l, h)).map(([l, h]) => loadExact(t, l, h)));
  if (!missing.length) return false;
  const got = await Promise.all(missing);
  // Views redraw with the exact values, or say that the worker no longer has them (exactLost).
  for (const f of listeners) f();
  return got.some(Boolean);
}

/** Whether a float16 stack's exact values cannot be had (the worker no longer keeps its run). */
export function exactLost(t: Matrices | undefined): boolean {
  return isF16(t) && (entries.get(t)?.gone ?? true);
}

/**
 * The trace with every float16 stack replaced by its exact values (for JSON export); `exact`
 * is false when the worker no longer had some, which then stay float16.
 */
export async function exactTrace(trace: Trace): Promise<{ trace: Trace; exact: boolean }> {
  if (!hasFloat16(trace)) return { trace, exact: true };
  let exact = true;
  const attention: Trace['attention'] = {};
  for (const [kind, taps] of Object.entries(trace.attention) as [AttentionKind, NonNullable<Trace['attention'][AttentionKind]>][]) {
    const out = { ...taps };
    for (const tap of MATRIX_TAPS) {
      const t = taps[tap];
      if (!isF16(t)) continue;
      const e = entries.get(t);
      const whole = e && !e.gone ? await e.source.stack(kind, tap).catch(() => null) : null;
      if (whole) out[tap] = whole;
      else exact = false;
    }
    attention[kind] = out;
  }
  return { trace: { ...trace, attention }, exact };
}
