// Issue 19, item 10: the trace JSON is written in pieces, so a trace inside the 1 GB guard
// can be saved even when its JSON is longer than the longest string V8 holds (GPT-2 at
// 1,500 tokens with all taps: 3.7 GB, "Invalid string length" in the CLI and the browser).
import { describe, expect, it } from 'vitest';
import { traceToJSONChunks, CHUNK_CHARS } from '../../src/lib/trace/json-stream';
import { traceToJSONString } from '../../src/lib/trace/json';
import { syntheticTrace } from '../fixtures/synthetic-trace';
import type { DenseTrace } from '../../src/lib/trace/types';

/** V8's longest string in Node 20 (2^29 − 24 characters). */
const V8_MAX_STRING = 2 ** 29 - 24;

describe('trace JSON in pieces', () => {
  it('joins to exactly what traceToJSONString writes, masked, NaN, hidden, logits and empty tensors included', () => {
    const cases: DenseTrace[] = [
      syntheticTrace({ family: 'gpt2', layers: 2, heads: 3, tokens: 7 }),
      syntheticTrace({ family: 'bert', layers: 1, heads: 2, tokens: 5, taps: ['probs', 'q'] }),
      syntheticTrace({ family: 't5', layers: 2, heads: 2, tokens: 4, decoderTokens: 3 }),
    ];
    const t = cases[0];
    t.attention.self!.probs!.data[3] = NaN;
    t.attention.self!.scores!.data[5] = Infinity;
    t.hidden = { shape: [2, 3, 2], data: Float32Array.from([1, -0, 0.1, -2.5e-8, 3e38, -1]) };
    t.logits = { positions: [], values: { shape: [0, 4], data: new Float32Array(0) } };
    cases[1].hidden = { shape: [2, 0], data: new Float32Array(0) };
    for (const c of cases) {
      const whole = traceToJSONString(c);
      for (const size of [CHUNK_CHARS, 1, 100]) expect([...traceToJSONChunks(c, size)].join('')).toBe(whole);
    }
  });

  it('streams a JSON longer than V8’s longest string, in pieces of about 1 MB', { timeout: 300_000 }, () => {
    // 30 M float32 weights of ~20 characters each: ~600 M characters of JSON.
    const n = 30_000_000;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = ((i * 2654435761) % 1e6) / 1e6 + 1e-7;
    const t = syntheticTrace({ family: 'gpt2', layers: 1, heads: 1, tokens: 2, taps: ['probs'] });
    t.hidden = { shape: [1, 3000, n / 3000], data };
    let chars = 0;
    let largest = 0;
    const t0 = performance.now();
    for (const chunk of traceToJSONChunks(t)) {
      chars += chunk.length;
      largest = Math.max(largest, chunk.length);
    }
    console.log(`streamed ${(chars / 1e6).toFixed(0)} M characters in ${((performance.now() - t0) / 1000).toFixed(1)} s, largest piece ${(largest / 1e6).toFixed(1)} M`);
    expect(chars).toBeGreaterThan(V8_MAX_STRING);
    // Pieces stop at the first row past CHUNK_CHARS (rows of 10,000 values here).
    expect(largest).toBeLessThan(CHUNK_CHARS + 300_000);
  });
});
