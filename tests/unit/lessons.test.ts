// Lesson files and links (each broken field refused with where it is), the lesson-text subset
// (never HTML), the draft a teacher builds, and the cost-of-length arithmetic.
import { describe, expect, it } from 'vitest';
import { LESSON_FORMAT, LESSON_LIMITS, LessonError, lessonFragment, lessonJson, parseLesson, readLessonLink, type Lesson } from '../../src/lib/lessons/lesson';
import { parseInline, parseLessonText } from '../../src/lib/lessons/lesson-text';
import { addToDraft, loadDraft, moveStep, saveDraft } from '../../src/lib/lessons/draft';
import { attentionCrossover, fitCost, fitQuadratic, layerFlops, median, prefixText, quadraticShare, stepFlops, sweepLengths } from '../../src/lib/lessons/cost-of-length';
import type { Trace } from '../../src/lib/trace/types';

const lesson = (steps: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ format: LESSON_FORMAT, version: 1, title: 'T', lang: 'en', steps, ...extra });
const step = (state = 'm=tiny-gpt2&t=hi&l=0&h=1&q=0&v=heatmap', more: Record<string, unknown> = {}) => ({ title: 'S', text: 'x', state, ...more });

class MemoryStorage {
  data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
}

describe('lesson files', () => {
  it('reads a valid file and writes the same lesson back', async () => {
    const l = await parseLesson(lesson([step(), step('m=tiny-t5&t=reverse%3A+a+b&k=cross&l=2&h=0&q=1&v=alignment', { page: 'tokenize' })]));
    expect(l.steps).toHaveLength(2);
    expect(l.steps[1].page).toBe('tokenize');
    expect(await parseLesson(lessonJson(l))).toEqual(l);
  });

  it('refuses each broken field, saying which step and what', async () => {
    const cases: [string, RegExp][] = [
      ['{', /not valid JSON/],
      [JSON.stringify({ version: 1, title: 'T', steps: [step()] }), /"format"/],
      [lesson([step()], { version: 2 }), /version 2/],
      [lesson([]), /no steps/],
      [lesson([step()], { title: '' }), /the title is empty/],
      [lesson([step()], { lang: 'fr' }), /language "fr"/],
      [lesson([step(), 'x']), /step 2 is not an object/],
      [lesson([step(), { title: 'S', text: 5, state: 'm=a' }]), /the text of step 2 is not text/],
      [lesson([step('t=hi')]), /step 1 names no model/],
      [lesson([step('m=tiny-gpt2&t=hi&h=two')]), /in step 1, the head "two" is not a whole number\.$/],
      [lesson([step('m=tiny-gpt2&t=hi&v=nonsense')]), /in step 1, the view "nonsense"/],
      [lesson([step(undefined, { page: 'secret' })]), /page "secret"/],
      [lesson([{ ...step(), text: 'x'.repeat(LESSON_LIMITS.textChars + 1) }]), /more than the 5,000/],
      [lesson(Array.from({ length: LESSON_LIMITS.steps + 1 }, () => step())), /at most 200/],
      [' '.repeat(LESSON_LIMITS.fileBytes + 1), /at most 512 kB/],
    ];
    for (const [json, message] of cases) await expect(parseLesson(json), String(message)).rejects.toThrow(message);
    await expect(parseLesson('{')).rejects.toBeInstanceOf(LessonError);
  });

  it('travels inside a link, opened at a step; a damaged link is refused', async () => {
    const l = await parseLesson(lesson([step(), step()]));
    const fragment = await lessonFragment(l, 1);
    expect(await readLessonLink(fragment)).toEqual({ kind: 'carried', lesson: l, step: 1 });
    expect(await readLessonLink('#b=qkv&s=3')).toEqual({ kind: 'builtin', id: 'qkv', step: 2 });
    expect(await readLessonLink('#draft')).toEqual({ kind: 'draft', step: 0 });
    expect(await readLessonLink('')).toEqual({ kind: 'index' });
    await expect(readLessonLink('#lesson=AAAA')).rejects.toThrow(/damaged/);
  });
});

describe('lesson text', () => {
  it('renders a Markdown subset as data, never HTML', () => {
    expect(parseLessonText('Each **row** is a *query*, see `q·k`.\n\n- one\n- two\n\n1. first\n2. second')).toEqual([
      { kind: 'paragraph', parts: [{ kind: 'text', text: 'Each ' }, { kind: 'strong', text: 'row' }, { kind: 'text', text: ' is a ' }, { kind: 'em', text: 'query' }, { kind: 'text', text: ', see ' }, { kind: 'code', text: 'q·k' }, { kind: 'text', text: '.' }] },
      { kind: 'list', ordered: false, items: [[{ kind: 'text', text: 'one' }], [{ kind: 'text', text: 'two' }]] },
      { kind: 'list', ordered: true, items: [[{ kind: 'text', text: 'first' }], [{ kind: 'text', text: 'second' }]] },
    ]);
    // Markup is text; unmatched markers stay as they are; 2 * 3 * 4 is not emphasis.
    expect(parseInline('<script>alert(1)</script>')).toEqual([{ kind: 'text', text: '<script>alert(1)</script>' }]);
    expect(parseInline('2 * 3 * 4 and **open')).toEqual([{ kind: 'text', text: '2 * 3 * 4 and **open' }]);
    // Lines of one paragraph join with a space.
    expect(parseLessonText('a\nb')).toEqual([{ kind: 'paragraph', parts: [{ kind: 'text', text: 'a b' }] }]);
  });
});

describe('the draft lesson', () => {
  it('grows one step per “Add to lesson”, survives a reload, and reorders', async () => {
    const storage = new MemoryStorage() as unknown as Storage;
    expect(await loadDraft(storage)).toBeNull();
    expect(await addToDraft(step('m=tiny-gpt2&t=a&v=heatmap'), 'en', storage)).toBe(1);
    expect(await addToDraft(step('m=tiny-bert&t=b&v=head'), 'en', storage)).toBe(2);
    const d = (await loadDraft(storage))!;
    expect(d.steps.map((s) => s.state)).toEqual(['m=tiny-gpt2&t=a&v=heatmap', 'm=tiny-bert&t=b&v=head']);
    const moved = moveStep(d, 1, 0);
    expect(moved.steps.map((s) => s.state)).toEqual(['m=tiny-bert&t=b&v=head', 'm=tiny-gpt2&t=a&v=heatmap']);
    expect(moveStep(d, 0, -1)).toBe(d);
    // A draft emptied by the editor is kept (a file may not be empty, a draft may).
    saveDraft({ ...d, title: 'Mine', steps: [] } as Lesson, storage);
    expect(await loadDraft(storage)).toMatchObject({ title: 'Mine', steps: [] });
    // A damaged draft is dropped, not half-read.
    storage.setItem('attention-atlas:lesson-draft', '{"steps":[{"title":1}]}');
    expect(await loadDraft(storage)).toBeNull();
  });
});

describe('cost of length', () => {
  it('fits a + b·T + c·T² exactly through points of such a curve', () => {
    const xs = [8, 16, 32, 64, 128];
    const f = fitQuadratic(xs, xs.map((x) => 3 + 0.5 * x + 0.01 * x * x))!;
    expect(f.a).toBeCloseTo(3, 6);
    expect(f.b).toBeCloseTo(0.5, 6);
    expect(f.c).toBeCloseTo(0.01, 8);
    expect(quadraticShare(f, 128)).toBeCloseTo((0.01 * 128 * 128) / (3 + 64 + 0.01 * 128 * 128), 6);
    expect(fitQuadratic([1, 2], [1, 2])).toBeNull();
    // A fit that finds no quadratic part gives it no share.
    expect(quadraticShare({ a: 1, b: 1, c: -0.001 }, 100)).toBe(0);
    // Points that bend down (noise) get the best straight line instead of a negative T² term.
    const bent = [8, 16, 32, 64, 128].map((x) => 5 + 0.3 * x - 0.001 * x * x);
    expect(fitQuadratic(xs, bent)!.c).toBeLessThan(0);
    const line = fitCost(xs, bent)!;
    expect(line.c).toBe(0);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    // The least-squares line passes through the mean point.
    expect(line.a + line.b * mean(xs)).toBeCloseTo(mean(bent), 9);
    expect(fitCost(xs, xs.map((x) => 3 + 0.5 * x + 0.01 * x * x))!.c).toBeCloseTo(0.01, 8);
  });

  it('counts attention’s share of the layers’ work from the shapes (tiny-gpt2 by hand; grouped-query and gated FFN)', () => {
    // tiny-gpt2: d 128, 4 heads of 32, FFN 512, 4 layers. Per layer at T = 128: projections 4 × 2·T·d·d = 16,777,216;
    // QKᵀ and PV 2 × 2·T²·128 = 8,388,608; FFN 2 × 2·T·d·512 = 33,554,432.
    const tiny = { layers: 4, heads: 4, headDim: 32, dModel: 128, ffn: { dim: 512, matrices: 2 as const } };
    expect(layerFlops(tiny, 128)).toEqual({ attention: 4 * 8388608, total: 4 * (16777216 + 8388608 + 33554432) });
    // Half of the work when 512·T² = 393,216·T: T = 768.
    expect(attentionCrossover(tiny)).toBe(768);
    // Grouped-query attention makes k and v cheaper; a gated FFN has three matrices.
    const gqa = layerFlops({ ...tiny, kvHeads: 2, ffn: { dim: 512, matrices: 3 } }, 10)!;
    expect(gqa.total / 4).toBe(2 * 10 * 128 * 128 + 2 * 2 * 10 * 128 * 64 + 2 * 10 * 128 * 128 + 4 * 100 * 128 + 3 * 2 * 10 * 128 * 512);
    // T5 (two stacks) is not counted.
    expect(layerFlops({ ...tiny, decoderLayers: 4 }, 8)).toBeNull();
    // A cached step reading 20 keys, by hand per layer: projections 4 × 2·d·d = 131,072 and FFN 2 × 2·d·512 = 262,144
    // for one token, QKᵀ and PV 2 × 2·20·128 = 10,240 for its row; recomputing is layerFlops at T = 20.
    expect(stepFlops(tiny, 20)).toEqual({ cached: 4 * (131072 + 262144 + 10240), recomputed: 4 * (20 * 131072 + 20 * 262144 + 2 * 2 * 400 * 128) });
    expect(stepFlops({ ...tiny, decoderLayers: 4 }, 8)).toBeNull();
  });

  it('sweeps doubling lengths up to the model’s limit, and cuts a text after its n-th token', () => {
    expect(sweepLengths(128)).toEqual([8, 16, 32, 64, 128]);
    expect(sweepLengths(100)).toEqual([8, 16, 32, 64, 100]);
    expect(sweepLengths(null, 40)).toEqual([8, 16, 32, 40]);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const whole = { text: 'ab cd ef', tokens: [{ start: 0, end: 0 }, { start: 0, end: 2 }, { start: 2, end: 5 }, { start: 5, end: 8 }] } as unknown as Trace;
    expect(prefixText(whole, 2)).toBe('ab cd');
    expect(prefixText(whole, 9)).toBe('ab cd ef');
  });
});
