// Small byte-array matching helpers for lining up token surfaces with the text.

export function equalAt(hay: Uint8Array, at: number, needle: Uint8Array, from = 0): boolean {
  const n = needle.length - from;
  if (at < 0 || at + n > hay.length) return false;
  for (let k = 0; k < n; k++) if (hay[at + k] !== needle[from + k]) return false;
  return true;
}

export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  if (needle.length === 0) return from <= hay.length ? from : -1;
  const last = hay.length - needle.length;
  outer: for (let i = Math.max(0, from); i <= last; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

export function startsWithBytes(s: Uint8Array, prefix: Uint8Array): boolean {
  return equalAt(s, 0, prefix) || (prefix.length <= s.length && prefix.every((b, i) => s[i] === b));
}

/** Byte length of the UTF-8 character starting at `at` (1 for a stray continuation byte). */
export function charLengthAt(bytes: Uint8Array, at: number): number {
  const b = bytes[at];
  if (b >= 0xf0) return Math.min(4, bytes.length - at);
  if (b >= 0xe0) return Math.min(3, bytes.length - at);
  if (b >= 0xc0) return Math.min(2, bytes.length - at);
  return 1;
}

function codePointAt(bytes: Uint8Array, at: number, len: number): number {
  if (len === 1) return bytes[at];
  if (len === 2) return ((bytes[at] & 31) << 6) | (bytes[at + 1] & 63);
  if (len === 3) return ((bytes[at] & 15) << 12) | ((bytes[at + 1] & 63) << 6) | (bytes[at + 2] & 63);
  return ((bytes[at] & 7) << 18) | ((bytes[at + 1] & 63) << 12) | ((bytes[at + 2] & 63) << 6) | (bytes[at + 3] & 63);
}

const WHITESPACE = /^\s$/u;

/**
 * If the character at `at` is whitespace (or `extra`, e.g. the "▁" that stands for a
 * space), its byte length; otherwise 0.
 */
export function whitespaceLengthAt(bytes: Uint8Array, at: number, extra: number | null): number {
  if (at >= bytes.length) return 0;
  const len = charLengthAt(bytes, at);
  const cp = codePointAt(bytes, at, len);
  if (cp === extra) return len;
  return WHITESPACE.test(String.fromCodePoint(cp)) ? len : 0;
}
