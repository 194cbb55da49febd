// Issue 14, point 3: head-role scores, against hand-built traces (each score has one head built to
// have it, and a value computed here by hand) and against the embedded tiny-gpt2's known heads
// (its card: previous-token head L0H1, induction head L2H2, measured on repeated random tokens).
import { beforeAll, describe, expect, it } from 'vitest';
import { badgeOf, headRoles, mostStrikingHead } from '../../src/lib/trace/head-roles';
import type { Trace } from '../../src/lib/trace/types';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModelDir } from '../../src/lib/runtime/node';
import { mulberry32 } from '../../src/lib/runtime/random';

beforeAll(() => configureOrt({ threads: 1 }));

/** A one-layer trace whose heads are the given row-stochastic matrices over `ids`. */
function handBuilt(family: 'gpt2' | 'bert', ids: number[], heads: ((i: number, j: number, n: number) => number)[], special: number[] = []): Trace {
  const n = ids.length;
  const data = new Float32Array(heads.length * n * n);
  heads.forEach((f, h) => {
    for (let i = 0; i < n; i++) {
      const keys = family === 'gpt2' ? i + 1 : n;
      let sum = 0;
      for (let j = 0; j < keys; j++) sum += f(i, j, keys);
      for (let j = 0; j < keys; j++) data[(h * n + i) * n + j] = f(i, j, keys) / sum;
    }
  });
  return {
    version: 1,
    model: { id: 'hand', family, modelType: family, layers: 1, heads: heads.length, headDim: 4, dModel: 4 * heads.length, vocabSize: 100, maxPositions: 64, positionEncoding: 'learned-absolute', scaled: true, parameters: 0, source: 'local' },
    backend: { name: 'wasm' },
    text: '',
    tokens: ids.map((id, i) => ({ id, text: `t${id}`, start: i, end: i + 1, special: special.includes(i) })),
    attention: { self: { probs: { shape: [1, heads.length, n, n], data } } },
    timings: { runMs: 0 },
  } as unknown as Trace;
}

const eps = 1e-9;
describe('head-role scores on hand-built traces', () => {
  // A B C D A B C D: positions 4–7 repeat 0–3.
  const ids = [10, 11, 12, 13, 10, 11, 12, 13];
  const t = handBuilt('gpt2', ids, [
    (i, j) => (j === i - 1 || i === 0 ? 1 : eps), // previous token
    (i, j) => (i >= 4 ? (j === i - 3 ? 1 : eps) : j === 0 ? 1 : eps), // induction: A(4) → B(1)
    (i, j) => (i >= 4 ? (j === i - 4 ? 1 : eps) : j === i ? 1 : eps), // duplicate: A(4) → A(0)
    () => 1, // uniform: broad
  ]);
  const r = headRoles(t, 'self')!;
  const [prev, ind, dup, flat] = r.scores[0];

  it('previous token, induction and duplicate heads score ≈ 1 on their own role', () => {
    expect(prev.previous!).toBeCloseTo(1, 6);
    expect(ind.induction!).toBeCloseTo(1, 6);
    expect(dup.duplicate!).toBeCloseTo(1, 6);
    expect(prev.induction!).toBeLessThan(0.01);
    expect(ind.duplicate!).toBeLessThan(0.01);
    // A causal stack has no next-token score.
    expect(prev.next).toBeNull();
  });

  it('broad is the normalised entropy, 1 for uniform weights; first-token share by hand', () => {
    expect(flat.broad!).toBeCloseTo(1, 6);
    expect(prev.broad!).toBeLessThan(0.01);
    // Uniform causal weights: query i gives 1/(i+1) to token 0; queries 1..7 are averaged.
    const expected = [1, 2, 3, 4, 5, 6, 7].reduce((a, i) => a + 1 / (i + 1), 0) / 7;
    expect(flat.first!).toBeCloseTo(expected, 6);
  });

  it('the most striking head and the badges', () => {
    const best = mostStrikingHead(r)!;
    expect(best.score).toBeCloseTo(1, 6);
    expect(['previous', 'induction', 'duplicate']).toContain(best.role);
    expect(best).toMatchObject({ layer: 0, head: 0, role: 'previous' });
    expect([prev, ind, dup, flat].map((s) => badgeOf(s))).toEqual(['previous', 'induction', 'duplicate', null]);
  });

  it('no repeated token: induction and duplicate are null; bidirectional: next token and special share', () => {
    const b = handBuilt('bert', [1, 20, 21, 22, 2], [(i, j) => (j === i + 1 || (i === 4 && j === 4) ? 1 : eps), (i, j) => (j === 0 || j === 4 ? 1 : eps)], [0, 4]);
    const [next, spec] = headRoles(b, 'self')!.scores[0];
    expect(next.induction).toBeNull();
    expect(next.duplicate).toBeNull();
    expect(next.next!).toBeCloseTo(1, 6);
    expect(spec.special!).toBeCloseTo(1, 6);
  });
});

describe('head roles of the embedded tiny-gpt2', () => {
  it('finds the previous-token head L0H1 and the induction head L2H2 on repeated random tokens', async () => {
    const runner = await loadModelDir('static/models/tiny-gpt2', { id: 'tiny-gpt2', source: 'embedded' });
    const random = mulberry32(7);
    // As the card measures it (tools/train/behaviours.py): <|endoftext|>, 24 distinct random tokens, the same 24 again.
    const pool = Array.from({ length: 3999 - 256 }, (_, i) => 256 + i);
    const span = Array.from({ length: 24 }, () => pool.splice(Math.floor(random() * pool.length), 1)[0]);
    const ids = [3999, ...span, ...span];
    const trace = await runner.runTokens('', runner.tokensOf(ids), { taps: ['probs'] });
    await runner.release();
    const r = headRoles(trace, 'self')!;
    const argmax = (role: 'previous' | 'induction') => {
      let best = { layer: -1, head: -1, v: -1 };
      r.scores.forEach((row, layer) => row.forEach((s, head) => (s[role] ?? -1) > best.v && (best = { layer, head, v: s[role]! })));
      return best;
    };
    expect(argmax('previous')).toMatchObject({ layer: 0, head: 1 });
    expect(argmax('previous').v).toBeGreaterThan(0.8);
    expect(argmax('induction')).toMatchObject({ layer: 2, head: 2 });
    expect(argmax('induction').v).toBeGreaterThan(0.5);
  });
});
