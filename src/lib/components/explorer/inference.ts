// The page's inference client: one worker per page, with onnxruntime's files and the
// models folder resolved against the site root (so the static site works from any folder).
import { InferenceClient } from '$lib/runtime/client';
import { MANIFEST_PATH, type Manifest, type ManifestEntry } from '$lib/hub/manifest';
import type { ModelRef } from '$lib/hub/sources';

export function siteRoot(base: string): string {
  return new URL(`${base}/`, location.href).href;
}

export function createInferenceClient(base: string): InferenceClient {
  const root = siteRoot(base);
  // ?backend=wasm forces the CPU path (for comparing, or for a GPU that misbehaves).
  const preference = new URLSearchParams(location.search).get('backend') === 'wasm' ? 'wasm' : 'auto';
  return new InferenceClient(() => new Worker(new URL('../../runtime/worker.ts', import.meta.url), { type: 'module' }), {
    ortBase: new URL('ort/', root).href,
    modelsBase: new URL('models/', root).href,
    preference,
  });
}

export interface ModelChoice {
  key: string;
  label: string;
  family?: string;
  ref: ModelRef;
  description: string;
  bytes: number;
}

export function choicesFromManifest(m: Manifest): ModelChoice[] {
  return m.models
    .filter((e: ManifestEntry) => e.kind === 'model')
    .map((e) => ({
      key: e.id,
      label: e.id,
      family: e.family,
      ref: { kind: 'embedded', id: e.id, files: Object.keys(e.files) } as ModelRef,
      description: e.description,
      bytes: Object.values(e.files).reduce((a, b) => a + b, 0),
    }));
}

export async function fetchChoices(base: string): Promise<ModelChoice[]> {
  const response = await fetch(new URL(MANIFEST_PATH, siteRoot(base)));
  return choicesFromManifest((await response.json()) as Manifest);
}

/** `hub:<id>@<revision>` model keys name Hub models in links. */
export function refForKey(key: string, choices: ModelChoice[]): ModelRef | null {
  const hub = key.match(/^hub:([^@]+)@(.+)$/);
  if (hub) return { kind: 'hub', id: hub[1], revision: hub[2] };
  return choices.find((c) => c.key === key)?.ref ?? null;
}

export const FAMILY_LABEL: Record<string, string> = { gpt2: 'GPT-2', bert: 'BERT', t5: 'T5' };
