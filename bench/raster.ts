// The pure pixel pipeline of the model grid and the heatmap, timed in Node (same V8 as
// Chromium, no DOM): wall and CPU time, so a loaded machine can be told apart.
//   npx tsx bench/raster.ts
import { syntheticTrace } from '../tests/fixtures/synthetic-trace';
import { headAttention, headCells } from '../src/lib/trace/attention-matrix';
import { dataDomain, sequentialLut, valueScale } from '../src/lib/viz/color';
import { cellPositions, rasterize, reduceMax } from '../src/lib/viz/raster';
import { gridLayout, thumbOrigin } from '../src/lib/viz/model-grid';
import { heatmapLayout } from '../src/lib/viz/heatmap';

const MASK = { fill: [236, 237, 240] as [number, number, number], hatch: [200, 203, 210] as [number, number, number], period: 6, stripe: 2 };
const REPEATS = 9;

function time(f: () => void): { wall: number; cpu: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  const med = (x: number[]) => x.sort((a, b) => a - b)[Math.floor(x.length / 2)];
  return { wall: med(walls), cpu: med(cpus) };
}

/** The model grid's global-scale pipeline (as in src/lib/viz/model-grid.ts, minus the canvas). */
function grid(tokens: number, dpr: number): () => void {
  const t = syntheticTrace({ family: 'gpt2', layers: 12, heads: 12, headDim: 4, tokens, taps: ['probs', 'scores'] });
  const L = gridLayout(12, 12, 1200);
  const W = Math.round(L.width * dpr);
  const H = Math.round(L.height * dpr);
  return () => {
    const img = { width: W, height: H, data: new Uint8ClampedArray(W * H * 4) };
    let lo = Infinity;
    let hi = -Infinity;
    const parts = [];
    for (let l = 0; l < 12; l++)
      for (let h = 0; h < 12; h++) {
        const [x, y] = thumbOrigin(L, l, h);
        const x0 = Math.round(x * dpr);
        const y0 = Math.round(y * dpr);
        const region = { x: x0, y: y0, width: Math.round((x + L.thumb) * dpr) - x0, height: Math.round((y + L.thumb) * dpr) - y0 };
        const m = headCells(t, 'self', l, h);
        const R = Math.min(m.rows, region.height);
        const C = Math.min(m.cols, region.width);
        const r = reduceMax(m, R, C);
        lo = Math.min(lo, r.lo);
        hi = Math.max(hi, r.hi);
        parts.push({ region, R, C, out: r.out });
      }
    const s = valueScale('linear', [lo, hi]);
    for (const p of parts) rasterize(img, p.region, p.R, p.C, cellPositions({ rows: p.R, cols: p.C, values: p.out, masked: null }, s), sequentialLut(), MASK);
  };
}

function heat(tokens: number, dpr: number): () => void {
  const t = syntheticTrace({ family: 'gpt2', layers: 1, heads: 1, headDim: 4, tokens, taps: ['probs', 'scores'] });
  const L = heatmapLayout(tokens, tokens, 1200, 100, 100);
  const W = Math.round(L.width * dpr);
  const H = Math.round(L.height * dpr);
  // As the Heatmap does: cells of ≥ 2 device pixels are rasterized one pixel per cell and
  // scaled up by the canvas (not timed here), smaller ones pixel by pixel.
  const perCell = L.cell * dpr >= 2;
  const w = perCell ? tokens : W;
  const h = perCell ? tokens : H;
  return () => {
    const img = { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) };
    const m = headAttention(t, 'self', 0, 0);
    const s = valueScale('linear', dataDomain(m.values, m.masked)!);
    rasterize(img, { x: 0, y: 0, width: w, height: h }, m.rows, m.cols, cellPositions(m, s), sequentialLut(), MASK);
  };
}

console.log('| pipeline | DPR | wall ms (median of 9) | CPU ms |');
console.log('|---|---|---|---|');
for (const [name, f, dpr] of [
  ['model grid 12×12 @128 tokens', grid(128, 1), 1],
  ['model grid 12×12 @128 tokens', grid(128, 2), 2],
  ['heatmap @128 tokens', heat(128, 1), 1],
  ['heatmap @128 tokens', heat(128, 2), 2],
  ['heatmap @512 tokens', heat(512, 1), 1],
  ['heatmap @512 tokens', heat(512, 2), 2],
] as const) {
  const r = time(f);
  console.log(`| ${name} | ${dpr} | ${r.wall.toFixed(1)} | ${r.cpu.toFixed(1)} |`);
}
