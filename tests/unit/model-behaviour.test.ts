// The behaviours the embedded models' cards claim, re-measured through the app's own
// runtime on held-out text (a smaller sample than `npm run models:check`, same recipes).
//
// tiny-gpt2 and tiny-t5 are held to issue 4's targets. tiny-bert does not reach them: its
// layer-0 head looks at the next token from odd positions and at the previous one from even
// positions (an artifact of its curriculum; see its card), ≈ 0.44 each on average, not ≥ 0.5.
// It is held to floors a little under what it reaches, so that a regression fails, and the
// test says so rather than claiming the target.
import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../src/lib/runtime/backend';
import { checkModel, QUICK, readHeldout, type ModelReport } from '../../tools/models-check';

beforeAll(() => configureOrt({ threads: 1 }));

function figure(report: ModelReport, name: string): number {
  const f = report.figures.find((x) => x.name === name);
  if (!f) throw new Error(`${report.model} reports no "${name}"`);
  return f.value;
}

describe('embedded model behaviour', { timeout: 300_000 }, () => {
  const heldout = readHeldout();

  it('tiny-gpt2: a previous-token head ≥ 0.7 and an induction head ≥ 0.3 in a layer ≥ 1', async () => {
    const report = await checkModel('tiny-gpt2', heldout, QUICK);
    expect(figure(report, 'previous-token head')).toBeGreaterThanOrEqual(0.7);
    expect(figure(report, 'induction head (layer ≥ 1)')).toBeGreaterThanOrEqual(0.3);
    // A model that learned English beats a uniform guess over its 4,000 tokens by far.
    expect(figure(report, 'held-out perplexity')).toBeLessThan(400);
  });

  it('tiny-t5: reverses held-out words ≥ 90 % exactly, with cross-attention on the emitted word ≥ 80 %', async () => {
    const report = await checkModel('tiny-t5', heldout, QUICK);
    expect(figure(report, 'reverse: exact match (held-out words)')).toBeGreaterThanOrEqual(0.9);
    expect(figure(report, 'cross-attention on the emitted word, best head')).toBeGreaterThanOrEqual(0.8);
  });

  it('tiny-bert: guesses masked words far above chance, and one head looks at its neighbours (below the 0.5-each target)', async () => {
    const report = await checkModel('tiny-bert', heldout, QUICK);
    // Chance over 4,000 tokens is 0.00125 for top-5; the unigram plateau of the first recipe gave 0.15.
    expect(figure(report, 'masked top-5')).toBeGreaterThan(0.22);
    expect(figure(report, 'masked top-1')).toBeGreaterThan(0.1);
    // Uniform attention over a ~20-token sentence would put ≈ 0.1 on the two neighbours together.
    expect(figure(report, 'previous + next token, one head')).toBeGreaterThan(0.75);
    expect(figure(report, 'previous-token head')).toBeGreaterThan(0.35);
    expect(figure(report, 'next-token head')).toBeGreaterThan(0.35);
  });
});
