// The tokenizer list comes from the build-time model manifest; URLs are relative to
// the site root the page passes in, so the static site works from any sub-folder.
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../tools/manifest';
import { defaultSelection, tokenizerEntries } from '../../src/lib/tokenize/catalog';
import { charsPerToken, tokensOverlapping, wordOfToken } from '../../src/lib/tokenize/highlight';
import { tokenizeText } from '../../src/lib/tokenize/tokenize';
import { model } from './tokenize-load';

describe('tokenizer catalog', () => {
  const manifest = buildManifest('static/models');

  it('lists every model folder with a tokenizer.json, defaults first, with relative URLs', () => {
    const entries = tokenizerEntries(manifest, '..');
    expect(entries.slice(0, 5).map((e) => e.id)).toEqual(['tiny-gpt2', 'tiny-bert', 'tiny-t5', 'tiny-llama', 'tiktoken-cl100k']);
    const gpt2 = entries.find((e) => e.id === 'gpt2')!;
    expect(gpt2.tokenizerUrl).toBe('../models/gpt2/tokenizer.json');
    expect(gpt2.configUrl).toBe('../models/gpt2/tokenizer_config.json');
    expect(entries.find((e) => e.id === 'bert-base-uncased')!.configUrl).toBeNull();
    expect(entries.length).toBe(manifest.models.filter((m) => m.files['tokenizer.json']).length);
  });

  it('picks the tokenizers of the models Explore runs, and tiktoken, by default; a link’s list (#tk=) wins', () => {
    const entries = tokenizerEntries(manifest, '/');
    expect(defaultSelection(entries)).toEqual(['tiny-gpt2', 'tiny-bert', 'tiny-t5', 'tiny-llama', 'tiktoken-cl100k']);
    expect(defaultSelection(entries, ['gpt2', 'nope', 'bert-base-uncased', 'gpt2'])).toEqual(['gpt2', 'bert-base-uncased']);
    expect(defaultSelection(entries, ['nope'])).toEqual(defaultSelection(entries));
  });

  it('only the ones present are picked', () => {
    const without = { ...manifest, models: manifest.models.filter((m) => m.id !== 'tiny-t5') };
    expect(defaultSelection(tokenizerEntries(without, '/'))).toEqual(['tiny-gpt2', 'tiny-bert', 'tiny-llama', 'tiktoken-cl100k']);
  });
});

describe('linking text and chips', () => {
  const r = tokenizeText(model('bert-base-uncased'), 'Hello big world');
  // [CLS] hello big world [SEP]: hello [0,5) big [6,9) world [10,15)

  it('a character lights the chip(s) whose span holds it; specials are never lit by text', () => {
    expect(tokensOverlapping(r.tokens, { start: 7, end: 8 })).toEqual([2]);
    expect(tokensOverlapping(r.tokens, { start: 4, end: 11 })).toEqual([1, 2, 3]);
    expect(tokensOverlapping(r.tokens, { start: 5, end: 6 })).toEqual([]); // the space
    expect(tokensOverlapping(r.tokens, { start: 0, end: 0 })).toEqual([]);
  });

  it('partial byte tokens of one emoji are all lit by that emoji', () => {
    const g = tokenizeText(model('gpt2'), 'a 🇫🇷');
    const lit = tokensOverlapping(g.tokens, { start: 2, end: 6 });
    expect(lit.length).toBe(g.tokens.length - 1);
  });

  it('finds the word of a token and counts characters per token without specials', () => {
    const g = tokenizeText(model('gpt2'), 'Hello tokenization');
    const last = g.tokens.length - 1;
    expect(g.words![wordOfToken(g.words!, last)].text).toBe('Ġtokenization');
    expect(charsPerToken(15, r.tokens)).toBe(5);
  });
});
