// Learned absolute positions (GPT-2, BERT, OPT): the graph's norms of each token's token vector,
// position vector and their sum, and the position table's cosine similarity, against float64
// sums over the checkpoint's own tables (OPT read at position + 2; BERT's token-type row in the sum).
import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModel } from '../../src/lib/runtime/load';
import { checkpointWeights, randomCheckpoint, type RandomCheckpointOptions } from '../helpers/random-checkpoint';
import { filesOf } from '../helpers/model-files';
import { tensor } from '../reference/weights';
import { learnedPositions } from '../../src/lib/trace/positions';
import { positionSample } from '../../src/lib/graph/position-embedding';
import { traceFromJSON, traceToJSONString } from '../../src/lib/trace/json';

beforeAll(() => configureOrt({ threads: 1 }));

const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));
const row = (t: ArrayLike<number>, i: number, d: number) => Array.from({ length: d }, (_, j) => t[i * d + j]);

const CASES: { name: string; options: RandomCheckpointOptions; names: { token: string[]; position: string[]; type?: string[] }; offset: number; maxPositions: number }[] = [
  { name: 'GPT-2', options: { family: 'gpt2', seed: 61, layers: 1, dModel: 32, heads: 4, maxPositions: 1024 }, names: { token: ['wte.weight', 'transformer.wte.weight'], position: ['wpe.weight', 'transformer.wpe.weight'] }, offset: 0, maxPositions: 1024 },
  { name: 'BERT', options: { family: 'bert', seed: 62, layers: 1, dModel: 32, heads: 4 }, names: { token: ['bert.embeddings.word_embeddings.weight', 'embeddings.word_embeddings.weight'], position: ['bert.embeddings.position_embeddings.weight', 'embeddings.position_embeddings.weight'], type: ['bert.embeddings.token_type_embeddings.weight', 'embeddings.token_type_embeddings.weight'] }, offset: 0, maxPositions: 512 },
  { name: 'OPT', options: { family: 'opt', seed: 63, layers: 1, dModel: 32, heads: 4, maxPositions: 300 }, names: { token: ['model.decoder.embed_tokens.weight'], position: ['model.decoder.embed_positions.weight'] }, offset: 2, maxPositions: 300 },
];

describe('learned absolute positions from the graph', () => {
  for (const c of CASES)
    it(`${c.name}: token, position and input norms and the table's cosine similarity match float64 sums over the checkpoint`, async () => {
      const cp = randomCheckpoint(c.options);
      const runner = await loadModel(filesOf(cp), { id: c.name, source: 'local' }, 'wasm');
      const trace = await runner.run('The quick brown fox jumps over the lazy dog', { positionEmbedding: true });
      expect(trace.model.maxPositions).toBe(c.maxPositions);
      const w = checkpointWeights(cp);
      const d = 32;
      const vocab = trace.model.vocabSize;
      const tok = tensor(w, c.names.token, [vocab, d]);
      const pos = tensor(w, c.names.position, [c.maxPositions + c.offset, d]);
      const type = c.names.type ? tensor(w, c.names.type, [2, d]) : null;
      const got = learnedPositions(trace)!;
      expect(got.tokens.length).toBe(trace.tokens.length);
      trace.tokens.forEach((t, i) => {
        const tv = row(tok, t.id, d);
        const pv = row(pos, i + c.offset, d);
        const sum = tv.map((v, j) => v + pv[j] + (type ? type[j] : 0));
        expect(got.tokens[i].token).toBeCloseTo(norm(tv), 4);
        expect(got.tokens[i].position).toBeCloseTo(norm(pv), 4);
        expect(got.tokens[i].sum).toBeCloseTo(norm(sum), 4);
      });
      const samples = positionSample(c.maxPositions);
      expect(got.samples).toEqual(samples);
      expect(samples.length).toBeLessThanOrEqual(256);
      const M = samples.length;
      let worst = 0;
      for (const [a, b] of [[0, 0], [0, 1], [1, 0], [3, M - 1], [M - 1, M - 2], [M >> 1, 7]]) {
        const pa = row(pos, samples[a] + c.offset, d);
        const pb = row(pos, samples[b] + c.offset, d);
        const cos = pa.reduce((s, v, j) => s + v * pb[j], 0) / (norm(pa) * norm(pb));
        worst = Math.max(worst, Math.abs(got.similarity[a * M + b] - cos));
      }
      expect(worst).toBeLessThan(1e-4);
      // byGap[0] is the mean of the first off-diagonal.
      let s = 0;
      for (let i = 0; i + 1 < M; i++) s += got.similarity[i * M + i + 1];
      expect(got.byGap[0]).toBeCloseTo(s / (M - 1), 6);
      // The JSON keeps it (and /view/ reads it back).
      const back = traceFromJSON(JSON.parse(traceToJSONString(trace)));
      expect(Array.from(back.positionEmbedding!.similarity.data)).toEqual(Array.from(trace.positionEmbedding!.similarity.data));
      expect(back.positionEmbedding!.samples).toEqual(samples);
      // Not asked for: not computed.
      expect((await runner.run('The quick brown fox')).positionEmbedding).toBeUndefined();
      await runner.release();
    });

  it('RoPE and T5 models have no position table: the option is ignored', async () => {
    const cp = randomCheckpoint({ family: 'llama', seed: 64, layers: 1, dModel: 32, heads: 4, kvHeads: 2 });
    const runner = await loadModel(filesOf(cp), { id: 'llama', source: 'local' }, 'wasm');
    expect((await runner.run('The quick brown fox', { positionEmbedding: true })).positionEmbedding).toBeUndefined();
    await runner.release();
  });

  it('a trace file with a mis-shaped positionEmbedding is refused with a message that names it', async () => {
    const cp = randomCheckpoint({ family: 'gpt2', seed: 65, layers: 1, dModel: 32, heads: 4 });
    const runner = await loadModel(filesOf(cp), { id: 'gpt2', source: 'local' }, 'wasm');
    const j = JSON.parse(traceToJSONString(await runner.run('The quick brown fox', { positionEmbedding: true })));
    j.positionEmbedding.samples = j.positionEmbedding.samples.slice(1);
    expect(() => traceFromJSON(j)).toThrow(/positionEmbedding.similarity should be/);
    await runner.release();
  });
});
