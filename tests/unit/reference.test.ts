// Self-tests of the float64 reference (tests/reference/): it is what the graph tests trust,
// so it is checked (a) against invariants that hold for any weights and against values
// computed by hand, and (b) against an independent PyTorch implementation, through JSON
// fixtures made by tests/reference/make-torch-fixtures.ts (no Python needed here).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkpointSafetensors,
  checkpointWeights,
  fullSizeCheckpoint,
  fullSizeShapes,
  randomCheckpoint,
  type RandomCheckpointOptions,
  type RealConfigName,
} from '../helpers/random-checkpoint';
import { bertForward } from '../reference/bert';
import { gpt2Forward } from '../reference/gpt2';
import { erf, FLOAT32_MIN, geluExact, geluTanh } from '../reference/ops';
import { t5Forward, t5RelativePositionBucket } from '../reference/t5';
import type { TorchCaseInputs } from '../reference/torch-cases';
import { TORCH_CASES } from '../reference/torch-cases';
import type { RefAttention, RefTensor, ReferenceTrace } from '../reference/types';
import { weightsFromSafetensors } from '../reference/weights';

/** Softmax rows are sums of exps divided by their sum: off from 1 by a few ulp at most. */
const ROW_SUM_TOLERANCE = 1e-12;
/** Both sides compute the same math in float64; only summation order differs (~1e-15 relative). */
const TORCH_TOLERANCE = 1e-9;
/** erf is accurate to a few ulp (measured ≤ 1e-15 against 40-digit mpmath values). */
const ERF_TOLERANCE = 2e-15;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    // Masked scores are FLOAT32_MIN on both sides and must match exactly.
    const d = a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN propagates as a failure
  }
  return m;
}

function at(t: RefTensor, ...index: number[]): number {
  let flat = 0;
  index.forEach((v, i) => (flat = flat * t.shape[i] + v));
  return t.data[flat];
}

/** Checks softmax rows and masked entries: `allowed(query, key)` says which keys a query may see. */
function checkAttention(att: RefAttention, allowed: (i: number, j: number) => boolean): void {
  const [layers, heads, queries, keys] = att.probs.shape;
  for (let l = 0; l < layers; l++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < queries; i++) {
        let sum = 0;
        for (let j = 0; j < keys; j++) {
          const p = at(att.probs, l, h, i, j);
          sum += p;
          if (!allowed(i, j)) {
            expect(p).toBe(0);
            expect(at(att.scores, l, h, i, j)).toBe(FLOAT32_MIN);
          } else expect(at(att.scores, l, h, i, j)).toBeGreaterThan(-1e6);
        }
        expect(Math.abs(sum - 1)).toBeLessThan(ROW_SUM_TOLERANCE);
      }
}

/** The taps agree with each other: scores = q·k/divisor + bias where allowed, context = probs·v. */
function checkTapConsistency(att: RefAttention, divisor: number, allowed: (i: number, j: number) => boolean): void {
  const [layers, heads, queries, keys] = att.probs.shape;
  const dh = att.q.shape[3];
  let worst = 0;
  for (let l = 0; l < layers; l++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < queries; i++) {
        for (let j = 0; j < keys; j++) {
          if (!allowed(i, j)) continue;
          let dot = 0;
          for (let e = 0; e < dh; e++) dot += at(att.q, l, h, i, e) * at(att.k, l, h, j, e);
          const bias = att.positionBias ? at(att.positionBias, h, i, j) : 0;
          worst = Math.max(worst, Math.abs(dot / divisor + bias - at(att.scores, l, h, i, j)));
        }
        for (let e = 0; e < dh; e++) {
          let c = 0;
          for (let j = 0; j < keys; j++) c += at(att.probs, l, h, i, j) * at(att.v, l, h, j, e);
          worst = Math.max(worst, Math.abs(c - at(att.context, l, h, i, e)));
        }
      }
  expect(worst).toBeLessThan(1e-12);
}

/** Mean over rows of the largest probability: 1/keys for uniform attention, 1 for one-hot. */
function meanMaxProb(att: RefAttention): number {
  const keys = att.probs.shape[3];
  const rows = att.probs.data.length / keys;
  let total = 0;
  for (let r = 0; r < rows; r++) total += Math.max(...att.probs.data.subarray(r * keys, (r + 1) * keys));
  return total / rows;
}

function logitsRow(t: ReferenceTrace, row: number): Float64Array {
  const vocab = t.logits.shape[1];
  return t.logits.data.subarray(row * vocab, (row + 1) * vocab);
}

describe('erf and GELU', () => {
  // 25-digit values of erf (mpmath, 40 digits), rounded to double.
  const KNOWN: [number, number][] = [
    [0.1, 0.1124629160182848984047123],
    [0.5, 0.5204998778130465376827467],
    [-0.7, -0.6778011938374184422768582],
    [1, 0.8427007929497148693412206],
    [1.5, 0.9661051464753107270669763],
    [2, 0.9953222650189527341620693],
    [2.5, 0.9995930479825550410604358],
    [3, 0.9999779095030014145586272],
    [3.5, 0.9999992569016276585872545],
    [4, 0.9999999845827420997199811],
    [5, 0.999999999998462540205572],
  ];

  it('matches high-precision values of erf', () => {
    for (const [x, y] of KNOWN) {
      expect(Math.abs(erf(x) - y)).toBeLessThan(ERF_TOLERANCE);
      expect(Math.abs(erf(-x) + y)).toBeLessThan(ERF_TOLERANCE);
    }
    expect(erf(0)).toBe(0);
    expect(erf(1e-300)).toBeCloseTo(1.1283791670955126e-300, 310);
    expect(erf(7)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(Number.isNaN(erf(NaN))).toBe(true);
  });

  it('is continuous where the series hands over to the continued fraction', () => {
    const below = erf(2 - 1e-12);
    const above = erf(2);
    expect(Math.abs(above - below)).toBeLessThan(1e-13);
  });

  it('gives the exact GELU x·Φ(x) and the tanh approximation', () => {
    // Φ(1) = 0.8413447460685429, Φ(−1) = 0.15865525393145705.
    expect(Math.abs(geluExact(1) - 0.8413447460685429)).toBeLessThan(1e-15);
    expect(Math.abs(geluExact(-1) + 0.15865525393145705)).toBeLessThan(1e-15);
    expect(Math.abs(geluTanh(1) - 0.8411919906082768)).toBeLessThan(1e-15);
    expect(geluExact(0)).toBe(0);
  });
});

describe('T5 relative position buckets (hand-computed from the formula, 32 buckets, max distance 128)', () => {
  it('bidirectional (encoder)', () => {
    // 16 buckets per direction, 8 exact; beyond: 8 + ⌊ln(n/8)/ln(16)·8⌋, at most 15; keys after the query add 16.
    const pairs: [number, number][] = [
      [0, 0], [-1, 1], [1, 17], [-7, 7], [7, 23], [-8, 8], [8, 24], [-10, 8], [-11, 8], [-12, 9],
      [-16, 10], [-20, 10], [20, 26], [-32, 12], [-64, 14], [64, 30], [-100, 15], [-128, 15], [-1000, 15], [1000, 31],
    ];
    for (const [rel, bucket] of pairs) expect([rel, t5RelativePositionBucket(rel, true, 32, 128)]).toEqual([rel, bucket]);
  });

  it('unidirectional (decoder)', () => {
    // Future keys → 0; 16 exact; beyond: 16 + ⌊ln(n/16)/ln(8)·16⌋, at most 31.
    const pairs: [number, number][] = [
      [5, 0], [0, 0], [-1, 1], [-15, 15], [-16, 16], [-20, 17], [-32, 21], [-64, 26], [-100, 30], [-127, 31], [-128, 31], [-1000, 31],
    ];
    for (const [rel, bucket] of pairs) expect([rel, t5RelativePositionBucket(rel, false, 32, 128)]).toEqual([rel, bucket]);
  });
});

describe('reference invariants on random checkpoints with the real vocabularies', () => {
  it('GPT-2: causal probs, tap consistency, hidden-state convention, no peeking at the future', () => {
    const c = randomCheckpoint({ family: 'gpt2', seed: 1 });
    const w = checkpointWeights(c);
    const ids = [464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13];
    const t = gpt2Forward(c.config, w, ids);
    const att = t.attention.self!;
    const causal = (i: number, j: number) => j <= i;
    checkAttention(att, causal);
    checkTapConsistency(att, Math.sqrt(8), causal);
    expect(meanMaxProb(att)).toBeGreaterThan(0.4); // peaked, so mask and scale bugs show
    expect(t.logits.shape).toEqual([10, 50257]);
    const [L, T, d] = [2, ids.length, 32];
    expect(t.hidden.self!.shape).toEqual([L + 1, T, d]);
    // hidden[1] is block 0's output; the last entry is ln_f(block output), not the raw output.
    expect(t.hidden.self!.data.subarray(T * d, 2 * T * d)).toEqual(t.blockOutputs.self!.data.subarray(0, T * d));
    expect(maxAbsDiff(t.hidden.self!.data.subarray(L * T * d), t.blockOutputs.self!.data.subarray((L - 1) * T * d))).toBeGreaterThan(0.1);
    // Changing the last token changes nothing before it.
    const t2 = gpt2Forward(c.config, w, [...ids.slice(0, -1), 0]);
    for (let i = 0; i < T - 1; i++) expect(maxAbsDiff(logitsRow(t, i), logitsRow(t2, i))).toBe(0);
    expect(maxAbsDiff(logitsRow(t, T - 1), logitsRow(t2, T - 1))).toBeGreaterThan(1e-3);
  });

  it('GPT-2: names without the transformer. prefix give the same result', () => {
    const a = randomCheckpoint({ family: 'gpt2', seed: 3, vocabSize: 64 });
    const b = randomCheckpoint({ family: 'gpt2', seed: 3, vocabSize: 64, bareNames: true });
    expect(b.tensors.some((x) => x.name === 'h.0.attn.c_attn.weight')).toBe(true);
    const ids = [1, 2, 3, 60];
    expect(gpt2Forward(b.config, checkpointWeights(b), ids).logits.data).toEqual(gpt2Forward(a.config, checkpointWeights(a), ids).logits.data);
  });

  for (const family of ['bert', 'distilbert'] as const)
    it(`${family}: padded keys get probability 0 and do not influence real tokens`, () => {
      const c = randomCheckpoint({ family, seed: 2 });
      const w = checkpointWeights(c);
      const ids = [101, 1996, 103, 4937, 2001, 102, 0, 0];
      const mask = [1, 1, 1, 1, 1, 1, 0, 0];
      const types = family === 'bert' ? [0, 0, 0, 1, 1, 1, 0, 0] : undefined;
      const t = bertForward(c.config, w, ids, { attentionMask: mask, tokenTypeIds: types });
      const att = t.attention.self!;
      const allowed = (_i: number, j: number) => mask[j] === 1;
      checkAttention(att, allowed);
      checkTapConsistency(att, Math.sqrt(8), allowed);
      expect(meanMaxProb(att)).toBeGreaterThan(0.4);
      expect(t.logits.shape).toEqual([8, 30522]);
      // Post-LN: the last hidden state is the last block's output (no final norm).
      expect(t.hidden.self!.data.subarray(2 * 8 * 32)).toEqual(t.blockOutputs.self!.data.subarray(8 * 32));
      // Another id under a padded position changes no real token's logits; unmasking it does.
      const t2 = bertForward(c.config, w, [...ids.slice(0, 6), 2000, 3000], { attentionMask: mask, tokenTypeIds: types });
      for (let i = 0; i < 6; i++) expect(maxAbsDiff(logitsRow(t, i), logitsRow(t2, i))).toBe(0);
      const t3 = bertForward(c.config, w, ids, { attentionMask: [1, 1, 1, 1, 1, 1, 1, 0], tokenTypeIds: types });
      expect(maxAbsDiff(logitsRow(t, 0), logitsRow(t3, 0))).toBeGreaterThan(1e-3);
    });

  it('BERT: token types matter (segment B differs from segment A)', () => {
    const c = randomCheckpoint({ family: 'bert', seed: 4, vocabSize: 200 });
    const w = checkpointWeights(c);
    const ids = [101, 150, 151, 102];
    const a = bertForward(c.config, w, ids, { tokenTypeIds: [0, 0, 0, 0] });
    const b = bertForward(c.config, w, ids, { tokenTypeIds: [0, 0, 1, 1] });
    expect(maxAbsDiff(a.logits.data, b.logits.data)).toBeGreaterThan(1e-3);
  });

  for (const family of ['t5', 't5-v1_1'] as const)
    it(`${family}: shared position bias, causal decoder, padded encoder keys, tied/untied head`, () => {
      const c = randomCheckpoint({ family, seed: 5 });
      const w = checkpointWeights(c);
      const enc = [656, 658, 10, 659, 820, 5, 300, 16, 739, 724, 697, 704, 690, 708, 816, 1, 0];
      const encMask = enc.map((_, i) => (i < enc.length - 1 ? 1 : 0));
      const dec = [0, 5, 300, 16, 739];
      const t = t5Forward(c.config, w, enc, dec, { encoderMask: encMask });
      const S = enc.length;
      const T = dec.length;
      const encoderAllowed = (_i: number, j: number) => encMask[j] === 1;
      const causal = (i: number, j: number) => j <= i;
      checkAttention(t.attention.encoder!, encoderAllowed);
      checkAttention(t.attention.decoder!, causal);
      checkAttention(t.attention.cross!, encoderAllowed);
      // Unscaled scores; the same bias table applies in every layer of a stack.
      checkTapConsistency(t.attention.encoder!, 1, encoderAllowed);
      checkTapConsistency(t.attention.decoder!, 1, causal);
      checkTapConsistency(t.attention.cross!, 1, encoderAllowed);
      expect(t.attention.encoder!.positionBias!.shape).toEqual([4, S, S]);
      expect(t.attention.decoder!.positionBias!.shape).toEqual([4, T, T]);
      expect(t.attention.cross!.positionBias).toBeUndefined();
      // Bias entries come from block 0's table at the bucket of (key − query).
      const table = w.get('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight')!.data;
      expect(at(t.attention.encoder!.positionBias!, 2, 3, 13)).toBe(table[t5RelativePositionBucket(10, true, 32, 128) * 4 + 2]);
      expect(t.attention.cross!.probs.shape).toEqual([2, 4, T, S]);
      for (const k of ['encoder', 'decoder', 'cross'] as const) expect(meanMaxProb(t.attention[k]!)).toBeGreaterThan(0.3);
      expect(t.hidden.encoder!.shape).toEqual([3, S, 32]);
      expect(t.hidden.decoder!.shape).toEqual([3, T, 32]);
      // Teacher forcing is causal: a later decoder token changes no earlier logits.
      const t2 = t5Forward(c.config, w, enc, [...dec.slice(0, -1), 17], { encoderMask: encMask });
      for (let i = 0; i < T - 1; i++) expect(maxAbsDiff(logitsRow(t, i), logitsRow(t2, i))).toBe(0);
      // A padded encoder token is invisible.
      const t3 = t5Forward(c.config, w, [...enc.slice(0, -1), 123], dec, { encoderMask: encMask });
      expect(maxAbsDiff(t.logits.data, t3.logits.data)).toBe(0);
      expect(c.config.tie_word_embeddings ?? true).toBe(family === 't5');
      expect(w.get('lm_head.weight') !== undefined).toBe(family === 't5-v1_1');
    });
});

describe('random checkpoints', () => {
  it('are reproducible from their seed and round-trip through safetensors', () => {
    const opts: RandomCheckpointOptions = { family: 'distilbert', seed: 9, vocabSize: 50 };
    const a = checkpointSafetensors(randomCheckpoint(opts));
    const b = checkpointSafetensors(randomCheckpoint(opts));
    expect(Buffer.from(a).equals(b)).toBe(true);
    expect(Buffer.from(checkpointSafetensors(randomCheckpoint({ ...opts, seed: 10 }))).equals(a)).toBe(false);
    const c = randomCheckpoint(opts);
    const ids = [1, 2, 3];
    expect(bertForward(c.config, weightsFromSafetensors(a), ids).logits.data).toEqual(bertForward(c.config, checkpointWeights(c), ids).logits.data);
  });

  it('full-size shapes have the real models’ parameter counts', () => {
    // HF num_parameters() of the real models (tied embeddings counted once). The BERT
    // checkpoint also holds the pooler and NSP head, as bert-base-uncased does (BertForPreTraining).
    const expected: Record<RealConfigName, number> = {
      gpt2: 124_439_808,
      distilgpt2: 81_912_576,
      'bert-base-uncased': 110_106_428,
      'distilbert-base-uncased': 66_985_530,
      't5-small': 60_506_624,
      'flan-t5-small': 76_961_152,
      // The LLaMA family's published counts: tied heads counted once, Qwen2's q/k/v biases included.
      'smollm2-135m': 134_515_008,
      'tinyllama-1.1b-chat': 1_100_048_384,
      'qwen2.5-0.5b': 494_032_768,
      'llama-3.2-1b': 1_235_814_400,
      'mistral-7b-v0.1': 7_241_732_096,
      // OPT: the position table has 2 extra rows (2050 × 768).
      'opt-125m': 125_239_296,
    };
    for (const [name, count] of Object.entries(expected)) {
      const total = fullSizeShapes(name as RealConfigName).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
      expect([name, total]).toEqual([name, count]);
    }
  });

  it('builds a full-size t5-small in memory that the reference runs', () => {
    const c = fullSizeCheckpoint('t5-small', 1);
    const t = t5Forward(c.config, checkpointWeights(c), [100, 200, 300, 1], [0, 50]);
    expect(t.logits.shape).toEqual([2, 32128]);
    expect(t.attention.encoder!.probs.shape).toEqual([6, 8, 4, 4]);
    checkAttention(t.attention.decoder!, (i, j) => j <= i);
    for (const x of t.logits.data) expect(Number.isFinite(x)).toBe(true);
  });
});

interface TorchFixture {
  name: string;
  options: RandomCheckpointOptions;
  sha256: string;
  inputs: TorchCaseInputs;
  logits: RefTensor;
  stacks: Record<string, { probs: RefTensor; scores: RefTensor; positionBias?: RefTensor }>;
  hidden: Record<string, RefTensor>;
  buckets?: Record<string, number[]>;
}

describe('reference against PyTorch (float64, independent implementation)', () => {
  for (const c of TORCH_CASES)
    it(c.name, () => {
      const fixture = JSON.parse(
        readFileSync(new URL(`../fixtures/reference-torch/${c.name}.json`, import.meta.url), 'utf8'),
      ) as TorchFixture;
      expect(fixture.options).toEqual(c.options);
      expect(fixture.inputs).toEqual(c.inputs);
      const checkpoint = randomCheckpoint(fixture.options);
      const bytes = checkpointSafetensors(checkpoint);
      // The same weights torch saw: otherwise the comparison below would be meaningless.
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(fixture.sha256);
      const w = weightsFromSafetensors(bytes);
      const inp = fixture.inputs;
      let trace: ReferenceTrace;
      if (checkpoint.family === 'gpt2') trace = gpt2Forward(checkpoint.config, w, inp.ids!);
      else if (checkpoint.family === 'bert')
        trace = bertForward(checkpoint.config, w, inp.ids!, { tokenTypeIds: inp.tokenTypeIds, attentionMask: inp.attentionMask });
      else trace = t5Forward(checkpoint.config, w, inp.encoderIds!, inp.decoderIds!, { encoderMask: inp.encoderMask });

      const diffs: Record<string, number> = {};
      const compare = (label: string, ours: RefTensor | undefined, theirs: RefTensor) => {
        expect(ours, label).toBeDefined();
        expect(ours!.shape, label).toEqual(theirs.shape);
        diffs[label] = maxAbsDiff(ours!.data, theirs.data);
      };
      compare('logits', trace.logits, fixture.logits);
      for (const [stack, t] of Object.entries(fixture.stacks)) {
        const att = trace.attention[stack as keyof ReferenceTrace['attention']];
        compare(`${stack}.probs`, att?.probs, t.probs);
        compare(`${stack}.scores`, att?.scores, t.scores);
        if (t.positionBias) compare(`${stack}.positionBias`, att?.positionBias, t.positionBias);
      }
      for (const [stack, t] of Object.entries(fixture.hidden)) compare(`${stack}.hidden`, trace.hidden[stack as keyof ReferenceTrace['hidden']], t);
      for (const [label, d] of Object.entries(diffs)) expect(d, label).toBeLessThan(TORCH_TOLERANCE);

      if (fixture.buckets) {
        const { relative, bidirectional, unidirectional } = fixture.buckets;
        const nb = checkpoint.config.relative_attention_num_buckets as number;
        const md = checkpoint.config.relative_attention_max_distance as number;
        expect(relative.map((r) => t5RelativePositionBucket(r, true, nb, md))).toEqual(bidirectional);
        expect(relative.map((r) => t5RelativePositionBucket(r, false, nb, md))).toEqual(unidirectional);
        expect(relative.map((r) => t5RelativePositionBucket(r, true, 32, 128))).toEqual(fixture.buckets.bidirectional_32_128);
        expect(relative.map((r) => t5RelativePositionBucket(r, false, 32, 128))).toEqual(fixture.buckets.unidirectional_32_128);
      }
    });
});
