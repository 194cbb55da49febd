// Issue 19, items 7 and 13: /view/ reads a trace file's contents, not only its structure.
// What cannot be drawn is refused with a bad-trace message (never an internal error or a
// blank page); what can be drawn but is wrong is listed as issues.
import { describe, expect, it } from 'vitest';
import { readTraceChecked } from '../../src/lib/trace/read-trace';
import { traceToJSON } from '../../src/lib/trace/json';
import { dataDomain } from '../../src/lib/viz/color';
import { findNonFinite } from '../../src/lib/trace/non-finite';
import { AtlasError } from '../../src/lib/errors';
import { syntheticTrace } from '../fixtures/synthetic-trace';

type Json = Record<string, any>;
const gpt2 = (layers = 2, heads = 2, tokens = 4): Json => traceToJSON(syntheticTrace({ family: 'gpt2', layers, heads, tokens, taps: ['probs'] })) as Json;
const read = (json: unknown) => readTraceChecked(JSON.stringify(json), 'hostile.json');

function refused(json: unknown, message: RegExp): void {
  let error: unknown;
  try {
    read(json);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AtlasError);
  expect((error as AtlasError).code).toBe('bad-trace');
  expect((error as AtlasError).message).toMatch(message);
}

/** probs [L][H][T][T] of uniform causal rows (each sums to 1). */
function uniformProbs(L: number, H: number, T: number): number[][][][] {
  const row = (q: number) => Array.from({ length: T }, (_, k) => (k <= q ? 1 / (q + 1) : 0));
  return Array.from({ length: L }, () => Array.from({ length: H }, () => Array.from({ length: T }, (_, q) => row(q))));
}

describe('trace file contents', () => {
  it('a good trace has no issues', () => {
    expect(read(gpt2()).issues).toEqual([]);
  });

  it('a missing backend or timings get stand-ins instead of a blank page', () => {
    const j = gpt2();
    delete j.backend;
    delete j.timings;
    const { trace } = read(j);
    expect(trace.backend.reason).toMatch(/not recorded/);
    expect(trace.timings.runMs).toBe(0);
  });

  it('null tokens, non-string token text and broken spans are refused, naming the token', () => {
    const a = gpt2();
    a.tokens[1] = null;
    refused(a, /tokens\[1\] is null/);
    const b = gpt2();
    b.tokens[2].text = 42;
    refused(b, /tokens\[2\]\.text is 42/);
    const c = gpt2();
    c.tokens[0].start = -5;
    refused(c, /tokens\[0\] has no valid span/);
  });

  it('too many layers or heads for the views are refused with the bound', () => {
    const many = (L: number, H: number) => ({ ...gpt2(1, 1, 2), model: { ...gpt2(1, 1, 2).model, layers: L, heads: H }, attentions: { self: uniformProbs(L, H, 2) } });
    refused(many(300, 1), /300 layers; this app draws at most 256/);
    refused(many(1, 300), /300 heads; this app draws at most 256/);
    refused(many(100, 100), /10000 layer × head matrices/);
  });

  it('a shape bomb (first entries claiming 1e12 numbers) is a bad trace, not an internal error', () => {
    const wide = Array(1000).fill(0);
    const level = (inner: unknown) => [inner, ...Array(999).fill(0)];
    refused({ ...gpt2(), attentions: { self: level(level(level(wide))) } }, /1\.00e\+12 numbers/);
    // Deeper than any trace tensor.
    let deep: unknown = [0];
    for (let i = 0; i < 6; i++) deep = [deep];
    refused({ ...gpt2(), attentions: { self: deep } }, /nested more than 4 deep/);
  });

  it('a row of 1e39 is flagged as not finite and does not set the colour scale', () => {
    const j = gpt2(1, 1, 3);
    j.attentions.self = uniformProbs(1, 1, 3);
    j.attentions.self[0][0][1] = [1e39, 1e39, 0];
    const { trace, issues } = read(j);
    expect(findNonFinite(trace)).toMatchObject({ layer: 0, head: 0 });
    expect(issues.join(' ')).toMatch(/outside \[0, 1\]/);
    // The scale spans the finite weights only (it was [0.33, ∞], and every cell drew as 0).
    expect(dataDomain(trace.attention.self!.probs!.data, null)).toEqual([0, 1]);
  });

  it('negative weights and rows that do not sum to 1 are listed with layer, head and query', () => {
    const j = gpt2(2, 2, 3);
    j.attentions.self = uniformProbs(2, 2, 3);
    j.attentions.self[1][0][2] = [0.5, 0.5, 0.5];
    j.attentions.self[0][1][1] = [-0.2, 1.2, 0];
    const { issues } = read(j);
    expect(issues.join(' ')).toMatch(/2 weights outside \[0, 1\] \(first at layer 0, head 1, query 1, key 0: -0\.2/);
    expect(issues.join(' ')).toMatch(/1 row whose weights do not sum to 1 ± 0\.001 \(layer 1, head 0, query 2 sums to 1\.500\)/);
  });
});
