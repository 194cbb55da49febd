// The state behind the explorer page: which model, what text, the latest trace, loading
// progress and errors — and the wiring to the inference worker. The view state lives in
// the URL fragment (shareable) and in localStorage (survives reloads and crashes).
// Errors never touch the user's text or settings.

import { InferenceClient, type LoadedModel } from '$lib/runtime/client';
import type { ModelRef, Progress } from '$lib/hub/sources';
import { MANIFEST_PATH, type ManifestEntry, type Manifest } from '$lib/hub/manifest';
import { toErrorInfo, type ErrorInfo } from '$lib/errors';
import type { Trace } from '$lib/trace/types';
import { decodeState, defaultState, encodeState, hasLocal, loadLocal, saveLocal, type ViewState } from '$lib/state/view-state';

/** Wait this long after the last keystroke before running the model. */
export const RUN_DEBOUNCE_MS = 250;
/** New tokens per "Generate" press. */
export const GENERATE_STEPS = 12;
export const DEFAULT_MODEL = 'tiny-gpt2';

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
      ref: { kind: 'embedded', id: e.id } as ModelRef,
      description: e.description,
      bytes: Object.values(e.files).reduce((a, b) => a + b, 0),
    }));
}

/** `hub:<id>@<revision>` model keys name Hub models in links. */
export function refForKey(key: string, choices: ModelChoice[]): ModelRef | null {
  const hub = key.match(/^hub:([^@]+)@(.+)$/);
  if (hub) return { kind: 'hub', id: hub[1], revision: hub[2] };
  return choices.find((c) => c.key === key)?.ref ?? null;
}

export class ExplorerSession {
  // Raw: these objects cross to the worker, which cannot clone Svelte's proxies.
  choices = $state.raw<ModelChoice[]>([]);
  state = $state<ViewState>(defaultState(DEFAULT_MODEL));
  trace = $state.raw<Trace | null>(null);
  model = $state.raw<LoadedModel | null>(null);
  progress = $state<Progress | null>(null);
  error = $state<ErrorInfo | null>(null);
  /** A notice that is not an error (e.g. the worker was restarted). */
  notice = $state<string | null>(null);
  running = $state(false);
  /** Whether the state came from a link or a previous visit (then the views restore its selection). */
  savedSelection = false;
  generating = $state(false);

  private client: InferenceClient | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private loadToken = 0;
  private runToken = 0;

  /** Starts the worker, reads the manifest and the saved state, loads the model and runs it. */
  start(base: string): () => void {
    const root = new URL(`${base}/`, location.href).href;
    this.client = new InferenceClient(() => new Worker(new URL('../../runtime/worker.ts', import.meta.url), { type: 'module' }), {
      ortBase: new URL('ort/', root).href,
      modelsBase: new URL('models/', root).href,
      preference: new URLSearchParams(location.search).get('backend') === 'wasm' ? 'wasm' : 'auto',
    });
    this.client.onCrash = (message) => {
      this.notice = message;
      this.model = null;
      void this.loadModel();
    };
    const onHash = () => void this.restoreFromUrl();
    window.addEventListener('hashchange', onHash);
    void (async () => {
      try {
        const manifest = (await (await fetch(new URL(MANIFEST_PATH, root))).json()) as Manifest;
        this.choices = choicesFromManifest(manifest);
      } catch (e) {
        this.error = toErrorInfo(e);
      }
      const saved = loadLocal(defaultState(this.choices.some((c) => c.key === DEFAULT_MODEL) ? DEFAULT_MODEL : (this.choices[0]?.key ?? DEFAULT_MODEL)));
      this.savedSelection = location.hash.length > 1 || hasLocal();
      this.state = location.hash.length > 1 ? await decodeState(location.hash, saved) : saved;
      if (!refForKey(this.state.model, this.choices)) this.state.model = this.choices.find((c) => c.key === DEFAULT_MODEL)?.key ?? this.choices[0]?.key ?? DEFAULT_MODEL;
      await this.loadModel();
    })();
    return () => {
      clearTimeout(this.timer);
      window.removeEventListener('hashchange', onHash);
      this.client?.dispose();
    };
  }

  private async restoreFromUrl(): Promise<void> {
    const next = await decodeState(location.hash, this.state);
    const modelChanged = next.model !== this.state.model;
    const textChanged = next.text !== this.state.text || next.target !== this.state.target;
    this.state = next;
    if (modelChanged) await this.loadModel();
    else if (textChanged) this.schedule(0);
  }

  /** Writes the state to the URL (replacing, not pushing, history) and to localStorage. */
  async persist(): Promise<void> {
    saveLocal($state.snapshot(this.state) as ViewState);
    const fragment = await encodeState($state.snapshot(this.state) as ViewState);
    if (location.hash.slice(1) !== fragment) history.replaceState(history.state, '', `#${fragment}`);
  }

  get family(): string | undefined {
    return this.model?.info.family;
  }

  async selectModel(key: string): Promise<void> {
    if (key === this.state.model && this.model) return;
    this.state.model = key;
    this.trace = null;
    await this.loadModel();
  }

  async loadModel(): Promise<void> {
    const token = ++this.loadToken;
    const ref = refForKey(this.state.model, this.choices);
    if (!ref || !this.client) return;
    this.error = null;
    this.progress = { file: '', loaded: 0, total: 0 };
    try {
      const loaded = await this.client.load(ref, (p) => token === this.loadToken && (this.progress = p));
      if (token !== this.loadToken) return;
      this.model = loaded;
      this.progress = null;
      void this.persist();
      await this.run();
    } catch (e) {
      if (token !== this.loadToken) return;
      this.progress = null;
      this.error = toErrorInfo(e);
    }
  }

  setText(text: string): void {
    this.state.text = text;
    void this.persist();
    this.schedule();
  }

  setTarget(target: string): void {
    this.state.target = target;
    void this.persist();
    this.schedule();
  }

  schedule(delay = RUN_DEBOUNCE_MS): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delay);
  }

  /** One forward pass (T5: teacher forcing when a target is given, else greedy decoding). */
  async run(): Promise<void> {
    const model = this.model;
    if (!model || !this.client) return;
    const token = ++this.runToken;
    const { text, target } = this.state;
    if (text.trim() === '') {
      this.error = { code: 'bad-input', message: 'There is no text to run.', hint: 'Type a sentence into the text box.' };
      return;
    }
    this.running = true;
    try {
      const isT5 = model.info.family === 't5';
      const trace =
        isT5 && !target
          ? await this.client.run(model.key, text, { kind: 'generate', options: { steps: 32 } }, undefined, (t) => token === this.runToken && this.show(t))
          : await this.client.run(model.key, text, { kind: 'forward', options: { truncate: false } }, isT5 ? target : undefined);
      if (token !== this.runToken) return;
      this.show(trace);
      this.error = null;
    } catch (e) {
      const info = toErrorInfo(e);
      if (token === this.runToken && info.code !== 'cancelled') this.error = info;
    } finally {
      if (token === this.runToken) this.running = false;
    }
  }

  /** GPT-2: continue the text greedily; the new tokens join the text. */
  async generate(): Promise<void> {
    const model = this.model;
    if (!model || !this.client || model.info.family !== 'gpt2') return;
    const token = ++this.runToken;
    this.generating = true;
    try {
      const trace = await this.client.run(model.key, this.state.text, { kind: 'generate', options: { steps: GENERATE_STEPS } });
      if (token !== this.runToken) return;
      this.state.text = trace.text;
      void this.persist();
      this.show(trace);
    } catch (e) {
      if (token === this.runToken) this.error = toErrorInfo(e);
    } finally {
      this.generating = false;
    }
  }

  /** Runs again with the text cut to the model's length. */
  async runTruncated(): Promise<void> {
    const model = this.model;
    if (!model || !this.client) return;
    const token = ++this.runToken;
    try {
      const trace = await this.client.run(model.key, this.state.text, { kind: 'forward', options: { truncate: true } });
      if (token !== this.runToken) return;
      this.error = null;
      this.show(trace);
    } catch (e) {
      if (token === this.runToken) this.error = toErrorInfo(e);
    }
  }

  private show(trace: Trace): void {
    this.trace = trace;
  }

  /** For tests of crash recovery. */
  simulateCrash(): void {
    this.client?.simulateCrash();
  }
}
