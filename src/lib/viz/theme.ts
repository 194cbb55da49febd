// The colours a renderer needs from the page's theme, read from CSS custom properties on
// the target (so light and dark themes, and any embedding page, can set them), with
// fallbacks for a page without app.css (exports, tests).

import { parseColor, type RGB } from './color';
import type { MaskStyle } from './raster';

export interface Theme {
  dark: boolean;
  fg: string;
  muted: string;
  bg: string;
  border: string;
  accent: string;
  highlight: string;
  /** Masked cells: a neutral grey that is not on the viridis scale, hatched. */
  maskFill: RGB;
  maskHatch: RGB;
  font: string;
}

const LIGHT: Theme = {
  dark: false,
  fg: '#1d1f23',
  muted: '#5f6570',
  bg: '#ffffff',
  border: '#d5d8de',
  accent: '#d9480f',
  highlight: '#e8590c',
  maskFill: [236, 237, 240],
  maskHatch: [200, 203, 210],
  font: 'system-ui, sans-serif',
};

const DARK: Theme = {
  ...LIGHT,
  dark: true,
  fg: '#e6e8ec',
  muted: '#9aa1ad',
  bg: '#16181d',
  border: '#3a3f4a',
  accent: '#ffa94d',
  highlight: '#ffc078',
  maskFill: [44, 47, 54],
  maskHatch: [70, 74, 84],
};

export function readTheme(el: Element): Theme {
  const style = getComputedStyle(el);
  const v = (name: string): string => style.getPropertyValue(name).trim();
  const dark = v('--atlas-dark') === '1' || (v('--atlas-dark') === '' && matchMedia?.('(prefers-color-scheme: dark)').matches);
  const base = dark ? DARK : LIGHT;
  return {
    dark,
    fg: v('--atlas-fg') || base.fg,
    muted: v('--atlas-muted') || base.muted,
    bg: v('--atlas-bg') || base.bg,
    border: v('--atlas-border') || base.border,
    accent: v('--atlas-accent') || base.accent,
    highlight: v('--atlas-highlight') || base.highlight,
    maskFill: v('--atlas-mask') ? parseColor(v('--atlas-mask'), base.maskFill) : base.maskFill,
    maskHatch: v('--atlas-mask-hatch') ? parseColor(v('--atlas-mask-hatch'), base.maskHatch) : base.maskHatch,
    font: style.fontFamily || base.font,
  };
}

export function maskStyle(theme: Theme, dpr: number): MaskStyle {
  const period = Math.max(4, Math.round(6 * dpr));
  return { fill: theme.maskFill, hatch: theme.maskHatch, period, stripe: Math.max(1, Math.round(period / 3)) };
}

/** Calls `cb` when the colour scheme changes; returns the unsubscribe. */
export function onThemeChange(cb: () => void): () => void {
  if (typeof matchMedia !== 'function') return () => {};
  const mq = matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', cb);
  return () => mq.removeEventListener('change', cb);
}

export const defaultTheme = (dark = false): Theme => (dark ? DARK : LIGHT);
