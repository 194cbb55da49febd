// The trace JSON as a stream of pieces, so that no single string holds it: GPT-2 at 1,500
// tokens with every tap is inside the app's 1 GB guard, yet its JSON (3.7 GB) failed with
// "Invalid string length" in the CLI and in the browser. The pieces join to exactly what
// traceToJSONString writes (same keys, same numbers, masked as null, NaN as "NaN").

import type { Tensor, Trace } from './types';
import { MASKED_SCORE, traceJSONParts } from './json';

/** Pieces are gathered up to about this many characters (a Blob part, a file write). */
export const CHUNK_CHARS = 2 ** 20;

class Streamed {
  constructor(
    readonly tensor: Tensor,
    readonly maskSentinel: boolean,
  ) {}
}

const num = (v: number, mask: boolean): string => (mask && v <= MASKED_SCORE ? 'null' : Number.isFinite(v) ? JSON.stringify(v) : `"${v}"`);

/** One tensor as nested arrays, a row of the last dimension at a time. */
function* tensorPieces(t: Tensor, mask: boolean): Generator<string> {
  const { shape, data } = t;
  if (shape.length === 0) {
    yield num(data[0], mask);
    return;
  }
  const last = shape[shape.length - 1];
  const outer = shape.slice(0, -1);
  const rows = outer.reduce((a, b) => a * b, 1);
  // Strides of the outer dimensions, in rows: a "[" opens and "]" closes at their multiples.
  const strides = outer.map((_, d) => outer.slice(d + 1).reduce((a, b) => a * b, 1));
  if (rows === 0 || last === 0) {
    yield JSON.stringify(emptyNested(shape));
    return;
  }
  for (let r = 0; r < rows; r++) {
    let open = '';
    for (let d = 0; d < outer.length; d++) if (r % (strides[d] * outer[d]) === 0) open += '[';
    const parts = new Array<string>(last);
    for (let k = 0; k < last; k++) parts[k] = num(data[r * last + k], mask);
    let close = '';
    for (let d = outer.length - 1; d >= 0; d--) if ((r + 1) % (strides[d] * outer[d]) === 0) close += ']';
    yield `${r > 0 ? ',' : ''}${open}[${parts.join(',')}]${close}`;
  }
}

function emptyNested(shape: number[]): unknown {
  if (shape.length === 1 || shape[0] === 0) return shape[0] === 0 ? [] : new Array(shape[0]).fill(null).map(() => []);
  return Array.from({ length: shape[0] }, () => emptyNested(shape.slice(1)));
}

function* valuePieces(v: unknown): Generator<string> {
  if (v instanceof Streamed) {
    yield* tensorPieces(v.tensor, v.maskSentinel);
    return;
  }
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).some((x) => x instanceof Streamed || (x && typeof x === 'object' && Object.values(x).some((y) => y instanceof Streamed)))) {
    let first = true;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      yield `${first ? '{' : ','}${JSON.stringify(k)}:`;
      yield* valuePieces(x);
      first = false;
    }
    yield first ? '{}' : '}';
    return;
  }
  yield JSON.stringify(v);
}

/** The trace JSON in pieces of about CHUNK_CHARS characters. */
export function* traceToJSONChunks(trace: Trace, chunkChars = CHUNK_CHARS): Generator<string> {
  let buffer: string[] = [];
  let size = 0;
  for (const piece of valuePieces(traceJSONParts(trace, (t, mask) => new Streamed(t, mask)))) {
    buffer.push(piece);
    size += piece.length;
    if (size >= chunkChars) {
      yield buffer.join('');
      buffer = [];
      size = 0;
    }
  }
  if (size) yield buffer.join('');
}
