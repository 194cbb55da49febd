// llama2.c checkpoints (written here in its own layout) converted to the Hugging Face LLaMA
// layout and run by the app, against a float64 forward pass of llama2.c's run.c semantics
// (interleaved RoPE pairs) — which only agrees if each head's wq/wk rows are permuted right.
import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import { filesFromDrop } from '../../src/lib/hub/sources';
import { llama2cParams, llama2cToHfFiles } from '../../src/lib/hub/llama2c';
import { AtlasError } from '../../src/lib/errors';
import { llama2cCheckpoint, llama2cTokenizer, randomLlama2cWeights, type Llama2cSpec } from '../helpers/llama2c-files';
import { llama2cEncode, llama2cForward } from '../reference/llama2c';

const TOLERANCE = 1e-4;
const SPEC: Llama2cSpec = { dim: 32, hiddenDim: 48, layers: 2, heads: 4, kvHeads: 2, vocabSize: 400, seqLen: 64, shared: true, version: 0, seed: 7 };

beforeAll(() => configureOrt({ threads: 1 }));

function expectError(f: () => unknown, message: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AtlasError);
    expect((e as AtlasError).message).toMatch(message);
    return;
  }
  throw new Error('expected an error');
}

describe('llama2.c checkpoints', () => {
  for (const variant of [
    { version: 0, shared: true },
    { version: 1, shared: false },
  ] as const) {
    it(`version ${variant.version} (${variant.shared ? 'shared' : 'separate'} classifier) matches llama2.c's own forward pass`, async () => {
      const spec = { ...SPEC, ...variant, seed: 7 + variant.version };
      const weights = randomLlama2cWeights(spec);
      const tok = llama2cTokenizer(spec.vocabSize);
      const files = llama2cToHfFiles(llama2cCheckpoint(spec, weights), tok.bytes);
      const runner = await loadModel(filesFromDrop('stories', files), { id: 'stories', source: 'local' }, 'wasm');
      expect(runner.info).toMatchObject({ family: 'llama', layers: 2, heads: 4, kvHeads: 2, headDim: 8, vocabSize: 400, maxPositions: 64 });
      const text = 'Once upon a time there was a little girl.';
      const trace = await runner.run(text, { taps: ['probs'], predictAll: true, keepLogits: true });
      const ids = trace.tokens.map((t) => t.id);
      expect(ids).toEqual(llama2cEncode(tok.pieces, tok.scores, text));
      const ref = llama2cForward(spec, weights, ids);
      const probs = trace.attention.self!.probs!;
      expect(probs.shape).toEqual([2, 4, ids.length, ids.length]);
      let maxProb = 0;
      for (let i = 0; i < ref.probs.length; i++) maxProb = Math.max(maxProb, Math.abs(probs.data[i] - ref.probs[i]));
      let maxLogit = 0;
      for (let i = 0; i < ref.logits.length; i++) maxLogit = Math.max(maxLogit, Math.abs(trace.logits!.values.data[i] - ref.logits[i]));
      expect(maxProb).toBeLessThan(TOLERANCE);
      expect(maxLogit).toBeLessThan(TOLERANCE);
      await runner.release();
    });
  }

  it('tokenizes as llama2.c encode() does, byte fallback included', async () => {
    const tok = llama2cTokenizer(SPEC.vocabSize);
    const files = llama2cToHfFiles(llama2cCheckpoint(SPEC, randomLlama2cWeights(SPEC)), tok.bytes);
    const runner = await loadModel(filesFromDrop('stories', files), { id: 'stories', source: 'local' }, 'wasm');
    for (const text of ['Once upon a time', 'The  girl', 'a', 'Zürich 🙂 東京', 'the there then, then.', 'Tim'])
      expect([text, runner.codec.encode(text).tokens.map((t) => t.id)]).toEqual([text, llama2cEncode(tok.pieces, tok.scores, text)]);
    await runner.release();
  });

  it('says what is wrong with a broken checkpoint or tokenizer', () => {
    const bin = llama2cCheckpoint(SPEC, randomLlama2cWeights(SPEC));
    const tok = llama2cTokenizer(SPEC.vocabSize).bytes;
    expectError(() => llama2cParams(bin.subarray(0, bin.length - 4)), /is \d+ bytes, but a llama2\.c legacy checkpoint with this header .* is \d+ bytes/);
    expectError(() => llama2cParams(bin.subarray(0, 20)), /too short for a llama2\.c header/);
    const v2 = llama2cCheckpoint({ ...SPEC, version: 1 }, randomLlama2cWeights(SPEC));
    new DataView(v2.buffer).setInt32(4, 2, true);
    expectError(() => llama2cParams(v2), /version 2 file \(int8-quantized/);
    new DataView(v2.buffer).setInt32(4, 7, true);
    expectError(() => llama2cParams(v2), /version 7/);
    expectError(() => llama2cToHfFiles(bin, llama2cTokenizer(SPEC.vocabSize + 1).bytes), /has 401 tokens, but the checkpoint's vocabulary has 400/);
    const garbage = new Uint8Array(bin);
    new DataView(garbage.buffer).setInt32(0, -5, true);
    expectError(() => llama2cParams(garbage), /does not start with a llama2\.c header/);
    expectError(() => llama2cToHfFiles(bin, tok.subarray(0, tok.length - 3)), /ends inside token|has length/);
  });
});
