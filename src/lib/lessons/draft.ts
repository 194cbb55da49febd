// The lesson a teacher is writing: kept in this browser's storage, grown from the explorer
// ("Add to lesson" on any view) and edited on /learn/. It is a lesson like any other, so it
// is saved as a file or a link in the same format it is checked in.

import { LESSON_FORMAT, LESSON_LIMITS, LESSON_VERSION, parseLesson, type Lesson, type LessonLanguage, type LessonStep } from './lesson';

const STORAGE_KEY = 'attention-atlas:lesson-draft';

export const emptyDraft = (lang: LessonLanguage): Lesson => ({ format: LESSON_FORMAT, version: LESSON_VERSION, title: lang === 'zh' ? '我的课程' : 'My lesson', lang, steps: [] });

/** The stored draft (checked like a file: a damaged one is dropped, not shown half-read). */
export async function loadDraft(storage: Storage | undefined = globalThis.localStorage): Promise<Lesson | null> {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as Lesson;
    // A draft may have no steps yet, which a lesson file may not.
    if (Array.isArray(v.steps) && v.steps.length === 0) return { ...emptyDraft(v.lang === 'zh' ? 'zh' : 'en'), title: typeof v.title === 'string' && v.title.trim() ? v.title : emptyDraft('en').title };
    return await parseLesson(raw);
  } catch {
    return null;
  }
}

export function saveDraft(lesson: Lesson, storage: Storage | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(lesson));
  } catch {
    // Storage full or disabled: the page still holds it; saving it as a file keeps it.
  }
}

/** Appends a step to the draft (made if there is none); returns the new step count. */
export async function addToDraft(step: LessonStep, lang: LessonLanguage, storage: Storage | undefined = globalThis.localStorage): Promise<number> {
  const draft = (await loadDraft(storage)) ?? emptyDraft(lang);
  if (draft.steps.length >= LESSON_LIMITS.steps) throw new Error(`A lesson has at most ${LESSON_LIMITS.steps} steps; this one is full.`);
  draft.steps.push(step);
  saveDraft(draft, storage);
  return draft.steps.length;
}

/** Moves step `from` to `to` (reordering in the editor). */
export function moveStep(lesson: Lesson, from: number, to: number): Lesson {
  if (to < 0 || to >= lesson.steps.length || from === to) return lesson;
  const steps = [...lesson.steps];
  const [s] = steps.splice(from, 1);
  steps.splice(to, 0, s);
  return { ...lesson, steps };
}
