// tiktoken's cl100k_base, turned into a tokenizer.json at build time
// (tools/tiktoken-tokenizer.ts), against js-tiktoken's own encoder: the same ids for
// every text, with exact spans (no fallback to approximate ones).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getEncoding } from 'js-tiktoken';
import { loadTokenizer } from '../../src/lib/tokenize/load';
import { tokenizeText } from '../../src/lib/tokenize/tokenize';
import { tiktokenTokenizerJson, TIKTOKEN_ID } from '../../tools/tiktoken-tokenizer';

const TEXTS = [
  readFileSync('tests/fixtures/merge-paragraph.txt', 'utf8'),
  "I'm sure they'll say it's JavaScript's fault, isn't it? WE'LL SEE.",
  'Numbers 1 12 123 1234 12345 3.14159 and 2024-12-02, $9.99 (50%).',
  'Spaces:   three, tabs\t\tand\n\nnewlines\r\n end  ',
  '東京は日本の首都です。 Zürich naïve café — “quotes” ‘single’ …',
  '🙂 👨‍👩‍👧 🇫🇷 e\u0301 zero\u200bwidth',
  'def f(x):\n    return x**2  # code\n',
  '<|endoftext|> is text here, not a special token',
];

describe('tiktoken cl100k_base', () => {
  const tok = loadTokenizer(TIKTOKEN_ID, tiktokenTokenizerJson(), {});
  const enc = getEncoding('cl100k_base');

  it('is byte-level BPE with 100,256 tokens plus its specials', () => {
    expect(tok.algorithm).toBe('byte-level-bpe');
    // 100,256 mergeable ranks plus five specials (<|endoftext|>, <|fim_prefix|>, …).
    expect(tok.lib.model!.tokens_to_ids.size).toBe(100256 + 5);
  });

  it.each(TEXTS.map((t, i) => [i, t] as const))('text %i: the same ids as js-tiktoken, with exact spans', (_i, text) => {
    const ours = tokenizeText(tok, text, { verify: true });
    // Typed special tokens count as specials, as in every tokenizer of the app (tiktoken's allowedSpecial 'all').
    expect(ours.tokens.map((t) => t.id)).toEqual(enc.encode(text, 'all'));
    expect(ours.approximate).toBeUndefined();
    // Every byte of the text is in exactly one token, in order.
    const bytes = ours.tokens.flatMap((t) => t.bytes ?? Array.from(new TextEncoder().encode(t.piece)));
    expect(bytes).toEqual(Array.from(new TextEncoder().encode(text)));
  });
});
