import { describe, expect, it } from 'vitest';
import { readTraceText } from '../../src/lib/trace/read-trace';
import { traceToJSON, traceToJSONString } from '../../src/lib/trace/json';
import { AtlasError } from '../../src/lib/errors';
import { syntheticTrace } from '../fixtures/synthetic-trace';

const expectBadTrace = (f: () => unknown, message: RegExp): void => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AtlasError);
    expect((e as AtlasError).code).toBe('bad-trace');
    expect((e as AtlasError).message).toMatch(message);
    return;
  }
  throw new Error('expected an AtlasError');
};

describe('reading a saved trace', () => {
  it('reads back what traceToJSON wrote', () => {
    const t = syntheticTrace({ family: 't5', tokens: 4, decoderTokens: 3 });
    const back = readTraceText(traceToJSONString(t));
    expect(back.decoderTokens).toEqual(t.decoderTokens);
    expect(Array.from(back.attention.cross!.probs!.data)).toEqual(Array.from(t.attention.cross!.probs!.data));
  });

  it('says when the file is not JSON, or its tensors do not fit its tokens', () => {
    expectBadTrace(() => readTraceText('{ nope', 'x.json'), /x\.json is not valid JSON/);
    const json = traceToJSON(syntheticTrace({ family: 'gpt2', tokens: 4 }));
    (json.tokens as unknown[]).pop();
    expectBadTrace(() => readTraceText(JSON.stringify(json)), /attentions\.self has shape \[2,2,4,4\], expected \[2,2,3,3\]/);
    const t5 = traceToJSON(syntheticTrace({ family: 't5', tokens: 4, decoderTokens: 3 }));
    delete t5.decoderTokens;
    expectBadTrace(() => readTraceText(JSON.stringify(t5)), /no decoder tokens/);
    const noAttn = traceToJSON(syntheticTrace({ family: 'bert' }));
    noAttn.attentions = {};
    delete noAttn.taps;
    expectBadTrace(() => readTraceText(JSON.stringify(noAttn)), /no attention weights/);
  });

  it('checks that q, k, v agree with the tokens', () => {
    const json = traceToJSON(syntheticTrace({ family: 'bert', tokens: 4 })) as { taps: { self: { k: number[][][][] } } };
    json.taps.self.k = json.taps.self.k.map((l) => l.map((h) => h.slice(0, 3)));
    expectBadTrace(() => readTraceText(JSON.stringify(json)), /taps\.self\.k has shape/);
  });
});

describe('a LLaMA trace, saved and read back as /view/ reads it', () => {
  it('keeps k and v per KV head, the pre-RoPE taps and the model facts, and checks the KV-head shapes', async () => {
    const { configureOrt } = await import('../../src/lib/runtime/backend');
    const { loadModel } = await import('../../src/lib/runtime/load');
    const { randomCheckpoint } = await import('../helpers/random-checkpoint');
    const { filesOf } = await import('../helpers/model-files');
    configureOrt({ threads: 1 });
    const cp = randomCheckpoint({ family: 'llama', seed: 61, layers: 2, dModel: 32, heads: 4, kvHeads: 2 });
    const runner = await loadModel(filesOf(cp), { id: 'llama', source: 'local' }, 'wasm');
    const trace = await runner.run('Once upon a time');
    const json = traceToJSON(trace);
    const back = readTraceText(JSON.stringify(json));
    expect(back.model).toMatchObject({ family: 'llama', kvHeads: 2, heads: 4, positionEncoding: 'rope', ropeTheta: 10000 });
    for (const tap of ['q', 'k', 'v', 'qPreRope', 'kPreRope', 'scores', 'context'] as const) {
      expect(back.attention.self![tap]!.shape, tap).toEqual(trace.attention.self![tap]!.shape);
      expect(Array.from(back.attention.self![tap]!.data.slice(0, 50)), tap).toEqual(Array.from(trace.attention.self![tap]!.data.slice(0, 50)));
    }
    expect(back.attention.self!.k!.shape[1]).toBe(2);
    // A trace claiming one KV head per query head no longer fits its k and v.
    const wrong = structuredClone(json) as { model: { kvHeads: number } };
    wrong.model.kvHeads = 4;
    expectBadTrace(() => readTraceText(JSON.stringify(wrong)), /taps\.self\.k has shape \[2,2,\d+,8\], expected \[2,4,\d+,8\]/);
    await runner.release();
  });
});
