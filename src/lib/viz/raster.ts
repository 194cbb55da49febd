// The pixel maths of every heatmap, pure: fill an RGBA buffer (an ImageData's data)
// from a matrix, a colour position per cell, a lookup table and a mask style. The
// canvas code only calls putImageData with the result.

import type { Lut, RGB, ValueScale } from './color';
import { lutIndex } from './color';

export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Where the matrix goes in the buffer, in device pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Masked cells are hatched: `fill` with `hatch` stripes, never a colour of the scale. */
export interface MaskStyle {
  fill: RGB;
  hatch: RGB;
  /** Stripe period and width in device pixels (diagonal stripes). */
  period: number;
  stripe: number;
}

export interface CellMatrix {
  rows: number;
  cols: number;
  values: ArrayLike<number>;
  masked: ArrayLike<number> | null;
}

/**
 * The colour position of each cell: the global scale, or one scale per row. NaN marks a
 * masked cell (or a row with no drawable values).
 */
export function cellPositions(m: CellMatrix, scale: ValueScale | ((row: number) => ValueScale | null)): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) {
    const s = typeof scale === 'function' ? scale(i) : scale;
    for (let j = 0; j < m.cols; j++) {
      const at = i * m.cols + j;
      out[at] = !s || (m.masked && m.masked[at]) ? NaN : s.t(m.values[at]);
    }
  }
  return out;
}

/** Whether the device pixel (px, py) of a masked cell is on a hatch stripe. */
export const onStripe = (px: number, py: number, mask: MaskStyle): boolean => (px + py) % mask.period < mask.stripe;

/**
 * Fills `region` of `target` with the matrix whose colour positions are `t`. When a cell
 * covers at least one pixel each pixel takes its cell's colour exactly; when cells are
 * smaller than pixels (long inputs in small multiples) a pixel shows the mean position
 * of the unmasked cells it covers, and is masked only if all of them are.
 */
export function rasterize(target: Pixels, region: Region, rows: number, cols: number, t: Float32Array, lut: Lut, mask: MaskStyle): void {
  const { x: x0, y: y0, width: w, height: h } = region;
  const colStart = new Int32Array(w + 1);
  for (let px = 0; px <= w; px++) colStart[px] = Math.min(cols, Math.floor((px * cols) / w));
  const rowStart = new Int32Array(h + 1);
  for (let py = 0; py <= h; py++) rowStart[py] = Math.min(rows, Math.floor((py * rows) / h));
  const data = target.data;
  for (let py = 0; py < h; py++) {
    const r0 = rowStart[py];
    const r1 = Math.max(r0 + 1, rowStart[py + 1]);
    const gy = y0 + py;
    if (gy < 0 || gy >= target.height) continue;
    let o = (gy * target.width + x0) * 4;
    for (let px = 0; px < w; px++, o += 4) {
      if (x0 + px < 0 || x0 + px >= target.width) continue;
      const c0 = colStart[px];
      const c1 = Math.max(c0 + 1, colStart[px + 1]);
      let pos: number;
      if (r1 - r0 === 1 && c1 - c0 === 1) pos = t[r0 * cols + c0];
      else {
        let acc = 0;
        let n = 0;
        for (let r = r0; r < r1; r++)
          for (let c = c0; c < c1; c++) {
            const v = t[r * cols + c];
            if (v === v) {
              acc += v;
              n++;
            }
          }
        pos = n ? acc / n : NaN;
      }
      if (pos !== pos) {
        const c = onStripe(x0 + px, gy, mask) ? mask.hatch : mask.fill;
        data[o] = c[0];
        data[o + 1] = c[1];
        data[o + 2] = c[2];
      } else {
        const li = lutIndex(lut, pos) * 3;
        data[o] = lut.rgb[li];
        data[o + 1] = lut.rgb[li + 1];
        data[o + 2] = lut.rgb[li + 2];
      }
      data[o + 3] = 255;
    }
  }
}

/** Fills a rectangle with one colour (backgrounds, gaps between small multiples). */
export function fillRect(target: Pixels, region: Region, [r, g, b]: RGB): void {
  for (let y = Math.max(0, region.y); y < Math.min(target.height, region.y + region.height); y++) {
    for (let x = Math.max(0, region.x); x < Math.min(target.width, region.x + region.width); x++) {
      const o = (y * target.width + x) * 4;
      target.data[o] = r;
      target.data[o + 1] = g;
      target.data[o + 2] = b;
      target.data[o + 3] = 255;
    }
  }
}

/** The device-pixel range [start, end) of cell index i when n cells span `size` pixels. */
export function cellSpan(i: number, n: number, size: number): [number, number] {
  // The inverse of rasterize's floor(px·n/size): the first pixel whose cell is ≥ i.
  return [Math.ceil((i * size) / n), Math.ceil(((i + 1) * size) / n)];
}
