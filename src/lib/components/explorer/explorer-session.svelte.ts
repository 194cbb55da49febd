// The state behind the explorer page: which model, what text, the latest trace, loading
// progress and errors — and the wiring to the inference worker. The view state lives in
// the URL fragment (shareable) and in localStorage (survives reloads and crashes).
// Errors never touch the user's text or settings.

import type { InferenceClient } from '$lib/runtime/client';
import { toErrorInfo, type AtlasError, type ErrorInfo } from '$lib/errors';
import type { Ablation } from '$lib/graph/taps';
import { LENS_BUDGET } from '$lib/graph/logit-lens';
import type { Trace } from '$lib/trace/types';
import { decodeStateChecked, defaultState, encodeState, hasLocal, loadLocal, saveLocal, withoutParams, type ViewState } from '$lib/state/view-state';
import { describeFiles } from '$lib/hub/fingerprint';
import { browserCache, deleteCachedModel, hubDownloadSize, listCachedModels, type CachedModel } from '$lib/hub/sources';
import { choiceForCached, explorerClient, fetchChoices, hubEndpoint, hubKey, refForKey, type ModelChoice } from './inference';
import { ModelSlot } from './model-slot.svelte';
import { familySpec } from '$lib/families';
import { storageParam } from '$lib/load-path';

/** Wait this long after the last keystroke before running the model. */
export const RUN_DEBOUNCE_MS = 250;
/** New tokens per "Continue" press (GPT-2) and the most a T5 decoder writes. */
export const GENERATE_STEPS = 12;
/** T5 writes until </s>; the runtime stops it at twice the source's length (see families/t5/run.ts). */
export const T5_MAX_STEPS = 1024;
export const DEFAULT_MODEL = 'tiny-gpt2';

export class ExplorerSession {
  // Raw: these objects cross to the worker, which cannot clone Svelte's proxies.
  choices = $state.raw<ModelChoice[]>([]);
  state = $state<ViewState>(defaultState(DEFAULT_MODEL));
  slot = new ModelSlot(() => this.client);
  /** A notice that is not an error (e.g. the worker was restarted). */
  notice = $state<string | null>(null);
  generating = $state(false);
  /** The last ablation comparison: the same input with and without the chosen heads (null: none, or stale). */
  ablation = $state.raw<{ plain: Trace; ablated: Trace } | null>(null);
  ablating = $state(false);
  ablationError = $state<ErrorInfo | null>(null);
  /** Whether runs also compute the logit lens (a matmul with the vocabulary per layer, so off by default). */
  lens = $state(false);
  /** Whether the views show the ablated run instead of the plain one. */
  showAblated = $state(false);
  /** Whether the state came from a link or a previous visit (then the views restore its selection). */
  savedSelection = false;
  /** Whether the state came from a link (then a selection that does not fit the model is reported). */
  fromLink = false;
  /** Hub models whose download completed (kept in Cache Storage). */
  cached = $state.raw<CachedModel[]>([]);
  /** The Hub download in progress, with what it will cost. */
  download = $state<{ id: string; revision: string; bytes: number; started: number } | null>(null);
  private embedded: ModelChoice[] = [];
  /** The last model a link can name (not a user's files): saved in their place, and the one to go back to. */
  private shareableModel = DEFAULT_MODEL;
  private abort: AbortController | undefined;

  private client: InferenceClient | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Starts the worker, reads the manifest and the saved state, loads the model and runs it. */
  start(base: string): () => void {
    performance.mark('atlas:explorer-mounted');
    this.client = explorerClient(base);
    this.client.onCrash = (message, hang) => void this.recover(message, hang);
    const onHash = () => void this.restoreFromUrl();
    window.addEventListener('hashchange', onHash);
    void (async () => {
      try {
        this.embedded = await fetchChoices(base);
        this.choices = this.embedded;
        await this.refreshCache();
      } catch (e) {
        this.slot.error = toErrorInfo(e);
      }
      const fallbackModel = this.embedded.some((c) => c.key === DEFAULT_MODEL) ? DEFAULT_MODEL : (this.embedded[0]?.key ?? DEFAULT_MODEL);
      const saved = loadLocal(defaultState(fallbackModel));
      this.fromLink = location.hash.length > 1;
      this.savedSelection = this.fromLink || hasLocal();
      this.state = location.hash.length > 1 ? await this.readLink(saved) : saved;
      // A shared link may name a Hub model this browser has not downloaded: it downloads on request only.
      const key = this.state.model;
      if (!refForKey(key, this.choices) || (key.startsWith('hub:') && !this.choices.some((c) => c.key === key))) {
        if (key.startsWith('hub:')) this.notice = `This link shows ${key.slice(4)} from the Hugging Face Hub. Download it below to see the picture; until then, ${fallbackModel} is shown.`;
        this.state.model = fallbackModel;
      }
      await this.loadModel();
    })();
    return () => {
      clearTimeout(this.timer);
      window.removeEventListener('hashchange', onHash);
      this.client?.dispose();
    };
  }

  /** Which files the running model came from, when it is a user's own (names and sizes, and their fingerprint). */
  get localSource(): string | null {
    const key = this.slot.model?.key;
    if (!key?.startsWith('files:')) return null;
    const choice = this.choices.find((c) => c.key === this.state.model);
    return `${choice?.description ?? ''} · fingerprint ${key.slice(key.lastIndexOf('#') + 1)}`;
  }

  /**
   * After the worker was restarted: load the model again. If the watchdog stopped it
   * (a user's tokenizer that hangs on this text), go back to the model shown before the
   * files instead of running them into the same hang, and keep the error on screen.
   */
  private async recover(message: string, hang?: AtlasError): Promise<void> {
    if (!hang) {
      this.notice = message;
      return this.loadModel();
    }
    const error = toErrorInfo(hang);
    if (this.state.model.startsWith('files:')) this.state.model = this.shareableModel;
    this.slot.trace = null;
    this.clearAblation();
    await this.loadModel();
    this.slot.error = error;
  }

  get trace() {
    return this.slot.trace;
  }

  /** A slot for work beside the explorer's own runs (the cost-of-length sweep): the same worker, its own lane; the caller sets its model. */
  sideSlot(lane: string): ModelSlot {
    return new ModelSlot(() => this.client, lane);
  }
  get model() {
    return this.slot.model;
  }
  get error() {
    return this.slot.error;
  }

  /**
   * The state a link asks for. What it holds that is refused (a text that unpacks past the
   * cap, a damaged text, numbers that are not numbers) is said in a notice and taken out
   * of the URL at once, so a reload does not meet it again.
   */
  private async readLink(fallback: ViewState): Promise<ViewState> {
    const { state, problems, drop } = await decodeStateChecked(location.hash, fallback);
    if (problems.length) {
      this.notice = problems.join(' ');
      history.replaceState(history.state, '', `${location.pathname}${location.search}#${withoutParams(location.hash, drop)}`);
    }
    return state;
  }

  private async restoreFromUrl(): Promise<void> {
    const next = await this.readLink(this.state);
    const modelChanged = next.model !== this.state.model;
    const textChanged = next.text !== this.state.text || next.target !== this.state.target;
    this.state = next;
    if (modelChanged) await this.loadModel();
    else if (textChanged) this.schedule(0);
  }

  /**
   * Writes the state to the URL (replacing, not pushing, history) and to localStorage.
   * A link cannot carry a user's files: while they run, the text and settings are saved
   * with the model shown before them, so a reload keeps what was typed.
   */
  async persist(): Promise<void> {
    const snapshot = $state.snapshot(this.state) as ViewState;
    if (snapshot.model.startsWith('files:')) snapshot.model = this.shareableModel;
    else this.shareableModel = snapshot.model;
    saveLocal(snapshot);
    const fragment = await encodeState(snapshot);
    if (location.hash.slice(1) !== fragment) history.replaceState(history.state, '', `#${fragment}`);
  }

  async selectModel(key: string): Promise<void> {
    if (key.startsWith('files:')) {
      // Dropped files live only in this tab; they are loaded again from memory.
      const choice = this.choices.find((c) => c.key === key);
      if (choice?.ref.kind === 'files') return this.loadFiles(choice.ref.name, choice.ref.files);
    }
    if (key === this.state.model && this.slot.model) return;
    this.state.model = key;
    this.slot.trace = null;
    this.clearAblation();
    await this.loadModel();
  }

  async loadModel(): Promise<void> {
    const ref = refForKey(this.state.model, this.choices);
    if (!ref) return;
    if (await this.slot.load(ref)) {
      void this.persist();
      await this.run();
    }
  }

  /** Re-reads which Hub models are downloaded and offers them in the model list. */
  async refreshCache(): Promise<void> {
    const cache = browserCache();
    this.cached = cache ? await listCachedModels(cache) : [];
    this.choices = [...this.embedded, ...this.cached.map(choiceForCached)];
  }

  async deleteCached(m: CachedModel): Promise<void> {
    const cache = browserCache();
    if (!cache) return;
    if (this.state.model === hubKey(m.id, m.revision)) await this.selectModel(this.embedded[0]?.key ?? DEFAULT_MODEL);
    await deleteCachedModel(cache, m.endpoint, m.id, m.revision);
    await this.refreshCache();
  }

  /** The size of a Hub model's download, before it starts. */
  lookUp(id: string, revision: string) {
    return hubDownloadSize(hubEndpoint(), id, revision);
  }

  /** Downloads a Hub model (with progress and Cancel), then shows it. */
  async downloadHub(id: string, revision: string, bytes: number): Promise<void> {
    this.abort?.abort();
    this.abort = new AbortController();
    this.download = { id, revision, bytes, started: performance.now() };
    const previous = this.state.model;
    this.state.model = hubKey(id, revision);
    this.slot.trace = null;
    this.clearAblation();
    const ok = await this.slot.load({ kind: 'hub', id, revision }, this.abort.signal);
    this.download = null;
    if (!ok) {
      // A cancelled or failed download: back to the model shown before (the error stays on screen).
      const error = this.slot.error;
      this.state.model = previous;
      await this.loadModel();
      if (error?.code !== 'cancelled') this.slot.error = error;
      return;
    }
    await this.refreshCache();
    void this.persist();
    await this.run();
  }

  /**
   * Loads model files the user dropped or picked (config.json, tokenizer.json,
   * model.safetensors, …). They stay in this tab: a link cannot carry them. If they are
   * broken, the error says why and the previous model stays.
   */
  async loadFiles(name: string, files: Record<string, Uint8Array>): Promise<void> {
    const previous = this.state.model;
    const key = `files:${name}`;
    const choice: ModelChoice = { key, label: `${name} (your files)`, ref: { kind: 'files', name, files }, description: describeFiles(files), bytes: 0 };
    const ok = await this.slot.load(choice.ref);
    if (!ok) {
      const error = this.slot.error;
      this.state.model = previous;
      await this.loadModel();
      this.slot.error = error;
      return;
    }
    this.choices = [...this.choices.filter((c) => c.key !== key), choice];
    this.state.model = key;
    void this.persist();
    await this.run();
  }

  cancelDownload(): void {
    this.abort?.abort();
  }

  setText(text: string): void {
    this.state.text = text;
    this.clearAblation();
    void this.persist();
    this.schedule();
  }

  setTarget(target: string): void {
    this.state.target = target;
    this.clearAblation();
    void this.persist();
    this.schedule();
  }

  schedule(delay = RUN_DEBOUNCE_MS): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delay);
  }

  /** One forward pass (T5: teacher forcing when a target is given, else greedy decoding). */
  async run(): Promise<void> {
    const model = this.slot.model;
    if (!model) return;
    const { text, target, truncate } = this.state;
    const seq2seq = familySpec(model.info.family).task === 'seq2seq';
    // Within a budget of multiply-adds (~1 s here): every position for the tiny models, the last ones for GPT-2-small.
    const logitLens = this.lens ? { budget: LENS_BUDGET } : false;
    const storage = storageParam();
    // Learned position vectors cost a few ms (a 256 × 256 cosine table at most); the runner ignores it for RoPE and T5.
    if (seq2seq && !target) await this.slot.run(text, { kind: 'generate', options: { steps: T5_MAX_STEPS, logitLens } });
    // fitTaps: a long text (GPT-2-small at 1,024 tokens) leaves out the scores rather than fail.
    else await this.slot.run(text, { kind: 'forward', options: { truncate, logitLens, positionEmbedding: true, fitTaps: true, ...(storage ? { pageStorage: storage } : {}) } }, seq2seq ? target : undefined);
  }

  clearAblation(): void {
    this.ablation = null;
    this.ablationError = null;
    this.showAblated = false;
  }

  /**
   * Runs the shown input twice more, with logits kept: as it is and with `ablation` (T5: teacher
   * forcing on the target shown, so both runs predict the same positions). In its own worker lane,
   * so it neither cancels nor is cancelled by the explorer's runs.
   */
  async ablate(ablation: Ablation): Promise<void> {
    const client = this.client;
    const model = this.slot.model;
    const trace = this.slot.trace;
    if (!client || !model || !trace) return;
    const seq2seq = familySpec(model.info.family).task === 'seq2seq';
    const target = seq2seq ? trace.target : undefined;
    const options = { truncate: this.state.truncate, keepLogits: true, pageStorage: 'lossless' as const };
    this.ablating = true;
    this.ablationError = null;
    try {
      const plain = await client.run(model.key, trace.text, { kind: 'forward', options }, target, undefined, 'ablation');
      const ablated = await client.run(model.key, trace.text, { kind: 'forward', options: { ...options, ablation: $state.snapshot(ablation) as Ablation } }, target, undefined, 'ablation');
      if (this.slot.trace?.text === trace.text) this.ablation = { plain, ablated };
    } catch (e) {
      const info = toErrorInfo(e);
      if (info.code !== 'cancelled') this.ablationError = info;
    } finally {
      this.ablating = false;
    }
  }

  /** From now on, cut texts to the model's length (the user chose it after a too-long error). */
  async truncateAndRun(): Promise<void> {
    this.state.truncate = true;
    void this.persist();
    await this.run();
  }

  /**
   * GPT-2: continue the text, greedily (the most likely token each time) or by sampling
   * from the `sampleTopK` most likely tokens; the new tokens join the text.
   */
  async generate(sampleTopK = 1): Promise<void> {
    const model = this.slot.model;
    if (!model || familySpec(model.info.family).task !== 'continue') return;
    this.generating = true;
    this.clearAblation();
    const seed = Math.floor(Math.random() * 2 ** 31);
    const trace = await this.slot.run(this.state.text, { kind: 'generate', options: { steps: GENERATE_STEPS, sampleTopK, seed, truncate: this.state.truncate, logitLens: this.lens ? { budget: LENS_BUDGET } : false, positionEmbedding: true } });
    this.generating = false;
    if (trace) {
      this.state.text = trace.text;
      void this.persist();
    }
  }
}
