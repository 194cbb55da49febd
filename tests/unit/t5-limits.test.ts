// T5 has no position table, so nothing used to stop a long source: 3,005 source tokens
// took a tab to ~16 GB. Now it has a length limit checked before the encoder runs, and
// partial traces during generation carry the (unchanging) encoder side only once.
import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import { randomCheckpoint } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { PartialSender, grownPart, partialReceived, withGrownPart } from '../../src/lib/runtime/partial-traces';
import { traceBuffers } from '../../src/lib/runtime/protocol';
import { AtlasError } from '../../src/lib/errors';
import type { DenseTrace } from '../../src/lib/trace/types';

beforeAll(() => configureOrt({ threads: 1 }));

const t5 = () => loadModel(filesOf(randomCheckpoint({ family: 't5', seed: 71, layers: 2, dModel: 32, heads: 4 })), { id: 't5', source: 'local' }, 'wasm');

describe('T5 limits', () => {
  it('refuses a source over 512 tokens before anything runs, and truncation cuts it to 512', async () => {
    const runner = await t5();
    const long = Array.from({ length: 700 }, (_, i) => `w${i}`).join(' ');
    const t0 = performance.now();
    const e = await runner.run(long, { steps: 4 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AtlasError);
    expect((e as AtlasError).code).toBe('too-long');
    expect((e as AtlasError).message).toMatch(/The text is \d{3,} tokens long; t5 reads at most 512 \(T5 was pre-trained on inputs of 512 tokens/);
    // Refused before the encoder: no session was even created (creating one takes far longer).
    expect(performance.now() - t0).toBeLessThan(1000);
    // Generation (what the explorer runs for T5) takes the same check.
    const g = await runner.generate(long, { steps: 4 }).catch((x: unknown) => x);
    expect((g as AtlasError).code).toBe('too-long');
    const cut = await runner.run(long, { steps: 2, taps: ['probs'], truncate: true });
    expect(cut.tokens.length).toBe(512);
    await runner.release();
  });

  it('partial traces send what changed (the encoder once, then each step’s new decoder and cross values), and the page gets every one back whole', async () => {
    const runner = await t5();
    const steps: DenseTrace[] = [];
    await runner.run('summarize: the cat sat on the mat and looked at the dog', { steps: 8, onStep: (t) => steps.push(t), hidden: true });
    expect(steps.length).toBeGreaterThan(4);
    const sender = new PartialSender();
    const bytesOf = (t: DenseTrace) => traceBuffers(t).reduce((a, b) => a + b.byteLength, 0);
    let first: DenseTrace | undefined;
    let previous: DenseTrace | undefined;
    const sentBytes: number[] = [];
    const wholeBytes: number[] = [];
    steps.forEach((t, i) => {
      const sent = sender.next(t);
      sentBytes.push(bytesOf(sent.trace));
      wholeBytes.push(bytesOf(t));
      if (i > 0) {
        expect(sent.trace.attention.encoder).toBeUndefined();
        expect(sent.trace.hidden).toBeUndefined();
        // Decoder self-attention of step i: only the new query row and key column, not (i + 1)² per head.
        const [L, H, T] = t.attention.decoder!.probs!.shape;
        expect(sent.trace.attention.decoder!.probs!.data.length).toBe(L * H * (2 * T - 1));
        // Cross-attention's keys come from the encoder: nothing is resent.
        expect(sent.trace.attention.cross!.k!.data.length).toBe(0);
      }
      const received = partialReceived(sent, first, previous);
      first ??= received;
      previous = received;
      for (const kind of ['encoder', 'decoder', 'cross'] as const)
        for (const tap of Object.keys(t.attention[kind]!) as (keyof NonNullable<DenseTrace['attention']['encoder']>)[]) {
          expect(received.attention[kind]![tap]!.shape, `${i} ${kind}.${tap}`).toEqual(t.attention[kind]![tap]!.shape);
          // Earlier positions come from the earlier step's run of the same causal decoder: equal up to
          // float32 rounding (onnxruntime may pick other kernels for a longer sequence).
          const got = received.attention[kind]![tap]!.data;
          const want = t.attention[kind]![tap]!.data;
          let worst = 0;
          for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs(got[j] - want[j]) / Math.max(1, Math.abs(want[j])));
          expect(worst, `${i} ${kind}.${tap}`).toBeLessThan(1e-5);
        }
      expect(Array.from(received.hidden!.data)).toEqual(Array.from(t.hidden!.data));
      expect(received.decoderTokens).toEqual(t.decoderTokens);
    });
    // After the first, each partial costs a small, steady share of a whole one, which grows with the step.
    const later = sentBytes.slice(1);
    expect(Math.max(...later)).toBeLessThan(0.2 * wholeBytes[wholeBytes.length - 1]);
    expect(later.reduce((a, b) => a + b, 0)).toBeLessThan(0.25 * wholeBytes.slice(1).reduce((a, b) => a + b, 0));
    await runner.release();
  });

  it('a grown tensor is the previous one with the new values placed outside its box', () => {
    const prev = { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) };
    const next = { shape: [3, 3], data: Float32Array.from([1, 2, 5, 3, 4, 6, 7, 8, 9]) };
    const part = grownPart(next, prev.shape);
    expect(Array.from(part.data)).toEqual([5, 6, 7, 8, 9]);
    expect(Array.from(withGrownPart(prev, part).data)).toEqual(Array.from(next.data));
  });
});

describe('T5 greedy decoding stops', () => {
  it('at twice the source length when the model never writes </s>, and says so; at </s> otherwise', async () => {
    const runner = await t5();
    // A random model does not write </s>: it runs into the limit, however many steps were asked for.
    const t = await runner.run('a b c', { steps: 1000, taps: ['probs'] });
    const source = t.tokens.length;
    expect(t.generation).toMatchObject({ stopped: 'length-limit', limit: 2 * source, cache: true });
    expect(t.decoderTokens!.length).toBe(2 * source + 1); // the start token, then the limit
    const few = await runner.run('a b c', { steps: 2, taps: ['probs'] });
    expect(few.generation!.stopped).toBe('steps');
    await runner.release();
  });
});

describe('T5 generation timings', () => {
  it('the final trace times the whole generation, not only what ran after the last partial trace', async () => {
    const runner = await t5();
    const partials: number[] = [];
    const t = await runner.run('a b c d', { steps: 6, taps: ['probs'], onStep: (p) => partials.push(p.timings.runMs) });
    expect(partials.length).toBeGreaterThan(2);
    // Each partial counts the run so far, and the final one at least as much as the last partial.
    for (let i = 1; i < partials.length; i++) expect(partials[i]).toBeGreaterThanOrEqual(partials[i - 1]);
    expect(t.timings.runMs).toBeGreaterThanOrEqual(partials[partials.length - 1]);
    expect(t.timings.runMs).toBeGreaterThan(0);
    await runner.release();
  });
});
