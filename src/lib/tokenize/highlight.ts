// Which chips light up for a stretch of text, and which stretch a chip stands for.
// Pure functions so the linking between text and chips is tested on its own.

import type { TokenPiece } from './types';

export interface TextRange {
  start: number;
  end: number;
}

/**
 * Indices of the tokens whose span overlaps [start, end). A zero-width range (a special
 * token with no text) matches nothing here; the chip itself is lit by its panel.
 */
export function tokensOverlapping(tokens: readonly TokenPiece[], range: TextRange | null): number[] {
  if (!range || range.end <= range.start) return [];
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.end > t.start && t.start < range.end && t.end > range.start) out.push(i);
  }
  return out;
}

/** The word (pre-token) index that holds token `i`, if any. */
export function wordOfToken(words: ReadonlyArray<{ tokenStart: number; tokenEnd: number }>, i: number): number {
  let lo = 0;
  let hi = words.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid].tokenEnd <= i) lo = mid + 1;
    else if (words[mid].tokenStart > i) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** Characters per token, counting user-perceived characters and only non-special tokens. */
export function charsPerToken(characters: number, tokens: readonly TokenPiece[]): number | null {
  const n = tokens.filter((t) => !t.special).length;
  return n > 0 ? characters / n : null;
}
