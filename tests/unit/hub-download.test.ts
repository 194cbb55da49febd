// Downloads from the Hub's URL layout (a local stand-in on 127.0.0.1): progress, cache,
// cancel, an interrupted transfer, an unknown id, and vendoring with models:add.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomCheckpoint, writeCheckpoint } from '../helpers/random-checkpoint';
import { startMockHub, type MockHub } from '../helpers/hub-server';
import { fetchModelFiles, type FileCache, type Progress } from '../../src/lib/hub/sources';
import { AtlasError } from '../../src/lib/errors';
import { addModel } from '../../tools/models-add';
import { loadModelDir } from '../../src/lib/runtime/node';

let hub: MockHub;
let gpt2Dir: string;
const root = mkdtempSync(join(tmpdir(), 'atlas-hub-'));

function memoryCache(): FileCache & { entries: Map<string, Uint8Array> } {
  const entries = new Map<string, Uint8Array>();
  return {
    entries,
    get: async (u) => entries.get(u),
    put: async (u, b) => void entries.set(u, b),
    keys: async () => [...entries.keys()],
    delete: async (u) => void entries.delete(u),
  };
}

async function failure(p: Promise<unknown>): Promise<AtlasError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AtlasError);
    return e as AtlasError;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  gpt2Dir = join(root, 'gpt2');
  writeCheckpoint(randomCheckpoint({ family: 'gpt2', seed: 2, layers: 2, dModel: 64, heads: 4, bareNames: true }), gpt2Dir);
  const t5Dir = join(root, 'flan');
  writeCheckpoint(randomCheckpoint({ family: 't5-v1_1', seed: 3, layers: 2, dModel: 32, heads: 4 }), t5Dir);
  hub = await startMockHub({ gpt2: gpt2Dir, 'google/flan-t5-small': t5Dir });
});
afterAll(() => hub?.close());

describe('Hub downloads', () => {
  it('reports progress up to the total and keeps whole files in the cache', async () => {
    const cache = memoryCache();
    const events: Progress[] = [];
    const files = await fetchModelFiles({ kind: 'hub', id: 'gpt2', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url, cache, onProgress: (p) => events.push({ ...p }) });
    const weightBytes = statSync(join(gpt2Dir, 'model.safetensors')).size;
    expect(files.weights[0].bytes.byteLength).toBe(weightBytes);
    expect((files.config as { model_type: string }).model_type).toBe('gpt2');
    const last = events[events.length - 1];
    expect(last.loaded).toBe(last.total);
    expect(last.total).toBeGreaterThan(weightBytes);
    for (let i = 1; i < events.length; i++) expect(events[i].loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
    expect([...cache.entries.keys()].some((u) => u.endsWith('/gpt2/resolve/main/model.safetensors'))).toBe(true);
    // A second load is served from the cache: no new file requests.
    const before = hub.requests.filter((r) => r.endsWith('/model.safetensors')).length;
    await fetchModelFiles({ kind: 'hub', id: 'gpt2', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url, cache });
    expect(hub.requests.filter((r) => r.endsWith('/model.safetensors')).length).toBe(before);
  });

  it('files sent without a Content-Length never show more loaded than the total', async () => {
    hub.faults.noLength = /tokenizer\.json|config\.json/;
    const events: Progress[] = [];
    try {
      await fetchModelFiles({ kind: 'hub', id: 'gpt2', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url, cache: memoryCache(), onProgress: (p) => events.push({ ...p }) });
    } finally {
      delete hub.faults.noLength;
    }
    expect(events.length).toBeGreaterThan(2);
    for (const e of events) expect(e.loaded, e.file).toBeLessThanOrEqual(e.total);
    const last = events[events.length - 1];
    expect(last.loaded).toBe(last.total);
  });

  it('cancel stops the download and caches nothing partial', async () => {
    hub.faults.chunkDelayMs = 30;
    const cache = memoryCache();
    const abort = new AbortController();
    const e = await failure(
      fetchModelFiles({ kind: 'hub', id: 'gpt2', revision: 'main' }, {
        modelsBase: 'file:///',
        hubEndpoint: hub.url,
        cache,
        signal: abort.signal,
        onProgress: (p) => p.file === 'model.safetensors' && abort.abort(),
      }),
    );
    hub.faults.chunkDelayMs = 0;
    expect(e.code).toBe('cancelled');
    expect([...cache.entries.keys()].some((u) => u.endsWith('model.safetensors'))).toBe(false);
  });

  it('an interrupted transfer fails with a message and leaves no cache entry; a retry succeeds', async () => {
    hub.faults.cutAfter = { file: /safetensors$/, bytes: 100_000 };
    const cache = memoryCache();
    const e = await failure(fetchModelFiles({ kind: 'hub', id: 'gpt2', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url, cache }));
    hub.faults.cutAfter = undefined;
    expect(e.code).toBe('download-failed');
    expect(e.message).toMatch(/model\.safetensors/);
    expect([...cache.entries.keys()].some((u) => u.endsWith('model.safetensors'))).toBe(false);
    const files = await fetchModelFiles({ kind: 'hub', id: 'gpt2', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url, cache });
    expect(files.weights[0].bytes.byteLength).toBe(statSync(join(gpt2Dir, 'model.safetensors')).size);
  });

  it('an unknown id is a 404 with a hint about ids', async () => {
    const e = await failure(fetchModelFiles({ kind: 'hub', id: 'nobody/nothing', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url }));
    expect(e.code).toBe('download-failed');
    expect(e.message).toMatch(/HTTP 404/);
    expect(e.hint).toMatch(/model id/);
    const bad = await failure(fetchModelFiles({ kind: 'hub', id: '../etc/passwd', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url }));
    expect(bad.message).toMatch(/not a Hugging Face model id/);
  });
});

describe('models:add', () => {
  it('vendors a Hub model into a models folder and the manifest, fp32 and fp16', async () => {
    const dir = join(root, 'static-models');
    const log: string[] = [];
    const full = await addModel({ id: 'gpt2', revision: 'main', dtype: 'fp32', dir, endpoint: hub.url, log: (l) => log.push(l) });
    expect(full.folder).toBe(join(dir, 'gpt2'));
    expect(readdirSync(full.folder).sort()).toEqual(['config.json', 'model.safetensors', 'source.json', 'tokenizer.json', 'tokenizer_config.json']);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.models.map((m: { id: string; kind: string }) => `${m.id}:${m.kind}`)).toEqual(['gpt2:model']);

    const half = await addModel({ id: 'google/flan-t5-small', revision: 'main', dtype: 'fp16', dir, endpoint: hub.url, log: () => {} });
    expect(half.folder).toBe(join(dir, 'google--flan-t5-small'));
    const original = statSync(join(root, 'flan', 'model.safetensors')).size;
    const halved = statSync(join(half.folder, 'model.safetensors')).size;
    expect(halved / original).toBeGreaterThan(0.45);
    expect(halved / original).toBeLessThan(0.55);
    expect(existsSync(`${half.folder}.partial`)).toBe(false);

    // The vendored fp16 model runs, and its attention is the fp32 model's within fp16 rounding.
    const a = await loadModelDir(join(root, 'flan'));
    const b = await loadModelDir(half.folder);
    const ta = await a.run('summarize: a b c', { taps: ['probs'] }, 'x y');
    const tb = await b.run('summarize: a b c', { taps: ['probs'] }, 'x y');
    const pa = ta.attention.cross!.probs!.data;
    const pb = tb.attention.cross!.probs!.data;
    let m = 0;
    for (let i = 0; i < pa.length; i++) m = Math.max(m, Math.abs(pa[i] - pb[i]));
    expect(m).toBeGreaterThan(0);
    expect(m).toBeLessThan(5e-3);
  });

  it('refuses an unsupported model before writing anything', async () => {
    const dir = join(root, 'static-models-2');
    const llama = join(root, 'llama');
    writeCheckpoint(randomCheckpoint({ family: 'gpt2', seed: 9, layers: 1, dModel: 16, heads: 2 }), llama);
    const config = JSON.parse(readFileSync(join(llama, 'config.json'), 'utf8'));
    (await import('node:fs')).writeFileSync(join(llama, 'config.json'), JSON.stringify({ ...config, model_type: 'mamba' }));
    const other = await startMockHub({ 'state-spaces/mamba': llama });
    const e = await failure(addModel({ id: 'state-spaces/mamba', revision: 'main', dtype: 'fp32', dir, endpoint: other.url, log: () => {} }));
    await other.close();
    expect(e.code).toBe('unsupported-model');
    expect(existsSync(join(dir, 'state-spaces--mamba'))).toBe(false);
  });
});

describe('the Hub model cache', () => {
  it('lists a completed download with its size, and deletes it', async () => {
    const { listCachedModels, deleteCachedModel, hubDownloadSize } = await import('../../src/lib/hub/sources');
    const cache = memoryCache();
    const size = await hubDownloadSize(hub.url, 'gpt2', 'main');
    expect(size.files['model.safetensors']).toBe(statSync(join(gpt2Dir, 'model.safetensors')).size);
    await fetchModelFiles({ kind: 'hub', id: 'gpt2', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url, cache });
    const listed = await listCachedModels(cache);
    expect(listed.map((m) => [m.id, m.revision])).toEqual([['gpt2', 'main']]);
    expect(listed[0].bytes).toBe(size.bytes);
    // A second load asks the network for nothing, not even the optional files that do not exist.
    const before = hub.requests.length;
    await fetchModelFiles({ kind: 'hub', id: 'gpt2', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url, cache });
    expect(hub.requests.length).toBe(before);
    await deleteCachedModel(cache, hub.url, 'gpt2', 'main');
    expect(cache.entries.size).toBe(0);
  });

  it('an id with an owner is listed under its whole id', async () => {
    const { listCachedModels } = await import('../../src/lib/hub/sources');
    const cache = memoryCache();
    await fetchModelFiles({ kind: 'hub', id: 'google/flan-t5-small', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url, cache });
    expect((await listCachedModels(cache)).map((m) => m.id)).toEqual(['google/flan-t5-small']);
  });

  it('a failed download removes the files it had cached', async () => {
    hub.faults.cutAfter = { file: /safetensors$/, bytes: 50_000 };
    const cache = memoryCache();
    await failure(fetchModelFiles({ kind: 'hub', id: 'gpt2', revision: 'main' }, { modelsBase: 'file:///', hubEndpoint: hub.url, cache }));
    hub.faults.cutAfter = undefined;
    expect(cache.entries.size).toBe(0);
  });
});

describe('models:add for a LLaMA-family model', () => {
  it('vendors it in fp16, and the vendored model runs with its attention within fp16 rounding of the fp32 one', async () => {
    const llamaDir = join(root, 'smollm2');
    writeCheckpoint(randomCheckpoint({ family: 'llama', seed: 4, layers: 2, dModel: 32, heads: 4, kvHeads: 2, overrides: { tie_word_embeddings: true } }), llamaDir);
    const other = await startMockHub({ 'HuggingFaceTB/SmolLM2-135M': llamaDir });
    const dir = join(root, 'static-models-llama');
    const half = await addModel({ id: 'HuggingFaceTB/SmolLM2-135M', revision: 'main', dtype: 'fp16', dir, endpoint: other.url, log: () => {} });
    await other.close();
    const ratio = statSync(join(half.folder, 'model.safetensors')).size / statSync(join(llamaDir, 'model.safetensors')).size;
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(0.55);
    const a = await loadModelDir(llamaDir);
    const b = await loadModelDir(half.folder);
    expect(b.info).toMatchObject({ family: 'llama', kvHeads: 2 });
    const pa = (await a.run('Once upon a time', { taps: ['probs'] })).attention.self!.probs!.data;
    const pb = (await b.run('Once upon a time', { taps: ['probs'] })).attention.self!.probs!.data;
    let m = 0;
    for (let i = 0; i < pa.length; i++) m = Math.max(m, Math.abs(pa[i] - pb[i]));
    expect(m).toBeGreaterThan(0);
    expect(m).toBeLessThan(5e-3);
    await a.release();
    await b.release();
  });
});
