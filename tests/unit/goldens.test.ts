// The embedded tiny models, run by the app's own code (tokenizer → graph → onnxruntime
// WASM), against goldens that PyTorch computed from the same files (tools/train/goldens.py):
// token ids exactly, attention probabilities and logits within 1e-4.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModelDir } from '../../src/lib/runtime/node';
import type { ModelRunner } from '../../src/lib/runtime/runner';
import type { Tensor } from '../../src/lib/trace/types';

const TOLERANCE = 1e-4;
type Nested = number | Nested[];
interface GoldenCase {
  name: string;
  text?: string;
  text_pair?: string;
  texts?: string[];
  input_ids: number[] | number[][];
  logits: Nested;
  attentions?: Nested;
  decoder_input_ids?: number[];
  labels?: number[];
  generated_ids?: number[];
  encoder_attentions?: Nested;
  decoder_attentions?: Nested;
  cross_attentions?: Nested;
}

const flat = (n: Nested): number[] => (Array.isArray(n) ? n.flatMap(flat) : [n]);

function maxDiff(actual: Float32Array | number[], expected: Nested): number {
  const e = flat(expected);
  expect(actual.length).toBe(e.length);
  let m = 0;
  for (let i = 0; i < e.length; i++) m = Math.max(m, Math.abs(actual[i] - e[i]));
  return m;
}

/** Rows of a [positions, vocab] logits tensor at `positions`, against golden rows at the same positions. */
function logitRowsDiff(values: Tensor, positions: number[], golden: Nested): number {
  const v = values.shape[1];
  const rows = golden as Nested[];
  let m = 0;
  positions.forEach((p, i) => (m = Math.max(m, maxDiff(values.data.subarray(i * v, (i + 1) * v), rows[p]))));
  return m;
}

const load = (id: string) => JSON.parse(readFileSync(`tests/fixtures/goldens/${id}.json`, 'utf8')) as { cases: GoldenCase[] };
const available = (id: string) => existsSync(`tests/fixtures/goldens/${id}.json`) && existsSync(`static/models/${id}/model.safetensors`);

beforeAll(() => configureOrt({ threads: 1 }));

describe('tiny-gpt2 against PyTorch goldens', () => {
  let runner: ModelRunner;
  beforeAll(async () => (runner = await loadModelDir('static/models/tiny-gpt2', { id: 'tiny-gpt2', source: 'embedded' })));
  it('has goldens to check', () => expect(available('tiny-gpt2')).toBe(true));
  for (const c of available('tiny-gpt2') ? load('tiny-gpt2').cases : [])
    it(c.name, async () => {
      const trace = await runner.run(c.text!, { taps: ['probs'], predictAll: true, keepLogits: true });
      expect(trace.tokens.map((t) => t.id)).toEqual(c.input_ids);
      expect(maxDiff(trace.attention.self!.probs!.data, c.attentions!)).toBeLessThan(TOLERANCE);
      expect(logitRowsDiff(trace.logits!.values, trace.logits!.positions, c.logits)).toBeLessThan(TOLERANCE);
    });
});

describe('tiny-llama against PyTorch goldens', () => {
  let runner: ModelRunner;
  beforeAll(async () => (runner = await loadModelDir('static/models/tiny-llama', { id: 'tiny-llama', source: 'embedded' })));
  it('has goldens to check', () => expect(available('tiny-llama')).toBe(true));
  for (const c of available('tiny-llama') ? load('tiny-llama').cases : [])
    it(c.name, async () => {
      const trace = await runner.run(c.text!, { taps: ['probs'], predictAll: true, keepLogits: true });
      expect(trace.tokens.map((t) => t.id)).toEqual(c.input_ids);
      expect(maxDiff(trace.attention.self!.probs!.data, c.attentions!)).toBeLessThan(TOLERANCE);
      expect(logitRowsDiff(trace.logits!.values, trace.logits!.positions, c.logits)).toBeLessThan(TOLERANCE);
    });
});

describe('tiny-bert against PyTorch goldens', () => {
  let runner: ModelRunner;
  beforeAll(async () => (runner = await loadModelDir('static/models/tiny-bert', { id: 'tiny-bert', source: 'embedded' })));
  it('has goldens to check', () => expect(available('tiny-bert')).toBe(true));
  for (const c of available('tiny-bert') ? load('tiny-bert').cases : [])
    it(c.name, async () => {
      // A pair is typed as "A [SEP] B": the runner gives the tokens after the first [SEP] segment 1.
      const texts = c.texts ?? [c.text_pair ? `${c.text} [SEP] ${c.text_pair}` : c.text!];
      const ids = (c.texts ? c.input_ids : [c.input_ids]) as number[][];
      const attentions = (c.texts ? c.attentions : [c.attentions]) as Nested[];
      const logits = (c.texts ? c.logits : [c.logits]) as Nested[];
      for (let b = 0; b < texts.length; b++) {
        const trace = await runner.run(texts[b], { taps: ['probs'], predictAll: true, keepLogits: true, padTo: ids[b].length });
        expect(trace.tokens.map((t) => t.id)).toEqual(ids[b]);
        expect(maxDiff(trace.attention.self!.probs!.data, attentions[b])).toBeLessThan(TOLERANCE);
        expect(logitRowsDiff(trace.logits!.values, trace.logits!.positions, logits[b])).toBeLessThan(TOLERANCE);
      }
    });
});

describe('tiny-t5 against PyTorch goldens', () => {
  let runner: ModelRunner;
  beforeAll(async () => (runner = await loadModelDir('static/models/tiny-t5', { id: 'tiny-t5', source: 'embedded' })));
  it('has goldens to check', () => expect(available('tiny-t5')).toBe(true));
  for (const c of available('tiny-t5') ? load('tiny-t5').cases : [])
    it(c.name, async () => {
      const eos = 1;
      const target = c.generated_ids ? undefined : runner.codec.decode(c.labels!.filter((id) => id !== eos));
      const trace = await runner.run(c.text!, { steps: 64, taps: ['probs'], keepLogits: true }, target);
      expect(trace.tokens.map((t) => t.id)).toEqual(c.input_ids);
      // Greedy cases: our greedy decoding must produce PyTorch's tokens.
      expect(trace.decoderTokens!.map((t) => t.id)).toEqual(c.decoder_input_ids);
      expect(maxDiff(trace.attention.encoder!.probs!.data, c.encoder_attentions!)).toBeLessThan(TOLERANCE);
      expect(maxDiff(trace.attention.decoder!.probs!.data, c.decoder_attentions!)).toBeLessThan(TOLERANCE);
      expect(maxDiff(trace.attention.cross!.probs!.data, c.cross_attentions!)).toBeLessThan(TOLERANCE);
      expect(maxDiff(trace.logits!.values.data, c.logits)).toBeLessThan(TOLERANCE);
    });
});
