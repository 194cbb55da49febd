// The behaviours the embedded models' cards claim, re-measured through the app's own
// runtime on held-out text (a smaller sample than `npm run models:check`, same recipes).
import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../src/lib/runtime/backend';
import { checkModel, passes, QUICK, readHeldout, type ModelReport } from '../../tools/models-check';

beforeAll(() => configureOrt({ threads: 1 }));

function expectTargets(report: ModelReport): void {
  for (const f of report.figures) if (f.target !== undefined) expect(f.value, `${report.model}: ${f.name} (${f.detail ?? ''})`).toBeGreaterThanOrEqual(f.target);
  expect(report.figures.every(passes)).toBe(true);
}

describe('embedded model behaviour', { timeout: 300_000 }, () => {
  const heldout = readHeldout();

  it('tiny-gpt2: a previous-token head ≥ 0.7 and an induction head ≥ 0.3 in a layer ≥ 1', async () => {
    const report = await checkModel('tiny-gpt2', heldout, QUICK);
    expectTargets(report);
    const perplexity = report.figures.find((f) => f.name === 'held-out perplexity')!.value;
    // A model that learned English beats a uniform guess over its 4,000 tokens by far.
    expect(perplexity).toBeLessThan(400);
  });

  it('tiny-bert: previous- and next-token heads ≥ 0.5, masked words guessed far above chance', async () => {
    const report = await checkModel('tiny-bert', heldout, QUICK);
    expectTargets(report);
    expect(report.figures.find((f) => f.name === 'masked top-5')!.value).toBeGreaterThan(0.3);
  });

  it('tiny-t5: reverses held-out words ≥ 90 % exactly, with cross-attention on the emitted word ≥ 80 %', async () => {
    expectTargets(await checkModel('tiny-t5', heldout, QUICK));
  });
});
