// Bad model files and bad input end in a clear AtlasError that names what happened
// (and, where it helps, what to do) — never a crash or a huge allocation.
import { beforeAll, describe, expect, it } from 'vitest';
import { randomCheckpoint } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel, type ModelFiles } from '../../src/lib/runtime/load';
import { parseSafetensors, writeSafetensors } from '../../src/lib/hub/safetensors';
import { AtlasError } from '../../src/lib/errors';

beforeAll(() => configureOrt({ threads: 1 }));

async function failure(p: Promise<unknown>): Promise<AtlasError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AtlasError);
    return e as AtlasError;
  }
  throw new Error('expected the call to fail');
}

const gpt2 = () => randomCheckpoint({ family: 'gpt2', seed: 1, layers: 1, dModel: 16, heads: 2, maxPositions: 8 });
const load = (files: ModelFiles) => loadModel(files, { id: 'broken', source: 'local' }, 'wasm');

/** Re-writes a checkpoint's safetensors with `edit` applied to its tensor list. */
function editTensors(files: ModelFiles, edit: (t: { name: string; dtype: 'F32'; shape: number[]; data: Float32Array }[]) => void): ModelFiles {
  const file = parseSafetensors(files.weights[0].bytes);
  const tensors = [...file.tensors.values()].map((t) => ({
    name: t.name,
    dtype: 'F32' as const,
    shape: [...t.shape],
    data: new Float32Array(file.bytes.slice(t.begin, t.end).buffer),
  }));
  edit(tensors);
  return { ...files, weights: [{ name: 'model.safetensors', bytes: writeSafetensors(tensors) }] };
}

describe('loading broken models', () => {
  it('an unsupported model_type names the supported families', async () => {
    const files = filesOf(gpt2());
    const e = await failure(load({ ...files, config: { ...(files.config as object), model_type: 'mamba' } }));
    expect(e.code).toBe('unsupported-model');
    expect(e.message).toMatch(/"mamba"/);
    expect(e.hint).toMatch(/gpt2, bert, distilbert, t5/);
  });

  it('a missing tensor is named', async () => {
    const files = editTensors(filesOf(gpt2()), (t) => t.splice(t.findIndex((x) => x.name.endsWith('h.0.attn.c_attn.weight')), 1));
    const e = await failure(load(files));
    expect(e.code).toBe('missing-tensor');
    expect(e.message).toMatch(/h\.0\.attn\.c_attn\.weight/);
  });

  it('a mis-shaped tensor is named with both shapes', async () => {
    const files = editTensors(filesOf(gpt2()), (t) => {
      const w = t.find((x) => x.name.endsWith('h.0.mlp.c_fc.weight'))!;
      w.shape = [w.shape[1], w.shape[0]];
    });
    const e = await failure(load(files));
    expect(e.code).toBe('tensor-shape');
    expect(e.message).toMatch(/h\.0\.mlp\.c_fc\.weight" has shape \[64, 16\] but config\.json implies \[16, 64\]/);
  });

  it('a truncated safetensors file is refused before any tensor is read', async () => {
    const files = filesOf(gpt2());
    const bytes = files.weights[0].bytes;
    const e = await failure(load({ ...files, weights: [{ name: 'model.safetensors', bytes: bytes.subarray(0, bytes.length - 100) }] }));
    expect(e.code).toBe('bad-safetensors');
    expect(e.message).toMatch(/outside the .* data bytes/);
  });

  it('garbage instead of safetensors is refused', async () => {
    const files = filesOf(gpt2());
    const garbage = new Uint8Array(4096).map((_, i) => (i * 131 + 7) & 0xff);
    const e = await failure(load({ ...files, weights: [{ name: 'model.safetensors', bytes: garbage }] }));
    expect(e.code).toBe('bad-safetensors');
  });
});

describe('bad input text', () => {
  it('text longer than the positions says the limit and offers truncation', async () => {
    const runner = await load(filesOf(gpt2()));
    const long = 'one two three four five six seven eight nine ten';
    const e = await failure(runner.run(long));
    expect(e.code).toBe('too-long');
    expect(e.message).toMatch(/10 tokens long; broken reads at most 8/);
    expect(e.hint).toMatch(/run on its first 8 tokens .*Run on the first part.*--truncate/);
    const truncated = await runner.run(long, { truncate: true });
    expect(truncated.tokens).toHaveLength(8);
    expect(truncated.tokens[7].text).toBe('Ġeight');
  });

  it('empty or blank text asks for text', async () => {
    const runner = await load(filesOf(gpt2()));
    for (const text of ['', '   \n\t']) {
      const e = await failure(runner.run(text));
      expect(e.code).toBe('bad-input');
      expect(e.hint).toMatch(/Type a sentence/);
    }
  });
});

describe('odd input', () => {
  it('only special tokens run (GPT-2 <|endoftext|>, BERT [CLS] [SEP])', async () => {
    const g = await load(filesOf(randomCheckpoint({ family: 'gpt2', seed: 2, layers: 1, dModel: 16, heads: 2 })));
    const tg = await g.run('<|endoftext|><|endoftext|>');
    expect(tg.tokens.map((t) => [t.text, t.special])).toEqual([
      ['<|endoftext|>', true],
      ['<|endoftext|>', true],
    ]);
    const b = await load(filesOf(randomCheckpoint({ family: 'bert', seed: 2, layers: 1, dModel: 16, heads: 2 })));
    const tb = await b.run('[SEP]');
    expect(tb.tokens.every((t) => t.special)).toBe(true);
    expect(tb.attention.self!.probs!.shape[3]).toBe(tb.tokens.length);
  });

  it('100,000 characters are refused as too long, with the limit, without running', async () => {
    const runner = await load(filesOf(gpt2()));
    const text = 'All work and no play makes Jack a dull boy. '.repeat(2300).slice(0, 100_000);
    expect(text.length).toBe(100_000);
    const e = await failure(runner.run(text));
    expect(e.code).toBe('too-long');
    expect(e.message).toMatch(/reads at most 8/);
  });

  it('a run whose trace would not fit in memory is refused before it starts', async () => {
    // 12 layers × 12 heads like GPT-2 small (narrow heads keep the weights tiny): at 1,500
    // tokens every tap would hold 12·12·1500²·4 B ≈ 1.3 GB for the scores alone.
    const cp = randomCheckpoint({ family: 'gpt2', seed: 3, layers: 12, dModel: 48, heads: 12, maxPositions: 2048 });
    const runner = await load(filesOf(cp));
    const text = Array.from({ length: 1500 }, (_, i) => ` w${i % 10}`).join('');
    const e = await failure(runner.run(text, { truncate: true }));
    expect(e.code).toBe('too-much-memory');
    expect(e.message).toMatch(/about \d+ MB of attention data, over the 1000 MB/);
    expect(e.hint).toMatch(/fewer taps/);
    // With the probabilities only, the same text fits.
    const probs = await runner.run(text.slice(0, 1200), { taps: ['probs'], truncate: true });
    expect(probs.attention.self!.probs).toBeDefined();
  });
});

describe('models too big for a tab', () => {
  it('over 3 GiB of float32 weights is refused with the numbers; under it passes', async () => {
    const { checkWeightMemory, WEIGHT_MEMORY_LIMIT } = await import('../../src/lib/runtime/memory');
    expect(WEIGHT_MEMORY_LIMIT).toBe(3 * 2 ** 30);
    // TinyLlama-1.1B: 1,100,048,384 parameters = 4.1 GiB as float32.
    expect(() => checkWeightMemory('TinyLlama', 1_100_048_384)).toThrow(/TinyLlama has 1100 M parameters: as float32 that is 4\.1 GiB, more than the 3 GiB/);
    // Qwen2.5-0.5B: 494,032,768 parameters = 1.8 GiB.
    expect(() => checkWeightMemory('Qwen2.5-0.5B', 494_032_768)).not.toThrow();
  });
});
