// Attention matrices kept compactly in the page (issue 18). A GPT-2-small trace at 512 tokens
// holds 12 × 12 × 512 × 512 weights: 151 MB as float32, where a causal stack's upper triangle
// is all masked. Two packings, chosen by measurement (bench/browser.ts):
//   - `lower`: the lower triangle only, float32 — lossless, half the bytes (76 MB at 512);
//   - `lower-f16` / `f16`: the same as float16, for traces that would not fit the page's
//     budget even so (GPT-2-small at 1,024 tokens: 151 MB instead of 604). The exact float32
//     values stay in the inference worker; trace/exact.ts fetches them for hover and exports.
// A head is read back as a dense row-major [query, key] Float32Array by unpackHead; the
// dropped cells read as `fill` (0 for weights, the mask sentinel for scores).

import { f32ToF16 } from '../hub/fp16';

export type Packing = 'lower' | 'lower-f16' | 'f16';

/** [layer, head, query, key] matrices stored packed: `packed` replaces a Tensor's `data`. */
export interface PackedMatrices {
  /** The dense shape, [layer, head, query, key]. */
  shape: number[];
  packing: Packing;
  /** lower: Float32Array; lower-f16 and f16: float16 bits. Row r of a lower packing keeps keys 0 … r + shape[3] − shape[2]. */
  packed: Float32Array | Uint16Array;
  /** What a dropped (masked) cell reads as. */
  fill: number;
}

export const isPacked = (t: { data?: unknown; packed?: unknown }): t is PackedMatrices => (t as PackedMatrices).packed !== undefined;

/** Keys row r of a lower packing keeps (at least 1, at most cols). */
const kept = (r: number, rows: number, cols: number) => Math.max(1, Math.min(cols, r + 1 + cols - rows));

/** Values per head of a packing. */
export function packedHeadSize(packing: Packing, rows: number, cols: number): number {
  return rowStartsOf(packing, rows, cols)[rows];
}

/**
 * The one value every cell above the diagonal of every head holds (0 for weights, the mask
 * sentinel for scores), or null when they differ or there are none: with a value, the lower
 * packing loses nothing (the check is exact, bit for bit up to ±0).
 */
export function upperFill(data: Float32Array, shape: number[]): number | null {
  const [layers, heads, rows, cols] = shape;
  if (kept(0, rows, cols) >= cols) return null;
  const fill = data[kept(0, rows, cols)];
  if (Number.isNaN(fill)) return null;
  for (let m = 0; m < layers * heads; m++)
    for (let r = 0; r < rows; r++) {
      const base = (m * rows + r) * cols;
      for (let c = kept(r, rows, cols); c < cols; c++) if (data[base + c] !== fill) return null;
    }
  return fill;
}

/** Packs a dense [L, H, Q, K] array; `lower*` packings need upperFill's value (the caller checks). */
export function pack(data: Float32Array, shape: number[], packing: Packing, fill: number): PackedMatrices {
  const [layers, heads, rows, cols] = shape;
  const per = packedHeadSize(packing, rows, cols);
  const f16 = packing !== 'lower';
  const out = f16 ? new Uint16Array(per * layers * heads) : new Float32Array(per * layers * heads);
  let o = 0;
  for (let m = 0; m < layers * heads; m++)
    for (let r = 0; r < rows; r++) {
      const base = (m * rows + r) * cols;
      const n = packing === 'f16' ? cols : kept(r, rows, cols);
      if (f16) for (let c = 0; c < n; c++) out[o++] = f32ToF16(data[base + c]);
      else {
        (out as Float32Array).set(data.subarray(base, base + n), o);
        o += n;
      }
    }
  return { shape: [...shape], packing, packed: out, fill };
}

/** float16 bits → float32, by table (65,536 entries, built once). */
let halfTable: Float32Array | undefined;
function halves(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    t[h] = exp === 0 ? sign * mant * 2 ** -24 : exp === 31 ? (mant ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return (halfTable = t);
}

/** Where each row of a head starts in its packed values, per shape (rows + 1 offsets). */
const rowStarts = new Map<string, Int32Array>();
function rowStartsOf(packing: Packing, rows: number, cols: number): Int32Array {
  const key = `${packing === 'f16' ? 'full' : 'lower'}:${rows}:${cols}`;
  let s = rowStarts.get(key);
  if (!s) {
    s = new Int32Array(rows + 1);
    for (let r = 0; r < rows; r++) s[r + 1] = s[r] + (packing === 'f16' ? cols : kept(r, rows, cols));
    if (rowStarts.size > 16) rowStarts.clear();
    rowStarts.set(key, s);
  }
  return s;
}

/** One value [layer, head, query, key], read in place (no decode). */
export function packedValue(p: PackedMatrices, layer: number, head: number, query: number, key: number): number {
  const [, heads, rows, cols] = p.shape;
  const starts = rowStartsOf(p.packing, rows, cols);
  if (key >= starts[query + 1] - starts[query]) return p.fill;
  const v = p.packed[(layer * heads + head) * starts[rows] + starts[query] + key];
  return p.packing === 'lower' ? v : halves()[v];
}

/** One head as a dense row-major [query, key] Float32Array (a new array). */
export function unpackHead(p: PackedMatrices, layer: number, head: number, out?: Float32Array): Float32Array {
  const [, heads, rows, cols] = p.shape;
  const per = packedHeadSize(p.packing, rows, cols);
  let o = (layer * heads + head) * per;
  const dense = out ?? new Float32Array(rows * cols);
  const full = p.packing === 'f16';
  // Two loops, one per array type: element reads stay monomorphic (a shared loop ran ~10× slower).
  if (p.packing === 'lower') {
    const src = p.packed as Float32Array;
    for (let r = 0; r < rows; r++) {
      const n = kept(r, rows, cols);
      dense.set(src.subarray(o, o + n), r * cols);
      o += n;
      if (n < cols) dense.fill(p.fill, r * cols + n, (r + 1) * cols);
    }
    return dense;
  }
  const t = halves();
  const src = p.packed as Uint16Array;
  for (let r = 0; r < rows; r++) {
    const n = full ? cols : kept(r, rows, cols);
    const base = r * cols;
    for (let c = 0; c < n; c++) dense[base + c] = t[src[o + c]];
    o += n;
    if (n < cols) dense.fill(p.fill, base + n, base + cols);
  }
  return dense;
}

/** The whole stack as a dense Float32Array (for JSON files and scripts). */
export function unpackAll(p: PackedMatrices): Float32Array {
  const [layers, heads, rows, cols] = p.shape;
  const out = new Float32Array(layers * heads * rows * cols);
  for (let l = 0; l < layers; l++) for (let h = 0; h < heads; h++) unpackHead(p, l, h, out.subarray((l * heads + h) * rows * cols, (l * heads + h + 1) * rows * cols));
  return out;
}

/** Bytes a packing would take (for choosing one before packing). */
export function packedBytes(shape: number[], packing: Packing): number {
  const [layers, heads, rows, cols] = shape;
  return layers * heads * packedHeadSize(packing, rows, cols) * (packing === 'lower' ? 4 : 2);
}

/** The block (0..m-1) of each of n items when m ≤ n blocks partition them (as viz/raster.ts's reduceMax). */
function blockOf(n: number, m: number): Int32Array {
  const b = new Int32Array(n);
  for (let k = 0; k < m; k++) for (let i = Math.floor((k * n) / m); i < Math.floor(((k + 1) * n) / m); i++) b[i] = k;
  return b;
}

/**
 * Block maxima of one head read in place, as viz/raster.ts's reduceMax gives them for the decoded
 * head with its dropped cells masked: the model grid's thumbs without decoding 1,024² weights
 * per head. NaN and ±∞ stay out of the maxima and the range; `log` ranges keep positive values only.
 */
export function packedBlockMax(p: PackedMatrices, layer: number, head: number, outRows: number, outCols: number, log: boolean): { out: Float32Array; lo: number; hi: number } {
  if (p.packing !== 'lower') {
    const fast = blockMaxOfBits(p, layer, head, outRows, outCols, log);
    if (fast) return fast;
  }
  const [, heads, rows, cols] = p.shape;
  const starts = rowStartsOf(p.packing, rows, cols);
  const base = (layer * heads + head) * starts[rows];
  const rowBlock = blockOf(rows, outRows);
  // Where each column block ends (blocks partition the columns in order, as blockOf gives them).
  const colEnd = Int32Array.from({ length: outCols }, (_, k) => Math.floor(((k + 1) * cols) / outCols));
  const out = new Float32Array(outRows * outCols).fill(NaN);
  let lo = Infinity;
  let hi = -Infinity;
  // One row at a time as float32 (float16 rows decoded into a small buffer), then one tight loop.
  const t = p.packing === 'lower' ? null : halves();
  const row = new Float32Array(cols);
  for (let r = 0; r < rows; r++) {
    const from = base + starts[r];
    const n = starts[r + 1] - starts[r];
    let src: Float32Array;
    if (t) {
      const f16 = p.packed as Uint16Array;
      for (let c = 0; c < n; c++) row[c] = t[f16[from + c]];
      src = row;
    } else src = (p.packed as Float32Array).subarray(from, from + n);
    const dst = rowBlock[r] * outCols;
    // Block by block along the row: the block's max (finite values) and, for the range, its
    // min (log: of the positive values).
    for (let b = 0, c0 = 0; b < outCols && c0 < n; b++) {
      const c1 = Math.min(n, colEnd[b]);
      let bmax = -Infinity;
      let bmin = Infinity;
      let any = false;
      for (let c = c0; c < c1; c++) {
        const v = src[c];
        // v − v is 0 for finite numbers, NaN for NaN and ±∞.
        if (v - v !== 0) continue;
        any = true;
        if (v > bmax) bmax = v;
        if (v < bmin && (!log || v > 0)) bmin = v;
      }
      c0 = c1;
      if (!any) continue;
      const k = dst + b;
      if (!(out[k] >= bmax)) out[k] = bmax;
      if (bmin < lo) lo = bmin;
      if ((!log || bmax > 0) && bmax > hi) hi = bmax;
    }
  }
  return { out, lo, hi };
}

/** Heads blockMaxOfBits found finite, per stack (packedHasNonFinite need not read them again). */
const finiteHeads = new WeakMap<PackedMatrices, Set<number>>();

/**
 * packedBlockMax for a float16 head with no sign bit set (weights: every value ≥ +0), on the bits
 * themselves: for such values, and the finite ones below 0x7c00, the bits order as the numbers
 * do, so maxima and minima need no decoding (the model grid's first draw at 1,024 tokens: 2.3× faster).
 * null (the caller decodes) when a value is negative, −0, NaN or ±∞.
 */
function blockMaxOfBits(p: PackedMatrices, layer: number, head: number, outRows: number, outCols: number, log: boolean): { out: Float32Array; lo: number; hi: number } | null {
  const [, heads, rows, cols] = p.shape;
  const starts = rowStartsOf(p.packing, rows, cols);
  const base = (layer * heads + head) * starts[rows];
  const rowBlock = blockOf(rows, outRows);
  const colBlock = blockOf(cols, outCols);
  const src = p.packed as Uint16Array;
  const maxBits = new Int32Array(outRows * outCols).fill(-1);
  let lo = 0x10000;
  // One pass over each row, each value into its block's maximum: a loop per block cost twice as much.
  for (let r = 0; r < rows; r++) {
    const from = base + starts[r];
    const n = starts[r + 1] - starts[r];
    const dst = rowBlock[r] * outCols;
    if (log)
      for (let c = 0; c < n; c++) {
        const v = src[from + c];
        const w = v || 0x10000; // log: the smallest positive value (bits 0 are +0)
        if (w < lo) lo = w;
        const k = dst + colBlock[c];
        if (v > maxBits[k]) maxBits[k] = v;
      }
    else
      for (let c = 0; c < n; c++) {
        const v = src[from + c];
        if (v < lo) lo = v;
        const k = dst + colBlock[c];
        if (v > maxBits[k]) maxBits[k] = v;
      }
  }
  let hi = -1;
  for (let k = 0; k < maxBits.length; k++) if (maxBits[k] > hi && (!log || maxBits[k] > 0)) hi = maxBits[k];
  // Bits 0x7c00 and up are NaN, ±∞ or a negative value (sign bit, −0 included): any of them is
  // its block's maximum, so hi shows it, and the decoding path takes the head.
  if (hi >= 0x7c00) return null;
  let finite = finiteHeads.get(p);
  if (!finite) finiteHeads.set(p, (finite = new Set()));
  finite.add(layer * heads + head);
  const t = halves();
  const out = new Float32Array(outRows * outCols);
  for (let k = 0; k < out.length; k++) out[k] = maxBits[k] < 0 ? NaN : t[maxBits[k]];
  return { out, lo: lo > 0xffff ? Infinity : t[lo], hi: hi < 0 ? -Infinity : t[hi] };
}

/** Whether one head holds NaN or ±∞ among its kept values (the dropped ones are the finite fill). */
export function packedHasNonFinite(p: PackedMatrices, layer: number, head: number): boolean {
  const [, heads, rows, cols] = p.shape;
  if (finiteHeads.get(p)?.has(layer * heads + head)) return false;
  const per = packedHeadSize(p.packing, rows, cols);
  const from = (layer * heads + head) * per;
  if (p.packing === 'lower') {
    const a = p.packed as Float32Array;
    for (let i = from; i < from + per; i++) if (!Number.isFinite(a[i])) return true;
    return false;
  }
  const a = p.packed as Uint16Array;
  for (let i = from; i < from + per; i++) if ((a[i] & 0x7c00) === 0x7c00) return true;
  return false;
}

/** Whether row r of a packing drops exactly the cells after key r (a square causal mask). */
export const dropsTheFuture = (p: PackedMatrices): boolean => p.packing !== 'f16' && p.shape[2] === p.shape[3];
