// A content fingerprint for a set of model files a user dropped or picked, so that the
// worker keys a loaded model by what the files hold, not by the name the page gave them
// (every drop used to be "local model", and a second set got the first model back).
//
// Small files (config.json, tokenizer.json, the safetensors header region) are hashed
// whole; a large weights file is hashed by its size, its first and last bytes and
// evenly spaced blocks, which finds any retrained or rewritten checkpoint without reading
// gigabytes. Two hashes with different seeds make a 64-bit fingerprint.

/** Files up to this size are hashed byte for byte (config, tokenizer, small checkpoints: ~10 ms per 8 MiB). */
export const FULL_HASH_BYTES = 32 * 2 ** 20;
/** A larger file: its first and last this many bytes … */
const EDGE_BYTES = 2 ** 20;
/** … and this many blocks of BLOCK_BYTES spread evenly between them. */
const BLOCKS = 256;
const BLOCK_BYTES = 4096;

/** FNV-1a over 32-bit words (bytes for the tail), with a final avalanche. */
function hashBytes(h: number, bytes: Uint8Array): number {
  const words = bytes.byteLength >>> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < words; i++) h = Math.imul(h ^ view.getUint32(i * 4, true), 0x01000193);
  for (let i = words * 4; i < bytes.byteLength; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The parts of a file that are hashed: all of it, or its edges and evenly spaced blocks. */
function* samples(bytes: Uint8Array): Generator<Uint8Array> {
  if (bytes.byteLength <= FULL_HASH_BYTES) {
    yield bytes;
    return;
  }
  yield bytes.subarray(0, EDGE_BYTES);
  const span = bytes.byteLength - 2 * EDGE_BYTES - BLOCK_BYTES;
  for (let b = 0; b < BLOCKS; b++) {
    const at = EDGE_BYTES + Math.floor((span * b) / (BLOCKS - 1));
    yield bytes.subarray(at, at + BLOCK_BYTES);
  }
  yield bytes.subarray(bytes.byteLength - EDGE_BYTES);
}

const text = new TextEncoder();

/** A 16-hex-digit fingerprint of file names, sizes and contents (order of the record does not matter). */
export function fingerprintFiles(files: Record<string, Uint8Array>): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (const name of Object.keys(files).sort()) {
    const bytes = files[name];
    const head = text.encode(`${name}\u0000${bytes.byteLength}\u0000`);
    a = hashBytes(a, head);
    b = hashBytes(b, head);
    for (const part of samples(bytes)) {
      a = hashBytes(a, part);
      b = hashBytes(b ^ 0x5bd1e995, part);
    }
  }
  return finish(a).toString(16).padStart(8, '0') + finish(b).toString(16).padStart(8, '0');
}

/** What a set of files is, for people: "config.json (1.2 kB), model.safetensors (3.4 MB)". */
export function describeFiles(files: Record<string, Uint8Array>): string {
  const size = (n: number) => (n < 1e3 ? `${n} B` : n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : `${(n / 1e6).toFixed(1)} MB`);
  return Object.keys(files)
    .sort()
    .map((f) => `${f} (${size(files[f].byteLength)})`)
    .join(', ');
}
