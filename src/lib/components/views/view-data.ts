// Glue between a trace, the shared selection and the renderers' plain data: labels,
// which display rows and columns a hovered token is, captions. No model maths here.

import type { AttentionKind, Family, Trace } from '$lib/trace/types';
import { streamsOf, tokensOf, type AttentionMatrix, type Stream } from '$lib/trace/attention-matrix';
import { familySpec } from '$lib/families';
import { isByteLevel, readableTokens } from '$lib/viz/format';
import { tokenDisplay } from './token-display.svelte';

export interface TokenRef {
  stream: Stream;
  index: number;
  /** Whether the token was pointed at as a query or a key (head view sides). */
  role?: 'query' | 'key';
}

export const KIND_LABELS: Record<AttentionKind, string> = {
  self: 'self-attention',
  encoder: 'encoder self-attention',
  decoder: 'decoder self-attention',
  cross: 'cross-attention',
};

export const stackLabel = (family: Family, kind: AttentionKind): string => `${familySpec(family).label} ${KIND_LABELS[kind]}`;

/** Token labels for the views: readable (readableTokens) unless the raw-tokens switch is on. */
export function tokenTexts(trace: Trace, stream: Stream): string[] {
  const tokens = tokensOf(trace, stream);
  return shownTokens(trace, tokens.map((t) => t.text), tokens.map((t) => t.special));
}

/** Token strings of this trace's vocabulary as the views write them (the raw-tokens switch decides). */
export function shownTokens(trace: Trace, raw: string[], specials: boolean[] = []): string[] {
  return tokenDisplay.raw ? raw : readableTokens(raw, specials, trace.model.byteLevelTokens ?? isByteLevel(trace.tokens.map((t) => t.text)));
}

/**
 * T5's cross-attention rows by the token each one writes: decoder position k reads token k and
 * its output picks token k + 1 (the last row: its top prediction, or </s> when it stopped there).
 * Labels follow the views' readable/raw switch.
 */
export function writtenTokenTexts(trace: Trace): string[] {
  const dec = trace.decoderTokens ?? [];
  const last = dec.length - 1;
  const raw = dec.map((_, k) => (k < last ? dec[k + 1].text : (trace.predictions?.find((p) => p.position === k)?.candidates[0]?.text ?? '…')));
  return shownTokens(trace, raw, dec.map((_, k) => (k < last ? dec[k + 1].special : false)));
}

/** The tokenizer's exact strings (CSV and JSON exports keep them, whatever the screen shows). */
export function rawTokenTexts(trace: Trace, stream: Stream): string[] {
  return tokensOf(trace, stream).map((t) => t.text);
}

/** Axis titles: which tokens are queries and which are keys. */
export function axisTitles(kind: AttentionKind): { rows: string; cols: string } {
  const s = streamsOf(kind);
  const name = (x: Stream): string => (kind === 'self' ? 'tokens' : x === 'input' ? 'source tokens' : 'target tokens');
  return { rows: `queries (${name(s.rows)})`, cols: `keys (${name(s.cols)})` };
}

/** Display rows and columns of `m` that show the hovered token. */
export function hoveredCells(m: Pick<AttentionMatrix, 'rowIds' | 'colIds' | 'rowStream' | 'colStream'>, hovered: TokenRef | null): { rows: number[]; cols: number[] } {
  if (!hovered) return { rows: [], cols: [] };
  const pick = (ids: number[], stream: Stream): number[] => (stream === hovered.stream ? ids.flatMap((id, i) => (id === hovered.index ? [i] : [])) : []);
  return { rows: pick(m.rowIds, m.rowStream), cols: pick(m.colIds, m.colStream) };
}

export function noBiasReason(trace: Trace, kind: AttentionKind): string {
  const label = familySpec(trace.model.family).label;
  const encoding = trace.model.positionEncoding;
  if (encoding === 't5-relative-bias') return kind === 'cross' ? `${label} cross-attention has no position bias` : 'this trace has no positionBias tap';
  return encoding === 'rope' ? 'rotary positions are applied to q and k themselves' : `${label} adds learned position embeddings to the input X instead`;
}

/** The two sentences every value-weighted picture carries: what it measures, and what it does not. */
export const VALUE_WEIGHTING_NOTE =
  'Each cell is α_ij·‖v_j·W_O^h‖: the weight times the length of the vector key j sends through this head’s slice of the output projection (Kobayashi et al. 2020), so a key with a tiny value vector moves little however much weight it gets. It does not say which direction that vector points, whether later layers use it, or what the MLPs do; rows no longer sum to 1.';

export const valueLabel = (weighting: 'weights' | 'value-norm', mean = false): string =>
  weighting === 'value-norm' ? `${mean ? 'mean ' : ''}α·‖f(x)‖ (weight × value norm)` : `${mean ? 'mean ' : ''}attention weight`;

/** The weighting a view can show: value norms only where the trace has them (an old saved trace may not). */
export function shownWeighting(trace: Trace, kind: AttentionKind, wanted: 'weights' | 'value-norm'): 'weights' | 'value-norm' {
  return wanted === 'value-norm' && trace.attention[kind]?.valueNorms ? 'value-norm' : 'weights';
}
