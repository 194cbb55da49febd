// Builds static/models/manifest.json from the folders in static/models/.
// Run by the Vite plugin before every dev start and build; also importable by tests.
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest, ManifestEntry } from '../src/lib/hub/manifest.ts';

export function buildManifest(modelsDir: string): Manifest {
  const models: ManifestEntry[] = [];
  const ids = readdirSync(modelsDir).filter((d) => statSync(join(modelsDir, d)).isDirectory()).sort();
  for (const id of ids) {
    const dir = join(modelsDir, id);
    const files: Record<string, number> = {};
    for (const f of readdirSync(dir).sort()) {
      const s = statSync(join(dir, f));
      if (s.isFile()) files[f] = s.size;
    }
    if (!files['tokenizer.json']) continue;
    let modelType: string | undefined;
    if (files['config.json']) modelType = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).model_type;
    const hasWeights = Object.keys(files).some((f) => f.endsWith('.safetensors'));
    const readme = existsSync(join(dir, 'README.md')) ? readFileSync(join(dir, 'README.md'), 'utf8') : '';
    // The first prose paragraph after any front matter and headings.
    const description =
      readme
        .replace(/^---[\s\S]*?---/, '')
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .find((p) => p && !p.startsWith('#') && !p.startsWith('|')) ?? '';
    models.push({
      id,
      kind: hasWeights && modelType ? 'model' : 'tokenizer',
      modelType,
      files,
      description,
    });
  }
  // Embedded models first, then tokenizer-only entries.
  models.sort((a, b) => (a.kind === b.kind ? a.id.localeCompare(b.id) : a.kind === 'model' ? -1 : 1));
  return { version: 1, models };
}

export function writeManifest(modelsDir: string): Manifest {
  const manifest = buildManifest(modelsDir);
  const path = join(modelsDir, 'manifest.json');
  const text = JSON.stringify(manifest, null, 2) + '\n';
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const m = writeManifest('static/models');
  console.log(`static/models/manifest.json: ${m.models.map((e) => `${e.id} (${e.kind})`).join(', ')}`);
}
