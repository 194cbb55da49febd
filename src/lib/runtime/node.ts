// Loading models from disk in Node (CLI, tests, benchmarks). Not imported by the app.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AtlasError } from '../errors';
import { configureOrt, type BackendPreference } from './backend';
import { loadModel, type LoadOptions, type ModelFiles, type ModelOrigin } from './load';
import { shardNames } from '../hub/sources';
import type { ModelRunner } from './runner';

/** A JSON file of a model folder; a broken one is named (JSON.parse alone says only "position 22"). */
function readJson(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    const code = basename(path) === 'tokenizer.json' || basename(path) === 'tokenizer_config.json' ? 'bad-tokenizer' : 'bad-config';
    throw new AtlasError(code, `${path} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`, 'The file may be cut short or edited by hand; download it again.');
  }
}

const LAYOUT = 'Point to a folder in the Hugging Face layout (config.json, tokenizer.json, model.safetensors).';

export function readModelDir(dir: string): ModelFiles {
  for (const f of ['config.json', 'tokenizer.json'])
    if (!existsSync(join(dir, f))) throw new AtlasError(f === 'config.json' ? 'bad-config' : 'bad-tokenizer', `${dir} has no ${f}.`, LAYOUT);
  const index = join(dir, 'model.safetensors.index.json');
  const names = existsSync(index) ? shardNames(readJson(index)) : ['model.safetensors'];
  return {
    config: readJson(join(dir, 'config.json')),
    tokenizer: readJson(join(dir, 'tokenizer.json')),
    tokenizerConfig: existsSync(join(dir, 'tokenizer_config.json')) ? readJson(join(dir, 'tokenizer_config.json')) : undefined,
    weights: names.filter((n) => existsSync(join(dir, n))).map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) })),
  };
}

export async function loadModelDir(dir: string, origin?: Partial<ModelOrigin>, threads = 1, preference: BackendPreference = 'wasm', options: LoadOptions = {}): Promise<ModelRunner> {
  configureOrt({ threads });
  return loadModel(readModelDir(dir), { id: origin?.id ?? basename(dir), source: origin?.source ?? 'local', revision: origin?.revision }, preference, undefined, options);
}
