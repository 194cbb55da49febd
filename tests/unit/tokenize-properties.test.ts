// Properties every tokenization must have, on hand-picked hard strings, the merge
// paragraph and seeded random strings, for every tokenizer in static/models/ (and the
// Unigram fixture):
//  - ids equal the library's own encode();
//  - spans lie on grapheme boundaries (so never inside a surrogate pair or an emoji
//    sequence), in order, zero-width for inserted special tokens;
//  - the spans of the non-special tokens cover every non-whitespace character (except
//    characters the tokenizer's normalizer deletes, which no token can hold);
//  - each token's text really is in its span: byte-level tokens' bytes are a substring
//    of the span's UTF-8 (and all of them together are the whole text), other tokens'
//    text is a substring of the normalized span.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tokenizeText } from '../../src/lib/tokenize/tokenize';
import { graphemeBoundaries } from '../../src/lib/tokenize/graphemes';
import { utf8 } from '../../src/lib/tokenize/bytes';
import type { LoadedTokenizer } from '../../src/lib/tokenize/load';
import type { TokenizedText } from '../../src/lib/tokenize/types';
import { allTokenizers } from './tokenize-load';

const HARD = [
  '',
  ' ',
  'Hello world',
  '  leading and trailing  ',
  'a\u00a0b\u2003c', // no-break space, em space
  'naïve nai\u0308ve NAÏVE',
  'e\u0301\u0301\u0301 (three combining acutes)',
  '👨‍👩‍👧 👍🏽 🇫🇷🇩🇪 ❤️ 🏳️‍🌈 🧑🏿‍🚀',
  '中文分词 日本語の文章 한국어',
  'Ελληνικά ΟΔΟΣ Σ. İstanbul ß ẞ ﬁ ﬂ ㎏ ①',
  'tabs\tand\nnewlines\r\nand\u2028separators',
  "I'm can't won't y'all 3.14159 1,234,567 $19.99 100%",
  '<img src=x onerror=alert(1)>',
  'x<|endoftext|>y [CLS] [SEP] </s> <pad> <unk>',
  '\u200b\u200d zero\u200bwidth',
  'العربية עברית हिन्दी ภาษาไทย',
  'a'.repeat(150), // longer than WordPiece's 100-character word limit
  '¯\\_(ツ)_/¯ (╯°□°)╯︵ ┻━┻',
];

// Seeded random strings from pools of awkward pieces.
function* randomTexts(seed: number, count: number): Generator<string> {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const pool = [
    'the', ' cat', 'Tokenizer', 'ing', "'s", ' ', '  ', '\n', '\t', '.', ',', '!', '?', '42', '3.5',
    'é', 'e\u0301', 'ï', 'ß', 'Σ', 'ς', 'ﬁ', '中', '文', 'の', '한', '😀', '👍🏽', '👨‍👩‍👧', '🇯🇵', '❤️',
    '\u200b', '\u00a0', '<|endoftext|>', '[SEP]', '</s>', '▁', 'Ġ', '##', '\r\n', 'Ⅻ', '㎏',
  ];
  for (let i = 0; i < count; i++) {
    let t = '';
    const n = 1 + Math.floor(rand() * 12);
    for (let k = 0; k < n; k++) t += pool[Math.floor(rand() * pool.length)];
    yield t;
  }
}

const TEXTS = [...HARD, readFileSync('tests/fixtures/merge-paragraph.txt', 'utf8'), ...randomTexts(20241128, 150)];

function check(tok: LoadedTokenizer, text: string, r: TokenizedText): void {
  const where = `${tok.id} on ${JSON.stringify(text.slice(0, 60))}`;
  expect(r.approximate, where).toBeUndefined();
  expect(r.tokens.map((t) => t.id), where).toEqual(tok.lib.encode(text).ids);

  const bounds = new Set(graphemeBoundaries(text));
  let lastStart = 0;
  const typedAdded = new Set<number>();
  for (const [i, t] of r.tokens.entries()) {
    expect(t.start <= t.end && t.end <= text.length, where).toBe(true);
    expect(bounds.has(t.start) && bounds.has(t.end), `${where}: token ${i} ${t.piece} [${t.start},${t.end})`).toBe(true);
    if (t.special && t.end > t.start) typedAdded.add(i);
    if (!t.special) {
      expect(t.start, `${where}: order at ${i}`).toBeGreaterThanOrEqual(lastStart);
      lastStart = t.start;
    }
  }

  // Coverage of the non-whitespace text.
  const covered = new Uint8Array(text.length);
  for (const t of r.tokens) if (t.end > t.start) covered.fill(1, t.start, t.end);
  const b = graphemeBoundaries(text);
  for (let g = 0; g + 1 < b.length; g++) {
    const ch = text.slice(b[g], b[g + 1]);
    if (/^\s+$/u.test(ch)) continue;
    const normalized = tok.lib.normalizer ? tok.lib.normalizer(ch) : ch;
    if (normalized.trim() === '') continue; // deleted by the normalizer
    expect(covered[b[g]], `${where}: ${JSON.stringify(ch)} at ${b[g]} is in no token`).toBe(1);
  }

  // Each token's text is in its span.
  if (tok.byteLevel) {
    const all: number[] = [];
    for (const [i, t] of r.tokens.entries()) {
      if (typedAdded.has(i)) {
        all.push(...utf8(t.piece));
        continue;
      }
      const span = Array.from(utf8(text.slice(t.start, t.end))).join(',');
      expect(`,${span},`.includes(`,${t.bytes!.join(',')},`), `${where}: ${t.piece} not in its span`).toBe(true);
      all.push(...t.bytes!);
    }
    expect(all, where).toEqual(Array.from(utf8(text)));
  } else {
    for (const t of r.tokens) {
      if (t.special || t.unknown || t.end === t.start) continue;
      // Byte fallback (SentencePiece BPE): <0xF0> is one UTF-8 byte of the character it spans.
      const byte = tok.byteFallback ? /^<0x([0-9A-F]{2})>$/.exec(t.piece) : null;
      if (byte) {
        expect(Array.from(utf8(text.slice(t.start, t.end))), `${where}: ${t.piece} not a byte of its span`).toContain(parseInt(byte[1], 16));
        continue;
      }
      let piece = t.piece;
      if (tok.continuingPrefix && piece.startsWith(tok.continuingPrefix)) piece = piece.slice(tok.continuingPrefix.length);
      if (tok.metaspace) piece = piece.replaceAll(tok.metaspace, ' ').trimStart();
      const span = text.slice(t.start, t.end);
      // Σ lower-cases to ς only at the end of a word, which a span alone may not show.
      const fold = (x: string) => x.replaceAll('ς', 'σ');
      const normalized = fold(tok.lib.normalizer ? tok.lib.normalizer(span) : span);
      expect(normalized.includes(fold(piece.trim())), `${where}: ${t.piece} not in normalized span ${JSON.stringify(normalized)}`).toBe(true);
    }
  }
}

describe.each(allTokenizers().map((t) => [t.id, t] as const))('span properties (%s)', (_id, tok) => {
  it(`holds on ${TEXTS.length} texts`, () => {
    for (const text of TEXTS) check(tok, text, tokenizeText(tok, text, { verify: false }));
  });

  it('inserted special tokens are zero-width at the start or the end', () => {
    const text = 'Hello there';
    const r = tokenizeText(tok, text);
    for (const t of r.tokens.filter((k) => k.special)) {
      expect(t.start).toBe(t.end);
      expect([0, text.length]).toContain(t.start);
    }
  });

  it('stays exact on a 10,000-character mixed text', () => {
    let text = '';
    const gen = randomTexts(7, 100000);
    while (text.length < 10000) text += gen.next().value + ' ';
    check(tok, text, tokenizeText(tok, text, { verify: false }));
  });
});
