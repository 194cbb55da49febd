// A lesson: a title and a sequence of steps. Each step is a full view state of the explorer
// (the URL fragment the explorer writes: model, text, target, view, layer, heads, query,
// options) plus a short text, or one of the app's own pages (tokenizers, positions, the cost
// of length) on a text. A lesson travels as a small JSON file or inside a link; both are
// checked field by field before anything is shown, and a broken one is refused with the
// step and field that are wrong.

import { decodeStateChecked, defaultState, LinkTooLarge, packText, unpackText, type ViewState } from '$lib/state/view-state';

export const LESSON_FORMAT = 'attention-atlas-lesson';
export const LESSON_VERSION = 1;
export const LESSON_LANGUAGES = ['en', 'zh'] as const;
export type LessonLanguage = (typeof LESSON_LANGUAGES)[number];

/** Pages a step can show instead of an explorer view. */
export const STEP_PAGES = ['tokenize', 'positions', 'cost'] as const;
export type StepPage = (typeof STEP_PAGES)[number];

export interface LessonStep {
  title: string;
  /** Plain text with a small Markdown subset (lesson-text.ts). */
  text: string;
  /** The explorer's URL fragment for this step (`m=tiny-gpt2&t=…&v=heatmap&l=1&h=0…`). */
  state: string;
  /** Show this page of the app on the step's text instead of an explorer view. */
  page?: StepPage;
}

export interface Lesson {
  format: typeof LESSON_FORMAT;
  version: typeof LESSON_VERSION;
  title: string;
  lang: LessonLanguage;
  steps: LessonStep[];
}

/** Sizes no lesson needs to pass: a file is a stranger's input. */
export const LESSON_LIMITS = { fileBytes: 512 * 1024, steps: 200, titleChars: 200, textChars: 5000, stateChars: 64 * 1024 } as const;

export class LessonError extends Error {
  override name = 'LessonError';
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The state a step asks for, with what in it was refused (an empty list: all of it is good). */
export async function stepState(step: Pick<LessonStep, 'state'>): Promise<{ state: ViewState; problems: string[] }> {
  const { state, problems } = await decodeStateChecked(step.state, defaultState(''));
  return { state, problems };
}

/**
 * Reads a lesson from the text of a JSON file (or a link), checking every field; throws a
 * LessonError that says which step and field are wrong.
 */
export async function parseLesson(json: string): Promise<Lesson> {
  if (json.length > LESSON_LIMITS.fileBytes) throw new LessonError(`This lesson is ${Math.round(json.length / 1024)} kB; a lesson file is at most ${LESSON_LIMITS.fileBytes / 1024} kB, so it was not opened.`);
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    throw new LessonError(`This is not a lesson file: it is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (!isRecord(v) || v.format !== LESSON_FORMAT) throw new LessonError(`This is not a lesson file: it has no "format": "${LESSON_FORMAT}".`);
  if (v.version !== LESSON_VERSION) throw new LessonError(`This lesson file has version ${JSON.stringify(v.version)}; this app reads version ${LESSON_VERSION}.`);
  const text = (value: unknown, what: string, max: number, allowEmpty = false): string => {
    if (typeof value !== 'string') throw new LessonError(`This lesson file is damaged: ${what} is not text.`);
    if (!allowEmpty && !value.trim()) throw new LessonError(`This lesson file is damaged: ${what} is empty.`);
    if (value.length > max) throw new LessonError(`This lesson file is damaged: ${what} is ${value.length.toLocaleString('en')} characters, more than the ${max.toLocaleString('en')} a lesson allows.`);
    return value;
  };
  const title = text(v.title, 'the title', LESSON_LIMITS.titleChars);
  const lang = v.lang === undefined ? 'en' : v.lang;
  if (!(LESSON_LANGUAGES as readonly unknown[]).includes(lang)) throw new LessonError(`This lesson file is damaged: its language ${JSON.stringify(lang)} is not one of ${LESSON_LANGUAGES.join(', ')}.`);
  if (!Array.isArray(v.steps) || v.steps.length === 0) throw new LessonError('This lesson file has no steps.');
  if (v.steps.length > LESSON_LIMITS.steps) throw new LessonError(`This lesson file has ${v.steps.length} steps; a lesson has at most ${LESSON_LIMITS.steps}.`);
  const steps: LessonStep[] = [];
  for (const [i, raw] of v.steps.entries()) {
    const where = `step ${i + 1}`;
    if (!isRecord(raw)) throw new LessonError(`This lesson file is damaged: ${where} is not an object with a title, a text and a state.`);
    const step: LessonStep = {
      title: text(raw.title, `the title of ${where}`, LESSON_LIMITS.titleChars),
      text: text(raw.text, `the text of ${where}`, LESSON_LIMITS.textChars, true),
      state: text(raw.state, `the view state of ${where}`, LESSON_LIMITS.stateChars),
    };
    if (raw.page !== undefined) {
      if (!(STEP_PAGES as readonly unknown[]).includes(raw.page)) throw new LessonError(`This lesson file is damaged: ${where} asks for the page ${JSON.stringify(raw.page)}, which is not one of ${STEP_PAGES.join(', ')}.`);
      step.page = raw.page as StepPage;
    }
    const { state, problems } = await stepState(step);
    if (problems.length) throw new LessonError(`This lesson file is damaged: in ${where}, ${problems[0].replace(/^The link's/, 'the').replace(/; (it was|they were) ignored\.$/, '.')}`);
    if (!state.model) throw new LessonError(`This lesson file is damaged: ${where} names no model (m=…).`);
    steps.push(step);
  }
  return { format: LESSON_FORMAT, version: LESSON_VERSION, title, lang: lang as LessonLanguage, steps };
}

export const lessonJson = (lesson: Lesson): string => `${JSON.stringify(lesson, null, 2)}\n`;

/** A link's fragment that carries the whole lesson (deflated), opened at `step`. */
export async function lessonFragment(lesson: Lesson, step = 0): Promise<string> {
  const p = new URLSearchParams();
  p.set('lesson', await packText(JSON.stringify(lesson)));
  if (step) p.set('s', String(step + 1));
  return p.toString();
}

/** What a /learn/ link asks for: a built-in lesson by id, a lesson it carries, or the author's draft; and the step (0-based). */
export type LessonLink = { kind: 'builtin'; id: string; step: number } | { kind: 'carried'; lesson: Lesson; step: number } | { kind: 'draft'; step: number } | { kind: 'index' };

export async function readLessonLink(fragment: string): Promise<LessonLink> {
  const p = new URLSearchParams(fragment.replace(/^#/, ''));
  const s = Number(p.get('s'));
  const step = Number.isInteger(s) && s >= 1 ? s - 1 : 0;
  const packed = p.get('lesson');
  if (packed !== null) {
    let json: string;
    try {
      json = await unpackText(packed, LESSON_LIMITS.fileBytes);
    } catch (e) {
      throw new LessonError(e instanceof LinkTooLarge ? `The link's lesson is over ${LESSON_LIMITS.fileBytes / 1024} kB once unpacked, so it was not opened.` : "The link's lesson is damaged (it may have been cut short when copied) and could not be read.");
    }
    return { kind: 'carried', lesson: await parseLesson(json), step };
  }
  const id = p.get('b');
  if (id) return { kind: 'builtin', id, step };
  if (p.get('draft') !== null) return { kind: 'draft', step };
  return { kind: 'index' };
}
