// Where model files come from: the app's own static/models/<id>/, the Hugging Face Hub
// (`<endpoint>/<id>/resolve/<revision>/<file>`), or files a user dropped in. Downloads
// report bytes done/total and are kept in a cache (Cache Storage in the browser) so a
// model is fetched once and then works offline.

import { AtlasError } from '../errors';
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
  const listed = ref.kind === 'embedded' && ref.files ? new Set(ref.files) : null;
  const get = async (file: string, missingOk = false) => {
    if (missingOk && listed && !listed.has(file)) return undefined;
    const bytes = await fetchFile(urlFor(ref, file, o), file, options, progress, missingOk);
    if (bytes) files[file] = bytes;
    return bytes;
  };
  await Promise.all(REQUIRED.map((f) => get(f)));
  for (const f of [...OPTIONAL, ...extra]) await get(f, true);
  const index = await get('model.safetensors.index.json', true);
  const names = index ? shardNames(json(index, 'model.safetensors.index.json')) : ['model.safetensors'];
  for (const name of names) await get(name);
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
  return [...new Set(Object.values(map))].sort();
}

/** Files a user dropped in: the same names as in a Hub repository. */
export function filesFromDrop(name: string, files: Record<string, Uint8Array>): ModelFiles {
  for (const f of REQUIRED)
    if (!files[f]) throw new AtlasError('bad-input', `The dropped files have no ${f}.`, 'Drop config.json, tokenizer.json and model.safetensors of one model together.');
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
  };
}
