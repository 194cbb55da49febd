// Lower-precision weights (issue 17): every float32 matrix of a checkpoint rounded as fp16, int8
// or int4 would store it, then expanded back to float32 *at load*, so the graphs are unchanged
// and every difference in the attention is what the rounding did. This measures accuracy, not
// speed: the sessions still hold float32 weights. Vectors (biases, norms) stay float32, as
// quantized checkpoints keep them.
//   - fp16: round to the nearest half-precision value;
//   - int8: symmetric, one float32 scale per row of the stored matrix (max |w| / 127);
//   - int4: symmetric, one float32 scale per group of 32 weights along a row (max |w| / 7).
// A row of the stored matrix is a Linear layer's output channel; GPT-2's Conv1D stores [in, out],
// so there it is an input channel (say so where it matters).

import { parseSafetensors, type SafetensorsFile } from '../hub/safetensors';

export const QUANTIZATIONS = ['fp16', 'int8', 'int4'] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

export const INT4_GROUP = 32;

export interface QuantizationReport {
  mode: Quantization;
  /** How the values were rounded, in words. */
  scheme: string;
  /** Matrices rounded, and their weights. */
  tensors: number;
  parameters: number;
  /** Those weights' bytes stored at this precision (scales included), and as float32. */
  bytes: number;
  fp32Bytes: number;
}

export const SCHEMES: Record<Quantization, string> = {
  fp16: 'fp16: each weight rounded to the nearest half-precision value',
  int8: 'int8: symmetric, one float32 scale per row of each stored matrix (max |w| / 127), dequantized to float32 at load',
  int4: `int4: symmetric, one float32 scale per group of ${INT4_GROUP} weights along a row (max |w| / 7), dequantized to float32 at load`,
};

/** x rounded to the nearest fp16 value (ties to even), as a number; overflow goes to ±Infinity like a cast. */
export function roundToHalf(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity;
  // Below 2^-14 the spacing is fixed at 2^-24 (subnormals); above, 2^(e − 10).
  const e = Math.max(Math.floor(Math.log2(a)), -14);
  const step = 2 ** (e - 10);
  let q = a / step;
  const floor = Math.floor(q);
  const frac = q - floor;
  q = frac > 0.5 || (frac === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return Math.sign(x) * q * step;
}

/** Rounds `data` ([rows, cols] row-major) in place as `mode` stores it; returns the stored bytes. */
export function quantizeMatrix(data: Float32Array, rows: number, cols: number, mode: Quantization): number {
  if (mode === 'fp16') {
    for (let i = 0; i < data.length; i++) data[i] = roundToHalf(data[i]);
    return data.length * 2;
  }
  const group = mode === 'int8' ? cols : INT4_GROUP;
  const levels = mode === 'int8' ? 127 : 7;
  let scales = 0;
  for (let r = 0; r < rows; r++)
    for (let g0 = 0; g0 < cols; g0 += group) {
      const at = r * cols + g0;
      const end = r * cols + Math.min(cols, g0 + group);
      let max = 0;
      for (let i = at; i < end; i++) max = Math.max(max, Math.abs(data[i]));
      scales++;
      // Stored as float32 like the result, so the expanded weight is exactly q · scale.
      const scale = Math.fround(max / levels);
      for (let i = at; i < end; i++) data[i] = scale === 0 ? 0 : Math.fround(Math.max(-levels, Math.min(levels, Math.round(data[i] / scale))) * scale);
    }
  return (mode === 'int8' ? data.length : Math.ceil(data.length / 2)) + scales * 4;
}

/** A copy of a safetensors file with every float32 matrix rounded as `mode` stores it. */
export function quantizeSafetensors(file: SafetensorsFile, mode: Quantization): { bytes: Uint8Array; report: QuantizationReport } {
  const bytes = file.bytes.slice();
  const report: QuantizationReport = { mode, scheme: SCHEMES[mode], tensors: 0, parameters: 0, bytes: 0, fp32Bytes: 0 };
  for (const t of file.tensors.values()) {
    if (t.dtype !== 'F32' || t.shape.length !== 2 || t.shape[0] < 2 || t.shape[1] < 2) continue;
    // Copy out (a tensor's offset in the file need not be 4-byte aligned), round, copy back.
    const data = new Float32Array(bytes.slice(t.begin, t.end).buffer);
    report.bytes += quantizeMatrix(data, t.shape[0], t.shape[1], mode);
    bytes.set(new Uint8Array(data.buffer), t.begin);
    report.tensors++;
    report.parameters += data.length;
    report.fp32Bytes += data.length * 4;
  }
  return { bytes, report };
}

/** Quantizes every shard (by file name); the reports are summed. */
export function quantizeWeights(weights: { name: string; bytes: Uint8Array }[], mode: Quantization): { weights: { name: string; bytes: Uint8Array }[]; report: QuantizationReport } {
  const report: QuantizationReport = { mode, scheme: SCHEMES[mode], tensors: 0, parameters: 0, bytes: 0, fp32Bytes: 0 };
  const out = weights.map((w) => {
    const q = quantizeSafetensors(parseSafetensors(w.bytes, w.name), mode);
    for (const k of ['tensors', 'parameters', 'bytes', 'fp32Bytes'] as const) report[k] += q.report[k];
    return { name: w.name, bytes: q.bytes };
  });
  return { weights: out, report };
}
