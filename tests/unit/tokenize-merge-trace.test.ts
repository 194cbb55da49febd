// The BPE merge trace is our own implementation of the merge loop. For every word of a
// paragraph of several hundred words it must end in exactly the tokens the library's
// BPE model gives, and the whole paragraph must come out as the library's encode().
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildMergeRanks, traceBpe } from '../../src/lib/tokenize/bpe-trace';
import { traceWord } from '../../src/lib/tokenize/word-trace';
import { tokenizeText } from '../../src/lib/tokenize/tokenize';
import { allTokenizers, model } from './tokenize-load';

const paragraph = readFileSync('tests/fixtures/merge-paragraph.txt', 'utf8');

describe('merge trace on a toy merge list', () => {
  const ranks = buildMergeRanks(['l o', 'lo w', 'e r', 'low er', 'n e', 'ne w']);

  it('merges the lowest-rank pair first and records each step', () => {
    const t = traceBpe('lower', ranks);
    expect(t.steps.map((s) => s.symbols.join(' '))).toEqual(['l o w e r', 'lo w e r', 'low e r', 'low er', 'lower']);
    expect(t.steps.slice(1).map((s) => [s.merge!.left, s.merge!.right, s.merge!.rank])).toEqual([
      ['l', 'o', 0],
      ['lo', 'w', 1],
      ['e', 'r', 2],
      ['low', 'er', 3],
    ]);
  });

  it('ties go to the leftmost pair', () => {
    const t = traceBpe('lolo', ranks);
    expect(t.steps[1].merge!.index).toBe(0);
    expect(t.final).toEqual(['lo', 'lo']);
  });

  it('stops when no learned pair is left', () => {
    expect(traceBpe('xyz', ranks).final).toEqual(['x', 'y', 'z']);
    expect(traceBpe('xyz', ranks).steps.length).toBe(1);
  });

  it('reads the new [left, right] merge format too', () => {
    const r = buildMergeRanks([
      ['a', 'b'],
      ['ab', 'c'],
    ]);
    expect(traceBpe('abc', r).final).toEqual(['abc']);
  });
});

const bpeTokenizers = allTokenizers().filter((t) => t.algorithm === 'byte-level-bpe' || t.algorithm === 'bpe');

describe.each(bpeTokenizers.map((t) => [t.id, t] as const))('merge trace vs the library (%s)', (_id, tok) => {
  // SentencePiece-style BPE (LLaMA) has no pre-tokenizer: the normalizer writes spaces as
  // "▁" and the model runs on the whole text; its words start where a run of "▁" starts
  // (runs of spaces merge into "▁▁" pieces).
  const words = tok.lib.pre_tokenizer
    ? tok.lib.pre_tokenizer(paragraph, { section_index: 0 })
    : (tok.lib.normalizer ? tok.lib.normalizer(paragraph) : paragraph).split(/(?<=[^\u2581])(?=\u2581)/u);

  it('the paragraph has several hundred words', () => {
    expect(paragraph.split(/\s+/).filter(Boolean).length).toBeGreaterThan(300);
    expect(words.length).toBeGreaterThan(300);
  });

  it('every word ends in exactly the library model’s tokens', () => {
    const mismatches: string[] = [];
    for (const w of words) {
      const trace = traceWord(tok, w)!;
      const lib = tok.lib.model!.encode([w]);
      if (trace.tokens.map((t) => t.piece).join('\u0001') !== lib.join('\u0001')) mismatches.push(w);
      if (!trace.matchesLibrary) mismatches.push(`${w} (flag)`);
      // Each step merges exactly one adjacent pair, and its rank is the merge's index.
      for (let s = 1; s < trace.steps.length; s++) {
        const m = trace.steps[s].merge!;
        const before = trace.steps[s - 1].symbols;
        expect([before[m.index], before[m.index + 1]]).toEqual([m.left, m.right]);
        expect(trace.steps[s].symbols.length).toBe(before.length - 1);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('the traces of all words, concatenated, are the library’s encode() of the paragraph', () => {
    const fromTraces = words.flatMap((w) => traceWord(tok, w)!.tokens.map((t) => t.id));
    // Without the post-processor's specials (LLaMA's <s>): the traces hold the model's tokens only.
    expect(fromTraces).toEqual(tok.lib.encode(paragraph, { add_special_tokens: false }).ids);
  });
});

describe('gpt2 merge trace details', () => {
  it('ranks are positions in model.merges ("Ġ t" is rank 0)', () => {
    const t = traceWord(model('gpt2'), 'Ġthe')!;
    expect(t.steps[1].merge).toEqual({ index: 0, left: 'Ġ', right: 't', rank: 0 });
    expect(t.tokens).toEqual([{ piece: 'Ġthe', id: 262 }]);
  });

  it('tokenizeText exposes the words, and each word’s tokens are its trace’s tokens', () => {
    const r = tokenizeText(model('gpt2'), paragraph);
    expect(r.words!.length).toBeGreaterThan(300);
    for (const w of r.words!) {
      const ids = r.tokens.slice(w.tokenStart, w.tokenEnd).map((t) => t.id);
      expect(ids).toEqual(traceWord(model('gpt2'), w.text)!.tokens.map((t) => t.id));
    }
  });
});
