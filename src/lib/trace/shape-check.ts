// Checks that a trace's tensors agree with its tokens and with each other, so that a
// hand-edited or truncated trace.json fails with a message instead of drawing nonsense.

import { AtlasError } from '../errors';
import type { AttentionKind, Tensor, Trace } from './types';
import { streamsOf, tokensOf } from './attention-matrix';

const FAMILIES = ['gpt2', 'bert', 't5'];

export function checkTraceShapes(trace: Trace): void {
  const fail = (what: string): never => {
    throw new AtlasError('bad-trace', what, 'Save the trace again from the app or the CLI; a trace file should not be edited by hand.');
  };
  if (!trace.model || !FAMILIES.includes(trace.model.family)) fail(`This trace's model family is ${JSON.stringify(trace.model?.family)}; expected one of ${FAMILIES.join(', ')}.`);
  const kinds = Object.keys(trace.attention) as AttentionKind[];
  if (!kinds.some((k) => trace.attention[k]?.probs)) fail('This trace has no attention weights (attentions) to show.');
  if (trace.model.family === 't5' && !trace.decoderTokens?.length) fail('This T5 trace has no decoder tokens.');
  const same = (t: Tensor | undefined, shape: number[], name: string): void => {
    if (!t) return;
    if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) fail(`${name} has shape [${t.shape}], expected [${shape}].`);
  };
  for (const kind of kinds) {
    const taps = trace.attention[kind]!;
    const rows = tokensOf(trace, streamsOf(kind).rows).length;
    const cols = tokensOf(trace, streamsOf(kind).cols).length;
    const p = taps.probs;
    if (!p) continue;
    if (p.shape.length !== 4) fail(`attentions.${kind} should have 4 dimensions [layer][head][query][key], not ${p.shape.length}.`);
    const [L, H] = p.shape;
    same(p, [L, H, rows, cols], `attentions.${kind}`);
    same(taps.scores, [L, H, rows, cols], `taps.${kind}.scores`);
    const d = taps.q?.shape[3] ?? taps.k?.shape[3] ?? taps.v?.shape[3] ?? 0;
    same(taps.q, [L, H, rows, d], `taps.${kind}.q`);
    same(taps.k, [L, H, cols, d], `taps.${kind}.k`);
    same(taps.v, [L, H, cols, d], `taps.${kind}.v`);
    same(taps.context, [L, H, rows, d || (taps.context?.shape[3] ?? 0)], `taps.${kind}.context`);
    same(taps.positionBias, [H, rows, cols], `taps.${kind}.positionBias`);
  }
}
