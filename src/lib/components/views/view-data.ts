// Glue between a trace, the shared selection and the renderers' plain data: labels,
// which display rows and columns a hovered token is, captions. No model maths here.

import type { AttentionKind, Family, Trace } from '$lib/trace/types';
import { streamsOf, tokensOf, type AttentionMatrix, type Stream } from '$lib/trace/attention-matrix';
import { familySpec } from '$lib/families';
import { isByteLevel, readableTokens } from '$lib/viz/format';
import { tokenDisplay } from './token-display.svelte';
import { locale, t } from '$lib/i18n/i18n.svelte';
import type { MessageKey } from '$lib/i18n/catalogue';

export interface TokenRef {
  stream: Stream;
  index: number;
  /** Whether the token was pointed at as a query or a key (head view sides). */
  role?: 'query' | 'key';
}

/** Each stack's name in the current language (getters, so a read in markup follows the language). */
export const KIND_LABELS: Record<AttentionKind, string> = {
  get self() {
    return t('kind.self');
  },
  get encoder() {
    return t('kind.encoder');
  },
  get decoder() {
    return t('kind.decoder');
  },
  get cross() {
    return t('kind.cross');
  },
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
  const name = (x: Stream): string => t(kind === 'self' ? 'axis.tokens' : x === 'input' ? 'axis.source' : 'axis.target');
  return { rows: t('axis.queries', { tokens: name(s.rows) }), cols: t('axis.keys', { tokens: name(s.cols) }) };
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
  if (encoding === 't5-relative-bias') return kind === 'cross' ? t('bias.crossNone', { model: label }) : t('bias.noTap');
  return encoding === 'rope' ? t('bias.rope') : t('bias.learned', { model: label });
}

/** The two sentences every value-weighted picture carries: what it measures, and what it does not. */
export const valueWeightingNote = (): string => t('weighting.note');

export const valueLabel = (weighting: 'weights' | 'value-norm', mean = false): string =>
  weighting === 'value-norm' ? t(mean ? 'value.normMean' : 'value.norm') : t(mean ? 'value.weightMean' : 'value.weight');

/** Sentences of a note, one after another (English puts a space between them, Chinese does not). */
export const sentences = (...parts: string[]): string => parts.filter(Boolean).join(locale.lang === 'zh' ? '' : ' ');

/**
 * A message cut at its {placeholders} that `params` has no value for (the slots), so markup
 * (<strong>, <sub>) can stand between its words in either language's word order. The template is
 * cut before values are filled in, so a token that looks like {this} stays text.
 */
export function slots(key: MessageKey, params: Record<string, string | number> = {}): { text: string; slot?: string }[] {
  return t(key)
    .split(/\{(\w+)\}/)
    .map((s, i) => (i % 2 === 0 ? { text: s } : s in params ? { text: String(params[s]) } : { text: '', slot: s }))
    .filter((p) => p.slot || p.text);
}

/** The weighting a view can show: value norms only where the trace has them (an old saved trace may not). */
export function shownWeighting(trace: Trace, kind: AttentionKind, wanted: 'weights' | 'value-norm'): 'weights' | 'value-norm' {
  return wanted === 'value-norm' && trace.attention[kind]?.valueNorms ? 'value-norm' : 'weights';
}
