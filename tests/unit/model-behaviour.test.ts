// The behaviours the embedded models' cards claim, re-measured through the app's own
// runtime on held-out text (a smaller sample than `npm run models:check`, same recipes).
//
// Each model is held to issue 4's targets (tiny-llama to issue 12's, which are tiny-gpt2's);
// tiny-t5 to issue 13's, on words no training file contains.
import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../src/lib/runtime/backend';
import { readFileSync } from 'node:fs';
import { checkModel, GPT2_PROMPTS, QUICK, readHeldout, readTrainWords, T5_TARGETS, type ModelReport } from '../../tools/models-check';

beforeAll(() => configureOrt({ threads: 1 }));

function figure(report: ModelReport, name: string): number {
  const f = report.figures.find((x) => x.name === name);
  if (!f) throw new Error(`${report.model} reports no "${name}"`);
  return f.value;
}

describe('embedded model behaviour', { timeout: 300_000 }, () => {
  const heldout = readHeldout();

  it('tiny-gpt2: held-out perplexity ≤ 150, a previous-token head ≥ 0.7, an induction head ≥ 0.5 in a layer ≥ 1; the card quotes its real continuations', async () => {
    const report = await checkModel('tiny-gpt2', heldout, QUICK);
    expect(figure(report, 'previous-token head')).toBeGreaterThanOrEqual(0.7);
    expect(figure(report, 'induction head (layer ≥ 1)')).toBeGreaterThanOrEqual(0.5);
    // Issue 13: on the first 150 windows of the held-out files (the card's figure uses all 657).
    expect(figure(report, 'held-out perplexity')).toBeLessThanOrEqual(150);
    // The card's table of greedy continuations is what the app itself writes for those prompts.
    const card = readFileSync('static/models/tiny-gpt2/README.md', 'utf8');
    expect(report.continuations).toHaveLength(GPT2_PROMPTS.prompts.length);
    for (const c of report.continuations!) expect(card).toContain(`| ${c.prompt} | …${c.continuation} |`);
  });

  it('tiny-llama: a previous-token head ≥ 0.7 and an induction head ≥ 0.3 in a layer ≥ 1; the sink on <s> is measured', async () => {
    const report = await checkModel('tiny-llama', heldout, QUICK);
    expect(figure(report, 'previous-token head')).toBeGreaterThanOrEqual(0.7);
    expect(figure(report, 'induction head (layer ≥ 1)')).toBeGreaterThanOrEqual(0.3);
    // As for tiny-gpt2: far below a uniform guess over 4,000 tokens (the shipped model: 152).
    expect(figure(report, 'held-out perplexity')).toBeLessThan(400);
    // Issue 12 sets no target for the sink; it is a share of attention, so it lies in [0, 1].
    const sink = figure(report, 'attention sink on <s>, highest head');
    expect(sink).toBeGreaterThan(0);
    expect(sink).toBeLessThanOrEqual(1);
    expect(report.figures.find((f) => f.name.startsWith('attention sink'))!.detail).toMatch(/per head L0: .*; L3: /);
  });

  it('tiny-t5: reverses lists of words no training file contains (≥ 90 % for 3–6 words, ≥ 75 % for 7–10), cross-attention on the word ≥ 80 % and on the very piece ≥ 60 %', async () => {
    // The inputs are built here, from the held-out files' words that are not in the list of words
    // the training files contain (written by tools/train/train_t5.py), of 1–4 pieces.
    const trainWords = readTrainWords();
    const report = await checkModel('tiny-t5', heldout, QUICK);
    const pool = (report.figures.find((f) => f.name === 'reverse: exact match, 3–6 unseen words')?.detail ?? '').match(/(\d+) words/);
    expect(Number(pool?.[1])).toBeGreaterThan(200);
    expect(trainWords.size).toBeGreaterThan(30_000);
    expect(figure(report, 'reverse: exact match, 3–6 unseen words')).toBeGreaterThanOrEqual(T5_TARGETS.exactShort);
    expect(figure(report, 'reverse: exact match, 7–10 unseen words')).toBeGreaterThanOrEqual(T5_TARGETS.exactLong);
    expect(figure(report, 'cross-attention on the word being written, best head')).toBeGreaterThanOrEqual(T5_TARGETS.word);
    expect(figure(report, 'cross-attention on the very piece being copied, same head')).toBeGreaterThanOrEqual(T5_TARGETS.piece);
  });

  it('tiny-bert: guesses masked words far above chance; one head looks at the previous token and another at the next, each ≥ 0.5', async () => {
    const report = await checkModel('tiny-bert', heldout, QUICK);
    // Chance over 4,000 tokens is 0.00125 for top-5; the unigram plateau of the first recipe gave 0.15.
    expect(figure(report, 'masked top-5')).toBeGreaterThan(0.22);
    expect(figure(report, 'masked top-1')).toBeGreaterThan(0.1);
    // As a user types it (one whole word of a held-out sentence replaced by [MASK]): the card says 0.28 over all 2,667.
    expect(figure(report, 'one typed [MASK] per sentence: top-5')).toBeGreaterThan(0.2);
    expect(figure(report, 'previous-token head')).toBeGreaterThanOrEqual(0.5);
    expect(figure(report, 'next-token head')).toBeGreaterThanOrEqual(0.5);
    // Two heads, not one split between both neighbours (what an earlier tiny-bert had).
    const where = (name: string) => report.figures.find((f) => f.name === name)!.detail;
    expect(where('previous-token head')).not.toBe(where('next-token head'));
  });
});
