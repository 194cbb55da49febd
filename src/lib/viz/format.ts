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
