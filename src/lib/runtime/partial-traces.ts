// While T5 generates, the worker streams a partial trace after every token. The encoder's
// taps (and hidden states) are the same in every one of them and are by far the largest
// part (source² per layer and head), so only the first partial carries them: later ones
// carry the decoder side only, and the page puts the encoder back from the first.

import type { AttentionKind, Trace } from '../trace/types';

/** Stacks that do not change between the partial traces of one generation. */
const STEADY_KINDS: readonly AttentionKind[] = ['encoder'];

export interface PartialTrace {
  trace: Trace;
  /** true: the steady stacks and hidden states were left out; take them from the first partial. */
  reusesFirst: boolean;
}

/** What the worker posts for the `index`-th partial trace of a run (0 = the first). */
export function partialToSend(trace: Trace, index: number): PartialTrace {
  if (index === 0 || !STEADY_KINDS.some((k) => trace.attention[k])) return { trace, reusesFirst: false };
  const attention = { ...trace.attention };
  for (const k of STEADY_KINDS) delete attention[k];
  const slim: Trace = { ...trace, attention };
  delete slim.hidden;
  return { trace: slim, reusesFirst: true };
}

/** The page's side: the full partial trace, from the one received and the run's first. */
export function partialReceived(partial: PartialTrace, first: Trace | undefined): Trace {
  if (!partial.reusesFirst || !first) return partial.trace;
  const attention = { ...partial.trace.attention };
  for (const k of STEADY_KINDS) if (first.attention[k]) attention[k] = first.attention[k];
  return { ...partial.trace, attention, ...(first.hidden ? { hidden: first.hidden } : {}) };
}
