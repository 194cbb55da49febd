// Issue 19, item 9: a config.json whose vocab_size is smaller than its tokenizer's
// vocabulary. It used to load and then fail with onnxruntime's raw "Gather … idx=1444
// must be within [-100,99]" and the hint "Try a shorter text".
import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../src/lib/runtime/backend';
import { readModelDir } from '../../src/lib/runtime/node';
import { loadModel } from '../../src/lib/runtime/load';
import { checkVocabulary } from '../../src/lib/runtime/vocab-check';
import { openModel } from '../../tools/trace';
import { AtlasError } from '../../src/lib/errors';
import { mkdtempSync } from 'node:fs';
import { randomCheckpoint, writeCheckpoint } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

beforeAll(() => configureOrt({ threads: 1 }));

/** A GPT-2 whose config and weights have 100 embedding rows, with the real GPT-2 tokenizer (50,257 tokens). */
const small = () => randomCheckpoint({ family: 'gpt2', seed: 1, layers: 1, dModel: 16, heads: 2, maxPositions: 32, vocabSize: 100 });
const GPT2_TOKENS = 50257;

async function error(p: Promise<unknown> | (() => unknown)): Promise<AtlasError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof AtlasError) return e;
    throw e;
  }
  throw new Error('expected an AtlasError');
}

describe('vocab_size against the tokenizer', () => {
  it('a run with an id past the embedding table names the id and both sizes', async () => {
    const runner = await loadModel(filesOf(small()), { id: 'small-vocab', source: 'local' }, 'wasm');
    const e = await error(runner.run('the cat sat on the mat'));
    expect(e.code).toBe('bad-config');
    expect(e.message).toMatch(/id \d{3,}/);
    expect(e.message).toMatch(/100 rows/);
    expect(e.hint).toMatch(/vocab_size/);
    expect(e.hint).not.toMatch(/shorter text/);
    await runner.release();
  });

  it('at load the app refuses it, naming vocab_size and the tokenizer size', async () => {
    const runner = await loadModel(filesOf(small()), { id: 'small-vocab', source: 'local' }, 'wasm');
    const e = await error(() => checkVocabulary(runner.codec.tokenizer, runner.info.vocabSize, runner.info.id));
    expect(e.message).toContain('vocab_size 100');
    expect(e.message).toContain(`${GPT2_TOKENS} tokens`);
    // The CLI does the same check when it opens a folder.
    const dir = mkdtempSync(join(tmpdir(), 'atlas-vocab-'));
    writeCheckpoint(small(), dir);
    const cli = await error(openModel(dir, 'main', 1));
    expect(cli.message).toContain('vocab_size 100');
  });

  it('a matching model passes both checks and runs', async () => {
    const runner = await loadModel(readModelDir('static/models/tiny-gpt2'), { id: 'tiny-gpt2', source: 'embedded' }, 'wasm');
    checkVocabulary(runner.codec.tokenizer, runner.info.vocabSize, runner.info.id);
    const trace = await runner.run('the cat sat on the mat');
    expect(trace.tokens.length).toBeGreaterThan(3);
    await runner.release();
  });
});

describe('ids from config.json against the embedding table', () => {
  it('a T5 decoder_start_token_id past vocab_size is refused at load, naming both', async () => {
    const files = filesOf(randomCheckpoint({ family: 't5', seed: 3, layers: 1, dModel: 16, heads: 2 }));
    const config = files.config as Record<string, unknown>;
    const runner = await loadModel({ ...files, config: { ...config, decoder_start_token_id: (config.vocab_size as number) + 5 } }, { id: 'bad-start', source: 'local' }, 'wasm');
    const e = await error(() => checkVocabulary(runner.codec.tokenizer, runner.info.vocabSize, runner.info.id, runner.config));
    expect(e.message).toContain(`decoder_start_token_id ${(config.vocab_size as number) + 5}`);
    expect(e.message).toContain(`vocab_size ${config.vocab_size}`);
    // The same model with its own start token passes.
    const good = await loadModel(files, { id: 'good', source: 'local' }, 'wasm');
    checkVocabulary(good.codec.tokenizer, good.info.vocabSize, good.info.id, good.config);
  });
});
