// Minimal pairs (src/lib/trace/minimal-pair.ts): token alignment, and each head's change in
// attention on the aligned tokens, from the app's traces of two texts, against the same
// change formed from the float64 reference's weights.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointWeights, randomCheckpoint } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { gpt2Forward } from '../reference/gpt2';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import { alignTokens, pairChanges, pairDifference } from '../../src/lib/trace/minimal-pair';
import type { TraceToken } from '../../src/lib/trace/types';

beforeAll(() => configureOrt({ threads: 1 }));
const tok = (texts: string[]): TraceToken[] => texts.map((text, i) => ({ id: i, text, start: 0, end: 0, special: false }));

describe('minimal pairs', () => {
  it('aligns the tokens the two texts share, in order', () => {
    const a = tok(['The', 'Ġkeys', 'Ġto', 'Ġthe', 'Ġcabinet', 'Ġare']);
    const b = tok(['The', 'Ġkey', 'Ġto', 'Ġthe', 'Ġcabinet', 'Ġis']);
    expect(alignTokens(a, b)).toEqual([[0, 0], [2, 2], [3, 3], [4, 4]]);
    expect(alignTokens(tok(['a', 'b', 'c']), tok(['a', 'x', 'y', 'b', 'c']))).toEqual([[0, 0], [1, 3], [2, 4]]);
    expect(alignTokens(tok(['a']), tok(['b']))).toEqual([]);
  });

  it('per head, the mean |Δ| over aligned cells equals the reference’s; identical texts change nothing', async () => {
    const cp = randomCheckpoint({ family: 'gpt2', seed: 61, layers: 2, dModel: 32, heads: 4 });
    const runner = await loadModel(filesOf(cp), { id: cp.name, source: 'local' }, 'wasm');
    const [textA, textB] = ['The keys to the cabinet are', 'The key to the cabinet is'];
    const a = await runner.run(textA, {});
    const b = await runner.run(textB, {});
    const again = await runner.run(textA, {});
    await runner.release();
    for (const h of pairChanges(a, again)) expect(h.change).toBe(0);
    const pairs = alignTokens(a.tokens, b.tokens);
    expect(pairs.length).toBeGreaterThanOrEqual(4);
    const w = checkpointWeights(cp);
    const ra = gpt2Forward(cp.config, w, a.tokens.map((t) => t.id)).attention.self!.probs;
    const rb = gpt2Forward(cp.config, w, b.tokens.map((t) => t.id)).attention.self!.probs;
    const [na, nb] = [a.tokens.length, b.tokens.length];
    const changes = pairChanges(a, b);
    expect(changes.length).toBe(8);
    for (const c of changes) {
      let sum = 0;
      let count = 0;
      for (const [ia, ib] of pairs)
        for (const [ja, jb] of pairs) {
          if (ja > ia) continue; // causal: masked in both
          sum += Math.abs(ra.data[((c.layer * 4 + c.head) * na + ia) * na + ja] - rb.data[((c.layer * 4 + c.head) * nb + ib) * nb + jb]);
          count++;
        }
      expect(Math.abs(c.change - sum / count), `L${c.layer} H${c.head}`).toBeLessThan(1e-5);
    }
    expect(changes[0].change).toBeGreaterThan(changes[changes.length - 1].change);
    const d = pairDifference(a, b, 'self', 1, 2, pairs);
    expect(Number.isNaN(d.values[0 * pairs.length + 1])).toBe(true); // the first aligned query cannot see the second
    expect(d.values[1 * pairs.length + 0]).toBeCloseTo(ra.data[((1 * 4 + 2) * na + pairs[1][0]) * na + pairs[0][0]] - rb.data[((1 * 4 + 2) * nb + pairs[1][1]) * nb + pairs[0][1]], 5);
  });
});
