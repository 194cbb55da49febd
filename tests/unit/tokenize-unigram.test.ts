// The Unigram (SentencePiece-style) path, on the hand-made fixture in
// tests/fixtures/unigram-tiny. Its normalizer is NFKC + lower-case + collapse of 2+
// spaces; its pre-tokenizer writes spaces as "▁" and puts one in front. The expected
// pieces are the best-scoring segmentations, worked out by hand from the scores:
//   "▁the" −1.5 beats ▁+t+h+e (−12.9); "▁cat" −2.5 beats "▁ca"+"t" (−6.0);
//   "▁fine": "▁f"+"ine" (−5.9) beats "▁fin"+"e" (−6.7) and ▁+fi+n+e (−11.8);
//   "▁cats": "▁cat"+"s" (−5.7); "▁mat!": "▁mat"+"!" (−6.5) beats "▁m"+"at"+"!" (−9.7);
//   "▁fi": "▁"+"fi" (−5.0) beats "▁f"+"i" (−7.5);
//   a character with no piece is <unk> (score min − 10), and runs of them are fused.
import { describe, expect, it } from 'vitest';
import { tokenizeText } from '../../src/lib/tokenize/tokenize';
import { unigramFixture } from './tokenize-load';

type Row = [piece: string, start: number, end: number, flags?: string];

function rows(text: string): Row[] {
  const r = tokenizeText(unigramFixture(), text, { verify: true });
  expect(r.approximate).toBeUndefined();
  return r.tokens.map((t) => {
    const flags = (t.partial ? 'P' : '') + (t.special ? 'S' : '') + (t.unknown ? 'U' : '');
    return flags ? [t.piece, t.start, t.end, flags] : [t.piece, t.start, t.end];
  });
}

describe('Unigram fixture', () => {
  it('is recognised as Unigram with the ▁ marker', () => {
    const t = unigramFixture();
    expect(t.algorithm).toBe('unigram');
    expect(t.metaspace).toBe('▁');
  });

  it('words carry their ▁; the first one is added by the tokenizer (not in the text); </s> is appended', () => {
    expect(rows('The cat sat.')).toEqual([
      ['▁the', 0, 3],
      ['▁cat', 3, 7],
      ['▁sat', 7, 11],
      ['.', 11, 12],
      ['</s>', 12, 12, 'S'],
    ]);
  });

  it('ids come from the vocabulary order', () => {
    expect(tokenizeText(unigramFixture(), 'The cat sat.').tokens.map((t) => t.id)).toEqual([4, 5, 9, 27, 1]);
  });

  it('a lone ▁ with no space before it has a zero-width span', () => {
    expect(rows('ﬁ')).toEqual([
      ['▁', 0, 0],
      ['fi', 0, 1], // NFKC: ﬁ → fi, both letters come from the one ligature
      ['</s>', 1, 1, 'S'],
    ]);
  });

  it('NFKC ligature split across two pieces: both span the ligature and are partial', () => {
    expect(rows('ﬁne')).toEqual([
      ['▁f', 0, 1, 'P'],
      ['ine', 0, 3, 'P'],
      ['</s>', 3, 3, 'S'],
    ]);
  });

  it('collapsed spaces: the ▁ of the next word covers all of them', () => {
    expect(rows('the   cat')).toEqual([
      ['▁the', 0, 3],
      ['▁cat', 3, 9],
      ['</s>', 9, 9, 'S'],
    ]);
  });

  it('upper case is lower-cased but maps back to the original letters', () => {
    expect(rows('CATS')).toEqual([
      ['▁cat', 0, 3],
      ['s', 3, 4],
      ['</s>', 4, 4, 'S'],
    ]);
    expect(rows('Mat!')).toEqual([
      ['▁mat', 0, 3],
      ['!', 3, 4],
      ['</s>', 4, 4, 'S'],
    ]);
  });

  it('<unk> covers the unknown character, emoji included', () => {
    expect(rows('the 😀 cat')).toEqual([
      ['▁the', 0, 3],
      ['▁', 3, 4],
      ['<unk>', 4, 6, 'U'],
      ['▁cat', 6, 10],
      ['</s>', 10, 10, 'S'],
    ]);
  });

  it('runs of unknown characters are fused into one <unk>', () => {
    // b, \n, \n, \t have no piece: one <unk> for "b\n\n\t".
    expect(rows('a   b\n\n\tc')).toEqual([
      ['▁', 0, 0],
      ['a', 0, 1],
      ['▁', 1, 4],
      ['<unk>', 4, 8, 'U'],
      ['c', 8, 9],
      ['</s>', 9, 9, 'S'],
    ]);
  });

  it('"naïve" in NFD is composed by NFKC; the unknown ïv spans i + U+0308 + v', () => {
    expect(rows('nai\u0308ve')).toEqual([
      ['▁', 0, 0],
      ['n', 0, 1],
      ['a', 1, 2],
      ['<unk>', 2, 5, 'U'],
      ['e', 5, 6],
      ['</s>', 6, 6, 'S'],
    ]);
  });

  it('</s> typed in the text is matched as the special token before normalization', () => {
    expect(rows('</s>')).toEqual([
      ['</s>', 0, 4, 'S'],
      ['</s>', 4, 4, 'S'],
    ]);
  });
});

describe('a pre-tokenizer step we cannot map back', () => {
  it('keeps the library’s ids and says its spans are approximate instead of guessing silently', async () => {
    const { readFileSync } = await import('node:fs');
    const { loadTokenizer } = await import('../../src/lib/tokenize/load');
    const json = JSON.parse(readFileSync('tests/fixtures/unigram-tiny/tokenizer.json', 'utf8'));
    // Rewrites letters after normalization: the pieces no longer appear in the text.
    json.pre_tokenizer = {
      type: 'Sequence',
      pretokenizers: [{ type: 'Replace', pattern: { String: 'e' }, content: 'a' }, json.pre_tokenizer],
    };
    const tok = loadTokenizer('rewriting', json, {});
    const text = 'the cat sat';
    const r = tokenizeText(tok, text, { verify: true });
    expect(r.tokens.map((t) => t.id)).toEqual(tok.lib.encode(text).ids);
    expect(r.approximate).toBe(true);
    for (const t of r.tokens) expect(t.end).toBeLessThanOrEqual(text.length);
  });
});
