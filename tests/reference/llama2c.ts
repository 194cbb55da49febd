// llama2.c's forward pass and encoder in float64, written from its run.c (forward() and
// encode()): the checkpoint's own layout, RoPE on interleaved pairs (dims 2i, 2i+1 of each
// head, frequency 10000^(−2i/head_size)), grouped-query attention by kv_mul. It shares no
// code with the app's converter (src/lib/hub/llama2c.ts) or its LLaMA graph.

import type { Llama2cSpec, Llama2cWeights } from '../helpers/llama2c-files';

export interface Llama2cReference {
  /** Attention weights [layer, head, query, key]. */
  probs: Float64Array;
  /** Logits [position, vocab]. */
  logits: Float64Array;
}

export function llama2cForward(s: Llama2cSpec, w: Llama2cWeights, ids: readonly number[]): Llama2cReference {
  const { dim, hiddenDim, layers, heads, kvHeads, vocabSize } = s;
  const headSize = dim / heads;
  const kvDim = kvHeads * headSize;
  const kvMul = heads / kvHeads;
  const T = ids.length;
  const probs = new Float64Array(layers * heads * T * T);
  const logits = new Float64Array(T * vocabSize);
  const keyCache = new Float64Array(layers * T * kvDim);
  const valueCache = new Float64Array(layers * T * kvDim);
  const matvec = (out: Float64Array, x: Float64Array, m: Float32Array, offset: number, n: number, d: number) => {
    for (let i = 0; i < d; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v += m[offset + i * n + j] * x[j];
      out[i] = v;
    }
  };
  const rmsnorm = (x: Float64Array, weight: Float32Array, offset: number) => {
    let ss = 0;
    for (const v of x) ss += v * v;
    const scale = 1 / Math.sqrt(ss / x.length + 1e-5);
    return x.map((v, i) => weight[offset + i] * (scale * v));
  };
  for (let pos = 0; pos < T; pos++) {
    const x = Float64Array.from(w.embed.subarray(ids[pos] * dim, (ids[pos] + 1) * dim));
    for (let l = 0; l < layers; l++) {
      const xb = rmsnorm(x, w.attentionNorm, l * dim);
      const q = new Float64Array(dim);
      const k = new Float64Array(kvDim);
      const v = new Float64Array(kvDim);
      matvec(q, xb, w.wq, l * dim * dim, dim, dim);
      matvec(k, xb, w.wk, l * dim * kvDim, dim, kvDim);
      matvec(v, xb, w.wv, l * dim * kvDim, dim, kvDim);
      for (let i = 0; i < dim; i += 2) {
        const freq = 1 / Math.pow(10000, (i % headSize) / headSize);
        const fcr = Math.cos(pos * freq);
        const fci = Math.sin(pos * freq);
        for (const vec of i < kvDim ? [q, k] : [q]) {
          const v0 = vec[i];
          const v1 = vec[i + 1];
          vec[i] = v0 * fcr - v1 * fci;
          vec[i + 1] = v0 * fci + v1 * fcr;
        }
      }
      keyCache.set(k, (l * T + pos) * kvDim);
      valueCache.set(v, (l * T + pos) * kvDim);
      const out = new Float64Array(dim);
      for (let h = 0; h < heads; h++) {
        const kvh = Math.floor(h / kvMul);
        const att = new Float64Array(pos + 1);
        for (let t = 0; t <= pos; t++) {
          let score = 0;
          for (let i = 0; i < headSize; i++) score += q[h * headSize + i] * keyCache[(l * T + t) * kvDim + kvh * headSize + i];
          att[t] = score / Math.sqrt(headSize);
        }
        const max = Math.max(...att);
        let sum = 0;
        for (let t = 0; t <= pos; t++) sum += att[t] = Math.exp(att[t] - max);
        for (let t = 0; t <= pos; t++) {
          att[t] /= sum;
          probs[((l * heads + h) * T + pos) * T + t] = att[t];
          for (let i = 0; i < headSize; i++) out[h * headSize + i] += att[t] * valueCache[(l * T + t) * kvDim + kvh * headSize + i];
        }
      }
      const o = new Float64Array(dim);
      matvec(o, out, w.wo, l * dim * dim, dim, dim);
      for (let i = 0; i < dim; i++) x[i] += o[i];
      const xb2 = rmsnorm(x, w.ffnNorm, l * dim);
      const h1 = new Float64Array(hiddenDim);
      const h3 = new Float64Array(hiddenDim);
      matvec(h1, xb2, w.w1, l * dim * hiddenDim, dim, hiddenDim);
      matvec(h3, xb2, w.w3, l * dim * hiddenDim, dim, hiddenDim);
      for (let i = 0; i < hiddenDim; i++) h1[i] = (h1[i] / (1 + Math.exp(-h1[i]))) * h3[i];
      const down = new Float64Array(dim);
      matvec(down, h1, w.w2, l * dim * hiddenDim, hiddenDim, dim);
      for (let i = 0; i < dim; i++) x[i] += down[i];
    }
    const final = rmsnorm(x, w.finalNorm, 0);
    const row = new Float64Array(vocabSize);
    matvec(row, final, w.classifier ?? w.embed, 0, dim, vocabSize);
    logits.set(row, pos * vocabSize);
  }
  return { probs, logits };
}

/** run.c's encode(): BOS, the dummy-prefix ' ', code points (else UTF-8 bytes + 3), then best-score merges. */
export function llama2cEncode(pieces: string[], scores: number[], text: string): number[] {
  const lookup = new Map<string, number>();
  pieces.forEach((p, i) => {
    if (!lookup.has(p)) lookup.set(p, i);
  });
  const tokens: number[] = [1];
  if (text.length) tokens.push(lookup.get(' ')!);
  for (const ch of text) {
    const id = lookup.get(ch);
    if (id !== undefined) tokens.push(id);
    else for (const b of new TextEncoder().encode(ch)) tokens.push(b + 3);
  }
  for (;;) {
    let best = -1e10;
    let at = -1;
    let merged = -1;
    for (let i = 1; i < tokens.length - 1; i++) {
      const id = lookup.get(pieces[tokens[i]] + pieces[tokens[i + 1]]);
      if (id !== undefined && scores[id] > best) {
        best = scores[id];
        at = i;
        merged = id;
      }
    }
    if (at < 0) break;
    tokens.splice(at, 2, merged);
  }
  return tokens;
}
