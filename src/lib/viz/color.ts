// Colour scales for the views, as pure functions: a value → a position t in [0, 1] on a
// scale → an RGB triple from a lookup table sampled from d3-scale-chromatic.
// Sequential: viridis (perceptually uniform, colour-blind safe). Diverging (vectors,
// centred at 0): RdBu reversed, so negative is blue and positive is red.

import { interpolateRdBu, interpolateViridis, rgb } from 'd3';

export type RGB = [number, number, number];

/**
 * Table resolution: viridis moves at most ~1.2 RGB units per 1/1024 step, so a cell's
 * colour is within 1 unit of the exact interpolator at its value.
 */
export const LUT_SIZE = 1024;

export interface Lut {
  size: number;
  /** size × 3 bytes: r, g, b. */
  rgb: Uint8ClampedArray;
  /** The interpolator the table was sampled from (for legends and tests). */
  interpolate: (t: number) => string;
}

export function makeLut(interpolate: (t: number) => string, size = LUT_SIZE): Lut {
  const out = new Uint8ClampedArray(size * 3);
  for (let i = 0; i < size; i++) {
    const c = rgb(interpolate(i / (size - 1)));
    out[i * 3] = c.r;
    out[i * 3 + 1] = c.g;
    out[i * 3 + 2] = c.b;
  }
  return { size, rgb: out, interpolate };
}

export const interpolateSequential = interpolateViridis;
export const interpolateDiverging = (t: number): string => interpolateRdBu(1 - t);

let seq: Lut | undefined;
let div: Lut | undefined;
export const sequentialLut = (): Lut => (seq ??= makeLut(interpolateSequential));
export const divergingLut = (): Lut => (div ??= makeLut(interpolateDiverging));

export function lutIndex(lut: Lut, t: number): number {
  const c = t <= 0 ? 0 : t >= 1 ? 1 : t;
  return Math.round(c * (lut.size - 1));
}

export function lutColor(lut: Lut, t: number): RGB {
  const i = lutIndex(lut, t) * 3;
  return [lut.rgb[i], lut.rgb[i + 1], lut.rgb[i + 2]];
}

export const cssColor = ([r, g, b]: RGB): string => `rgb(${r}, ${g}, ${b})`;

export function parseColor(css: string, fallback: RGB): RGB {
  const c = rgb(css);
  return Number.isNaN(c.r) ? fallback : [Math.round(c.r), Math.round(c.g), Math.round(c.b)];
}

export type ScaleKind = 'linear' | 'log';

/** A value → t mapping over a domain. */
export interface ValueScale {
  kind: ScaleKind;
  domain: [number, number];
  t(value: number): number;
}

/**
 * linear: (v − min)/(max − min); a constant domain maps to 1 (e.g. a causal first row,
 * all weight on one key). log: on ln v over [min, max] with min > 0; v ≤ min → 0.
 */
export function valueScale(kind: ScaleKind, domain: [number, number]): ValueScale {
  const [lo, hi] = domain;
  if (kind === 'log') {
    const a = Math.log(lo);
    const span = Math.log(hi) - a;
    return { kind, domain, t: (v) => (span > 0 ? (v <= lo ? 0 : (Math.log(v) - a) / span) : 1) };
  }
  const span = hi - lo;
  return { kind, domain, t: (v) => (span > 0 ? (v - lo) / span : 1) };
}

/**
 * The true range of the values drawn: min..max over unmasked cells (log: the smallest
 * positive value, since log 0 has no place on the axis). Null when nothing is drawn.
 */
export function dataDomain(values: ArrayLike<number>, masked: ArrayLike<number> | null, kind: ScaleKind = 'linear', from = 0, to = values.length): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  const log = kind === 'log';
  for (let i = from; i < to; i++) {
    if (masked !== null && masked[i]) continue;
    const v = values[i];
    // NaN and ±∞ are marked, not scaled: one 1e39 (∞ in float32) would blank every cell.
    if (!Number.isFinite(v)) continue;
    if (log && !(v > 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Per-row domains of a [rows, cols] matrix. */
export function rowDomains(values: ArrayLike<number>, masked: ArrayLike<number> | null, rows: number, cols: number, kind: ScaleKind = 'linear'): ([number, number] | null)[] {
  return Array.from({ length: rows }, (_, i) => dataDomain(values, masked, kind, i * cols, (i + 1) * cols));
}

/** A symmetric domain around 0 for diverging scales: [−max|v|, max|v|]. */
export function symmetricDomain(...arrays: ArrayLike<number>[]): [number, number] {
  let m = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) if (Math.abs(a[i]) > m) m = Math.abs(a[i]);
  return m > 0 ? [-m, m] : [-1, 1];
}

/**
 * Head colours, 9 each (heads beyond 9 reuse colours, and every head chip carries its number).
 * On light backgrounds: darker hues from Paul Tol's colour-blind-safe schemes, each at least
 * 3:1 against every light surface (muted's pale yellow and cyan were 1.4:1 and washed out on a
 * projector); on dark ones Tol's "light" scheme, at least 5:1. tests/unit/head-palette.test.ts
 * checks both against the surfaces app.css defines.
 */
export const HEAD_COLOURS_LIGHT = ['#CC3311', '#332288', '#996600', '#117733', '#0077BB', '#882255', '#007777', '#555555', '#AA3377'];
export const HEAD_COLOURS_DARK = ['#EE8866', '#77AADD', '#EEDD88', '#44BB99', '#FFAABB', '#99DDFF', '#BBCC33', '#AAAA00', '#DDDDDD'];

export function headColour(head: number, dark: boolean): string {
  const p = dark ? HEAD_COLOURS_DARK : HEAD_COLOURS_LIGHT;
  return p[head % p.length];
}

/** Black or white, whichever reads better on `css` (WCAG relative luminance). */
export function readableOn(css: string): string {
  const c = rgb(css);
  const lin = (v: number): number => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  const L = 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  return L > 0.179 ? '#000' : '#fff';
}
