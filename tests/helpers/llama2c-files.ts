// llama2.c checkpoints and tokenizers written here, for tests: random float32 weights in
// llama2.c's own layout (interleaved RoPE pairs), as its export.py writes them (legacy
// version 0 or version 1), and a small tokenizer.bin with scored merges.

import { Prng } from './prng';

export interface Llama2cSpec {
  dim: number;
  hiddenDim: number;
  layers: number;
  heads: number;
  kvHeads: number;
  vocabSize: number;
  seqLen: number;
  shared: boolean;
  version: 0 | 1;
  seed: number;
}

/** The weights by llama2.c name (run.c's TransformerWeights), row-major [out, in] matrices. */
export interface Llama2cWeights {
  embed: Float32Array;
  attentionNorm: Float32Array;
  wq: Float32Array;
  wk: Float32Array;
  wv: Float32Array;
  wo: Float32Array;
  ffnNorm: Float32Array;
  w1: Float32Array;
  w2: Float32Array;
  w3: Float32Array;
  finalNorm: Float32Array;
  classifier: Float32Array | null;
}

export function randomLlama2cWeights(s: Llama2cSpec): Llama2cWeights {
  const prng = new Prng(s.seed);
  const kvDim = (s.dim / s.heads) * s.kvHeads;
  const normal = (n: number, std: number, mean = 0) => {
    const a = new Float32Array(n);
    prng.fillNormalFast(a, mean, std);
    return a;
  };
  // q and k get a larger std so attention is peaked (a uniform softmax would hide RoPE mistakes).
  const g = Math.sqrt(2.5) / Math.sqrt(s.dim);
  return {
    embed: normal(s.vocabSize * s.dim, 1),
    attentionNorm: normal(s.layers * s.dim, 0.1, 1),
    wq: normal(s.layers * s.dim * s.dim, g),
    wk: normal(s.layers * kvDim * s.dim, g),
    wv: normal(s.layers * kvDim * s.dim, 1 / Math.sqrt(s.dim)),
    wo: normal(s.layers * s.dim * s.dim, 1 / Math.sqrt(s.dim)),
    ffnNorm: normal(s.layers * s.dim, 0.1, 1),
    w1: normal(s.layers * s.hiddenDim * s.dim, 1 / Math.sqrt(s.dim)),
    w2: normal(s.layers * s.dim * s.hiddenDim, 1 / Math.sqrt(s.hiddenDim)),
    w3: normal(s.layers * s.hiddenDim * s.dim, 1 / Math.sqrt(s.dim)),
    finalNorm: normal(s.dim, 0.1, 1),
    classifier: s.shared ? null : normal(s.vocabSize * s.dim, 1 / Math.sqrt(s.dim)),
  };
}

function concat(parts: ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The .bin bytes, laid out as llama2.c's export.py legacy_export (0) or version1_export (1). */
export function llama2cCheckpoint(s: Llama2cSpec, w: Llama2cWeights): Uint8Array {
  const ints = [s.dim, s.hiddenDim, s.layers, s.heads, s.kvHeads, s.shared ? s.vocabSize : -s.vocabSize, s.seqLen];
  const headSize = s.dim / s.heads;
  let header: Uint8Array;
  let body: Float32Array;
  if (s.version === 0) {
    header = new Uint8Array(new Int32Array(ints).buffer);
    const ropeTables = new Float32Array(2 * s.seqLen * (headSize / 2)).fill(0.5); // ignored by readers
    body = concat([w.embed, w.attentionNorm, w.wq, w.wk, w.wv, w.wo, w.ffnNorm, w.w1, w.w2, w.w3, w.finalNorm, ropeTables, ...(w.classifier ? [w.classifier] : [])]);
  } else {
    header = new Uint8Array(256);
    const view = new DataView(header.buffer);
    view.setUint32(0, 0x616b3432, true);
    view.setInt32(4, 1, true);
    ints.forEach((v, i) => view.setInt32(8 + 4 * i, i === 5 ? s.vocabSize : v, true));
    view.setUint8(36, s.shared ? 1 : 0);
    body = concat([w.attentionNorm, w.ffnNorm, w.finalNorm, w.embed, w.wq, w.wk, w.wv, w.wo, w.w1, w.w2, w.w3, ...(w.classifier ? [w.classifier] : [])]);
  }
  const out = new Uint8Array(header.length + body.byteLength);
  out.set(header);
  out.set(new Uint8Array(body.buffer), header.length);
  return out;
}

/**
 * A small llama2.c vocabulary: <unk>, <s>, </s>, the 256 byte tokens, then single
 * characters and merged pieces (written with ' ' for '▁', as llama2.c stores them),
 * with scores that decrease with their position (SentencePiece BPE: later merges score lower).
 */
export const TEST_PIECES = [
  ' ', 'e', 't', 'a', 'o', 'h', 'n', 's', 'i', 'r', 'd', 'l', 'u', 'w', 'c', 'm', 'f', 'g', 'y', 'p', 'b', 'k', 'v', 'O', 'T', 'S', '.', ',',
  ' t', 'he', ' a', ' s', 'in', ' w', 'er', ' the', 'an', 'ou', 'on', ' h', 'nd', 'ed', ' b', ' o', 'at', 'en', 'im', ' time', ' up', 'pon', ' upon',
  'Once', ' Once', ' on', 'ce', 'On', 'll', 'ittle', ' l', ' little', ' girl', 'gi', 'rl', ' g', 'ir', 'ti', 'me', 'itt', 'le', 'ere', ' there', ' T', 'The',
];

export function llama2cTokenizer(vocabSize: number): { bytes: Uint8Array; pieces: string[]; scores: number[] } {
  const pieces = ['<unk>', '\n<s>\n', '\n</s>\n', ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`), ...TEST_PIECES];
  // Pad with pieces no text produces, up to the checkpoint's vocabulary.
  while (pieces.length < vocabSize) pieces.push(`<unused${pieces.length}>`);
  const scores = pieces.map((_, i) => (i < 259 ? 0 : -(i - 259)));
  const enc = new TextEncoder();
  const encoded = pieces.map((p) => enc.encode(p));
  const maxLen = Math.max(...encoded.map((e) => e.length));
  const total = 4 + encoded.reduce((a, e) => a + 8 + e.length, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, maxLen, true);
  let at = 4;
  encoded.forEach((e, i) => {
    view.setFloat32(at, scores[i], true);
    view.setInt32(at + 4, e.length, true);
    bytes.set(e, at + 8);
    at += 8 + e.length;
  });
  return { bytes, pieces, scores };
}
