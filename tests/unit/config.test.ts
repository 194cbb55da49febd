import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/lib/families';
import { relativeBucket } from '../../src/lib/families/t5/graph';

const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

describe('config.json reading', () => {
  it('reads the real gpt2 and bert-base-uncased configs with transformers defaults', () => {
    const gpt2 = parseConfig(read('static/models/gpt2/config.json'));
    expect(gpt2).toMatchObject({ family: 'gpt2', layers: 12, heads: 12, dModel: 768, dInner: 3072, vocabSize: 50257, maxPositions: 1024, eps: 1e-5, activation: 'gelu_new' });
    const bert = parseConfig(read('static/models/bert-base-uncased/config.json'));
    expect(bert).toMatchObject({ family: 'bert', variant: 'bert', layers: 12, heads: 12, dModel: 768, dInner: 3072, vocabSize: 30522, maxPositions: 512, typeVocabSize: 2, eps: 1e-12, activation: 'gelu' });
  });

  it('maps T5 feed_forward_proj to the FFN form and activation', () => {
    const base = { model_type: 't5', d_model: 8, d_kv: 2, d_ff: 16, num_layers: 2, num_heads: 4, vocab_size: 10 };
    expect(parseConfig({ ...base, feed_forward_proj: 'relu' })).toMatchObject({ gated: false, activation: 'relu', decoderLayers: 2, tiedEmbeddings: true });
    expect(parseConfig({ ...base, feed_forward_proj: 'gated-gelu', tie_word_embeddings: false })).toMatchObject({ gated: true, activation: 'gelu_new', tiedEmbeddings: false });
  });

  it('names the supported families for an unsupported model_type', () => {
    expect(() => parseConfig({ model_type: 'mamba' })).toThrow(/"mamba", which Attention Atlas cannot run/);
    try {
      parseConfig({ model_type: 'mamba' });
    } catch (e) {
      expect((e as { hint: string }).hint).toMatch(/gpt2, bert, distilbert, t5/);
    }
  });

  it('rejects garbage sizes before anything is allocated', () => {
    expect(() => parseConfig({ model_type: 'gpt2', n_layer: 2, n_head: 2, n_embd: -16, vocab_size: 10 })).toThrow(/invalid "n_embd": -16/);
    expect(() => parseConfig({ model_type: 'gpt2', n_layer: 2, n_head: 3, n_embd: 16, vocab_size: 10 })).toThrow(/does not divide into 3 heads/);
    expect(() => parseConfig('nope')).toThrow(/not a JSON object/);
  });
});

describe('T5 relative position buckets', () => {
  // Worked by hand from the formula (32 buckets, max distance 128).
  // Bidirectional: 16 buckets per direction, 8 exact; keys after the query use 16–31.
  it('bidirectional', () => {
    const b = (r: number) => relativeBucket(r, true, 32, 128);
    expect([0, -1, -7, 1, 7].map(b)).toEqual([0, 1, 7, 17, 23]);
    // n = 8: 8 + floor(log(8/8)/log(128/8)·8) = 8; n = 16: 8 + floor(log 2 / log 16 · 8) = 8 + 2 = 10
    expect([-8, -16, 16].map(b)).toEqual([8, 10, 26]);
    // n = 127 → 8 + floor(log(15.875)/log(16)·8) = 8 + 7 = 15; beyond max distance stays 15
    expect([-127, -1000, 1000].map(b)).toEqual([15, 15, 31]);
  });
  it('unidirectional (decoder): only keys before the query', () => {
    const u = (r: number) => relativeBucket(r, false, 32, 128);
    expect([0, 3, 100, -1, -15].map(u)).toEqual([0, 0, 0, 1, 15]);
    // 32 buckets, 16 exact: n = 16 → 16; n = 32 → 16 + floor(log 2 / log 8 · 16) = 16 + 5 = 21
    expect([-16, -32, -500].map(u)).toEqual([16, 21, 31]);
  });
});
