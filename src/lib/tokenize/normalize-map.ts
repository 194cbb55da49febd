// Normalization with a map back to the original text.
//
// The library's normalizers (lower-casing, accent stripping, NFKC, BERT's clean-up,
// Replace, Strip, Prepend, …) return only the new string. To know which original
// characters each normalized code unit came from, we run the normalizer's own steps
// ourselves: character-wise steps one grapheme at a time (so a grapheme maps to
// whatever it became, e.g. "Ï" → "i", "ﬁ" → "fi", "中" → " 中 "), and the structural
// steps (Replace, Strip, Prepend) with their match positions. The result is then
// checked against the library's normalizer on the whole text.

import {
  SequenceNormalizer,
  ReplaceNormalizer,
  StripNormalizer,
  PrependNormalizer,
  type Normalizer,
} from '@huggingface/tokenizers';
import { graphemeBoundaries } from './graphemes';

/** A string whose every code unit knows the original [start, end) it came from. */
export interface MappedText {
  text: string;
  start: Int32Array;
  end: Int32Array;
  /** The map was rebuilt coarsely because our step-by-step run disagreed with the library. */
  approximate: boolean;
}

export type TextStep = (m: MappedText) => MappedText;

class Builder {
  text: string[] = [];
  start: number[] = [];
  end: number[] = [];
  push(s: string, lo: number, hi: number): void {
    this.text.push(s);
    for (let k = 0; k < s.length; k++) {
      this.start.push(lo);
      this.end.push(hi);
    }
  }
  done(approximate: boolean): MappedText {
    return { text: this.text.join(''), start: Int32Array.from(this.start), end: Int32Array.from(this.end), approximate };
  }
}

function spanOf(m: MappedText, i: number, j: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = i; k < j; k++) {
    if (m.start[k] < lo) lo = m.start[k];
    if (m.end[k] > hi) hi = m.end[k];
  }
  return [lo, hi];
}

/** Original position just before unit i (for things inserted there). */
function positionAt(m: MappedText, i: number, fallback: number): number {
  if (i < m.text.length) return m.start[i];
  if (m.text.length > 0) return m.end[m.text.length - 1];
  return fallback;
}

/** Applies `fn` to each grapheme separately. */
export function charwise(fn: (s: string) => string): TextStep {
  const cache = new Map<string, string>();
  return (m) => {
    const b = graphemeBoundaries(m.text);
    const out = new Builder();
    for (let g = 0; g + 1 < b.length; g++) {
      const s = m.text.slice(b[g], b[g + 1]);
      let r = cache.get(s);
      if (r === undefined) cache.set(s, (r = fn(s)));
      const [lo, hi] = spanOf(m, b[g], b[g + 1]);
      out.push(r, lo, hi);
    }
    return out.done(m.approximate);
  };
}

/** Regex replacement: the inserted text maps to what it replaced. */
export function replace(pattern: RegExp, content: string, origin: number): TextStep {
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
  return (m) => {
    const out = new Builder();
    let last = 0;
    for (const match of m.text.matchAll(re)) {
      const at = match.index;
      for (let k = last; k < at; k++) out.push(m.text[k], m.start[k], m.end[k]);
      const len = match[0].length;
      if (len > 0) {
        const [lo, hi] = spanOf(m, at, at + len);
        out.push(content, lo, hi);
      } else {
        const p = positionAt(m, at, origin);
        out.push(content, p, p);
      }
      last = at + len;
    }
    for (let k = last; k < m.text.length; k++) out.push(m.text[k], m.start[k], m.end[k]);
    return out.done(m.approximate);
  };
}

export function strip(left: boolean, right: boolean): TextStep {
  return (m) => {
    let i = 0;
    let j = m.text.length;
    if (left) i = m.text.length - m.text.trimStart().length;
    if (right) j = m.text.trimEnd().length;
    if (j < i) j = i;
    return {
      text: m.text.slice(i, j),
      start: m.start.slice(i, j),
      end: m.end.slice(i, j),
      approximate: m.approximate,
    };
  };
}

/** Text put in front (e.g. SentencePiece's "▁"): it has no source, so zero width at the start. */
export function prepend(prefix: string, origin: number): TextStep {
  return (m) => {
    const out = new Builder();
    const p = positionAt(m, 0, origin);
    out.push(prefix, p, p);
    for (let k = 0; k < m.text.length; k++) out.push(m.text[k], m.start[k], m.end[k]);
    return out.done(m.approximate);
  };
}

/**
 * The steps of a library normalizer, in order. `origin` is where zero-width insertions
 * land when the text is empty.
 */
export function normalizerSteps(n: Normalizer | null, origin: number): TextStep[] {
  if (!n) return [];
  if (n instanceof SequenceNormalizer) return n.normalizers.flatMap((x) => normalizerSteps(x, origin));
  if (n instanceof ReplaceNormalizer) {
    const content = typeof n.config.content === 'string' ? n.config.content : '';
    return n.pattern ? [replace(n.pattern, content, origin)] : [];
  }
  if (n instanceof StripNormalizer) {
    const c = n.config as { strip_left?: boolean; strip_right?: boolean };
    return [strip(!!c.strip_left, !!c.strip_right)];
  }
  if (n instanceof PrependNormalizer) {
    const c = n.config as { prepend?: string };
    return [prepend(c.prepend ?? '', origin)];
  }
  // Lowercase, NFC/NFD/NFKC/NFKD, StripAccents, BertNormalizer, Precompiled: per character.
  return [charwise((s) => n.normalize(s))];
}

/** The identity map of text.slice(from, to), each unit mapped to its whole grapheme. */
export function identityMap(text: string, from: number, to: number, graphemeStart: Int32Array, graphemeEnd: Int32Array): MappedText {
  const n = to - from;
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    start[k] = graphemeStart[from + k];
    end[k] = graphemeEnd[from + k];
  }
  return { text: text.slice(from, to), start, end, approximate: false };
}

/**
 * Runs `steps` and reconciles the result with `expected` (the library's own output).
 * When they differ only in letters (same length, e.g. a context-dependent lower-casing
 * of Σ), the library's string is kept with our map. Otherwise the differing middle maps
 * to the whole original range it came from, and the result is marked approximate.
 */
export function runSteps(m: MappedText, steps: TextStep[], expected: string): MappedText {
  let r = m;
  for (const step of steps) r = step(r);
  if (r.text === expected) return r;
  if (r.text.length === expected.length) return { ...r, text: expected };
  let pre = 0;
  while (pre < r.text.length && pre < expected.length && r.text[pre] === expected[pre]) pre++;
  let suf = 0;
  while (
    suf < r.text.length - pre &&
    suf < expected.length - pre &&
    r.text[r.text.length - 1 - suf] === expected[expected.length - 1 - suf]
  )
    suf++;
  const start = new Int32Array(expected.length);
  const end = new Int32Array(expected.length);
  for (let k = 0; k < pre; k++) {
    start[k] = r.start[k];
    end[k] = r.end[k];
  }
  const midFrom = pre;
  const midTo = r.text.length - suf;
  let [lo, hi] = midTo > midFrom ? spanOf(r, midFrom, midTo) : [positionAt(r, pre, 0), positionAt(r, pre, 0)];
  if (!Number.isFinite(lo)) lo = hi = 0;
  for (let k = pre; k < expected.length - suf; k++) {
    start[k] = lo;
    end[k] = hi;
  }
  for (let k = 0; k < suf; k++) {
    start[expected.length - 1 - k] = r.start[r.text.length - 1 - k];
    end[expected.length - 1 - k] = r.end[r.text.length - 1 - k];
  }
  return { text: expected, start, end, approximate: true };
}
