// "Add to lesson": the explorer offers every view's current picture as a lesson step. The page
// provides what adding means (its state, written as its link); each view's frame shows the button.

import { getContext, setContext } from 'svelte';
import type { ViewName } from '$lib/state/view-state';

export interface LessonAuthoring {
  /** Adds the view as it is now as the next step; resolves to the step's number (null: it could not be added). */
  add(view: ViewName): Promise<number | null>;
}

const KEY = Symbol('atlas-lesson-authoring');
export const setLessonAuthoring = (a: LessonAuthoring): LessonAuthoring => setContext(KEY, a);
export const getLessonAuthoring = (): LessonAuthoring | undefined => getContext<LessonAuthoring | undefined>(KEY);
