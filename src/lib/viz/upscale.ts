// Drawing small rasters big: cells are rasterized at one pixel per cell (raster.ts), put on
// a scratch canvas, and scaled up with nearest-neighbour sampling; masked runs are then
// hatched with a pattern tile that reproduces onStripe exactly (anchored at the canvas
// origin). Cost follows the number of cells, not of device pixels.

import { fillRect, onStripe, type MaskStyle } from './raster';

export function hatchPattern(ctx: CanvasRenderingContext2D, mask: MaskStyle): CanvasPattern {
  const tile = document.createElement('canvas');
  tile.width = tile.height = mask.period;
  const tctx = tile.getContext('2d')!;
  const img = tctx.createImageData(mask.period, mask.period);
  fillRect(img, { x: 0, y: 0, width: mask.period, height: mask.period }, mask.fill);
  for (let y = 0; y < mask.period; y++) for (let x = 0; x < mask.period; x++) if (onStripe(x, y, mask)) fillRect(img, { x, y, width: 1, height: 1 }, mask.hatch);
  tctx.putImageData(img, 0, 0);
  return ctx.createPattern(tile, 'repeat')!;
}

/** A destination rectangle in device pixels. */
export interface DeviceRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Adds to `path` the device-pixel rectangles of the NaN (masked) cells of a [rows, cols]
 * position array drawn into `dest`, one rectangle per run of masked cells in a row.
 */
export function addMaskedRuns(path: Path2D, t: Float32Array, rows: number, cols: number, dest: DeviceRect): void {
  const sx = dest.width / cols;
  const sy = dest.height / rows;
  // Nearest-neighbour scaling gives device pixel p to cell ⌊(p + ½ − x)/s⌋: cell c starts at ⌈x + cs − ½⌉.
  const edge = (origin: number, s: number, i: number): number => Math.ceil(origin + i * s - 0.5);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      if (t[base + c] === t[base + c]) continue;
      let end = c + 1;
      while (end < cols && t[base + end] !== t[base + end]) end++;
      const x0 = edge(dest.x, sx, c);
      const y0 = edge(dest.y, sy, r);
      path.rect(x0, y0, edge(dest.x, sx, end) - x0, edge(dest.y, sy, r + 1) - y0);
      c = end;
    }
  }
}
