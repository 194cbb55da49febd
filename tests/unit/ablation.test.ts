// Head ablation (src/lib/graph/ablation.ts) in the app's graphs against the float64 reference
// with the same heads ablated (tests/reference/ops.ts applyAblation): logits within 1e-4 for
// every family and all three modes; the ablated heads' own taps unchanged; one session serves
// every choice of heads and mode.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointWeights, randomCheckpoint, type RandomCheckpointOptions } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { gpt2Forward } from '../reference/gpt2';
import { bertForward } from '../reference/bert';
import { t5Forward } from '../reference/t5';
import { llamaForward } from '../reference/llama';
import { optForward } from '../reference/opt';
import type { RefAblation } from '../reference/ops';
import type { HFConfig, ReferenceTrace, Weights } from '../reference/types';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import type { ModelRunner } from '../../src/lib/runtime/runner';
import type { Ablation } from '../../src/lib/graph/taps';
import type { AblationMode } from '../../src/lib/graph/ablation';
import type { DenseTrace } from '../../src/lib/trace/types';
import { traceFromJSON, traceToJSON } from '../../src/lib/trace/json';
import { attentionChanges, klFromLogits, predictionShift } from '../../src/lib/trace/ablation-effect';

const TOLERANCE = 1e-4;
const MODES: AblationMode[] = ['zero', 'mean', 'uniform'];

beforeAll(() => configureOrt({ threads: 1 }));

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

interface Case {
  name: string;
  options: RandomCheckpointOptions;
  text: string;
  target?: string;
  heads: Ablation['heads'];
  reference(config: HFConfig, weights: Weights, trace: DenseTrace, ablation?: RefAblation): ReferenceTrace;
}

const ids = (t: DenseTrace) => t.tokens.map((x) => x.id);
const CASES: Case[] = [
  { name: 'GPT-2', options: { family: 'gpt2', seed: 31, layers: 2, dModel: 32, heads: 4 }, text: 'The quick brown fox jumps over the lazy dog', heads: [{ kind: 'self', layer: 0, head: 1 }, { kind: 'self', layer: 1, head: 3 }], reference: (c, w, t, a) => gpt2Forward(c, w, ids(t), a) },
  { name: 'BERT', options: { family: 'bert', seed: 32, layers: 2, dModel: 32, heads: 4 }, text: 'The cat sat on the [MASK] today.', heads: [{ kind: 'self', layer: 1, head: 0 }], reference: (c, w, t, a) => bertForward(c, w, ids(t), { ablation: a }) },
  {
    name: 'T5 (encoder, decoder and cross heads)',
    options: { family: 't5', seed: 33, layers: 2, dModel: 32, heads: 4 },
    text: 'summarize: the house is big and old',
    target: 'the house',
    heads: [{ kind: 'encoder', layer: 0, head: 2 }, { kind: 'decoder', layer: 1, head: 1 }, { kind: 'cross', layer: 0, head: 3 }],
    reference: (c, w, t, a) => t5Forward(c, w, ids(t), t.decoderTokens!.map((x) => x.id), { ablation: a }),
  },
  { name: 'LLaMA (grouped-query)', options: { family: 'llama', seed: 34, layers: 2, dModel: 64, heads: 4, kvHeads: 2 }, text: 'Once upon a time there was a cat', heads: [{ kind: 'self', layer: 1, head: 2 }], reference: (c, w, t, a) => llamaForward(c, w, ids(t), a) },
  { name: 'OPT', options: { family: 'opt', seed: 35, layers: 2, dModel: 32, heads: 4 }, text: 'Hello there, how are you today?', heads: [{ kind: 'self', layer: 0, head: 0 }], reference: (c, w, t, a) => optForward(c, w, ids(t), a) },
];

/** The reference's logits at the positions the trace kept (BERT keeps only non-special ones). */
function refLogits(trace: DenseTrace, ref: ReferenceTrace): Float64Array {
  const v = ref.logits.shape[1];
  const out = new Float64Array(trace.logits!.positions.length * v);
  trace.logits!.positions.forEach((p, i) => out.set(ref.logits.data.subarray(p * v, (p + 1) * v), i * v));
  return out;
}

async function traced(runner: ModelRunner, c: Case, ablation?: Ablation): Promise<DenseTrace> {
  return runner.run(c.text, { keepLogits: true, predictAll: true, ...(ablation ? { ablation } : {}) }, c.target);
}

describe('head ablation against the float64 reference', () => {
  for (const c of CASES)
    it(`${c.name}: zero, mean and uniform give the reference's logits; the heads' own taps are unchanged`, async () => {
      const cp = randomCheckpoint(c.options);
      const weights = checkpointWeights(cp);
      const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
      const plain = await traced(runner, c);
      const plainRef = c.reference(cp.config, weights, plain);
      expect(maxDiff(plain.logits!.values.data, refLogits(plain, plainRef))).toBeLessThan(TOLERANCE);
      for (const mode of MODES) {
        const ablation: Ablation = { heads: c.heads, mode };
        const trace = await traced(runner, c, ablation);
        const ref = c.reference(cp.config, weights, trace, ablation);
        expect(maxDiff(trace.logits!.values.data, refLogits(trace, ref)), `${mode} logits`).toBeLessThan(TOLERANCE);
        // It changed the model's output…
        expect(maxDiff(trace.logits!.values.data, plain.logits!.values.data), `${mode} changes something`).toBeGreaterThan(1e-3);
        // …and the trace says so, while the first ablated head's own weights are what it computed.
        expect(trace.ablation).toEqual(ablation);
        const { kind, layer, head } = c.heads[0];
        const p = trace.attention[kind]!.probs!;
        const [, H, Q, K] = p.shape;
        const own = p.data.subarray((layer * H + head) * Q * K, (layer * H + head + 1) * Q * K);
        const refOwn = ref.attention[kind]!.probs.data.subarray((layer * H + head) * Q * K, (layer * H + head + 1) * Q * K);
        expect(maxDiff(own, refOwn)).toBeLessThan(TOLERANCE);
      }
      // One ablation graph serves every choice of heads and mode (it takes them as inputs).
      const sessions = (runner as unknown as { sessions: Map<string, unknown> }).sessions;
      const ablationSessions = [...sessions.keys()].filter((k) => k.endsWith(':ablate'));
      expect(ablationSessions.length).toBe(c.target === undefined ? 1 : 2); // T5: encoder + decoder
      await runner.release();
    });

  it('a greedy continuation of an ablated GPT-2 is the ablated reference’s', async () => {
    const c = CASES[0];
    const cp = randomCheckpoint(c.options);
    const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
    const ablation: Ablation = { heads: c.heads, mode: 'zero' };
    const trace = await runner.generate('Once upon a', { steps: 5, taps: ['probs'], ablation });
    const prompt = runner.codec.encode('Once upon a').tokens.map((t) => t.id);
    const expected = [...prompt];
    for (let s = 0; s < 5; s++) {
      const logits = gpt2Forward(cp.config, checkpointWeights(cp), expected, ablation).logits;
      const [rows, cols] = logits.shape;
      let best = 0;
      for (let j = 1; j < cols; j++) if (logits.data[(rows - 1) * cols + j] > logits.data[(rows - 1) * cols + best]) best = j;
      expected.push(best);
    }
    expect(trace.tokens.map((t) => t.id)).toEqual(expected);
    await runner.release();
  });

  it('what changed: KL of the predictions and each later head’s change in attention, against the reference', async () => {
    const c = { ...CASES[0], options: { family: 'gpt2', seed: 36, layers: 3, dModel: 32, heads: 4 } as RandomCheckpointOptions };
    const cp = randomCheckpoint(c.options);
    const weights = checkpointWeights(cp);
    const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
    const ablation: Ablation = { heads: [{ kind: 'self', layer: 1, head: 2 }], mode: 'zero' };
    const plain = await runner.run(c.text, { keepLogits: true });
    const ablated = await runner.run(c.text, { keepLogits: true, ablation });
    await runner.release();
    const refPlain = gpt2Forward(cp.config, weights, ids(plain));
    const refAblated = gpt2Forward(cp.config, weights, ids(plain), ablation);
    // KL at the last position (the one GPT-2 predicts from), float64 from the reference's logits.
    const n = plain.tokens.length;
    const v = refPlain.logits.shape[1];
    const last = (t: ReferenceTrace) => t.logits.data.subarray((n - 1) * v, n * v);
    const shift = predictionShift(plain, ablated);
    expect(shift.map((x) => x.position)).toEqual([n - 1]);
    expect(Math.abs(shift[0].kl - klFromLogits(last(refPlain), last(refAblated)))).toBeLessThan(TOLERANCE);
    expect(shift[0].kl).toBeGreaterThan(1e-4);
    // Layers 0–1 cannot see the ablation (it acts on layer 1's output): no change; layer 2 changes.
    const changes = attentionChanges(plain, ablated);
    expect(changes.length).toBe(3 * 4 - 1);
    for (const h of changes.filter((x) => x.layer <= 1)) expect(h.change).toBeLessThan(1e-6);
    const top = changes[0];
    expect(top.layer).toBe(2);
    const P = refPlain.attention.self!.probs;
    const Q = refAblated.attention.self!.probs;
    let tv = 0;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) {
        const at = ((top.layer * 4 + top.head) * n + i) * n + j;
        row += Math.abs(P.data[at] - Q.data[at]);
      }
      tv += row / 2 / n;
    }
    expect(Math.abs(top.change - tv)).toBeLessThan(TOLERANCE);
  });

  it('refuses heads and stacks the model does not have, and keeps the ablation in the trace JSON', async () => {
    const c = CASES[0];
    const cp = randomCheckpoint(c.options);
    const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
    await expect(runner.run('hi', { ablation: { heads: [{ kind: 'self', layer: 2, head: 0 }], mode: 'zero' } })).rejects.toThrow(/no self layer 2, head 0/);
    await expect(runner.run('hi', { ablation: { heads: [{ kind: 'cross', layer: 0, head: 0 }], mode: 'zero' } })).rejects.toThrow(/no cross attention/);
    await expect(runner.run('hi', { ablation: { heads: [{ kind: 'self', layer: 0, head: 0 }], mode: 'half' as AblationMode } })).rejects.toThrow(/Unknown ablation mode/);
    const trace = await runner.run('hi there', { ablation: { heads: [{ kind: 'self', layer: 1, head: 2 }], mode: 'mean' } });
    expect(traceFromJSON(JSON.parse(JSON.stringify(traceToJSON(trace)))).ablation).toEqual({ heads: [{ kind: 'self', layer: 1, head: 2 }], mode: 'mean' });
    await runner.release();
  });
});
