// Token → span mapping on cases checked by hand. Spans are UTF-16 offsets; a token that
// holds only part of a character (some of its bytes, one code point of an emoji
// sequence) gets the whole character's span and `partial`.
import { describe, expect, it } from 'vitest';
import { tokenizeText } from '../../src/lib/tokenize/tokenize';
import { utf8 } from '../../src/lib/tokenize/bytes';
import { model } from './tokenize-load';

type Row = [piece: string, start: number, end: number, flags?: string];

function rows(tokenizerId: string, text: string): Row[] {
  const r = tokenizeText(model(tokenizerId), text, { verify: true });
  expect(r.approximate).toBeUndefined();
  return r.tokens.map((t) => {
    const flags = (t.partial ? 'P' : '') + (t.special ? 'S' : '') + (t.unknown ? 'U' : '');
    return flags ? [t.piece, t.start, t.end, flags] : [t.piece, t.start, t.end];
  });
}

describe('known ids', () => {
  it('gpt2: "Hello world" → [15496, 995]', () => {
    const r = tokenizeText(model('gpt2'), 'Hello world');
    expect(r.tokens.map((t) => t.id)).toEqual([15496, 995]);
    expect(r.algorithm).toBe('byte-level-bpe');
  });
  it('bert-base-uncased: "Hello world" → [101, 7592, 2088, 102]', () => {
    const r = tokenizeText(model('bert-base-uncased'), 'Hello world');
    expect(r.tokens.map((t) => t.id)).toEqual([101, 7592, 2088, 102]);
    expect(r.algorithm).toBe('wordpiece');
  });
});

describe('gpt2 (byte-level BPE) spans', () => {
  it('words with their leading space', () => {
    expect(rows('gpt2', 'Hello world')).toEqual([
      ['Hello', 0, 5],
      ['Ġworld', 5, 11],
    ]);
  });

  it('ZWJ family emoji: 8 UTF-16 units, 18 bytes, 10 tokens, all spanning the whole family', () => {
    const text = 'a 👨‍👩‍👧 b';
    const r = rows('gpt2', text);
    // The family is text[2, 10): 👨 (2 units) ZWJ 👩 (2) ZWJ 👧 (2).
    expect(r[0]).toEqual(['a', 0, 1]);
    expect(r[1]).toEqual(['ĠðŁĳ', 1, 10, 'P']); // the space, then F0 9F 91 of 👨
    for (const row of r.slice(2, -1)) expect(row.slice(1)).toEqual([2, 10, 'P']);
    expect(r[r.length - 1]).toEqual(['Ġb', 10, 12]);
    // The tokens' bytes are exactly the text's bytes.
    const t = tokenizeText(model('gpt2'), text);
    expect(t.tokens.flatMap((k) => k.bytes!)).toEqual(Array.from(utf8(text)));
  });

  it('flag: two regional indicators are one character', () => {
    const r = rows('gpt2', '🇫🇷');
    expect(r.length).toBe(6);
    for (const row of r) expect(row.slice(1)).toEqual([0, 4, 'P']);
  });

  it('"naïve" in NFC: ï is whole inside one token', () => {
    expect(rows('gpt2', 'na\u00efve')).toEqual([
      ['na', 0, 2],
      ['Ã¯ve', 2, 5],
    ]);
  });

  it('"naïve" in NFD: i + U+0308 is one character split over three tokens', () => {
    expect(rows('gpt2', 'nai\u0308ve')).toEqual([
      ['nai', 0, 4, 'P'], // "na" and the i of ï
      ['Ì', 2, 4, 'P'], // CC of U+0308
      ['Ī', 2, 4, 'P'], // 88 of U+0308
      ['ve', 4, 6],
    ]);
  });

  it('CJK: 中 whole, 文 split in two byte tokens', () => {
    expect(rows('gpt2', '中文')).toEqual([
      ['ä¸Ń', 0, 1],
      ['æĸ', 1, 2, 'P'],
      ['ĩ', 1, 2, 'P'],
    ]);
  });

  it('runs of spaces, newlines and a tab', () => {
    expect(rows('gpt2', 'a   b\n\n\tc')).toEqual([
      ['a', 0, 1],
      ['Ġ', 1, 2],
      ['Ġ', 2, 3],
      ['Ġb', 3, 5],
      ['ĊĊ', 5, 7],
      ['ĉ', 7, 8],
      ['c', 8, 9],
    ]);
  });

  it('<|endoftext|> typed in the text is the special token, with its own span', () => {
    expect(rows('gpt2', 'hi<|endoftext|>yo')).toEqual([
      ['hi', 0, 2],
      ['<|endoftext|>', 2, 15, 'S'],
      ['yo', 15, 17],
    ]);
  });
});

describe('bert-base-uncased (WordPiece) spans', () => {
  it('[CLS] and [SEP] are zero-width, at the start and the end', () => {
    expect(rows('bert-base-uncased', 'Hello world')).toEqual([
      ['[CLS]', 0, 0, 'S'],
      ['hello', 0, 5],
      ['world', 6, 11],
      ['[SEP]', 11, 11, 'S'],
    ]);
  });

  it('"naïve" in NFC and in NFD both map back to the whole word', () => {
    expect(rows('bert-base-uncased', 'Naïve!')).toEqual([
      ['[CLS]', 0, 0, 'S'],
      ['naive', 0, 5],
      ['!', 5, 6],
      ['[SEP]', 6, 6, 'S'],
    ]);
    expect(rows('bert-base-uncased', 'Nai\u0308ve!')).toEqual([
      ['[CLS]', 0, 0, 'S'],
      ['naive', 0, 6],
      ['!', 6, 7],
      ['[SEP]', 7, 7, 'S'],
    ]);
  });

  it('## pieces line up inside the word', () => {
    expect(rows('bert-base-uncased', 'Tokenization')).toEqual([
      ['[CLS]', 0, 0, 'S'],
      ['token', 0, 5],
      ['##ization', 5, 12],
      ['[SEP]', 12, 12, 'S'],
    ]);
  });

  it('[UNK] for a character not in the vocabulary covers exactly that word', () => {
    expect(model('bert-base-uncased').lib.token_to_id('😀')).toBeUndefined();
    expect(rows('bert-base-uncased', 'hello 😀 x')).toEqual([
      ['[CLS]', 0, 0, 'S'],
      ['hello', 0, 5],
      ['[UNK]', 6, 8, 'U'],
      ['x', 9, 10],
      ['[SEP]', 10, 10, 'S'],
    ]);
    expect(rows('bert-base-uncased', 'a 👨‍👩‍👧 b')[2]).toEqual(['[UNK]', 2, 10, 'U']);
  });

  it('CJK characters are split one by one (BERT puts spaces around them)', () => {
    expect(rows('bert-base-uncased', '中文')).toEqual([
      ['[CLS]', 0, 0, 'S'],
      ['中', 0, 1],
      ['文', 1, 2],
      ['[SEP]', 2, 2, 'S'],
    ]);
  });

  it('spaces, tabs and newlines belong to no token', () => {
    expect(rows('bert-base-uncased', 'a   b\n\n\tc')).toEqual([
      ['[CLS]', 0, 0, 'S'],
      ['a', 0, 1],
      ['b', 4, 5],
      ['c', 8, 9],
      ['[SEP]', 9, 9, 'S'],
    ]);
  });

  it('Σ lower-cases to final ς at the end of a word and still maps to its letter', () => {
    const r = rows('bert-base-uncased', 'ΟΔΟΣ');
    expect(r[r.length - 2]).toEqual(['##ος', 2, 4]);
  });

  it('[CLS] typed by the user is a special token with a span; the added ones stay zero-width', () => {
    expect(rows('bert-base-uncased', '[CLS] x')).toEqual([
      ['[CLS]', 0, 0, 'S'],
      ['[CLS]', 0, 5, 'S'],
      ['x', 6, 7],
      ['[SEP]', 7, 7, 'S'],
    ]);
  });
});
