// Fuzzing the readers of model files with broken inputs: every one must end either in a
// valid parse or in an AtlasError with a message — never another exception, never a
// crash, never an allocation larger than the input (the readers validate sizes first).
import { describe, expect, it } from 'vitest';
import { parseSafetensors, readFloat32, writeSafetensors } from '../../src/lib/hub/safetensors';
import { parseConfig } from '../../src/lib/families';
import { AtlasError } from '../../src/lib/errors';
import { Prng } from '../helpers/prng';
import { realConfig } from '../helpers/random-checkpoint';
import { readFileSync } from 'node:fs';
import { loadTokenizer } from '../../src/lib/tokenize/load';
import { tokenizeText } from '../../src/lib/tokenize/tokenize';

/** Cases per generator; 6 safetensors + 3 config + 3 tokenizer generators ≥ 1,000 inputs in all. */
const CASES = 150;

type Outcome = 'ok' | 'refused';
function attempt(f: () => unknown): Outcome {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof AtlasError)) throw new Error(`not an AtlasError: ${e instanceof Error ? `${e.name}: ${e.message}` : e}`);
    expect(e.message.length).toBeGreaterThan(10);
    return 'refused';
  }
}

function fileWithHeader(header: string | Uint8Array, dataBytes: number, claimed?: bigint): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, claimed ?? BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

/** Parses and, if it parses, reads every tensor (which must stay inside the file). */
function readAll(bytes: Uint8Array): void {
  const f = parseSafetensors(bytes);
  for (const t of f.tensors.values()) {
    expect(t.end).toBeLessThanOrEqual(bytes.length);
    if (t.dtype === 'F32' || t.dtype === 'F16' || t.dtype === 'BF16') readFloat32(f, t);
  }
}

const counts = { inputs: 0, refused: 0 };
function run(f: () => unknown, expectRefusal = false): void {
  counts.inputs++;
  const outcome = attempt(f);
  if (outcome === 'refused') counts.refused++;
  if (expectRefusal) expect(outcome).toBe('refused');
}

describe('fuzz: safetensors reader', () => {
  const rng = new Prng(2024);
  const valid = writeSafetensors([
    { name: 'a', dtype: 'F32', shape: [3, 4], data: new Float32Array(12).fill(1) },
    { name: 'b', dtype: 'F16', shape: [5], data: new Uint16Array(5).fill(0x3c00) },
  ]);
  const int = (n: number) => rng.int(n);

  it('random bytes', () => {
    for (let i = 0; i < CASES; i++) run(() => readAll(Uint8Array.from({ length: int(512) }, () => int(256))));
  });

  it('absurd header lengths (up to 2^64 − 1) are refused before decoding', () => {
    const lengths = [2n ** 53n, 2n ** 64n - 1n, 2n ** 32n, 100_000_001n];
    for (let i = 0; i < CASES; i++) run(() => readAll(fileWithHeader('{}', int(64), lengths[i % lengths.length] + BigInt(int(1000)))), true);
  });

  it('every truncation of a valid file', () => {
    for (let cut = 0; cut < Math.min(valid.length, CASES); cut++) run(() => readAll(valid.subarray(0, cut)), true);
  });

  it('headers with offsets past the end, overlaps, bad shapes and dtypes', () => {
    const dtypes = ['F32', 'F16', 'BF16', 'I64', 'Q4', 'f32', '', 'F8_E4M3'];
    for (let i = 0; i < CASES; i++) {
      const n = 1 + int(3);
      const header: Record<string, unknown> = {};
      for (let t = 0; t < n; t++) {
        const begin = int(64) - 8;
        const shape = Array.from({ length: int(3) }, () => (rng.uniform() < 0.1 ? -1 : rng.uniform() < 0.1 ? 1.5 : int(6)));
        header[`t${t}`] = { dtype: dtypes[int(dtypes.length)], shape, data_offsets: [begin, begin + int(48)] };
      }
      run(() => readAll(fileWithHeader(JSON.stringify(header), int(64))));
    }
  });

  it('invalid UTF-8 and deeply nested JSON headers', () => {
    for (let i = 0; i < CASES; i++) {
      const depth = 1 + int(20_000);
      const header = i % 2 ? '['.repeat(depth) + ']'.repeat(depth) : Uint8Array.from([0x7b, 0x22, 0xc3, 0x28 + int(4), 0x22, 0x3a, 0x31, 0x7d]);
      run(() => readAll(fileWithHeader(header, 0)), true);
    }
  });

  it('random single-byte corruptions of a valid file', () => {
    for (let i = 0; i < CASES; i++) {
      const bytes = valid.slice();
      bytes[int(bytes.length)] = int(256);
      run(() => readAll(bytes));
    }
  });
});

describe('fuzz: config.json reader', () => {
  const rng = new Prng(7);
  const int = (n: number) => rng.int(n);
  const weird = [null, -1, 0, 1.5, 1e300, NaN, '12', [], {}, true, 2 ** 53, 'gelu', 'swish'];
  const names = ['gpt2', 'bert-base-uncased', 't5-small', 'flan-t5-small', 'distilbert-base-uncased'] as const;

  it('real configs with random fields replaced', () => {
    for (let i = 0; i < CASES; i++) {
      const config: Record<string, unknown> = { ...realConfig(names[i % names.length]) };
      const keys = Object.keys(config);
      for (let k = 0; k < 1 + int(3); k++) config[keys[int(keys.length)]] = weird[int(weird.length)];
      run(() => {
        const c = parseConfig(config);
        // Anything accepted has sane sizes.
        for (const v of [c.layers, c.heads, c.dModel, c.vocabSize]) expect(Number.isInteger(v) && v > 0 && v <= 10_000_000).toBe(true);
      });
    }
  });

  it('arbitrary JSON values', () => {
    for (let i = 0; i < CASES; i++) run(() => parseConfig(weird[int(weird.length)]), true);
  });

  it('unknown model types', () => {
    for (let i = 0; i < CASES; i++) run(() => parseConfig({ model_type: `type-${int(1e6)}`, n_layer: 2 }), true);
  });

});

describe('fuzz: tokenizer.json loader', () => {
  const rng = new Prng(99);
  const int = (n: number) => rng.int(n);
  const base = JSON.parse(readFileSync('tests/fixtures/tiny-t5/tokenizer.json', 'utf8')) as Record<string, unknown>;
  const bert = JSON.parse(readFileSync('static/models/bert-base-uncased/tokenizer.json', 'utf8')) as Record<string, unknown>;
  const weird = [null, 7, 'x', [], {}, [[1, 2]], { type: 'Nope' }, { type: 'BPE' }, { type: 'WordPiece', vocab: 5 }, { type: 'Unigram', vocab: [['a']] }];
  const load = (json: unknown) => {
    const tok = loadTokenizer('fuzz', json, {});
    // A tokenizer that loads must tokenize, or refuse with a message.
    tokenizeText(tok, 'Hello wörld, 東京 😀 [MASK] </s>');
  };

  it('structurally broken tokenizer.json files', () => {
    for (let i = 0; i < CASES; i++) {
      const src = i % 2 ? base : bert;
      const json: Record<string, unknown> = structuredClone(src);
      const keys = ['model', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'added_tokens'];
      for (let k = 0; k < 1 + int(2); k++) json[keys[int(keys.length)]] = weird[int(weird.length)];
      run(() => load(json));
    }
  });

  it('model fields of the wrong type or shape', () => {
    for (let i = 0; i < CASES; i++) {
      const json = structuredClone(i % 2 ? base : bert) as { model: Record<string, unknown> };
      const fields = Object.keys(json.model);
      json.model[fields[int(fields.length)]] = weird[int(weird.length)];
      run(() => load(json));
    }
  });

  it('arbitrary values instead of a tokenizer', () => {
    for (let i = 0; i < CASES; i++) run(() => load(weird[int(weird.length)]), true);
  });

  it('tried at least 1,000 inputs in all', () => {
    expect(counts.inputs).toBeGreaterThanOrEqual(1000);
    console.log(`fuzz: ${counts.inputs} broken model-file inputs (safetensors, config.json, tokenizer.json), ${counts.refused} refused with a message, 0 crashes`);
  });
});
