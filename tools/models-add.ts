// npm run models:add -- <hub id> [--revision main] [--dtype fp32|fp16] [--dir static/models]
//
// Vendors a Hugging Face Hub model into static/models/<folder>/ so that `npm run build`
// yields a site that serves it from its own origin: a classroom deployment with no
// internet. The files are checked (config, tokenizer, every tensor's shape) before
// anything is written. --dtype fp16 halves the weights; the app reads them back as
// float32.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AtlasError } from '../src/lib/errors';
import { fetchRawFiles, filesFromDrop, HUB_ENDPOINT } from '../src/lib/hub/sources';
import { parseSafetensors, readFloat32, writeSafetensors } from '../src/lib/hub/safetensors';
import { toF16 } from '../src/lib/hub/fp16';
import { configureOrt } from '../src/lib/runtime/backend';
import { loadModel } from '../src/lib/runtime/load';
import { writeManifest } from './manifest';

const USAGE = 'usage: npm run models:add -- <hub id> [--revision main] [--dtype fp32|fp16] [--dir static/models]';

/** The folder a Hub id is vendored into: `google/flan-t5-small` → `google--flan-t5-small`. */
export function folderFor(id: string): string {
  return id.replace(/\//g, '--');
}

function toHalf(bytes: Uint8Array, name: string): Uint8Array {
  const file = parseSafetensors(bytes, name);
  const tensors = [...file.tensors.values()].map((t) => {
    if (t.dtype === 'F32' || t.dtype === 'BF16' || t.dtype === 'F16')
      return { name: t.name, dtype: 'F16' as const, shape: t.shape, data: toF16(readFloat32(file, t)) };
    throw new AtlasError('bad-safetensors', `Tensor "${t.name}" is ${t.dtype}; only float tensors can be converted to fp16.`);
  });
  return writeSafetensors(tensors, { ...file.metadata, converted_by: 'attention-atlas models:add --dtype fp16' });
}

export interface AddOptions {
  id: string;
  revision: string;
  dtype: 'fp32' | 'fp16';
  dir: string;
  endpoint: string;
  log: (line: string) => void;
}

export async function addModel(o: AddOptions): Promise<{ folder: string; files: Record<string, number> }> {
  let last = 0;
  const raw = await fetchRawFiles(
    { kind: 'hub', id: o.id, revision: o.revision },
    {
      modelsBase: 'file:///',
      hubEndpoint: o.endpoint,
      onProgress: (p) => {
        if (p.loaded - last > 5e6 || p.loaded === p.total) o.log(`  ${p.file}: ${(p.loaded / 1e6).toFixed(1)} / ${(p.total / 1e6).toFixed(1)} MB`);
        last = p.loaded;
      },
    },
    ['README.md', 'generation_config.json'],
  );
  // Check everything before writing: a supported config, a loadable tokenizer, every tensor present and of the right shape.
  configureOrt({ threads: 1 });
  await loadModel(filesFromDrop(o.id, raw), { id: o.id, source: 'hub', revision: o.revision }, 'wasm');
  if (o.dtype === 'fp16')
    for (const name of Object.keys(raw)) if (name.endsWith('.safetensors')) raw[name] = toHalf(raw[name], name);

  const folder = join(o.dir, folderFor(o.id));
  // Write into a temporary folder and rename, so an interrupted run leaves no half model.
  const tmp = `${folder}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  if (existsSync(folder)) for (const keep of ['README.md']) if (existsSync(join(folder, keep)) && !raw[keep]) raw[keep] = readFileSync(join(folder, keep));
  for (const [name, bytes] of Object.entries(raw)) writeFileSync(join(tmp, name), bytes);
  const source = { hubId: o.id, revision: o.revision, dtype: o.dtype, endpoint: o.endpoint, downloaded: new Date().toISOString() };
  writeFileSync(join(tmp, 'source.json'), JSON.stringify(source, null, 2) + '\n');
  rmSync(folder, { recursive: true, force: true });
  renameSync(tmp, folder);
  const files = Object.fromEntries([...Object.entries(raw).map(([n, b]) => [n, b.byteLength] as const), ['source.json', 0]]);
  writeManifest(o.dir);
  return { folder, files };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      revision: { type: 'string', default: 'main' },
      dtype: { type: 'string', default: 'fp32' },
      dir: { type: 'string', default: 'static/models' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  if (values.dtype !== 'fp32' && values.dtype !== 'fp16') throw new AtlasError('bad-input', `--dtype must be fp32 or fp16, not ${values.dtype}.`);
  const id = positionals[0];
  const endpoint = process.env.ATLAS_HUB_ENDPOINT ?? HUB_ENDPOINT;
  console.log(`Downloading ${id}@${values.revision} from ${endpoint} …`);
  const { folder, files } = await addModel({ id, revision: values.revision!, dtype: values.dtype, dir: resolve(values.dir!), endpoint, log: (l) => console.log(l) });
  console.log(`Wrote ${folder}:`);
  for (const [name, size] of Object.entries(files)) if (name !== 'source.json') console.log(`  ${name}  ${(size / 1e6).toFixed(2)} MB`);
  console.log(`  source.json  (where it came from)`);
  console.log(`Added to ${join(values.dir!, 'manifest.json')}. Run \`npm run build\` for a static site that serves it offline.`);
}

if (import.meta.url === `file://${process.argv[1]}`)
  main().catch((e) => {
    if (e instanceof AtlasError) console.error(`error: ${e.message}${e.hint ? `\n${e.hint}` : ''}`);
    else console.error(e);
    process.exit(1);
  });
