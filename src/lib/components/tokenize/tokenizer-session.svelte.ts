// The state behind a tokenization view: which tokenizers exist and are chosen, their
// results for the current text, timings and errors. Tokenizing runs in a worker, 100 ms
// after the text stops changing, one request at a time (the newest text wins).

import { tick } from 'svelte';
import { TokenizerClient } from '$lib/tokenize/client';
import { defaultSelection, fetchManifest, tokenizerEntries, type TokenizerEntry } from '$lib/tokenize/catalog';
import { MANIFEST_PATH } from '$lib/hub/manifest';
import { graphemeCount } from '$lib/tokenize/graphemes';
import { toErrorInfo, type ErrorInfo } from '$lib/errors';
import type { TokenizerInfo } from '$lib/tokenize/protocol';
import type { TokenizedText } from '$lib/tokenize/types';
import type { WordTrace } from '$lib/tokenize/word-trace';

/** Wait this long after the last keystroke before tokenizing. */
export const DEBOUNCE_MS = 100;

export interface Timing {
  /** Worker round trip, including moving the results across. */
  tokenizeMs: number;
  /** Of which the tokenizers themselves, in the worker. */
  workerMs: number;
  /** From results in hand to the frame after they were drawn. */
  renderMs: number;
  /** UTF-16 length and user-perceived characters of the text measured. */
  length: number;
  characters: number;
}

export class TokenizerSession {
  entries = $state<TokenizerEntry[]>([]);
  selected = $state<string[]>([]);
  infos = $state<Record<string, TokenizerInfo>>({});
  results = $state.raw<Record<string, TokenizedText>>({});
  /** Tokenizers that failed on the current text, with why (the others still show). */
  failed = $state.raw<Record<string, ErrorInfo>>({});
  error = $state<ErrorInfo | null>(null);
  timing = $state<Timing | null>(null);
  busy = $state(false);
  /** User-perceived characters of the text last tokenized (counted off the keystroke path). */
  characters = $state(0);

  private client: TokenizerClient | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = false;
  private again = false;

  constructor(private readonly text: () => string) {
    this.characters = graphemeCount(text());
  }

  /** Starts the worker and reads the model manifest; returns the cleanup. */
  start(base: string): () => void {
    this.client = new TokenizerClient();
    // Relative to the page, so the static site works from any sub-folder; the worker
    // needs absolute URLs.
    const root = new URL(`${base}/`, location.href).href;
    fetchManifest(new URL(MANIFEST_PATH, root).href)
      .then((m) => {
        this.entries = tokenizerEntries(m, root);
        // A link may name the tokenizers: /tokenize/#tk=gpt2,bert-base-uncased
        const asked = new URLSearchParams(location.hash.slice(1)).get('tk');
        this.selected = defaultSelection(this.entries, asked ? asked.split(',') : []);
      })
      .catch((e) => (this.error = toErrorInfo(e)));
    return () => {
      clearTimeout(this.timer);
      this.client?.destroy();
    };
  }

  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), DEBOUNCE_MS);
  }

  async ensureLoaded(ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !this.infos[id]);
    await Promise.all(
      missing.map(async (id) => {
        const entry = this.entries.find((e) => e.id === id);
        if (!entry || !this.client) return;
        try {
          const info = await this.client.load(entry);
          this.infos = { ...this.infos, [id]: info };
        } catch (e) {
          this.error = toErrorInfo(e);
        }
      }),
    );
  }

  trace(id: string, word: string): Promise<WordTrace | null> {
    return this.client ? this.client.trace(id, word) : Promise.resolve(null);
  }

  private async run(): Promise<void> {
    if (!this.client) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = this.busy = true;
    const snapshot = this.text();
    const ids = this.selected.filter((id) => this.infos[id]);
    try {
      const t0 = performance.now();
      const r = await this.client.tokenize(ids, snapshot);
      const t1 = performance.now();
      this.results = r.results;
      this.failed = r.errors;
      this.characters = graphemeCount(snapshot);
      await tick();
      // Drawn = the frame after the DOM update has been painted.
      await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
      this.timing = {
        tokenizeMs: t1 - t0,
        workerMs: Object.values(r.ms).reduce((a, b) => a + b, 0),
        renderMs: performance.now() - t1,
        length: snapshot.length,
        characters: this.characters,
      };
      this.error = null;
    } catch (e) {
      this.error = toErrorInfo(e);
    } finally {
      this.inFlight = false;
      const stale = this.again || this.text() !== snapshot;
      this.busy = stale;
      if (stale) {
        this.again = false;
        this.schedule();
      }
    }
  }
}
