// T5 has no position table, so nothing used to stop a long source: 3,005 source tokens
// took a tab to ~16 GB. Now it has a length limit checked before the encoder runs, and
// partial traces during generation carry the (unchanging) encoder side only once.
import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import { randomCheckpoint } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { partialReceived, partialToSend } from '../../src/lib/runtime/partial-traces';
import { traceBuffers } from '../../src/lib/runtime/protocol';
import { AtlasError } from '../../src/lib/errors';
import type { Trace } from '../../src/lib/trace/types';

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

  it('partial traces after the first leave the encoder out, and the page gets every one back whole', async () => {
    const runner = await t5();
    const steps: Trace[] = [];
    await runner.run('summarize: the cat sat on the mat and looked at the dog', { steps: 5, onStep: (t) => steps.push(t), hidden: true });
    expect(steps.length).toBeGreaterThan(2);
    let first: Trace | undefined;
    steps.forEach((t, i) => {
      const sent = partialToSend(t, i);
      const bytes = traceBuffers(sent.trace).reduce((a, b) => a + b.byteLength, 0);
      if (i > 0) {
        expect(sent.trace.attention.encoder).toBeUndefined();
        expect(sent.trace.hidden).toBeUndefined();
        expect(bytes).toBeLessThan(traceBuffers(t).reduce((a, b) => a + b.byteLength, 0));
      }
      const received = partialReceived(sent, first);
      first ??= received;
      for (const kind of ['encoder', 'decoder', 'cross'] as const)
        for (const tap of Object.keys(t.attention[kind]!) as (keyof NonNullable<Trace['attention']['encoder']>)[])
          expect(Array.from(received.attention[kind]![tap]!.data), `${i} ${kind}.${tap}`).toEqual(Array.from(t.attention[kind]![tap]!.data));
      expect(Array.from(received.hidden!.data)).toEqual(Array.from(t.hidden!.data));
      expect(received.decoderTokens).toEqual(t.decoderTokens);
    });
    await runner.release();
  });
});

describe('T5 greedy decoding stops', () => {
  it('at twice the source length when the model never writes </s>, and says so; at </s> otherwise', async () => {
    const runner = await t5();
    // A random model does not write </s>: it runs into the limit, however many steps were asked for.
    const t = await runner.run('a b c', { steps: 1000, taps: ['probs'] });
    const source = t.tokens.length;
    expect(t.generation).toEqual({ stopped: 'length-limit', limit: 2 * source });
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
