// Checks that a trace's tensors agree with its tokens and with each other, so that a
// hand-edited or truncated trace.json fails with a message instead of drawing nonsense.

import { AtlasError } from '../errors';
import type { AttentionKind, Trace } from './types';
import { streamsOf, tokensOf } from './attention-matrix';
import { FAMILY_IDS, isFamily } from '../vocabulary/families';
import { familySpec } from '../families';
import { TAPS, TAP_KEYS, type TapLayout } from '../vocabulary/taps';

export function checkTraceShapes(trace: Trace): void {
  const fail = (what: string): never => {
    throw new AtlasError('bad-trace', what, 'Save the trace again from the app or the CLI; a trace file should not be edited by hand.');
  };
  if (!trace.model || !isFamily(trace.model.family)) fail(`This trace's model family is ${JSON.stringify(trace.model?.family)}; expected one of ${FAMILY_IDS.join(', ')}.`);
  const kinds = Object.keys(trace.attention) as AttentionKind[];
  if (!kinds.some((k) => trace.attention[k]?.probs)) fail('This trace has no attention weights (attentions) to show.');
  const spec = familySpec(trace.model.family);
  if (spec.task === 'seq2seq' && !trace.decoderTokens?.length) fail(`This ${spec.label} trace has no decoder tokens.`);
  const same = (t: { shape: number[] } | undefined, shape: number[], name: string): void => {
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
    // Every tap of the registry is checked against the shape its layout implies.
    const d = taps.q?.shape[3] ?? taps.k?.shape[3] ?? taps.v?.shape[3] ?? taps.context?.shape[3] ?? 0;
    const expected: Record<TapLayout, number[]> = {
      'query-vectors': [L, H, rows, d],
      'kv-vectors': [L, trace.model.kvHeads ?? H, cols, d],
      matrix: [L, H, rows, cols],
      'stack-matrix': [H, rows, cols],
      'head-keys': [L, H, cols],
    };
    for (const key of TAP_KEYS) if (key !== 'probs') same(taps[key], expected[TAPS[key].layout], `taps.${kind}.${key}`);
  }
}
