// The pixel maths of every heatmap, pure: fill an RGBA buffer (an ImageData's data)
// from a matrix, a colour position per cell, a lookup table and a mask style. The
// canvas code only calls putImageData with the result.

import type { Lut, RGB, ScaleKind, ValueScale } from './color';

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
  /** `value-norm` cells are sizes (weight × value norm), not shares that sum to 1 per row. */
  weighting?: 'weights' | 'value-norm';
}

/**
 * The colour position of each cell: the global scale, or one scale per row. NaN marks a
 * masked cell (or a row with no drawable values).
 */
export function cellPositions(m: CellMatrix, scale: ValueScale | ((row: number) => ValueScale | null)): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) {
    const s = typeof scale === 'function' ? scale(i) : scale;
    positionsInto(out, m.values, m.masked, i * m.cols, (i + 1) * m.cols, s);
  }
  return out;
}

function positionsInto(out: Float32Array, values: ArrayLike<number>, masked: ArrayLike<number> | null, from: number, to: number, s: ValueScale | null): void {
  if (!s) {
    out.fill(NaN, from, to);
    return;
  }
  if (s.kind === 'linear') {
    // The hot path of the model grid (2.4 M cells at 12×12 heads × 128 tokens): inlined.
    const [lo, hi] = s.domain;
    const span = hi - lo;
    const inv = span > 0 ? 1 / span : 0;
    for (let k = from; k < to; k++) out[k] = masked !== null && masked[k] ? NaN : span > 0 ? (values[k] - lo) * inv : 1;
    return;
  }
  for (let k = from; k < to; k++) out[k] = masked !== null && masked[k] ? NaN : s.t(values[k]);
}

/** Whether the device pixel (px, py) of a masked cell is on a hatch stripe. */
export const onStripe = (px: number, py: number, mask: MaskStyle): boolean => (px + py) % mask.period < mask.stripe;

/** How a pixel that covers several cells is coloured: their mean, or their max (thin patterns stay visible). */
export type Reduce = 'mean' | 'max';

/**
 * Block means (or maxima) of `t` ([rows, cols]) down to [outRows, outCols], ignoring NaN
 * (masked) cells; a block with no unmasked cell stays NaN.
 */
export function boxReduce(t: Float32Array, rows: number, cols: number, outRows: number, outCols: number, reduce: Reduce = 'mean'): Float32Array {
  if (reduce === 'max') return boxMax(t, rows, cols, outRows, outCols);
  const colBlock = blockOf(cols, outCols);
  const rowBlock = blockOf(rows, outRows);
  const sum = new Float32Array(outRows * outCols);
  const cnt = new Float32Array(outRows * outCols);
  // One pass over the cells, each adding into its block (blocks partition the matrix).
  for (let r = 0; r < rows; r++) {
    const src = r * cols;
    const dst = rowBlock[r] * outCols;
    for (let c = 0; c < cols; c++) {
      const v = t[src + c];
      if (v === v) {
        const k = dst + colBlock[c];
        sum[k] += v;
        cnt[k]++;
      }
    }
  }
  for (let k = 0; k < sum.length; k++) sum[k] = cnt[k] ? sum[k] / cnt[k] : NaN;
  return sum;
}

function boxMax(t: Float32Array, rows: number, cols: number, outRows: number, outCols: number): Float32Array {
  return reduceMax({ rows, cols, values: t, masked: null }, outRows, outCols).out;
}

/**
 * Block maxima of a matrix's unmasked values (NaN where a block is all masked), and the
 * min..max of those values, in one pass over the cells. For a monotonic scale the colour
 * of the max is the max of the colours, so small multiples can reduce before colouring.
 */
export function reduceMax(m: CellMatrix, outRows: number, outCols: number, domainKind: ScaleKind = 'linear'): { out: Float32Array; lo: number; hi: number } {
  const log = domainKind === 'log';
  const { rows, cols, values, masked } = m;
  const colBlock = blockOf(cols, outCols);
  const rowBlock = blockOf(rows, outRows);
  const out = new Float32Array(outRows * outCols).fill(NaN);
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < rows; r++) {
    const src = r * cols;
    const dst = rowBlock[r] * outCols;
    for (let c = 0; c < cols; c++) {
      if (masked !== null && masked[src + c]) continue;
      const v = values[src + c];
      // NaN and ±∞ are marked apart (non-finite-cells.ts), never part of the scale or the maxima.
      if (!Number.isFinite(v)) continue;
      // The domain as dataDomain gives it (log: positive values only).
      if (!log || v > 0) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const k = dst + colBlock[c];
      // NaN (masked) never wins; a first number replaces NaN.
      if (!(out[k] >= v)) out[k] = v;
    }
  }
  return { out, lo, hi };
}

/** The block (0..m-1) of each of n items when m ≤ n blocks partition them: block k = [⌊kn/m⌋, ⌊(k+1)n/m⌋). */
function blockOf(n: number, m: number): Int32Array {
  const b = new Int32Array(n);
  for (let k = 0; k < m; k++) for (let i = Math.floor((k * n) / m); i < Math.floor(((k + 1) * n) / m); i++) b[i] = k;
  return b;
}

/** The LUT as packed RGBA words in the byte order of this machine (a Uint8 view writes them). */
const packedLuts = new WeakMap<Lut, Uint32Array>();
function packed(lut: Lut): Uint32Array {
  let p = packedLuts.get(lut);
  if (!p) {
    p = new Uint32Array(lut.size);
    const b = new Uint8Array(p.buffer);
    for (let i = 0; i < lut.size; i++) {
      b[i * 4] = lut.rgb[i * 3];
      b[i * 4 + 1] = lut.rgb[i * 3 + 1];
      b[i * 4 + 2] = lut.rgb[i * 3 + 2];
      b[i * 4 + 3] = 255;
    }
    packedLuts.set(lut, p);
  }
  return p;
}

function packColour([r, g, b]: RGB): number {
  const w = new Uint32Array(1);
  const v = new Uint8Array(w.buffer);
  v[0] = r;
  v[1] = g;
  v[2] = b;
  v[3] = 255;
  return w[0];
}

/**
 * Fills `region` of `target` with the matrix whose colour positions are `t`. When a cell
 * covers at least one pixel each pixel takes its cell's colour exactly; when cells are
 * smaller than pixels (long inputs in small multiples) a pixel shows the mean (or max)
 * position of the unmasked cells it covers, and is masked only if all of them are.
 */
export function rasterize(target: Pixels, region: Region, rows: number, cols: number, t: Float32Array, lut: Lut, mask: MaskStyle, reduce: Reduce = 'mean'): void {
  const { x: x0, y: y0, width: w, height: h } = region;
  let src = t;
  let R = rows;
  let C = cols;
  if (w < cols || h < rows) {
    R = Math.min(rows, h);
    C = Math.min(cols, w);
    src = boxReduce(t, rows, cols, R, C, reduce);
  }
  const words = new Uint32Array(target.data.buffer, target.data.byteOffset, target.width * target.height);
  const lut32 = packed(lut);
  const top = lut.size - 1;
  const fill = packColour(mask.fill);
  const hatch = packColour(mask.hatch);
  const word = (v: number): number => lut32[v <= 0 ? 0 : v >= 1 ? top : (v * top + 0.5) | 0];
  // Clip to the target once, so the inner loops have no bounds checks.
  const pxFrom = Math.max(0, -x0);
  const pxTo = Math.min(w, target.width - x0);
  // Pixel span of each column: [cs[c], cs[c + 1]) (the inverse of floor(px·C/w), see cellSpan).
  const cs = new Int32Array(C + 1);
  for (let c = 0; c <= C; c++) cs[c] = Math.ceil((c * w) / C);
  // The hatch as whole lines, one per stripe phase, so masked runs are copied, not computed.
  const stripes = Array.from({ length: mask.period }, (_, phase) => {
    const l = new Uint32Array(w);
    for (let px = 0; px < w; px++) l[px] = (px + phase) % mask.period < mask.stripe ? hatch : fill;
    return l;
  });
  const rowMasked = new Uint8Array(R);
  for (let r = 0; r < R; r++) for (let c = 0; c < C && !rowMasked[r]; c++) rowMasked[r] = src[r * C + c] !== src[r * C + c] ? 1 : 0;
  if (w === C && h === R && pxFrom === 0 && pxTo === w) {
    // One pixel per cell (atlases, small images that the canvas scales up): a plain loop.
    for (let py = Math.max(0, -y0); py < Math.min(h, target.height - y0); py++) {
      const line = (y0 + py) * target.width + x0;
      const stripe = stripes[(((x0 + y0 + py) % mask.period) + mask.period) % mask.period];
      const base = py * C;
      for (let px = 0; px < w; px++) {
        const v = src[base + px];
        words[line + px] = v === v ? lut32[v <= 0 ? 0 : v >= 1 ? top : (v * top + 0.5) | 0] : stripe[px];
      }
    }
    return;
  }
  let prevRow = -1;
  let prevLine = 0;
  for (let py = Math.max(0, -y0); py < Math.min(h, target.height - y0); py++) {
    const r = Math.min(R - 1, Math.floor((py * R) / h));
    const gy = y0 + py;
    const line = gy * target.width + x0;
    // Device rows inside one unmasked cell row are identical: copy (hatching is not).
    if (r === prevRow && !rowMasked[r]) {
      words.copyWithin(line + pxFrom, prevLine + pxFrom, prevLine + pxTo);
      prevLine = line;
      continue;
    }
    const base = r * C;
    const stripe = stripes[(((x0 + gy) % mask.period) + mask.period) % mask.period];
    for (let c = 0; c < C; c++) {
      const v = src[base + c];
      if (v === v) {
        const a = Math.max(pxFrom, cs[c]);
        const b = Math.min(pxTo, cs[c + 1]);
        if (b - a === 1) words[line + a] = word(v);
        else if (b > a) words.fill(word(v), line + a, line + b);
        continue;
      }
      // A run of masked cells: one copy of the hatch line.
      let end = c + 1;
      while (end < C && src[base + end] !== src[base + end]) end++;
      const a = Math.max(pxFrom, cs[c]);
      const b = Math.min(pxTo, cs[end]);
      if (b > a) words.set(stripe.subarray(a, b), line + a);
      c = end - 1;
    }
    prevRow = r;
    prevLine = line;
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

/** Runs of masked cells in each row, as [row, first column, end column). */
export function maskedRuns(masked: ArrayLike<number>, rows: number, cols: number): [number, number, number][] {
  const runs: [number, number, number][] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (!masked[r * cols + c]) continue;
      let end = c + 1;
      while (end < cols && masked[r * cols + end]) end++;
      runs.push([r, c, end]);
      c = end;
    }
  }
  return runs;
}

/** The device-pixel range [start, end) of cell index i when n cells span `size` pixels. */
export function cellSpan(i: number, n: number, size: number): [number, number] {
  // The inverse of rasterize's floor(px·n/size): the first pixel whose cell is ≥ i.
  return [Math.ceil((i * size) / n), Math.ceil(((i + 1) * size) / n)];
}
