// The random-checkpoint helper writes real Hugging Face layouts: the files parse, the real
// tokenizers' ids run through the reference, and the tiny T5 tokenizer matches its generator.

import { Tokenizer } from '@huggingface/tokenizers';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../src/lib/hub/safetensors';
import { tinyT5TokenizerText } from '../fixtures/tiny-t5/make-tokenizer';
import { checkpointWeights, randomCheckpoint, TOKENIZERS, tokenizerVocabSize, writeCheckpoint, idsModulo } from '../helpers/random-checkpoint';
import { bertForward } from '../reference/bert';
import { gpt2Forward } from '../reference/gpt2';
import { t5Forward, t5Greedy } from '../reference/t5';
import { weightsFromSafetensors } from '../reference/weights';

const work = mkdtempSync(join(tmpdir(), 'random-checkpoint-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function loadTokenizer(dir: string): Tokenizer {
  let config: object = {};
  try {
    config = readJson(join(dir, 'tokenizer_config.json'));
  } catch {
    // BERT and the tiny T5 ship no tokenizer_config.json
  }
  return new Tokenizer(readJson(join(dir, 'tokenizer.json')), config);
}

describe('random checkpoints on disk', () => {
  it('GPT-2: HF names, real tokenizer, and the reference runs on the written files', () => {
    const dir = join(work, 'gpt2');
    writeCheckpoint(randomCheckpoint({ family: 'gpt2', seed: 7, layers: 3, dModel: 48, heads: 3 }), dir);
    const config = readJson(join(dir, 'config.json'));
    expect(config).toMatchObject({ model_type: 'gpt2', n_embd: 48, n_head: 3, n_layer: 3, vocab_size: 50257, n_positions: 1024 });
    const bytes = readFileSync(join(dir, 'model.safetensors'));
    const file = parseSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    expect(file.tensors.get('transformer.h.2.attn.c_attn.weight')?.shape).toEqual([48, 144]);
    expect(file.tensors.get('transformer.wte.weight')?.shape).toEqual([50257, 48]);
    expect(file.tensors.has('lm_head.weight')).toBe(false); // tied, as in the real checkpoint
    expect(JSON.parse(file.metadata.random_checkpoint)).toMatchObject({ kind: 'random', options: { seed: 7 } });
    const ids = loadTokenizer(dir).encode('Attention is all you need.').ids;
    expect(ids.length).toBeGreaterThan(3);
    const trace = gpt2Forward(config, weightsFromSafetensors(new Uint8Array(bytes)), ids);
    expect(trace.logits.shape).toEqual([ids.length, 50257]);
    expect(trace.attention.self!.probs.shape).toEqual([3, 3, ids.length, ids.length]);
  });

  it('BERT: the real uncased WordPiece tokenizer with [MASK] feeds the MLM reference', () => {
    const dir = join(work, 'bert');
    writeCheckpoint(randomCheckpoint({ family: 'bert', seed: 8 }), dir);
    const enc = loadTokenizer(dir).encode('The cat [MASK] on the mat.');
    expect(enc.ids[0]).toBe(101); // [CLS]
    expect(enc.ids).toContain(103); // [MASK]
    const trace = bertForward(readJson(join(dir, 'config.json')), weightsFromSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors')))), enc.ids);
    expect(trace.logits.shape).toEqual([enc.ids.length, 30522]);
  });

  it('a reduced vocabulary takes real ids modulo its size', () => {
    const c = randomCheckpoint({ family: 'gpt2', seed: 1, vocabSize: 100 });
    expect(c.config.vocab_size).toBe(100);
    const ids = idsModulo([464, 2068, 50256], 100);
    expect(ids).toEqual([64, 68, 56]);
    const weights = checkpointWeights(c);
    expect(() => gpt2Forward(c.config, weights, [464])).toThrow(/outside \[0, 100\)/);
    expect(gpt2Forward(c.config, weights, ids).logits.shape).toEqual([3, 100]);
  });
});

describe('tiny T5 tokenizer', () => {
  it('is exactly what its generator writes', () => {
    expect(readFileSync(TOKENIZERS.t5, 'utf8')).toBe(tinyT5TokenizerText());
  });

  it('tokenizes like a T5 SentencePiece tokenizer and drives a random T5', () => {
    const dir = join(work, 't5');
    const checkpoint = randomCheckpoint({ family: 't5-v1_1', seed: 9 });
    writeCheckpoint(checkpoint, dir);
    const tok = loadTokenizer(dir);
    const vocab = tokenizerVocabSize(TOKENIZERS.t5);
    expect(checkpoint.config.vocab_size).toBe(vocab);
    const enc = tok.encode('translate English to German: The house is small.');
    expect(enc.tokens.slice(0, 4)).toEqual(['▁translate', '▁English', '▁to', '▁German']);
    expect(enc.ids[enc.ids.length - 1]).toBe(1); // </s>
    expect(tok.encode('<extra_id_0>').ids[0]).toBe(vocab - 1);
    expect(tok.decode(enc.ids, { skip_special_tokens: true })).toBe('translate English to German: The house is small.');
    const weights = weightsFromSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
    const config = readJson(join(dir, 'config.json'));
    const out = t5Greedy(config, weights, enc.ids, 5);
    expect(out[0]).toBe(0);
    expect(out.every((id) => id >= 0 && id < vocab)).toBe(true);
    // Greedy picks the argmax of each step's last logits row.
    const trace = t5Forward(config, weights, enc.ids, out.slice(0, 2));
    const row = trace.logits.data.subarray(vocab * 1, vocab * 2);
    expect(row.indexOf(Math.max(...row))).toBe(out[2]);
  });
});
