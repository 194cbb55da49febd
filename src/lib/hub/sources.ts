// Where model files come from: the app's own static/models/<id>/, the Hugging Face Hub
// (`<endpoint>/<id>/resolve/<revision>/<file>`), or files a user dropped in. Downloads
// report bytes done/total and are kept in a cache (Cache Storage in the browser) so a
// model is fetched once and then works offline.

import { AtlasError } from '../errors';
import { llama2cPair, llama2cToHfFiles } from './llama2c';
import type { ModelFiles } from '../runtime/load';

export const HUB_ENDPOINT = 'https://huggingface.co';

export type ModelRef =
  /** `files`: the folder's files from the manifest, so that absent optional files are not even asked for (that would fail offline). */
  | { kind: 'embedded'; id: string; files?: string[] }
  | { kind: 'hub'; id: string; revision: string }
  | { kind: 'files'; name: string; files: Record<string, Uint8Array> };

export interface Progress {
  file: string;
  /** Bytes done and expected over all files of this model (total is 0 until known). */
  loaded: number;
  total: number;
}

export interface FileCache {
  get(url: string): Promise<Uint8Array | undefined>;
  put(url: string, bytes: Uint8Array): Promise<void>;
  /** All cached URLs (for listing and for removing a model's files). */
  keys(): Promise<string[]>;
  delete(url: string): Promise<void>;
}

/**
 * Written next to a Hub model's files once all of them are cached: which files the model
 * has and their sizes. Only a model with this marker counts as downloaded; the files of a
 * download that failed or was cancelled are removed, so no half model is taken for whole.
 */
export const COMPLETE_MARKER = '.atlas-complete';

export interface CachedModel {
  endpoint: string;
  id: string;
  revision: string;
  files: Record<string, number>;
  bytes: number;
}

function hubPrefix(endpoint: string, id: string, revision: string): string {
  return hubFileUrl(endpoint, id, revision, '');
}

/** The Hub models whose download completed, from the cache's markers. */
export async function listCachedModels(cache: FileCache): Promise<CachedModel[]> {
  const out: CachedModel[] = [];
  for (const url of await cache.keys()) {
    if (!url.endsWith('/' + COMPLETE_MARKER)) continue;
    const bytes = await cache.get(url);
    if (!bytes) continue;
    try {
      const m = JSON.parse(new TextDecoder().decode(bytes)) as Omit<CachedModel, 'bytes'>;
      out.push({ ...m, bytes: Object.values(m.files).reduce((a, b) => a + b, 0) });
    } catch {
      // A damaged marker: the model is simply not listed (and will be downloaded again).
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Removes every cached file of one Hub model (marker first, so it never looks whole). */
export async function deleteCachedModel(cache: FileCache, endpoint: string, id: string, revision: string): Promise<void> {
  const prefix = hubPrefix(endpoint, id, revision);
  await cache.delete(prefix + COMPLETE_MARKER);
  for (const url of await cache.keys()) if (url.startsWith(prefix)) await cache.delete(url);
}

/** What a Hub model will cost to download: the sizes of the files the app fetches. */
export async function hubDownloadSize(endpoint: string, id: string, revision: string, signal?: AbortSignal): Promise<{ files: Record<string, number>; bytes: number }> {
  if (!isHubId(id)) throw new AtlasError('bad-input', `"${id}" is not a Hugging Face model id.`, 'Ids look like "gpt2" or "google/flan-t5-small".');
  let response: Response;
  try {
    response = await fetch(`${endpoint.replace(/\/$/, '')}/api/models/${id}/tree/${encodeURIComponent(revision)}`, { signal });
  } catch {
    throw new AtlasError('download-failed', `Could not reach ${new URL(endpoint).host} to look up ${id}.`, 'Check your internet connection, or use one of the embedded models, which work offline.');
  }
  if (!response.ok)
    throw new AtlasError('download-failed', `Looking up ${id} failed: HTTP ${response.status}.`, response.status === 404 ? 'Check the model id; ids look like "gpt2" or "google/flan-t5-small".' : 'Try again later.');
  const list = (await response.json()) as { path: string; size: number; lfs?: { size: number } }[];
  const wanted = new Set([...REQUIRED, ...OPTIONAL, 'model.safetensors.index.json']);
  const hasIndex = list.some((f) => f.path === 'model.safetensors.index.json');
  const files: Record<string, number> = {};
  for (const f of list)
    if (wanted.has(f.path) || (f.path.endsWith('.safetensors') && (hasIndex ? f.path.startsWith('model-') : f.path === 'model.safetensors'))) files[f.path] = f.lfs?.size ?? f.size;
  if (!Object.keys(files).some((f) => f.endsWith('.safetensors')))
    throw new AtlasError('unsupported-model', `${id} has no weights in the safetensors format.`, 'Attention Atlas reads model.safetensors only; many models on the Hub have one.');
  return { files, bytes: Object.values(files).reduce((a, b) => a + b, 0) };
}

export interface FetchOptions {
  /** Absolute URL of the app's static/models/ folder. */
  modelsBase: string;
  hubEndpoint?: string;
  cache?: FileCache;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

const REQUIRED = ['config.json', 'tokenizer.json'];
const OPTIONAL = ['tokenizer_config.json'];

export function hubFileUrl(endpoint: string, id: string, revision: string, file: string): string {
  return `${endpoint.replace(/\/$/, '')}/${id}/resolve/${encodeURIComponent(revision)}/${file}`;
}

/** A valid Hub id: `name` or `owner/name`, letters, digits, `-`, `_`, `.`. */
export function isHubId(id: string): boolean {
  return /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(id) && !id.includes('..');
}

function urlFor(ref: Exclude<ModelRef, { kind: 'files' }>, file: string, o: FetchOptions): string {
  if (ref.kind === 'embedded') return new URL(`${ref.id}/${file}`, o.modelsBase.endsWith('/') ? o.modelsBase : o.modelsBase + '/').href;
  return hubFileUrl(o.hubEndpoint ?? HUB_ENDPOINT, ref.id, ref.revision, file);
}

/** Fetches one file with progress; `missingOk` files resolve to undefined on 404. */
async function fetchFile(url: string, file: string, o: FetchOptions, progress: { loaded: number; total: number }, missingOk: boolean): Promise<Uint8Array | undefined> {
  const cached = await o.cache?.get(url);
  if (cached) {
    progress.loaded += cached.byteLength;
    progress.total += cached.byteLength;
    o.onProgress?.({ file, ...progress });
    return cached;
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: o.signal });
  } catch (e) {
    if (o.signal?.aborted) throw new AtlasError('cancelled', 'The download was cancelled.');
    throw new AtlasError('download-failed', `Could not reach ${new URL(url).host} to download ${file}.`, 'Check your internet connection, or use one of the embedded models, which work offline.');
  }
  if (response.status === 404 && missingOk) return undefined;
  if (!response.ok) {
    const hint =
      response.status === 404
        ? 'Check the model id and revision; the id looks like "gpt2" or "google/flan-t5-small".'
        : response.status === 401 || response.status === 403
          ? 'This model is private or gated; Attention Atlas can only download public models.'
          : 'Try again later.';
    throw new AtlasError('download-failed', `Downloading ${file} failed: HTTP ${response.status}.`, hint);
  }
  const length = Number(response.headers.get('Content-Length') ?? 0);
  progress.total += length;
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  if (reader) {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        if (o.signal?.aborted) throw new AtlasError('cancelled', 'The download was cancelled.');
        throw new AtlasError('download-failed', `The download of ${file} broke off after ${received} bytes.`, 'Try again; nothing partial was kept.');
      }
      if (chunk.done) break;
      chunks.push(chunk.value);
      received += chunk.value.byteLength;
      progress.loaded += chunk.value.byteLength;
      // No Content-Length (or a compressed one smaller than the body): the total grows with what
      // arrives, so the page never shows more loaded than the total.
      if (received > length) progress.total += Math.min(chunk.value.byteLength, received - length);
      o.onProgress?.({ file, ...progress });
    }
  } else {
    const all = new Uint8Array(await response.arrayBuffer());
    chunks.push(all);
    received = all.byteLength;
  }
  if (length && received !== length)
    throw new AtlasError('download-failed', `The download of ${file} stopped at ${received} of ${length} bytes.`, 'Try again; nothing partial was kept.');
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  // Only whole files are cached, so a broken download is never taken for a complete one.
  await o.cache?.put(url, bytes);
  return bytes;
}

const json = (bytes: Uint8Array, file: string): unknown => {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new AtlasError('bad-config', `${file} is not valid JSON.`);
  }
};

/**
 * Downloads a model's files as bytes, by file name: config.json, tokenizer.json, the
 * optional tokenizer_config.json (and `extra` optional files), and the weights (one
 * model.safetensors, or the shards a model.safetensors.index.json names).
 */
export async function fetchRawFiles(ref: Exclude<ModelRef, { kind: 'files' }>, o: FetchOptions, extra: string[] = []): Promise<Record<string, Uint8Array>> {
  if (ref.kind === 'hub' && !isHubId(ref.id))
    throw new AtlasError('bad-input', `"${ref.id}" is not a Hugging Face model id.`, 'Ids look like "gpt2" or "google/flan-t5-small".');
  const progress = { loaded: 0, total: 0 };
  // Embedded models come from the app's own origin; only Hub downloads go to the cache.
  const options = ref.kind === 'hub' ? o : { ...o, cache: undefined };
  const files: Record<string, Uint8Array> = {};
  // Which optional files exist: from the manifest (embedded) or a completed download's marker (Hub),
  // so that nothing absent is asked for when offline.
  let listed = ref.kind === 'embedded' && ref.files ? new Set(ref.files) : null;
  const prefix = ref.kind === 'hub' ? hubPrefix(o.hubEndpoint ?? HUB_ENDPOINT, ref.id, ref.revision) : '';
  const marker = ref.kind === 'hub' ? await o.cache?.get(prefix + COMPLETE_MARKER) : undefined;
  if (marker) listed = new Set(Object.keys((JSON.parse(new TextDecoder().decode(marker)) as CachedModel).files));
  const get = async (file: string, missingOk = false) => {
    if (missingOk && listed && !listed.has(file)) return undefined;
    const bytes = await fetchFile(urlFor(ref, file, o), file, options, progress, missingOk);
    if (bytes) files[file] = bytes;
    return bytes;
  };
  try {
    await Promise.all(REQUIRED.map((f) => get(f)));
    for (const f of [...OPTIONAL, ...extra]) await get(f, true);
    const index = await get('model.safetensors.index.json', true);
    const names = index ? shardNames(json(index, 'model.safetensors.index.json')) : ['model.safetensors'];
    for (const name of names) await get(name);
  } catch (e) {
    if (ref.kind === 'hub' && o.cache && !marker) await deleteCachedModel(o.cache, o.hubEndpoint ?? HUB_ENDPOINT, ref.id, ref.revision);
    throw e;
  }
  if (ref.kind === 'hub' && o.cache && !marker) {
    const record: Omit<CachedModel, 'bytes'> = {
      endpoint: o.hubEndpoint ?? HUB_ENDPOINT,
      id: ref.id,
      revision: ref.revision,
      files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.byteLength])),
    };
    await o.cache.put(prefix + COMPLETE_MARKER, new TextEncoder().encode(JSON.stringify(record)));
  }
  return files;
}

export async function fetchModelFiles(ref: ModelRef, o: FetchOptions): Promise<ModelFiles> {
  if (ref.kind === 'files') return filesFromDrop(ref.name, ref.files);
  return filesFromDrop(ref.id, await fetchRawFiles(ref, o));
}

/** Shard file names from a model.safetensors.index.json. */
export function shardNames(index: unknown): string[] {
  const map = (index as { weight_map?: Record<string, string> } | null)?.weight_map;
  if (!map || typeof map !== 'object') throw new AtlasError('bad-safetensors', 'model.safetensors.index.json has no weight_map.');
  const names = [...new Set(Object.values(map))].sort();
  // A shard is a file next to the index: a path that leaves the folder would read another file
  // from disk (CLI) or, resolved as a URL, another repository's file (Hub).
  for (const name of names)
    if (typeof name !== 'string' || !/^[^/\\]+\.safetensors$/.test(name) || name.startsWith('.'))
      throw new AtlasError(
        'bad-safetensors',
        `model.safetensors.index.json names the shard ${JSON.stringify(name).slice(0, 120)}, which is not a .safetensors file in the model's own folder (a path outside it, or a folder).`,
        'Shards are files next to the index, such as "model-00001-of-00002.safetensors".',
      );
  return names;
}

/** Files a user dropped in: the same names as in a Hub repository. */
export function filesFromDrop(name: string, files: Record<string, Uint8Array>): ModelFiles {
  // A llama2.c checkpoint and its tokenizer.bin become the Hugging Face files first.
  const l2c = llama2cPair(files);
  if (l2c) files = llama2cToHfFiles(files[l2c.model], files[l2c.tokenizer], l2c);
  for (const f of REQUIRED)
    if (!files[f]) throw new AtlasError('bad-input', `The dropped files have no ${f}.`, 'Drop config.json, tokenizer.json and model.safetensors of one model together (or a llama2.c model.bin with its tokenizer.bin).');
  const weights = Object.keys(files)
    .filter((f) => f.endsWith('.safetensors'))
    .sort()
    .map((f) => ({ name: f, bytes: files[f] }));
  return {
    config: json(files['config.json'], 'config.json'),
    tokenizer: json(files['tokenizer.json'], 'tokenizer.json'),
    tokenizerConfig: files['tokenizer_config.json'] ? json(files['tokenizer_config.json'], 'tokenizer_config.json') : undefined,
    weights,
  };
}

/** Cache Storage, where the browser has it: downloaded models survive reloads and work offline. */
export function browserCache(name = 'attention-atlas-models'): FileCache | undefined {
  if (typeof caches === 'undefined') return undefined;
  return {
    async get(url) {
      const hit = await (await caches.open(name)).match(url);
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async put(url, bytes) {
      await (await caches.open(name)).put(url, new Response(bytes as BlobPart, { headers: { 'Content-Length': String(bytes.byteLength) } }));
    },
    async keys() {
      return (await (await caches.open(name)).keys()).map((r) => r.url);
    },
    async delete(url) {
      await (await caches.open(name)).delete(url);
    },
  };
}
