// The page's inference client: one worker per page, with onnxruntime's files and the
// models folder resolved against the site root (so the static site works from any folder).
import { InferenceClient } from '$lib/runtime/client';
import { MANIFEST_PATH, type Manifest, type ManifestEntry } from '$lib/hub/manifest';
import { HUB_ENDPOINT, type CachedModel, type ModelRef } from '$lib/hub/sources';
import { FAMILIES, FAMILY_OF_MODEL_TYPE } from '$lib/families';
import type { Family } from '$lib/vocabulary/families';
import { oldLoadPath } from '$lib/load-path';

export function siteRoot(base: string): string {
  return new URL(`${base}/`, location.href).href;
}

/**
 * Where Hub models come from: huggingface.co, or a same-origin mirror given as ?hub=/path
 * (a school server, or the tests' stand-in). Other origins are ignored (and the page's
 * Content-Security-Policy would block them anyway).
 */
export function hubEndpoint(): string {
  const given = new URLSearchParams(location.search).get('hub');
  if (given) {
    const url = new URL(given, location.href);
    if (url.origin === location.origin) return url.href.replace(/\/$/, '');
  }
  return HUB_ENDPOINT;
}

/**
 * The explorer's client, started as the app starts (src/hooks.client.ts) rather than when its
 * page has mounted: onnxruntime's start and the first run are the critical path to the first
 * heatmap, and hydrating the page first put ~0.1–0.2 s in front of them (bench/browser.ts).
 */
let early: InferenceClient | undefined;

/** Starts the explorer's worker now; the explorer takes it with explorerClient. */
export function startExplorerClient(base: string): void {
  early ??= createInferenceClient(base);
}

/** The client started early, if any (once), else a new one. */
export function explorerClient(base: string): InferenceClient {
  const c = early ?? createInferenceClient(base);
  early = undefined;
  return c;
}

export function createInferenceClient(base: string): InferenceClient {
  const root = siteRoot(base);
  // ?backend=wasm or ?backend=webgpu force a backend (for comparing, or for a GPU that misbehaves).
  const asked = new URLSearchParams(location.search).get('backend');
  const preference = asked === 'wasm' || asked === 'webgpu' ? asked : 'auto';
  // ?load=old loads onnxruntime's WebGPU build even for WASM, as the app did before (for the bench).
  const ortBuild = oldLoadPath() ? 'full' : 'auto';
  return new InferenceClient(() => new Worker(new URL('../../runtime/worker.ts', import.meta.url), { type: 'module' }), {
    ortBase: new URL('ort/', root).href,
    modelsBase: new URL('models/', root).href,
    hubEndpoint: hubEndpoint(),
    preference,
    ortBuild,
  });
}

export interface ModelChoice {
  key: string;
  label: string;
  family?: Family;
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
      // The family is read from the registry here, not at build time, so the manifest generator (run by vite.config.ts) stays free of app code.
      family: e.modelType ? FAMILY_OF_MODEL_TYPE[e.modelType] : undefined,
      ref: { kind: 'embedded', id: e.id, files: Object.keys(e.files) } as ModelRef,
      description: e.description,
      bytes: Object.values(e.files).reduce((a, b) => a + b, 0),
    }));
}

export async function fetchChoices(base: string): Promise<ModelChoice[]> {
  const response = await fetch(new URL(MANIFEST_PATH, siteRoot(base)));
  return choicesFromManifest((await response.json()) as Manifest);
}

export function hubKey(id: string, revision: string): string {
  return `hub:${id}@${revision}`;
}

export function choiceForCached(m: CachedModel): ModelChoice {
  return { key: hubKey(m.id, m.revision), label: `${m.id}${m.revision === 'main' ? '' : `@${m.revision}`} (Hub)`, ref: { kind: 'hub', id: m.id, revision: m.revision }, description: '', bytes: m.bytes };
}

/** The Hub models offered by name: the real checkpoints the embedded tiny models imitate. */
export const CURATED_HUB_MODELS: { id: string; family: Family; note: string }[] = [
  { id: 'gpt2', family: 'gpt2', note: 'GPT-2 small, 124 M parameters, 12 layers × 12 heads' },
  { id: 'distilgpt2', family: 'gpt2', note: 'distilled GPT-2, 82 M parameters, 6 layers' },
  { id: 'bert-base-uncased', family: 'bert', note: 'BERT base, 110 M parameters, 12 layers × 12 heads' },
  { id: 'distilbert-base-uncased', family: 'bert', note: 'distilled BERT, 66 M parameters, 6 layers' },
  { id: 't5-small', family: 't5', note: 'T5 small, 60 M parameters, 6 + 6 layers × 8 heads' },
  { id: 'google/flan-t5-small', family: 't5', note: 'Flan-T5 small (T5 v1.1), 77 M parameters, 8 + 8 layers' },
  { id: 'facebook/opt-125m', family: 'opt', note: 'OPT, 125 M parameters, 12 layers × 12 heads, learned absolute positions (next to LLaMA’s RoPE)' },
  { id: 'HuggingFaceTB/SmolLM2-135M', family: 'llama', note: 'SmolLM2, 135 M parameters, 30 layers × 9 heads over 3 KV heads, RoPE' },
  { id: 'HuggingFaceTB/SmolLM2-360M', family: 'llama', note: 'SmolLM2, 362 M parameters, 32 layers × 15 heads over 5 KV heads, RoPE' },
  { id: 'Qwen/Qwen2.5-0.5B', family: 'llama', note: 'Qwen2.5, 494 M parameters, 24 layers × 14 heads over 2 KV heads; about 2 GB in the tab' },
  {
    id: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
    family: 'llama',
    note: 'TinyLlama, 1.1 B parameters, 22 layers × 32 heads over 4 KV heads: too big for one tab (4.4 GB as float32; the WASM heap holds 4 GiB), listed so you can see the message',
  },
];

/** `hub:<id>@<revision>` model keys name Hub models in links. */
export function refForKey(key: string, choices: ModelChoice[]): ModelRef | null {
  const hub = key.match(/^hub:([^@]+)@(.+)$/);
  if (hub) return { kind: 'hub', id: hub[1], revision: hub[2] };
  return choices.find((c) => c.key === key)?.ref ?? null;
}

/** Family labels for pickers, from the family registry. */
export const FAMILY_LABEL: Readonly<Record<string, string>> = Object.fromEntries(Object.values(FAMILIES).map((f) => [f.id, f.label]));
