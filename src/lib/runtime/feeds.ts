// Building graph inputs (onnxruntime tensors) for the families' runtimes.

import { ort } from './backend';
import type { Tensor } from '../trace/types';

export const i64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [values.length]);
export const i64Matrix = (values: BigInt64Array, dims: number[]) => new ort.Tensor('int64', values, dims);
export const floats = (values: Float32Array, dims: number[]) => new ort.Tensor('float32', values, dims);
export const bools = (values: Uint8Array, dims: number[]) => new ort.Tensor('bool', values, dims);
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Row i keeps keys 0..i: the causal mask. */
export function causalKeep(n: number): Uint8Array {
  const keep = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) keep.fill(1, i * n, i * n + i + 1);
  return keep;
}

export function tensorOf(t: { dims: readonly number[]; data: unknown }): Tensor {
  return { shape: t.dims.map(Number), data: t.data as Float32Array };
}
