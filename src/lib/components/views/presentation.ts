// The presenter layout and lesson steps show one view large, sized to the screen. They say so
// through this context; a view that can scale (the heatmap) fits itself into the height left
// below its top, instead of keeping its cells big enough to label and scrolling.

import { getContext, setContext } from 'svelte';

export interface Presentation {
  /** Bottom edge (viewport px) the figure must end above. */
  bottom(): number;
  /** The CSS zoom the presentation is drawn at (its size control): viewport px = layout px × scale. */
  scale(): number;
  /** The box's height, read reactively: a fitted view redraws when the box changes size. */
  height(): number;
}

const KEY = Symbol('atlas-presentation');

export const setPresentation = (p: Presentation): Presentation => setContext(KEY, p);
export const getPresentation = (): Presentation | undefined => getContext<Presentation | undefined>(KEY);

/** The layout height from `el`'s top down to the presentation's bottom edge (a small margin kept). */
export function heightBelow(p: Presentation, el: Element): number {
  return (p.bottom() - Math.max(0, el.getBoundingClientRect().top) - 8) / p.scale();
}

/** Zoom steps of a fitted figure (1 = fits its box exactly). */
export const ZOOM_STEPS = [1, 1.5, 2, 3, 4, 6, 8] as const;
