// Issue 19, item 11: overlong input is refused on its character length before any tokenizer
// runs (a 1 MB word cost 1.2 GB in Node before "too long"; a Unigram word of ~125 k
// characters overflowed the library's stack as "This is a bug in Attention Atlas").
import { describe, expect, it } from 'vitest';
import { tokenizeText } from '../../src/lib/tokenize/tokenize';
import { MAX_TOKENIZE_CHARS, MAX_WORD_CHARS, longestWord } from '../../src/lib/tokenize/bounds';
import { AtlasError } from '../../src/lib/errors';
import { model } from './tokenize-load';

function refusal(f: () => unknown): AtlasError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AtlasError);
    return e as AtlasError;
  }
  throw new Error('expected a refusal');
}

describe('tokenizer input bounds', () => {
  it('a Unigram word of 130,000 characters is refused as too long, naming the tokenizer', () => {
    const e = refusal(() => tokenizeText(model('tiny-t5'), 'x'.repeat(130_000)));
    expect(e.code).toBe('too-long');
    expect(e.message).toMatch(/130,000 characters without a space; tiny-t5's unigram tokenizer/);
  });

  it('a 1 MB word is refused at once, before tokenizing', () => {
    const t0 = performance.now();
    const e = refusal(() => tokenizeText(model('tiny-gpt2'), 'a'.repeat(2 ** 20)));
    expect(performance.now() - t0).toBeLessThan(500);
    expect(e.message).toMatch(/1,048,576 characters long; tiny-gpt2's tokenizer reads at most 200,000/);
  });

  it('texts within the bounds still tokenize, up to the longest word allowed', () => {
    const words = Array.from({ length: 20_000 }, (_, i) => `w${i % 97}`).join(' ');
    expect(tokenizeText(model('tiny-bert'), words).tokens.length).toBeGreaterThan(20_000);
    expect(tokenizeText(model('tiny-gpt2'), 'b'.repeat(MAX_WORD_CHARS)).tokens.length).toBeGreaterThan(0);
  });

  it('longestWord counts runs between whitespace', () => {
    expect(longestWord('ab  cde\tf\ngh\u3000ijkl')).toBe(4);
    expect(longestWord('')).toBe(0);
    expect(MAX_TOKENIZE_CHARS).toBeGreaterThan(MAX_WORD_CHARS);
  });
});
