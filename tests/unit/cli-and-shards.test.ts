// The trace CLI on each family, a sharded checkpoint, and the WebGPU→WASM fallback path.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomCheckpoint, writeCheckpoint, type RandomCheckpointOptions } from '../helpers/random-checkpoint';
import { parseSafetensors, writeSafetensors } from '../../src/lib/hub/safetensors';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModelDir, readModelDir } from '../../src/lib/runtime/node';
import { loadModel } from '../../src/lib/runtime/load';
import { traceFromJSON } from '../../src/lib/trace/json';
import { filesOf } from '../helpers/model-files';

const root = mkdtempSync(join(tmpdir(), 'atlas-cli-'));
beforeAll(() => configureOrt({ threads: 1 }));

function checkpointDir(name: string, options: RandomCheckpointOptions): string {
  const dir = join(root, name);
  writeCheckpoint(randomCheckpoint(options), dir);
  return dir;
}

const cli = (args: string[]) => execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/trace.ts', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('npm run trace', () => {
  it('traces GPT-2, BERT and T5 checkpoints and writes the JSON form', () => {
    const cases: [string, RandomCheckpointOptions, string[]][] = [
      ['gpt2', { family: 'gpt2', seed: 1, layers: 2, dModel: 32, heads: 4 }, ['--text', 'Hello there world', '--taps', 'probs,q']],
      ['bert', { family: 'bert', seed: 2, layers: 2, dModel: 32, heads: 4 }, ['--text', 'The [MASK] sat.']],
      ['t5', { family: 't5', seed: 3, layers: 2, dModel: 32, heads: 4 }, ['--text', 'summarize: a b c', '--target', 'a b']],
    ];
    for (const [name, options, args] of cases) {
      const dir = checkpointDir(name, options);
      const out = join(root, `${name}.json`);
      const summary = cli(['--model', dir, ...args, '--out', out]);
      expect(summary).toMatch(new RegExp(`^${name}.*: 2(\\+2)? layers × 4 heads, \\d+(\\+\\d+)? tokens, wasm, \\d+ ms → `));
      const trace = traceFromJSON(JSON.parse(readFileSync(out, 'utf8')));
      expect(trace.model.family).toBe(name);
      expect(trace.tokens.length).toBeGreaterThan(2);
      if (name === 't5') expect(Object.keys(trace.attention).sort()).toEqual(['cross', 'decoder', 'encoder']);
      else expect(trace.attention.self?.probs?.shape[0]).toBe(2);
    }
    // Without --out the JSON goes to standard output.
    const stdout = cli(['--model', join(root, 'gpt2'), '--text', 'Hi', '--generate', '3']);
    expect(traceFromJSON(JSON.parse(stdout)).tokens.length).toBeGreaterThanOrEqual(2);
  });

  it('--generate reuses the key/value cache and says how fast; --no-cache recomputes, writing the same text', () => {
    const run = (extra: string[]) => {
      const out = join(root, `gen-${extra.length}.json`);
      const log = execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/trace.ts', '--model', 'tiny-gpt2', '--text', 'The cat sat on the', '--generate', '8', '--out', out, ...extra], { encoding: 'utf8' });
      return { log, trace: traceFromJSON(JSON.parse(readFileSync(out, 'utf8'))) };
    };
    const cached = run([]);
    const recomputed = run(['--no-cache']);
    expect(cached.log).toMatch(/8 tokens generated at [\d.]+ tokens\/s \(key\/value cache\)/);
    expect(recomputed.log).toMatch(/\(recomputing every step\)/);
    expect(cached.trace.generated).toMatchObject({ cache: true });
    expect(recomputed.trace.generated).toMatchObject({ cache: false });
    expect(cached.trace.generated!.msPerToken).toBeGreaterThan(0);
    expect(cached.trace.text).toBe(recomputed.trace.text);
  });

  it('T5 writes its target with the cache by default and says how fast; --no-cache recomputes the same target', () => {
    const run = (extra: string[]) => {
      const out = join(root, `t5-gen-${extra.length}.json`);
      const log = execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/trace.ts', '--model', 'tiny-t5', '--text', 'reverse: apple house green window', '--out', out, ...extra], { encoding: 'utf8' });
      return { log, trace: traceFromJSON(JSON.parse(readFileSync(out, 'utf8'))) };
    };
    const cached = run([]);
    const recomputed = run(['--no-cache']);
    expect(cached.log).toMatch(/\d+ tokens generated at [\d.]+ tokens\/s \(key\/value cache\)/);
    expect(recomputed.log).toMatch(/\(recomputing every step\)/);
    expect(cached.trace.generation).toMatchObject({ cache: true });
    expect(recomputed.trace.generation).toMatchObject({ cache: false });
    expect(cached.trace.target).toBe(recomputed.trace.target);
    expect(cached.trace.target!.length).toBeGreaterThan(0);
  });

  it('--quantize int8 runs the model with int8-rounded weights, records how in the JSON, and refuses an unknown precision', () => {
    const out = join(root, 'q8.json');
    const log = execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/trace.ts', '--model', 'tiny-gpt2', '--text', 'The cat sat on the mat', '--quantize', 'int8', '--out', out], { encoding: 'utf8' });
    expect(log).toMatch(/weights as int8 \([\d.]+ MB for its 18 matrices, [\d.]+ MB as float32; expanded to float32 at load\)/);
    const trace = traceFromJSON(JSON.parse(readFileSync(out, 'utf8')));
    expect(trace.model.quantization).toMatchObject({ mode: 'int8', tensors: 18 });
    let stderr = '';
    try {
      cli(['--model', 'tiny-gpt2', '--text', 'x', '--quantize', 'int3']);
    } catch (e) {
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(stderr).toMatch(/Unknown --quantize int3/);
  });

  it('fails with a clear message for a bad tap or a missing model', () => {
    const run = (args: string[]) => {
      try {
        cli(args);
      } catch (e) {
        return String((e as { stderr: string }).stderr);
      }
      throw new Error('expected failure');
    };
    expect(run(['--model', join(root, 'gpt2'), '--text', 'x', '--taps', 'attention'])).toMatch(/Unknown tap attention/);
    expect(run(['--model', join(root, 'nothing-here'), '--text', 'x'])).toMatch(/error: /);
    expect(run(['--model', join(root, 'gpt2'), '--text', 'x', '--analysis', 'saliency'])).toMatch(/Unknown analysis saliency/);
  });

  it('--ablate L:H (T5: stack:L:H) with --ablate-mode runs the ablated model and says so in the JSON', () => {
    const out = join(root, 'gpt2-ablated.json');
    cli(['--model', join(root, 'gpt2'), '--text', 'Hello there world', '--ablate', '0:1,1:3', '--ablate-mode', 'mean', '--out', out]);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.ablation).toEqual({ heads: [['self', 0, 1], ['self', 1, 3]], mode: 'mean' });
    const ablated = traceFromJSON(written);
    expect(ablated.ablation).toEqual({ heads: [{ kind: 'self', layer: 0, head: 1 }, { kind: 'self', layer: 1, head: 3 }], mode: 'mean' });
    const plain = traceFromJSON(JSON.parse(cli(['--model', join(root, 'gpt2'), '--text', 'Hello there world'])));
    expect(plain.ablation).toBeUndefined();
    expect(ablated.predictions![0].candidates[0].prob).not.toBeCloseTo(plain.predictions![0].candidates[0].prob, 6);
    const fail = (args: string[]) => {
      try {
        cli(args);
      } catch (e) {
        return String((e as { stderr: string }).stderr);
      }
      throw new Error('expected failure');
    };
    const t5 = checkpointDir('t5-ablate', { family: 't5', seed: 5, layers: 2, dModel: 32, heads: 4 });
    expect(fail(['--model', t5, '--text', 'summarize: a b', '--ablate', '0:1'])).toMatch(/stack:layer:head with a stack of encoder, decoder, cross/);
    expect(fail(['--model', join(root, 'gpt2'), '--text', 'x', '--ablate', '0:9'])).toMatch(/no self layer 0, head 9/);
    expect(fail(['--model', join(root, 'gpt2'), '--text', 'x', '--ablate', '0:1', '--ablate-mode', 'half'])).toMatch(/Unknown --ablate-mode half/);
    const t5out = join(root, 't5-ablated.json');
    cli(['--model', t5, '--text', 'summarize: a b', '--target', 'a', '--ablate', 'cross:1:2,encoder:0:0', '--ablate-mode', 'uniform', '--out', t5out]);
    expect(JSON.parse(readFileSync(t5out, 'utf8')).ablation.heads).toEqual([['cross', 1, 2], ['encoder', 0, 0]]);
    // Files written before the array form ({kind, layer, head} objects) still read.
    const old = { ...written, ablation: { heads: [{ kind: 'self', layer: 0, head: 1 }], mode: 'zero' } };
    expect(traceFromJSON(old).ablation).toEqual({ heads: [{ kind: 'self', layer: 0, head: 1 }], mode: 'zero' });
  });

  it('--analysis adds value norms, value-weighted attention and rollout to the JSON (T5: no cross rollout)', () => {
    const dir = checkpointDir('t5-analysis', { family: 't5', seed: 4, layers: 2, dModel: 32, heads: 4 });
    const out = join(root, 't5-analysis.json');
    cli(['--model', dir, '--text', 'summarize: one two three', '--target', 'one two', '--analysis', 'valueWeighted,rollout', '--out', out]);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(json.analysis).sort()).toEqual(['rollout', 'valueNorms', 'valueWeighted']);
    expect(Object.keys(json.analysis.rollout).sort()).toEqual(['decoder', 'encoder']);
    expect(Object.keys(json.analysis.valueWeighted).sort()).toEqual(['cross', 'decoder', 'encoder']);
    // valueWeighted[l][h][q][k] = attentions[l][h][q][k] · valueNorms[l][h][k], and each rollout row sums to 1.
    const [l, h, q, k] = [1, 2, 1, 3];
    expect(json.analysis.valueWeighted.cross[l][h][q][k]).toBeCloseTo(json.attentions.cross[l][h][q][k] * json.analysis.valueNorms.cross[l][h][k], 5);
    for (const row of json.analysis.rollout.encoder[1]) expect((row as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe('sharded checkpoints', () => {
  it('a model split over two safetensors files with an index runs exactly like the single file', async () => {
    const dir = checkpointDir('sharded', { family: 'gpt2', seed: 5, layers: 2, dModel: 32, heads: 4 });
    const single = await loadModelDir(dir);
    const a = await single.run('Shards hold the same weights.', { taps: ['probs'] });
    const file = parseSafetensors(readFileSync(join(dir, 'model.safetensors')));
    const tensors = [...file.tensors.values()].map((t) => ({ name: t.name, dtype: 'F32' as const, shape: t.shape, data: new Float32Array(new Uint8Array(file.bytes.subarray(t.begin, t.end)).buffer) }));
    const half = Math.ceil(tensors.length / 2);
    const shards = [tensors.slice(0, half), tensors.slice(half)];
    const weightMap: Record<string, string> = {};
    shards.forEach((list, i) => {
      const name = `model-0000${i + 1}-of-00002.safetensors`;
      writeFileSync(join(dir, name), writeSafetensors(list));
      for (const t of list) weightMap[t.name] = name;
    });
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    rmSync(join(dir, 'model.safetensors'));
    expect(readModelDir(dir).weights.map((w) => w.name)).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    const sharded = await loadModelDir(dir);
    const b = await sharded.run('Shards hold the same weights.', { taps: ['probs'] });
    expect(Array.from(b.attention.self!.probs!.data)).toEqual(Array.from(a.attention.self!.probs!.data));
  });
});

describe('WebGPU failure', () => {
  it('moves the model to WASM, says why on the trace, and still gives the right numbers', async () => {
    // Node has no WebGPU: asking for it makes session creation fail, as a lost device would.
    const cp = randomCheckpoint({ family: 'gpt2', seed: 6, layers: 1, dModel: 16, heads: 2 });
    const runner = await loadModel(filesOf(cp), { id: 'fallback', source: 'local' }, 'wasm');
    const expected = await runner.run('fall back', { taps: ['probs'] });
    await runner.release();
    runner.backend = { name: 'webgpu', reason: 'pretend WebGPU is available' };
    const trace = await runner.run('fall back', { taps: ['probs'] });
    expect(trace.backend.name).toBe('wasm');
    expect(trace.backend.reason).toMatch(/^WebGPU failed \(.+\), so the model now runs on the CPU with WASM\.$/);
    expect(Array.from(trace.attention.self!.probs!.data)).toEqual(Array.from(expected.attention.self!.probs!.data));
  });
});
