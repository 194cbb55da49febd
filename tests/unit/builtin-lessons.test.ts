// The built-in lessons: every file they would make is valid, every step's state names an
// embedded model and a view, and what a step's text says about a head is true of the model's
// own trace on that step's text (run here through the Node runtime, as the page runs it).

import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_LESSONS, builtinLesson } from '../../src/lib/lessons/builtin';
import { LESSON_LANGUAGES, lessonJson, parseLesson, stepState } from '../../src/lib/lessons/lesson';
import { VIEW_NAMES } from '../../src/lib/state/view-state';
import { loadModelDir } from '../../src/lib/runtime/node';
import type { ModelRunner } from '../../src/lib/runtime/runner';
import { headRoles, type HeadRole } from '../../src/lib/trace/head-roles';
import { headCells } from '../../src/lib/trace/attention-matrix';
import type { AttentionKind, Trace } from '../../src/lib/trace/types';
import { readFileSync } from 'node:fs';
import { CATALOGUES } from '../../src/lib/i18n/catalogue';

const EMBEDDED = (JSON.parse(readFileSync('static/models/manifest.json', 'utf8')) as { models: { id: string; kind: string }[] }).models.filter((m) => m.kind === 'model').map((m) => m.id);

const runners = new Map<string, ModelRunner>();
async function traceOf(lessonId: string, step: number): Promise<Trace> {
  const lesson = BUILTIN_LESSONS.find((l) => l.id === lessonId)!;
  const { state } = await stepState(lesson.steps[step]);
  let r = runners.get(state.model);
  if (!r) runners.set(state.model, (r = await loadModelDir(`static/models/${state.model}`, { id: state.model, source: 'embedded' })));
  return state.model === 'tiny-t5' && !state.target ? r.generate(state.text, { steps: 40 }) : r.run(state.text);
}
afterAll(async () => {
  for (const r of runners.values()) await r.release();
});

/** The head with the highest `role` score, and that score. */
function best(trace: Trace, kind: AttentionKind, role: HeadRole) {
  const t = headRoles(trace, kind)!;
  let out = { layer: -1, head: -1, score: -1 };
  t.scores.forEach((row, layer) => row.forEach((s, head) => (s[role] ?? -1) > out.score && (out = { layer, head, score: s[role]! })));
  return out;
}
const score = (trace: Trace, kind: AttentionKind, role: HeadRole, layer: number, head: number) => headRoles(trace, kind)!.scores[layer][head][role]!;
function argmaxRow(trace: Trace, kind: AttentionKind, layer: number, head: number, row: number): number {
  const { cols, values } = headCells(trace, kind, layer, head);
  let at = 0;
  for (let j = 1; j < cols; j++) if (values[row * cols + j] > values[row * cols + at]) at = j;
  return at;
}

describe('built-in lessons', () => {
  it('are valid lesson files in both languages, on embedded models and real views', async () => {
    for (const b of BUILTIN_LESSONS)
      for (const lang of LESSON_LANGUAGES) {
        const lesson = builtinLesson(b.id, lang)!;
        expect(await parseLesson(lessonJson(lesson))).toEqual(lesson);
        for (const step of lesson.steps) {
          const { state, problems } = await stepState(step);
          expect(problems, `${b.id}: ${step.title}`).toEqual([]);
          expect(EMBEDDED).toContain(state.model);
          expect(VIEW_NAMES).toContain(state.view);
          expect(step.text.trim().length).toBeGreaterThan(0);
        }
      }
  });

  it('quote the controls by the words the interface shows, in each language', () => {
    // seq2seq 1 tells the reader to open Options and untick the alignment's averaging.
    const step = BUILTIN_LESSONS.find((l) => l.id === 'seq2seq')!.steps[0];
    for (const lang of LESSON_LANGUAGES) {
      expect(step.text[lang]).toContain(CATALOGUES[lang]['alignment.mean']);
      expect(step.text[lang]).toContain(CATALOGUES[lang]['view.options']);
    }
    // cost 3 tells the reader to press Measure.
    const cost = BUILTIN_LESSONS.find((l) => l.id === 'cost')!.steps[2];
    for (const lang of LESSON_LANGUAGES) expect(cost.text[lang]).toContain(CATALOGUES[lang]['cost.measure']);
  });

  it('name the heads the models really have on the lessons’ texts', async () => {
    // qkv 1 and heads 2: layer 0 head 1 is a previous-token head on the step's text.
    expect(score(await traceOf('qkv', 0), 'self', 'previous', 0, 1)).toBeGreaterThan(0.9);
    const twice = await traceOf('heads', 2);
    expect(score(twice, 'self', 'previous', 0, 1)).toBeGreaterThan(0.9);
    // heads 3: layer 1 head 0 scores highest for induction, and on the second “red” (token 15) looks at “k” (token 5), which followed the first “red”.
    expect(best(twice, 'self', 'induction')).toMatchObject({ layer: 1, head: 0 });
    expect(twice.tokens[15].text).toBe('Ġred');
    expect(twice.tokens[4].text).toBe('Ġred');
    expect(twice.tokens[5].text).toBe('Ġk');
    expect(argmaxRow(twice, 'self', 1, 0, 15)).toBe(5);
    // qkv 4: head 1 puts 0.996 of `it`'s (token 7) weight on `because` (token 6).
    const qkv = await traceOf('qkv', 3);
    expect([qkv.tokens[7].text, qkv.tokens[6].text]).toEqual(['Ġit', 'Ġbecause']);
    const row = headCells(qkv, 'self', 0, 1);
    expect(row.values[7 * row.cols + 6].toFixed(3)).toBe('0.996');
    // positions 2: tiny-gpt2's position table has 128 rows.
    expect((await traceOf('positions', 1)).model.maxPositions).toBe(128);
    // heads 4: layer 0 head 3 is the broadest (highest entropy) head.
    expect(best(twice, 'self', 'broad')).toMatchObject({ layer: 0, head: 3 });
  });

  it('say true things about masks, BERT and T5', async () => {
    // masks 1: GPT-2's first row can only look at itself.
    const gpt = await traceOf('masks', 0);
    expect(headCells(gpt, 'self', 0, 1).values[0]).toBeCloseTo(1, 6);
    // masks 2: tiny-bert layer 2 head 0 looks at the next token, and BERT adds [CLS] … [SEP].
    const bert = await traceOf('masks', 1);
    expect(score(bert, 'self', 'next', 2, 0)).toBeGreaterThan(0.6);
    expect([bert.tokens[0].text, bert.tokens.at(-1)!.text]).toEqual(['[CLS]', '[SEP]']);
    // masks 3: the [MASK] row (token 6) of layer 0 head 1 puts weight on both sides of it.
    const mask = await traceOf('masks', 2);
    expect(mask.tokens[6].text).toBe('[MASK]');
    const { cols, values } = headCells(mask, 'self', 0, 1);
    const row = values.subarray(6 * cols, 7 * cols);
    const before = row.subarray(1, 6).reduce((a, b) => a + b, 0);
    const after = row.subarray(7, cols - 1).reduce((a, b) => a + b, 0);
    expect(before).toBeGreaterThan(0.2);
    expect(after).toBeGreaterThan(0.2);
    // seq2seq 1: T5 writes the reversal, and in decoder layer 2 head 0 each word's first piece looks at that word in the source.
    const t5 = await traceOf('seq2seq', 0);
    expect(t5.target).toBe('window green house apple');
    expect(t5.decoderTokens![0].text).toBe('<pad>');
    const source = t5.tokens.map((t) => t.text);
    // Decoder position k reads written token k and writes token k+1: row k writes decoderTokens[k + 1].
    // The view draws the mean over the layer's heads by default: it must show the same.
    const meanArgmax = (row: number) => {
      const cells = Array.from({ length: 4 }, (_, h) => headCells(t5, 'cross', 2, h));
      const cols = cells[0].cols;
      let at = 0;
      const mean = (j: number) => cells.reduce((a, c) => a + c.values[row * cols + j], 0);
      for (let j = 1; j < cols; j++) if (mean(j) > mean(at)) at = j;
      return at;
    };
    for (const [row, word] of [[0, '▁window'], [1, '▁green'], [2, '▁house'], [3, '▁a']] as const) {
      expect(source[argmaxRow(t5, 'cross', 2, 0, row)], word).toBe(word);
      expect(source[meanArgmax(row)], word).toBe(word);
    }
  });

  it('count the tokens they say (the cost lesson)', async () => {
    const short = await traceOf('cost', 0);
    expect(short.tokens.length).toBe(12);
    const long = await traceOf('cost', 1);
    // “75 tokens … 75 × 75 = 5,625 weights: 39 times the 144 before”.
    expect(long.tokens.length).toBe(75);
    expect(Math.round((75 * 75) / (12 * 12))).toBe(39);
  });
});
