// One model on a page: its loading progress, its latest trace, its error. The explorer
// has one slot, the Compare page two. A newer load or run supersedes older ones, so a
// slow answer never overwrites a newer picture.

import type { InferenceClient, LoadedModel } from '$lib/runtime/client';
import type { ModelRef, Progress } from '$lib/hub/sources';
import type { RunMode } from '$lib/runtime/protocol';
import { toErrorInfo, type ErrorInfo } from '$lib/errors';
import type { Trace } from '$lib/trace/types';
import type { Quantization } from '$lib/graph/quantize';

export class ModelSlot {
  model = $state.raw<LoadedModel | null>(null);
  trace = $state.raw<Trace | null>(null);
  progress = $state<Progress | null>(null);
  error = $state<ErrorInfo | null>(null);
  running = $state(false);

  private loadToken = 0;
  private runToken = 0;

  /** `lane`: slots running the same model in different lanes do not supersede each other (minimal pairs). */
  constructor(
    private readonly client: () => InferenceClient | undefined,
    private readonly lane?: string,
  ) {}

  async load(ref: ModelRef, signal?: AbortSignal, quantize?: Quantization): Promise<boolean> {
    const client = this.client();
    if (!client) return false;
    const token = ++this.loadToken;
    this.error = null;
    this.model = null;
    this.progress = { file: '', loaded: 0, total: 0 };
    try {
      const loaded = await client.load(ref, (p) => token === this.loadToken && (this.progress = p), signal, quantize);
      if (token !== this.loadToken) return false;
      this.model = loaded;
      return true;
    } catch (e) {
      if (token === this.loadToken) this.error = toErrorInfo(e);
      return false;
    } finally {
      if (token === this.loadToken) this.progress = null;
    }
  }

  /** Runs the loaded model; partial traces (T5 generation) are shown as they come. Returns the final trace. */
  async run(text: string, mode: RunMode, target?: string): Promise<Trace | null> {
    const client = this.client();
    const model = this.model;
    if (!client || !model) return null;
    const token = ++this.runToken;
    if (text.trim() === '') {
      this.error = { code: 'bad-input', message: 'There is no text to run.', hint: 'Type a sentence into the text box.' };
      return null;
    }
    this.running = true;
    try {
      const trace = await client.run(model.key, text, mode, target, (t) => token === this.runToken && (this.trace = t), this.lane);
      if (token !== this.runToken) return null;
      this.trace = trace;
      this.error = null;
      return trace;
    } catch (e) {
      const info = toErrorInfo(e);
      if (token === this.runToken && info.code !== 'cancelled') this.error = info;
      return null;
    } finally {
      if (token === this.runToken) this.running = false;
    }
  }

  /** Forgets the current run (a newer one will come). */
  supersede(): void {
    this.runToken++;
  }
}
