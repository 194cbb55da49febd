// The position view's numbers: T5's bias by offset against the checkpoint's own bias table
// (looked up with the float64 reference's bucket function), and RoPE's score-by-distance
// curve against the model's own tapped scores and the float64 reference's.
import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import { checkpointWeights, randomCheckpoint } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { relativeBiasByOffset, ropeScoreCurve, ropeStep } from '../../src/lib/trace/positions';
import { t5RelativePositionBucket } from '../reference/t5';
import { llamaForward } from '../reference/llama';
import { tensor } from '../reference/weights';

beforeAll(() => configureOrt({ threads: 1 }));

describe('position information from the trace', () => {
  it('T5: the bias by offset is the checkpoint’s bias table at each offset’s bucket (encoder both ways, decoder looking back only)', async () => {
    const cp = randomCheckpoint({ family: 't5', seed: 81, layers: 2, dModel: 32, heads: 4, buckets: [8, 20] });
    const runner = await loadModel(filesOf(cp), { id: 't5', source: 'local' }, 'wasm');
    const trace = await runner.run('translate: one two three four five six seven eight nine ten', {}, 'a b c d e f g');
    const w = checkpointWeights(cp);
    for (const [kind, stack, bidirectional] of [['encoder', 'encoder', true], ['decoder', 'decoder', false]] as const) {
      const table = tensor(w, `${stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight`, [8, 4]);
      const b = relativeBiasByOffset(trace, kind)!;
      b.offsets.forEach((d, i) => {
        for (let h = 0; h < 4; h++) {
          const got = b.bias[h][i];
          if (!bidirectional && d > 0) expect(got).toBeNull(); // a future key: masked in the decoder
          else expect(got!).toBeCloseTo(table[t5RelativePositionBucket(d, bidirectional, 8, 20) * 4 + h], 5);
        }
      });
    }
    await runner.release();
  });

  it('RoPE: the curve at the key’s real distance is the model’s score; pre-RoPE q·k is flat', async () => {
    const cp = randomCheckpoint({ family: 'llama', seed: 82, layers: 2, dModel: 32, heads: 4, kvHeads: 2, overrides: { rope_theta: 500 } });
    const runner = await loadModel(filesOf(cp), { id: 'llama', source: 'local' }, 'wasm');
    const trace = await runner.run('The quick brown fox jumps over the lazy dog');
    const ref = llamaForward(cp.config, checkpointWeights(cp), trace.tokens.map((t) => t.id));
    const T = trace.tokens.length;
    for (const [layer, head, query, key] of [[0, 0, T - 1, 2], [1, 3, 6, 6], [1, 1, 5, 0]]) {
      const c = ropeScoreCurve(trace, layer, head, query, key)!;
      expect(c.kvHead).toBe(Math.floor(head / 2));
      expect(c.check!).toBeLessThan(1e-4);
      // Against the float64 reference: the curve at the real distance is its score there.
      expect(c.rotated[query - key]).toBeCloseTo(ref.attention.self.scores.data[((layer * 4 + head) * T + query) * T + key], 4);
      expect(c.rotated.length).toBe(query + 1);
      // Rotation changes the score with distance; without it, one number.
      expect(Math.max(...c.rotated) - Math.min(...c.rotated)).toBeGreaterThan(1e-3);
      expect(Number.isFinite(c.unrotated)).toBe(true);
    }
    await runner.release();
  });

  it('RoPE step of the Q/K/V view: the pre-RoPE taps rotated by θ_i = theta^(−2i/d) give the post-RoPE taps; wrong frequencies fail the check', async () => {
    const cp = randomCheckpoint({ family: 'llama', seed: 83, layers: 2, dModel: 32, heads: 4, kvHeads: 2, overrides: { rope_theta: 500 } });
    const runner = await loadModel(filesOf(cp), { id: 'llama', source: 'local' }, 'wasm');
    const trace = await runner.run('The quick brown fox jumps over the lazy dog');
    const d = 8;
    for (const [layer, head, query] of [[0, 0, 0], [1, 3, 7], [1, 2, 3]]) {
      const s = ropeStep(trace, layer, head, query)!;
      expect(s.kvHead).toBe(Math.floor(head / 2));
      expect(s.queryError).toBeLessThan(1e-4);
      expect(s.keyError).toBeLessThan(1e-4);
      s.angles.forEach((a, i) => expect(a).toBeCloseTo(query * 500 ** ((-2 * i) / d), 6));
      // Position 0 is not rotated at all.
      if (query === 0) expect(Array.from(s.before)).toEqual(Array.from(s.after));
    }
    const wrong = { ...trace, model: { ...trace.model, ropeFrequencies: trace.model.ropeFrequencies!.map((f) => f * 1.05) } };
    expect(ropeStep(wrong, 1, 3, 7)!.queryError).toBeGreaterThan(1e-3);
    await runner.release();
  });
});
