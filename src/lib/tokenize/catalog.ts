// Which tokenizers the app can show: every entry of static/models/manifest.json that
// has a tokenizer.json. URLs are relative to the site root the caller passes in
// (SvelteKit's `base`), so the static build works from any sub-folder.

import type { Manifest, ManifestEntry } from '../hub/manifest';
import { AtlasError } from '../errors';

export interface TokenizerEntry {
  id: string;
  description: string;
  tokenizerUrl: string;
  configUrl: string | null;
}

/** The tokenizers shown when the page opens (those present, in this order). */
/**
 * By default the page shows the tokenizers of the models Explore runs (so a word splits here as
 * it does there), one per algorithm of the course, and tiktoken; the released models' own
 * (gpt2, bert-base-uncased, tinyllama) are a click away.
 */
export const DEFAULT_TOKENIZERS = ['tiny-gpt2', 'tiny-bert', 'tiny-t5', 'tiny-llama', 'tiktoken-cl100k'];

/** Which is which: the model each tokenizer belongs to, in a line for its panel. */
export const TOKENIZER_ROLES: Record<string, string> = {
  'tiny-gpt2': 'the tokenizer of tiny-gpt2, which Explore runs (trained here on the Brown corpus; GPT-2’s own is gpt2)',
  'tiny-bert': 'the tokenizer of tiny-bert, which Explore runs (trained here; BERT’s own is bert-base-uncased)',
  'tiny-t5': 'the tokenizer of tiny-t5, which Explore runs (trained here)',
  'tiny-llama': 'the tokenizer of tiny-llama, which Explore runs (trained here; TinyLlama’s own is tinyllama)',
  gpt2: 'GPT-2’s own tokenizer (the released model)',
  'bert-base-uncased': 'BERT’s own tokenizer (the released model)',
  tinyllama: 'TinyLlama’s own tokenizer (LLaMA 2’s SentencePiece)',
  'tiktoken-cl100k': 'GPT-4’s cl100k_base, through tiktoken’s ranks (no model here runs it)',
};

/** Entries with a tokenizer.json, the default ones first (in DEFAULT_TOKENIZERS order). */
export function tokenizerEntries(manifest: Manifest, base: string): TokenizerEntry[] {
  const root = base.endsWith('/') ? base : base + '/';
  const rank = (id: string) => {
    const i = DEFAULT_TOKENIZERS.indexOf(id);
    return i < 0 ? DEFAULT_TOKENIZERS.length : i;
  };
  return manifest.models
    .filter((m: ManifestEntry) => m.files['tokenizer.json'] !== undefined)
    .sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id))
    .map((m) => ({
      id: m.id,
      description: m.description,
      tokenizerUrl: `${root}models/${m.id}/tokenizer.json`,
      configUrl: m.files['tokenizer_config.json'] !== undefined ? `${root}models/${m.id}/tokenizer_config.json` : null,
    }));
}

/** `asked`: a link's list (#tk=a,b); unknown ids are dropped, and an empty result falls back to the defaults. */
export function defaultSelection(entries: TokenizerEntry[], asked: string[] = []): string[] {
  const ids = new Set(entries.map((e) => e.id));
  const fromLink = asked.filter((id) => ids.has(id));
  if (fromLink.length) return [...new Set(fromLink)];
  const chosen = DEFAULT_TOKENIZERS.filter((id) => ids.has(id));
  return chosen.length > 0 ? chosen : entries.slice(0, 2).map((e) => e.id);
}

async function fetchJson(url: string, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new AtlasError('download-failed', `Could not download ${what}: ${e instanceof Error ? e.message : String(e)}`, 'Check the connection and reload the page.');
  }
  if (!res.ok) throw new AtlasError('download-failed', `Could not download ${what} (HTTP ${res.status}).`, 'Reload the page; if it persists the site is missing this file.');
  try {
    return await res.json();
  } catch {
    throw new AtlasError('bad-tokenizer', `${what} is not valid JSON.`);
  }
}

export async function fetchManifest(url: string): Promise<Manifest> {
  const m = (await fetchJson(url, 'the model list')) as Manifest;
  if (!m || !Array.isArray(m.models)) throw new AtlasError('bad-config', 'The model list (models/manifest.json) is malformed.');
  return m;
}

export async function fetchTokenizerFiles(entry: TokenizerEntry): Promise<{ json: unknown; config: unknown }> {
  const [json, config] = await Promise.all([
    fetchJson(entry.tokenizerUrl, `the tokenizer of ${entry.id}`),
    entry.configUrl ? fetchJson(entry.configUrl, `the tokenizer config of ${entry.id}`) : Promise.resolve({}),
  ]);
  return { json, config };
}
