// Text for tokens and numbers. Tokens are always set as text (textContent / d3 .text()),
// never as HTML; these helpers only make invisible characters visible and shorten.

import { format } from 'd3';

const general4 = format('.4g');
const exp4 = format('.3e');
/** Values in tooltips and tables: 4 significant digits (exponent form when tiny or huge). */
export const fmt4 = (x: number): string => (x !== 0 && Number.isFinite(x) && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6) ? exp4(x) : general4(x));
/** Axis ticks: short, trailing zeros trimmed. */
export const fmtTick = format('.3~g');
/** Differences in the checks: scientific, 2 digits. */
export const fmtDiff = (x: number): string => (x === 0 ? '0' : format('.2e')(x));

/** Whitespace made visible (SVG and HTML collapse it). */
export function visibleToken(text: string): string {
  return text.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥').replace(/\r/g, '␍') || '∅';
}

/** Shortened for axis labels; the full text goes in a title. Never splits a surrogate pair. */
export function truncateLabel(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, Math.max(1, max - 1)).join('') + '…';
}

export function tokenLabel(text: string, max = 12): string {
  return truncateLabel(visibleToken(text), max);
}

/**
 * A token as a screen reader should say it: the tokenizers' markers spelled out (`Ġman` and
 * `▁man` → "space man", `##ing` → "…ing", `Ċ` → "newline", `<0xE6>` → "byte E6"), so `Ġ` is never read as a letter.
 */
export function spokenToken(text: string): string {
  const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(text);
  if (byte) return `byte ${byte[1].toUpperCase()}`;
  const spoken = text
    .replace(/^##/, '…')
    .replace(/^[Ġ▁ ]/, 'space ')
    .replace(/[Ġ▁]/g, ' ')
    .replace(/[Ċ\n]/g, ' newline ')
    .replace(/[ĉ\t]/g, ' tab ')
    .replace(/\s+/g, ' ')
    .trim();
  return spoken || (text.length ? 'space' : 'empty');
}

/** GPT-2's byte alphabet (bytes_to_unicode): the character each byte is written as in byte-level BPE. */
const BYTE_OF_CHAR: Map<string, number> = (() => {
  const direct = [...Array.from({ length: 94 }, (_, i) => 33 + i), ...Array.from({ length: 12 }, (_, i) => 161 + i), ...Array.from({ length: 82 }, (_, i) => 174 + i)];
  const map = new Map<string, number>();
  let n = 0;
  for (let b = 0; b < 256; b++) map.set(String.fromCodePoint(direct.includes(b) ? b : 256 + n++), b);
  return map;
})();
const utf8 = typeof TextDecoder !== 'undefined' ? new TextDecoder('utf-8', { fatal: true }) : null;

/** One byte-level BPE token as text: its bytes decoded as UTF-8, or as <0xNN> where they are part of a character. */
function byteLevelText(token: string): string {
  const bytes: number[] = [];
  for (const ch of token) {
    const b = BYTE_OF_CHAR.get(ch);
    if (b === undefined) return token; // not written in the byte alphabet (a special token)
    bytes.push(b);
  }
  try {
    return utf8 ? utf8.decode(Uint8Array.from(bytes)) : token;
  } catch {
    // A character split across tokens: the bytes that are not ASCII are shown as bytes.
    return bytes.map((b) => (b < 128 ? String.fromCharCode(b) : `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)).join('');
  }
}

/**
 * Tokens as a student reads them (issue 14, point 5): byte-level BPE (GPT-2's `Ġquick`) decoded
 * to its text (` quick`, which the views show as `␣quick`), SentencePiece's `▁` the same space,
 * WordPiece's `##ing` and byte tokens (`<0xE6>`) as they are. Byte-level decoding is applied when
 * the tokens are written in GPT-2's byte alphabet (some contain `Ġ` or `Ċ`), never to other
 * vocabularies whose letters happen to share those code points (Polish ł is one of them).
 */
export function readableTokens(texts: readonly string[], specials: readonly boolean[] = [], byteLevel = isByteLevel(texts)): string[] {
  return texts.map((t, i) => (specials[i] ? t : readableToken(t, byteLevel)));
}

/** Whether tokens are written in GPT-2's byte alphabet (some hold its space or newline mark). */
export const isByteLevel = (texts: readonly string[]): boolean => texts.some((t) => /[ĠĊ]/.test(t));

function readableToken(text: string, byteLevel: boolean): string {
  return byteLevel ? byteLevelText(text) : text.replace(/▁/g, ' ');
}
