// The pixel maths of the heatmaps against an independent reference: d3's own
// interpolator applied to (value − min)/(max − min), computed here by hand.
import { describe, expect, it } from 'vitest';
import { interpolateViridis, rgb } from 'd3';
import {
  dataDomain,
  lutColor,
  makeLut,
  rowDomains,
  sequentialLut,
  symmetricDomain,
  valueScale,
  LUT_SIZE,
  type RGB,
} from '../../src/lib/viz/color';
import { boxReduce, cellPositions, cellSpan, onStripe, rasterize, type MaskStyle, type Pixels } from '../../src/lib/viz/raster';
import { legendTicks } from '../../src/lib/viz/legend';
import { heatmapLayout, LABEL_CELL } from '../../src/lib/viz/heatmap';
import { gridLayout, thumbOrigin } from '../../src/lib/viz/model-grid';
import { newRows } from '../../src/lib/viz/alignment';
import { lineStyle } from '../../src/lib/viz/head-view';

/** A LUT step moves viridis by at most this much per channel. */
const LUT_TOLERANCE = 2;
const MASK: MaskStyle = { fill: [236, 237, 240], hatch: [200, 203, 210], period: 6, stripe: 2 };

const reference = (v: number, lo: number, hi: number): RGB => {
  const c = rgb(interpolateViridis((v - lo) / (hi - lo)));
  return [c.r, c.g, c.b];
};
const pixel = (p: Pixels, x: number, y: number): RGB => {
  const o = (y * p.width + x) * 4;
  return [p.data[o], p.data[o + 1], p.data[o + 2]];
};
const blank = (width: number, height: number): Pixels => ({ width, height, data: new Uint8ClampedArray(width * height * 4) });
const close = (a: RGB, b: RGB, tol = LUT_TOLERANCE): boolean => a.every((v, i) => Math.abs(v - b[i]) <= tol);

describe('colour scales', () => {
  it('the lookup table matches d3 viridis everywhere within one LUT step', () => {
    const lut = sequentialLut();
    expect(lut.size).toBe(LUT_SIZE);
    for (const t of [0, 0.1, 0.333, 0.5, 0.77, 0.999, 1]) expect(close(lutColor(lut, t), reference(t, 0, 1))).toBe(true);
  });

  it('linear: min → 0, max → 1; a constant domain → 1', () => {
    const s = valueScale('linear', [0.2, 0.6]);
    expect(s.t(0.2)).toBe(0);
    expect(s.t(0.6)).toBe(1);
    expect(s.t(0.4)).toBeCloseTo(0.5, 12);
    expect(valueScale('linear', [1, 1]).t(1)).toBe(1);
  });

  it('log: geometric steps are equal steps', () => {
    const s = valueScale('log', [0.001, 0.1]);
    expect(s.t(0.01)).toBeCloseTo(0.5, 12);
    expect(s.t(0.1)).toBeCloseTo(1, 12);
    expect(s.t(0)).toBe(0);
  });

  it('the domain is the true min..max of the unmasked values, not 0..1', () => {
    const values = [0.5, 0.2, 0.3, 0.9, 0.05, 0.05];
    expect(dataDomain(values, null)).toEqual([0.05, 0.9]);
    expect(dataDomain(values, [0, 0, 0, 1, 0, 0])).toEqual([0.05, 0.5]);
    expect(dataDomain([0, 0.5, 0.25], null, 'log')).toEqual([0.25, 0.5]);
    expect(dataDomain([1, 2], [1, 1])).toBeNull();
  });

  it('per-row domains are each row’s own min..max', () => {
    expect(rowDomains([1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5], [0, 1, 1, 0, 0, 1, 0, 0, 0], 3, 3)).toEqual([
      [1, 1],
      [0.5, 0.5],
      [0.2, 0.5],
    ]);
  });

  it('symmetric domains for diverging vectors are centred at 0', () => {
    expect(symmetricDomain([0.5, -2], [1.5])).toEqual([-2, 2]);
    expect(makeLut((t) => `rgb(${Math.round(t * 255)},0,0)`, 3).rgb[3]).toBe(128);
  });
});

describe('rasterize', () => {
  const values = Float32Array.from([0.1, 0.4, 0.2, 0.05, 0.9, 0.3]);
  const m = { rows: 2, cols: 3, values, masked: null };

  it('each cell’s pixels are the scale applied to the cell’s value (global scale)', () => {
    const p = blank(6, 4); // 2×2 device pixels per cell
    const s = valueScale('linear', dataDomain(values, null)!);
    rasterize(p, { x: 0, y: 0, width: 6, height: 4 }, 2, 3, cellPositions(m, s), sequentialLut(), MASK);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        for (const [dx, dy] of [[0, 0], [1, 1]]) expect(close(pixel(p, j * 2 + dx, i * 2 + dy), reference(values[i * 3 + j], 0.05, 0.9)), `cell ${i},${j}`).toBe(true);
    // The brightest cell is the max: viridis(1).
    expect(close(pixel(p, 2, 2), reference(1, 0, 1), 0)).toBe(true);
  });

  it('per-row scaling puts each row’s own max at the top of the scale', () => {
    const p = blank(3, 2);
    const scales = rowDomains(values, null, 2, 3).map((d) => valueScale('linear', d!));
    rasterize(p, { x: 0, y: 0, width: 3, height: 2 }, 2, 3, cellPositions(m, (i) => scales[i]), sequentialLut(), MASK);
    expect(close(pixel(p, 1, 0), reference(1, 0, 1), 0)).toBe(true); // 0.4 is row 0's max
    expect(close(pixel(p, 0, 0), reference(0.1, 0.1, 0.4))).toBe(true);
    expect(close(pixel(p, 1, 1), reference(1, 0, 1), 0)).toBe(true); // 0.9 is row 1's max
    expect(close(pixel(p, 0, 1), reference(0, 0, 1), 0)).toBe(true); // 0.05 row 1's min
  });

  it('masked cells get the mask colours (hatched), never the zero colour', () => {
    const causal = { rows: 2, cols: 2, values: Float32Array.from([1, 0, 0.3, 0.7]), masked: Uint8Array.from([0, 1, 0, 0]) };
    const p = blank(12, 12);
    rasterize(p, { x: 0, y: 0, width: 12, height: 12 }, 2, 2, cellPositions(causal, valueScale('linear', [0.3, 1])), sequentialLut(), MASK);
    const zero = lutColor(sequentialLut(), 0);
    let stripes = 0;
    for (let y = 0; y < 6; y++)
      for (let x = 6; x < 12; x++) {
        const c = pixel(p, x, y);
        expect(c).toEqual(onStripe(x, y, MASK) ? MASK.hatch : MASK.fill);
        expect(c).not.toEqual(zero);
        if (onStripe(x, y, MASK)) stripes++;
      }
    expect(stripes).toBeGreaterThan(6);
    expect(close(pixel(p, 0, 0), reference(1, 0, 1), 0)).toBe(true);
  });

  it('smaller-than-pixel cells show the mean position of the cells they cover', () => {
    const v = Float32Array.from([0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
    const p = blank(2, 2);
    rasterize(p, { x: 0, y: 0, width: 2, height: 2 }, 4, 4, cellPositions({ rows: 4, cols: 4, values: v, masked: null }, valueScale('linear', [0, 1])), sequentialLut(), MASK);
    // Blocks: top-left {0,1,1,1} → 0.75, top-right {0,0,0,0} → 0, bottom-right {1,1,1,1} → 1.
    expect(close(pixel(p, 0, 0), reference(0.75, 0, 1))).toBe(true);
    expect(close(pixel(p, 1, 0), reference(0, 0, 1))).toBe(true);
    expect(close(pixel(p, 1, 1), reference(1, 0, 1))).toBe(true);
  });

  it('block means skip masked cells; an all-masked block stays masked', () => {
    const t = Float32Array.from([0.2, NaN, NaN, NaN, 0.4, 0.6, NaN, NaN]); // 2×4 → 1×2
    const r = boxReduce(t, 2, 4, 1, 2);
    expect(r[0]).toBeCloseTo((0.2 + 0.4 + 0.6) / 3, 6);
    expect(Number.isNaN(r[1])).toBe(true);
    // Uneven blocks: 5 columns into 2 → columns {0,1} and {2,3,4}.
    expect(Array.from(boxReduce(Float32Array.from([1, 1, 0, 0, 0]), 1, 5, 1, 2))).toEqual([1, 0]);
  });

  it('max-reduction keeps a thin line visible, and masked cells never win', () => {
    // A 4×4 identity (a sharp diagonal) into 2×2: mean dims it to 0.5, max keeps 1.
    const eye = Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(Array.from(boxReduce(eye, 4, 4, 2, 2, 'mean'))).toEqual([0.5, 0, 0, 0.5]);
    expect(Array.from(boxReduce(eye, 4, 4, 2, 2, 'max'))).toEqual([1, 0, 0, 1]);
    const r = boxReduce(Float32Array.from([NaN, 0.1, NaN, NaN]), 2, 2, 1, 1, 'max');
    expect(r[0]).toBeCloseTo(0.1, 6);
    expect(Number.isNaN(boxReduce(Float32Array.from([NaN, NaN]), 1, 2, 1, 1, 'max')[0])).toBe(true);
  });

  it('writes only inside its region (small multiples share one buffer)', () => {
    const p = blank(10, 4);
    rasterize(p, { x: 5, y: 1, width: 3, height: 2 }, 2, 3, cellPositions(m, valueScale('linear', [0, 1])), sequentialLut(), MASK);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 10; x++) {
        const inside = x >= 5 && x < 8 && y >= 1 && y < 3;
        expect(p.data[(y * 10 + x) * 4 + 3], `${x},${y}`).toBe(inside ? 255 : 0);
      }
  });

  it('cellSpan is the exact pixel range rasterize gives a cell', () => {
    for (const [n, size] of [[3, 10], [7, 7], [128, 900], [5, 13]] as const) {
      for (let i = 0; i < n; i++) {
        const [a, b] = cellSpan(i, n, size);
        for (let px = a; px < b; px++) expect(Math.floor((px * n) / size)).toBe(i);
      }
    }
  });
});

describe('layouts and small rules', () => {
  it('legend ticks lie strictly inside the domain', () => {
    for (const t of legendTicks([0.0123, 0.8765], 'linear')) expect(t > 0.0123 && t < 0.8765).toBe(true);
    expect(legendTicks([1, 1], 'linear')).toEqual([]);
  });

  it('heatmaps keep every token labelled up to 128 tokens and fit longer inputs', () => {
    const l128 = heatmapLayout(128, 128, 1000, 100, 100);
    expect(l128.cell).toBeGreaterThanOrEqual(LABEL_CELL);
    expect(l128.labelStep).toBe(1);
    const l512 = heatmapLayout(512, 512, 1000, 100, 100);
    expect(l512.width).toBeLessThanOrEqual(1000 - 100);
    expect(l512.labelStep).toBeGreaterThan(1);
    expect(l512.cell * l512.labelStep).toBeGreaterThanOrEqual(LABEL_CELL);
  });

  it('model grid thumbs do not overlap and fit the width', () => {
    const L = gridLayout(12, 12, 1200);
    expect(L.left + L.width).toBeLessThanOrEqual(1200);
    const [x0] = thumbOrigin(L, 0, 0);
    const [x1] = thumbOrigin(L, 0, 1);
    expect(x1 - x0).toBeGreaterThan(L.thumb);
  });

  it('alignment animates only the target rows a new trace adds', () => {
    expect(newRows(3, 5, true)).toEqual([3, 4]);
    expect(newRows(3, 5, false)).toEqual([0, 1, 2, 3, 4]);
    expect(newRows(5, 5, true)).toEqual([]);
  });

  it('heavier lines are wider and more opaque', () => {
    expect(lineStyle(0.9).width).toBeGreaterThan(lineStyle(0.1).width);
    expect(lineStyle(0.9).alpha).toBeGreaterThan(lineStyle(0.1).alpha);
  });
});

describe('reduceMax (model-grid thumbs)', () => {
  it('gives block maxima of the unmasked values and their true min..max in one pass', async () => {
    const { reduceMax } = await import('../../src/lib/viz/raster');
    // 4×4 causal matrix into 2×2.
    const values = Float32Array.from([1, 0, 0, 0, 0.3, 0.7, 0, 0, 0.2, 0.1, 0.7, 0, 0.05, 0.05, 0.1, 0.8]);
    const masked = Uint8Array.from([0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    const r = reduceMax({ rows: 4, cols: 4, values, masked }, 2, 2);
    expect(Array.from(r.out).map((v) => (Number.isNaN(v) ? 'masked' : Number(v.toFixed(2))))).toEqual([1, 'masked', 0.2, 0.8]);
    expect([r.lo, r.hi].map((v) => Number(v.toFixed(2)))).toEqual([0.05, 1]);
    expect(dataDomain(values, masked)).toEqual([r.lo, r.hi]);
    // Log domains skip zeros, as dataDomain does; the zeros still draw (lowest colour).
    const z = reduceMax({ rows: 1, cols: 2, values: Float32Array.from([0, 0.5]), masked: null }, 1, 1, 'log');
    expect([z.lo, z.hi]).toEqual([0.5, 0.5]);
  });
});

describe('maskedRuns', () => {
  it('lists each row’s runs of masked cells', async () => {
    const { maskedRuns } = await import('../../src/lib/viz/raster');
    // Causal 3×3 plus a masked first cell in row 2.
    expect(maskedRuns([0, 1, 1, 0, 0, 1, 1, 0, 0], 3, 3)).toEqual([
      [0, 1, 3],
      [1, 2, 3],
      [2, 0, 1],
    ]);
    expect(maskedRuns([0, 0, 0, 0], 2, 2)).toEqual([]);
  });
});
