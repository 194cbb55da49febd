// The embedded tiny tokenizers are trained in Python (tools/train). The app runs them through
// @huggingface/tokenizers, so this checks that the library loads each tokenizer.json and
// reproduces the Python encoder's ids exactly on held-out Brown sentences (fixture written by
// tools/train/tokenizers.py) and on a few edge cases (accents, specials, sentinels, a pair).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '@huggingface/tokenizers';

type ModelId = 'tiny-gpt2' | 'tiny-bert' | 'tiny-t5' | 'tiny-llama';
interface Case {
  text: string;
  'tiny-gpt2': number[];
  'tiny-bert': number[];
  'tiny-bert-type-ids': number[];
  'tiny-t5': number[];
  'tiny-llama': number[];
}
interface Fixture {
  cases: Case[];
  bert_pair: { text: string; text_pair: string; ids: number[]; type_ids: number[] };
  t5_sentinel: { text: string; ids: number[] };
}

const fixture = JSON.parse(readFileSync('tests/fixtures/tokenizers/tiny-encodings.json', 'utf8')) as Fixture;

function load(id: ModelId): Tokenizer {
  const json: unknown = JSON.parse(readFileSync(`static/models/${id}/tokenizer.json`, 'utf8'));
  const config: unknown = JSON.parse(readFileSync(`static/models/${id}/tokenizer_config.json`, 'utf8'));
  return new Tokenizer(json as object, config as object);
}

// Sizes chosen in tools/train (VOCAB_SIZE in tok_*.py).
const VOCAB_SIZE = 4000;

describe.each<ModelId>(['tiny-gpt2', 'tiny-bert', 'tiny-t5', 'tiny-llama'])('%s tokenizer', (id) => {
  const tok = load(id);

  it(`has ${VOCAB_SIZE} tokens`, () => {
    expect(tok.get_vocab().size).toBe(VOCAB_SIZE);
  });

  it('matches the Python encoder on held-out sentences', () => {
    expect(fixture.cases.length).toBeGreaterThan(100);
    const mismatches: string[] = [];
    for (const c of fixture.cases) {
      const got = tok.encode(c.text).ids;
      if (JSON.stringify(got) !== JSON.stringify(c[id])) mismatches.push(c.text);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('special cases', () => {
  it('tiny-bert pair encoding uses [CLS] A [SEP] B [SEP] with type ids', () => {
    const tok = load('tiny-bert');
    const p = fixture.bert_pair;
    const enc = tok.encode(p.text, { text_pair: p.text_pair, return_token_type_ids: true });
    expect(enc.ids).toEqual(p.ids);
    expect(enc.token_type_ids).toEqual(p.type_ids);
  });

  it('tiny-bert single encoding has all-zero type ids', () => {
    const tok = load('tiny-bert');
    const c = fixture.cases[0];
    expect(tok.encode(c.text, { return_token_type_ids: true }).token_type_ids).toEqual(c['tiny-bert-type-ids']);
  });

  it('tiny-t5 maps sentinels to the ids at the end of the vocabulary', () => {
    const tok = load('tiny-t5');
    const s = fixture.t5_sentinel;
    expect(tok.encode(s.text).ids).toEqual(s.ids);
    expect(s.ids).toContain(VOCAB_SIZE - 32);
  });

  it('tiny-llama puts <s> first and spells characters outside its vocabulary as UTF-8 byte pieces', () => {
    const tok = load('tiny-llama');
    const c = fixture.cases.find((x) => x.text.startsWith('Café'))!;
    expect(c['tiny-llama'][0]).toBe(1);
    const pieces = tok.encode(c.text).tokens;
    expect(pieces).toContain('<0xC3>');
    expect(pieces).toContain('<0xA9>');
    expect(tok.decode(c['tiny-llama'], { skip_special_tokens: true })).toBe(c.text);
  });

  it('tiny-llama decodes back to the original text', () => {
    const tok = load('tiny-llama');
    for (const c of fixture.cases.slice(0, 50)) expect(tok.decode(c['tiny-llama'], { skip_special_tokens: true })).toBe(c.text);
  });

  it('tiny-gpt2 decodes back to the original text', () => {
    const tok = load('tiny-gpt2');
    for (const c of fixture.cases.slice(0, 50)) expect(tok.decode(c['tiny-gpt2'])).toBe(c.text);
  });
});
