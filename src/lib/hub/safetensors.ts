// Reads the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype, shape and
// byte range, then the raw data. Every field of the header is validated before any
// tensor memory is allocated, so a hostile or truncated file costs at most its own size.

import { AtlasError } from '../errors';

export type Dtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Record<Dtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Weights must be one of these; integer tensors (e.g. BERT's position_ids buffer) are listed but never loaded. */
export const FLOAT_DTYPES: readonly Dtype[] = ['F32', 'F16', 'BF16'];

/** Headers of real checkpoints are a few hundred kB; 100 MB is the format's own limit. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Absolute byte offsets in the file: [begin, end). */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  name: string;
  bytes: Uint8Array;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

function fail(file: string, what: string): never {
  throw new AtlasError(
    'bad-safetensors',
    `${file} is not a valid safetensors file: ${what}.`,
    'The file may be truncated or not a safetensors file. Download it again, or choose another file.',
  );
}

export function parseSafetensors(bytes: Uint8Array, name = 'model.safetensors'): SafetensorsFile {
  if (bytes.byteLength < 8) fail(name, `it has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - 8)))
    fail(name, `its header claims ${headerLength} bytes but the file has ${bytes.byteLength - 8} after the length field`);
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    fail(name, `its header is not UTF-8 JSON (${e instanceof Error ? e.message : e})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(name, 'its header is not a JSON object');

  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (typeof value === 'object' && value !== null) metadata = value as Record<string, string>;
      continue;
    }
    if (typeof value !== 'object' || value === null) fail(name, `tensor "${key}" has no description`);
    const { dtype, shape, data_offsets } = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) fail(name, `tensor "${key}" has unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(name, `tensor "${key}" has an invalid shape ${JSON.stringify(shape)}`);
    if (
      !Array.isArray(data_offsets) ||
      data_offsets.length !== 2 ||
      !data_offsets.every((d) => Number.isSafeInteger(d) && d >= 0)
    )
      fail(name, `tensor "${key}" has invalid data_offsets ${JSON.stringify(data_offsets)}`);
    const [b, e] = data_offsets as [number, number];
    if (b > e || e > dataLength) fail(name, `tensor "${key}" spans bytes ${b}–${e}, outside the ${dataLength} data bytes`);
    const elements = (shape as number[]).reduce((a, d) => a * d, 1);
    if (elements * DTYPE_BYTES[dtype as Dtype] !== e - b)
      fail(name, `tensor "${key}" has shape [${shape}] of ${dtype} (${elements * DTYPE_BYTES[dtype as Dtype]} bytes) but spans ${e - b} bytes`);
    tensors.set(key, { name: key, dtype: dtype as Dtype, shape: shape as number[], begin: dataStart + b, end: dataStart + e });
  }
  // Zero-length tensors hold no bytes, so they overlap nothing (whatever their offset); each other
  // tensor must start at or after the end of every tensor before it.
  const sorted = [...tensors.values()].filter((t) => t.end > t.begin).sort((x, y) => x.begin - y.begin);
  let last: (typeof sorted)[number] | undefined;
  for (const t of sorted) {
    if (last && t.begin < last.end) fail(name, `tensors "${last.name}" and "${t.name}" overlap`);
    if (!last || t.end > last.end) last = t;
  }
  return { name, bytes, tensors, metadata };
}

function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * A tensor's values as float32. F32 data that is 4-byte aligned in the file is returned
 * as a view (no copy); anything else is converted into a new array.
 */
export function readFloat32(file: SafetensorsFile, info: TensorInfo): Float32Array {
  const raw = file.bytes.subarray(info.begin, info.end);
  const count = (info.end - info.begin) / DTYPE_BYTES[info.dtype];
  if (info.dtype === 'F32') {
    if ((raw.byteOffset & 3) === 0) return new Float32Array(raw.buffer, raw.byteOffset, count);
    return new Float32Array(raw.slice().buffer);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(count);
  if (info.dtype === 'F16') for (let i = 0; i < count; i++) out[i] = f16ToF32(view.getUint16(2 * i, true));
  else if (info.dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
  } else
    throw new AtlasError('bad-safetensors', `Tensor "${info.name}" is ${info.dtype}; weights must be F32, F16 or BF16.`);
  return out;
}

/** Writes tensors in the safetensors format (used by tests, tools and fp16 conversion). */
export function writeSafetensors(
  tensors: { name: string; dtype: 'F32' | 'F16'; shape: number[]; data: Float32Array | Uint16Array }[],
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const size = t.data.byteLength;
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  const padded = new Uint8Array(Math.ceil((8 + headerBytes.length) / 8) * 8 - 8).fill(0x20);
  padded.set(headerBytes);
  headerBytes = padded;
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
