// Keyboard access for the canvas views: the figure is one focusable widget (role
// "application": screen readers hand it the arrow keys), with a help text it is
// described by and a polite live region that reads out the focused cell or token.

import { el } from './canvas';

let ids = 0;

export interface KeyboardWidget {
  /** Sets the live region's text (read out by screen readers) and its data attributes. */
  announce(text: string, data?: Record<string, string>): void;
  /** The widget's accessible name: what it shows and what is focused. */
  label(text: string): void;
  readonly live: HTMLElement;
}

export function keyboardWidget(target: HTMLElement, o: { roledescription: string; help: string; parent: HTMLElement }): KeyboardWidget {
  target.tabIndex = 0;
  target.setAttribute('role', 'application');
  target.setAttribute('aria-roledescription', o.roledescription);
  const help = el('div', 'atlas-sr-only', o.parent);
  help.id = `atlas-help-${++ids}`;
  help.textContent = o.help;
  target.setAttribute('aria-describedby', help.id);
  const live = el('div', 'atlas-sr-only atlas-live', o.parent);
  live.setAttribute('aria-live', 'polite');
  live.setAttribute('aria-atomic', 'true');
  return {
    live,
    announce(text, data = {}) {
      live.textContent = text;
      for (const [k, v] of Object.entries(data)) live.dataset[k] = v;
    },
    label(text) {
      target.setAttribute('aria-label', text);
    },
  };
}

/** A step on a 2-D grid for the usual keys; null for keys the widget does not use. */
export function gridStep(e: KeyboardEvent, pageRows = 10): { dRow: number; dCol: number; toRowStart?: boolean; toRowEnd?: boolean } | null {
  switch (e.key) {
    case 'ArrowUp':
      return { dRow: -1, dCol: 0 };
    case 'ArrowDown':
      return { dRow: 1, dCol: 0 };
    case 'ArrowLeft':
      return { dRow: 0, dCol: -1 };
    case 'ArrowRight':
      return { dRow: 0, dCol: 1 };
    case 'PageUp':
      return { dRow: -pageRows, dCol: 0 };
    case 'PageDown':
      return { dRow: pageRows, dCol: 0 };
    case 'Home':
      return { dRow: 0, dCol: 0, toRowStart: true };
    case 'End':
      return { dRow: 0, dCol: 0, toRowEnd: true };
    default:
      return null;
  }
}

export const isActivate = (e: KeyboardEvent): boolean => e.key === 'Enter' || e.key === ' ';

/** Scrolls the nearest scrolling ancestors so that a rectangle of `within` is visible. */
export function revealRect(within: HTMLElement, x: number, y: number, w: number, h: number): void {
  const probe = el('div', '', within);
  Object.assign(probe.style, { position: 'absolute', left: `${x}px`, top: `${y}px`, width: `${Math.max(1, w)}px`, height: `${Math.max(1, h)}px`, pointerEvents: 'none' });
  probe.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  probe.remove();
}

/**
 * Whether `el` got focus from the keyboard (Tab, a script after a key press) rather than from a
 * mouse click or a tap: the keyboard cursor and its tooltip belong to keyboard focus only, or
 * the first click would draw a tooltip naming another head over the picture (issue 15, item 6).
 */
export function keyboardFocused(el: Element): boolean {
  try {
    return el.matches(':focus-visible');
  } catch {
    // A DOM without :focus-visible (older engines, jsdom): treat focus as keyboard focus.
    return true;
  }
}
