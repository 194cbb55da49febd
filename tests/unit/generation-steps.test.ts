// Issue 14, point 4: a continuation records, per written token, the model's probability of it and
// its alternatives from that step's own forward pass; checked against a separate forward pass over
// the final text (logits at every position), and the step list's query rows line up.
import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import { randomCheckpoint } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { generationSteps } from '../../src/lib/trace/generation-steps';
import { traceFromJSON, traceToJSONString } from '../../src/lib/trace/json';

beforeAll(() => configureOrt({ threads: 1 }));

const softmax = (l: Float32Array) => {
  const m = Math.max(...l);
  const e = Array.from(l, (x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

describe('generation steps', () => {
  for (const [name, sampleTopK] of [['greedy', 1], ['sampled from the top 10', 10]] as const)
    it(`${name}: each step's token, probability and alternatives are the model's own`, async () => {
      const cp = randomCheckpoint({ family: 'gpt2', seed: 91, layers: 2, dModel: 32, heads: 4 });
      const runner = await loadModel(filesOf(cp), { id: 'gpt2', source: 'local' }, 'wasm');
      const prompt = 'The cat sat on the';
      const trace = await runner.generate(prompt, { steps: 6, sampleTopK, seed: 3, taps: ['probs'] });
      const g = trace.generated!;
      expect(g.steps.length).toBe(trace.tokens.length - g.from);
      expect(g.steps.length).toBeGreaterThan(0);
      // A separate forward over the final tokens, with logits at every position.
      const check = await runner.runTokens(trace.text, trace.tokens, { taps: ['probs'], predictAll: true, keepLogits: true });
      const V = trace.model.vocabSize;
      g.steps.forEach((s, k) => {
        const p = g.from + k;
        expect(s.id).toBe(trace.tokens[p].id);
        const probs = softmax(check.logits!.values.data.subarray((p - 1) * V, p * V));
        expect(s.prob).toBeCloseTo(probs[s.id], 5);
        expect(s.alternatives[0].prob).toBeCloseTo(Math.max(...probs), 5);
        if (sampleTopK === 1) expect(s.id).toBe(s.alternatives[0].id);
      });
      const steps = generationSteps(trace);
      expect(steps.map((s) => s.query)).toEqual(g.steps.map((_, k) => g.from + k - 1));
      expect(steps.every((s) => s.kind === 'self')).toBe(true);
      // Saved and read back.
      expect(traceFromJSON(JSON.parse(traceToJSONString(trace))).generated).toEqual(g);
      await runner.release();
    });

  it('T5: the target it wrote, each token with the prediction of the position before it (cross-attention)', async () => {
    const cp = randomCheckpoint({ family: 't5', seed: 92, layers: 2, dModel: 32, heads: 4 });
    const runner = await loadModel(filesOf(cp), { id: 't5', source: 'local' }, 'wasm');
    const trace = await runner.run('translate: a b c', { steps: 4 });
    const steps = generationSteps(trace);
    expect(steps.length).toBe(trace.decoderTokens!.length - 1);
    steps.forEach((s, i) => {
      expect(s.kind).toBe('cross');
      expect(s.query).toBe(i);
      expect(s.token).toEqual(trace.decoderTokens![i + 1]);
      // Greedy: the written token is the top candidate of the position before it.
      expect(s.prob).toBe(trace.predictions!.find((p) => p.position === i)!.candidates[0].prob);
    });
    await runner.release();
  });
});
