// Loading models from disk in Node (CLI, tests, benchmarks). Not imported by the app.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AtlasError } from '../errors';
import { configureOrt, type BackendPreference } from './backend';
import { loadModel, type ModelFiles, type ModelOrigin } from './load';
import { shardNames } from '../hub/sources';
import type { ModelRunner } from './runner';

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

export function readModelDir(dir: string): ModelFiles {
  if (!existsSync(join(dir, 'config.json')))
    throw new AtlasError('bad-config', `${dir} has no config.json.`, 'Point to a folder in the Hugging Face layout (config.json, tokenizer.json, model.safetensors).');
  const index = join(dir, 'model.safetensors.index.json');
  const names = existsSync(index) ? shardNames(readJson(index)) : ['model.safetensors'];
  return {
    config: readJson(join(dir, 'config.json')),
    tokenizer: readJson(join(dir, 'tokenizer.json')),
    tokenizerConfig: existsSync(join(dir, 'tokenizer_config.json')) ? readJson(join(dir, 'tokenizer_config.json')) : undefined,
    weights: names.filter((n) => existsSync(join(dir, n))).map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) })),
  };
}

export async function loadModelDir(dir: string, origin?: Partial<ModelOrigin>, threads = 1, preference: BackendPreference = 'wasm'): Promise<ModelRunner> {
  configureOrt({ threads });
  return loadModel(readModelDir(dir), { id: origin?.id ?? basename(dir), source: origin?.source ?? 'local', revision: origin?.revision }, preference);
}
