// The mark for numbers that are not finite (NaN, ±∞) in a drawn matrix: a solid colour
// that is neither on the sequential scale nor the grey hatch of masked cells. NaN weights
// used to be hatched exactly like masked ones, so broken attention looked like a mask.

import type { RGB } from './color';
import type { DeviceRect } from './upscale';

/** Magenta: far from every sequential-scale colour and from the mask greys, in light and dark themes. */
export const NON_FINITE_RGB: RGB = [214, 24, 150];
export const NON_FINITE_CSS = `rgb(${NON_FINITE_RGB.join(',')})`;

/** Whether a matrix holds a non-finite value outside its masked cells. */
export function hasNonFinite(values: ArrayLike<number>, masked: ArrayLike<number> | null): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]) && !(masked !== null && masked[i])) return true;
  return false;
}

/**
 * Adds to `path` the device-pixel rectangles of the non-finite, unmasked cells of a
 * [rows, cols] matrix drawn into `dest` (cell edges as addMaskedRuns places them). Returns
 * how many cells were added.
 */
export function addNonFiniteCells(path: Path2D, values: ArrayLike<number>, masked: ArrayLike<number> | null, rows: number, cols: number, dest: DeviceRect): number {
  const sx = dest.width / cols;
  const sy = dest.height / rows;
  const edge = (origin: number, s: number, i: number): number => Math.ceil(origin + i * s - 0.5);
  let n = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (Number.isFinite(values[i]) || (masked !== null && masked[i])) continue;
      const x0 = edge(dest.x, sx, c);
      const y0 = edge(dest.y, sy, r);
      // At least one device pixel, so a single NaN stays visible in a large matrix.
      path.rect(x0, y0, Math.max(1, edge(dest.x, sx, c + 1) - x0), Math.max(1, edge(dest.y, sy, r + 1) - y0));
      n++;
    }
  return n;
}

/** A row of attention weights should sum to 1; a saved trace whose row does not is flagged (as in trace/content-check.ts). */
export const ROW_SUM_TOLERANCE = 1e-3;

/** The rows of a [rows, cols] weight matrix whose finite, unmasked weights do not sum to 1 (empty rows are left alone). */
export function rowsNotSummingToOne(values: ArrayLike<number>, masked: ArrayLike<number> | null, rows: number, cols: number): number[] {
  const bad: number[] = [];
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    let seen = 0;
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if ((masked !== null && masked[i]) || !Number.isFinite(values[i])) continue;
      sum += values[i];
      seen++;
    }
    if (seen && sum !== 0 && Math.abs(sum - 1) > ROW_SUM_TOLERANCE) bad.push(r);
  }
  return bad;
}
