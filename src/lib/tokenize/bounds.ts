// Limits checked on the raw text before any tokenizer runs. A 1 MB word cost 1.2 GB in
// Node before the token count said "too long", and the tokenizers library overflows its
// stack on a Unigram word of ~125 k characters (it spreads the word's pieces as arguments).

import { AtlasError } from '../errors';
import type { LoadedTokenizer } from './load';

/** The most characters tokenized at once: twice the 100 k-character case the tests and benches use. */
export const MAX_TOKENIZE_CHARS = 200_000;
/** The longest run without whitespace: far past any word, and well under where the library overflows. */
export const MAX_WORD_CHARS = 50_000;

/** The length of the longest run of characters without whitespace (linear, no regex backtracking). */
export function longestWord(text: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // ASCII whitespace and the common Unicode spaces; enough to bound a tokenizer's words.
    const space = c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029;
    run = space ? 0 : run + 1;
    if (run > best) best = run;
  }
  return best;
}

export function checkTextBounds(tok: Pick<LoadedTokenizer, 'id' | 'algorithm'>, text: string): void {
  if (text.length > MAX_TOKENIZE_CHARS)
    throw new AtlasError(
      'too-long',
      `The text is ${text.length.toLocaleString('en')} characters long; ${tok.id}'s tokenizer reads at most ${MAX_TOKENIZE_CHARS.toLocaleString('en')} at once.`,
      'Shorten the text; no model here reads more than a few thousand tokens anyway.',
    );
  const word = longestWord(text);
  if (word > MAX_WORD_CHARS)
    throw new AtlasError(
      'too-long',
      `The text has a run of ${word.toLocaleString('en')} characters without a space; ${tok.id}'s ${tok.algorithm} tokenizer reads words of at most ${MAX_WORD_CHARS.toLocaleString('en')}.`,
      'Put spaces into it or shorten it.',
    );
}
