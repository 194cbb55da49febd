// Issue 19, item 6: NaN attention is found and named, kept apart from masked cells in the
// trace JSON, not plotted as entropy 0, refused where a config would produce it, and the
// CLI says so with exit code 3.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticTrace, MASK_VALUE } from '../fixtures/synthetic-trace';
import { findNonFinite, nonFiniteMessage } from '../../src/lib/trace/non-finite';
import { traceFromJSON, traceToJSONString } from '../../src/lib/trace/json';
import { attentionEntropy } from '../../src/lib/trace/metrics';
import { headAttention } from '../../src/lib/trace/attention-matrix';
import { parseConfig } from '../../src/lib/families';
import { realConfig, randomCheckpoint, checkpointFiles } from '../helpers/random-checkpoint';
import { parseSafetensors, writeSafetensors } from '../../src/lib/hub/safetensors';
import { AtlasError } from '../../src/lib/errors';

/** A GPT-2 trace (2 layers × 2 heads × 8 tokens) with NaN in layer 1, head 0's weights from query `q` on. */
function nanTrace(q = 5) {
  const t = syntheticTrace({ family: 'gpt2', layers: 2, heads: 2, tokens: 8 });
  const p = t.attention.self!.probs!;
  const [, H, Q, K] = p.shape;
  for (let i = q; i < Q; i++) for (let j = 0; j < K; j++) p.data[((1 * H + 0) * Q + i) * K + j] = NaN;
  return t;
}

describe('non-finite attention', () => {
  it('is found at its first layer and head, and counted', () => {
    expect(findNonFinite(syntheticTrace({ family: 'gpt2' }))).toBeNull();
    const at = findNonFinite(nanTrace())!;
    expect(at).toMatchObject({ kind: 'self', tap: 'probs', layer: 1, head: 0, count: 3 * 8, of: 64 });
    expect(nonFiniteMessage(at)).toContain('self layer 1, head 0');
  });

  it('masked scores are not taken for faults; a NaN score is', () => {
    const t = syntheticTrace({ family: 'gpt2', layers: 1, heads: 1, tokens: 4 });
    const s = t.attention.self!.scores!;
    expect([...s.data].some((v) => v === MASK_VALUE)).toBe(true);
    expect(findNonFinite(t)).toBeNull();
    s.data[0] = NaN;
    expect(findNonFinite(t)).toMatchObject({ tap: 'scores', layer: 0, head: 0, count: 1 });
  });

  it('survives the trace JSON as NaN, apart from masked scores (null)', () => {
    const t = nanTrace();
    const s = t.attention.self!.scores!;
    const maskedAt = [...s.data].indexOf(MASK_VALUE);
    s.data[0] = NaN;
    const back = traceFromJSON(JSON.parse(traceToJSONString(t)));
    const probs = back.attention.self!.probs!.data;
    const nan = [...probs].filter((v) => Number.isNaN(v)).length;
    expect(nan).toBe(24);
    // No weight reads back as the mask sentinel (that was −3.4e38, and wrecked every scale).
    expect(Math.min(...[...probs].filter((v) => !Number.isNaN(v)))).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(back.attention.self!.scores!.data[0])).toBe(true);
    expect(back.attention.self!.scores!.data[maskedAt]).toBe(MASK_VALUE);
    expect(findNonFinite(back)).toMatchObject({ layer: 1, head: 0 });
  });

  it('a null weight in an older trace reads as NaN, not as −3.4e38', () => {
    const json = JSON.parse(traceToJSONString(syntheticTrace({ family: 'gpt2', layers: 1, heads: 1, tokens: 3 })));
    json.attentions.self[0][0][2][1] = null;
    const back = traceFromJSON(json);
    expect(Number.isNaN(back.attention.self!.probs!.data[2 * 3 + 1])).toBe(true);
  });

  it('a NaN row has no entropy (not 0)', () => {
    const t = nanTrace(0);
    expect(attentionEntropy(headAttention(t, 'self', 1, 0))).toBeNaN();
    expect(attentionEntropy(headAttention(t, 'self', 0, 0))).toBeGreaterThan(0);
  });

  it('configs with a non-positive layer-norm epsilon are refused', () => {
    for (const [name, key] of [['gpt2', 'layer_norm_epsilon'], ['bert-base-uncased', 'layer_norm_eps'], ['t5-small', 'layer_norm_epsilon']] as const) {
      for (const bad of [-1e-5, 0, 'x']) {
        let error: unknown;
        try {
          parseConfig({ ...realConfig(name), [key]: bad });
        } catch (e) {
          error = e;
        }
        expect(error, `${name} ${key}=${bad}`).toBeInstanceOf(AtlasError);
        expect((error as AtlasError).message).toContain(key);
      }
      expect(parseConfig({ ...realConfig(name), [key]: 1e-7 }).eps).toBe(1e-7);
    }
  });

  it('the CLI writes the trace, names the first layer and head, and exits with code 3', () => {
    // A GPT-2 whose layer-1 query/key weights are NaN: its attention there is NaN.
    const cp = randomCheckpoint({ family: 'gpt2', seed: 5, layers: 2, dModel: 16, heads: 2, maxPositions: 32 });
    const files = checkpointFiles(cp);
    const st = parseSafetensors(files.get('model.safetensors')!);
    const tensors = [...st.tensors.values()].map((t) => {
      const data = new Float32Array(st.bytes.slice(t.begin, t.end).buffer);
      if (t.name.endsWith('h.1.attn.c_attn.weight')) data.fill(NaN);
      return { name: t.name, dtype: 'F32' as const, shape: [...t.shape], data };
    });
    const dir = mkdtempSync(join(tmpdir(), 'atlas-nan-'));
    for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(tensors));
    const out = join(dir, 'trace.json');
    const r = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/trace.ts', '--model', dir, '--text', 'the cat sat', '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^warning: .*not finite.*self layer 1, head 0/m);
  });
});
