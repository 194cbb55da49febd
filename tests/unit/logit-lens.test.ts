// The logit lens (src/lib/graph/logit-lens.ts) against the float64 reference, which needs no
// lens code of its own: stream l (the residual after l layers) through the final norm and head
// is exactly what the reference model computes when its config keeps only its first l layers.
// Per family, every stream and position: the top-10 probabilities within 1e-4, the same top
// token, and the same rank of the token the whole model predicts.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointWeights, randomCheckpoint, type RandomCheckpointOptions } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { gpt2Forward } from '../reference/gpt2';
import { bertForward } from '../reference/bert';
import { t5Forward } from '../reference/t5';
import { llamaForward } from '../reference/llama';
import { optForward } from '../reference/opt';
import type { HFConfig, ReferenceTrace, Weights } from '../reference/types';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import type { Trace } from '../../src/lib/trace/types';
import { traceFromJSON, traceToJSON } from '../../src/lib/trace/json';

const TOLERANCE = 1e-4;
beforeAll(() => configureOrt({ threads: 1 }));

interface Case {
  name: string;
  options: RandomCheckpointOptions;
  text: string;
  target?: string;
  layersKey: string;
  forward(config: HFConfig, weights: Weights, trace: Trace): ReferenceTrace;
}
const ids = (t: Trace) => t.tokens.map((x) => x.id);
const CASES: Case[] = [
  { name: 'GPT-2', options: { family: 'gpt2', seed: 51, layers: 3, dModel: 32, heads: 4 }, text: 'The quick brown fox', layersKey: 'n_layer', forward: (c, w, t) => gpt2Forward(c, w, ids(t)) },
  { name: 'LLaMA', options: { family: 'llama', seed: 52, layers: 2, dModel: 64, heads: 4, kvHeads: 2 }, text: 'Once upon a time', layersKey: 'num_hidden_layers', forward: (c, w, t) => llamaForward(c, w, ids(t)) },
  { name: 'OPT', options: { family: 'opt', seed: 53, layers: 2, dModel: 32, heads: 4 }, text: 'Hello there, friend', layersKey: 'num_hidden_layers', forward: (c, w, t) => optForward(c, w, ids(t)) },
  { name: 'BERT (MLM head on every layer)', options: { family: 'bert', seed: 54, layers: 2, dModel: 32, heads: 4 }, text: 'The cat sat on the [MASK].', layersKey: 'num_hidden_layers', forward: (c, w, t) => bertForward(c, w, ids(t)) },
  {
    name: 'T5 (decoder)',
    options: { family: 't5', seed: 55, layers: 2, dModel: 32, heads: 4 },
    text: 'summarize: the house is big',
    target: 'the house',
    layersKey: 'num_decoder_layers',
    forward: (c, w, t) => t5Forward(c, w, ids(t), t.decoderTokens!.map((x) => x.id)),
  },
];

function softmax(row: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]);
  let sum = 0;
  const e = Array.from(row, (x) => Math.exp(x - max));
  for (const x of e) sum += x;
  return e.map((x) => x / sum);
}

describe('logit lens positions', () => {
  it('reads only the positions asked for, or the last ones that fit a budget, with the same numbers', async () => {
    const c = CASES[0];
    const cp = randomCheckpoint(c.options);
    const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
    const all = (await runner.run(c.text, { logitLens: true, taps: [] })).logitLens!;
    const some = (await runner.run(c.text, { logitLens: { positions: [3, 1] }, taps: [] })).logitLens!;
    const n = all.positions.length;
    // Each stream reads 32 × vocabulary multiply-adds per position: a budget for two positions gets the last two.
    const perPosition = (c.options.layers! + 1) * 32 * runner.info.vocabSize;
    const budget = (await runner.run(c.text, { logitLens: { budget: 2.5 * perPosition }, taps: [] })).logitLens!;
    await runner.release();
    expect(some.positions).toEqual([3, 1]);
    expect(budget.positions).toEqual([n - 2, n - 1]);
    for (const [lens, cols] of [[some, [3, 1]], [budget, [n - 2, n - 1]]] as const)
      cols.forEach((pos, i) => {
        for (let l = 0; l < all.probs.shape[0]; l++) {
          for (let j = 0; j < 10; j++) expect(lens.probs.data[(l * cols.length + i) * 10 + j]).toBeCloseTo(all.probs.data[(l * n + pos) * 10 + j], 6);
          expect(lens.rank.data[l * cols.length + i]).toBe(all.rank.data[l * n + pos]);
        }
      });
  });
});

describe('logit lens against the float64 reference (truncated models)', () => {
  for (const c of CASES)
    it(c.name, async () => {
      const cp = randomCheckpoint(c.options);
      const weights = checkpointWeights(cp);
      const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
      const trace = await runner.run(c.text, { logitLens: true, taps: ['probs'] }, c.target);
      const plain = await runner.run(c.text, { taps: ['probs'] }, c.target);
      await runner.release();
      expect(plain.logitLens).toBeUndefined();
      const lens = trace.logitLens!;
      const layers = c.options.layers!;
      const [streams, positions, k] = lens.probs.shape;
      expect([streams, k]).toEqual([layers + 1, 10]);
      const full = c.forward(cp.config, weights, trace).logits;
      const v = full.shape[1];
      expect(positions).toBe(full.shape[0]);
      const predicted = Array.from({ length: positions }, (_, p) => {
        let best = 0;
        for (let j = 1; j < v; j++) if (full.data[p * v + j] > full.data[p * v + best]) best = j;
        return best;
      });
      for (let l = 0; l <= layers; l++) {
        const logits = c.forward({ ...cp.config, [c.layersKey]: l }, weights, trace).logits;
        for (let p = 0; p < positions; p++) {
          const row = logits.data.subarray(p * v, (p + 1) * v);
          const probs = softmax(row);
          const top = [...probs.keys()].sort((a, b) => probs[b] - probs[a]).slice(0, k);
          const at = (l * positions + p) * k;
          for (let i = 0; i < k; i++) expect(Math.abs(lens.probs.data[at + i] - probs[top[i]]), `stream ${l} pos ${p} #${i}`).toBeLessThan(TOLERANCE);
          if (probs[top[0]] - probs[top[1]] > 1e-4) expect(lens.ids.data[at]).toBe(top[0]);
          expect(lens.texts[at]).toBe(runner.codec.piece(lens.ids.data[at]));
          let rank = 0;
          for (let j = 0; j < v; j++) if (row[j] > row[predicted[p]]) rank++;
          expect(lens.rank.data[l * positions + p], `rank at stream ${l} pos ${p}`).toBe(rank);
        }
      }
      expect(lens.positions).toEqual([...Array(positions).keys()]);
      // The last stream is the model itself: its top token is the prediction, rank 0.
      for (let p = 0; p < positions; p++) expect(lens.rank.data[layers * positions + p]).toBe(0);
      // JSON: analysis.logitLens[stream][position] = top 10 { id, text, prob }, and back.
      const json = traceToJSON(trace) as { analysis: { logitLens: { id: number; text: string; prob: number }[][][]; logitLensRank: number[][] } };
      expect(json.analysis.logitLens[1][0][0]).toEqual({ id: lens.ids.data[positions * k], text: lens.texts[positions * k], prob: lens.probs.data[positions * k] });
      expect(traceFromJSON(JSON.parse(JSON.stringify(json))).logitLens).toEqual(lens);
    });
});
