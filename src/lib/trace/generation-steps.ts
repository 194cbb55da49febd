// A generation, one token at a time, from the model's own numbers: for each written token, the
// probability the model gave it and its top alternatives at that step, and the query row whose
// output chose it (a causal model's position p − 1; T5's decoder position k − 1).

import type { AttentionKind, Prediction, Trace, TraceToken } from './types';

export interface GenerationStep {
  /** 1-based step number. */
  step: number;
  token: TraceToken;
  /** The model's probability of the token it wrote (null if it is not among the recorded candidates). */
  prob: number | null;
  alternatives: Prediction['candidates'];
  /** The stack and query row whose output chose this token. */
  kind: AttentionKind;
  query: number;
}

export function generationSteps(trace: Trace): GenerationStep[] {
  const g = trace.generated;
  if (g)
    return g.steps.map((s, k) => ({ step: k + 1, token: trace.tokens[g.from + k], prob: s.prob, alternatives: s.alternatives, kind: 'self' as const, query: g.from + k - 1 }));
  // T5 writing its target (no target given): decoder position k was chosen by position k − 1's prediction.
  const dec = trace.decoderTokens;
  if (!trace.generation || !dec || !trace.predictions) return [];
  const out: GenerationStep[] = [];
  for (let k = 1; k < dec.length; k++) {
    const p = trace.predictions.find((x) => x.position === k - 1);
    if (!p) continue;
    out.push({ step: k, token: dec[k], prob: p.candidates.find((c) => c.id === dec[k].id)?.prob ?? null, alternatives: p.candidates, kind: 'cross', query: k - 1 });
  }
  return out;
}
