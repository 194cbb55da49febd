// The page's handle on the inference worker: promises for loads and runs, progress and
// partial-trace callbacks, and a restart (with a message) if the worker crashes.

import type { Quantization } from '../graph/quantize';
import { AtlasError, type ErrorInfo } from '../errors';
import type { ModelRef, Progress } from '../hub/sources';
import type { Backend, DenseTrace, ModelInfo, Trace } from '../trace/types';
import { partialReceived } from './partial-traces';
import { attachExact, hasFloat16 } from '../trace/exact';
import type { Matrices } from '../trace/types';
import type { RunMode, WorkerRequest, WorkerResponse, WorkerSetup } from './protocol';
import { Watchdog } from './watchdog';

interface Pending {
  resolve(value: unknown): void;
  reject(error: AtlasError): void;
  onProgress?: (p: Progress) => void;
  onPartial?: (t: Trace) => void;
  /** The run's first partial trace, whose encoder side later partials reuse. */
  firstPartial?: DenseTrace;
  /** The previous partial trace, whole: the next one sends only what grew since it. */
  lastPartial?: DenseTrace;
}

export interface LoadedModel {
  key: string;
  info: ModelInfo;
  backend: Backend;
}

const fromInfo = (e: ErrorInfo) => new AtlasError(e.code === 'internal' ? 'runtime-failed' : e.code, e.message, e.hint);

export class InferenceClient {
  private worker!: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private ready!: Promise<unknown>;
  /**
   * Called when the worker died and was restarted (models must be loaded again); `hang` is
   * the watchdog's error when the worker was stopped because it hung (the model at fault
   * should not be run again on its own).
   */
  onCrash?: (message: string, hang?: AtlasError) => void;
  private readonly watchdog = new Watchdog((error) => this.hung(error));

  constructor(
    private readonly createWorker: () => Worker,
    private readonly setup: WorkerSetup,
  ) {
    this.start();
  }

  private start(): void {
    performance.mark('atlas:worker-created');
    this.worker = this.createWorker();
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      this.crashed(e.message || 'the inference worker stopped');
    };
    this.ready = this.send({ type: 'setup', id: 0, setup: this.setup });
  }

  private crashed(reason: string): void {
    const message = `The model worker crashed (${reason}) and was restarted. Your text and settings are kept; run again.`;
    this.restart(new AtlasError('runtime-failed', message, 'If this repeats, try a shorter text or a smaller model.'));
    this.onCrash?.(message);
  }

  /** The watchdog stopped a worker stuck in synchronous work. */
  private hung(error: AtlasError): void {
    this.restart(error);
    this.onCrash?.(error.message, error);
  }

  private restart(error: AtlasError): void {
    this.watchdog.stop();
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.worker.terminate();
    this.start();
  }

  private receive(m: WorkerResponse): void {
    if (m.type === 'watch') return this.watchdog.watch(m.phase);
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'progress':
        p.onProgress?.(m.progress);
        return;
      case 'trace':
        if (!m.final) {
          // Partial traces come dense (the worker packs only final ones: runtime/compact.ts).
          const full = partialReceived({ trace: m.trace as DenseTrace, reusesFirst: m.reusesFirst ?? false, grown: m.grown }, p.firstPartial, p.lastPartial);
          p.firstPartial ??= full;
          p.lastPartial = full;
          p.onPartial?.(full);
          return;
        }
        performance.mark('atlas:trace-received');
        this.pending.delete(m.id);
        if (hasFloat16(m.trace)) this.attachExact(m.id, m.trace);
        p.resolve(m.trace);
        return;
      case 'exact':
        this.pending.delete(m.id);
        p.resolve(m.values);
        return;
      case 'error':
        this.pending.delete(m.id);
        p.reject(fromInfo(m.error));
        return;
      case 'loaded':
        this.pending.delete(m.id);
        p.resolve({ key: m.model, info: m.info, backend: m.backend } satisfies LoadedModel);
        return;
      case 'ready':
        this.pending.delete(m.id);
        p.resolve(undefined);
        return;
    }
  }

  private send(request: WorkerRequest, extra: Partial<Pending> = {}): Promise<unknown> {
    const id = request.type === 'setup' ? 0 : request.id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...extra });
      this.worker.postMessage(request);
    });
  }

  /** A float16 trace's exact values stay in the worker (trace/exact.ts); a restarted worker has none (null). */
  private attachExact(run: number, trace: Trace): void {
    const ask = (request: Omit<Extract<WorkerRequest, { type: 'exact' }>, 'id' | 'type' | 'run'>) => this.send({ type: 'exact', id: this.nextId++, run, ...request });
    attachExact(trace, {
      head: async (kind, tap, layer, head) => (await ask({ kind, tap, layer, head })) as Float32Array | null,
      stack: async (kind, tap) => (await ask({ kind, tap })) as Matrices | null,
    });
  }

  /** Loads a model (downloading it if needed); aborting `signal` cancels the download. */
  async load(ref: ModelRef, onProgress?: (p: Progress) => void, signal?: AbortSignal, quantize?: Quantization): Promise<LoadedModel> {
    await this.ready;
    const id = this.nextId++;
    const cancel = () => this.worker.postMessage({ type: 'cancel', id: this.nextId++, target: id } satisfies WorkerRequest);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return (await this.send({ type: 'load', id, ref, ...(quantize ? { quantize } : {}) }, { onProgress })) as LoadedModel;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** `lane`: runs in another lane neither supersede nor are superseded by the explorer's own (e.g. an ablation comparison). */
  async run(model: string, text: string, mode: RunMode, target?: string, onPartial?: (t: Trace) => void, lane?: string): Promise<Trace> {
    await this.ready;
    return (await this.send({ type: 'run', id: this.nextId++, model, text, target, mode, ...(lane ? { lane } : {}) }, { onPartial })) as Trace;
  }

  async unload(model: string): Promise<void> {
    await this.ready;
    await this.send({ type: 'unload', id: this.nextId++, model });
  }

  /** For tests: makes the worker fail as a crash would. */
  simulateCrash(): void {
    this.crashed('simulated crash');
  }

  dispose(): void {
    this.watchdog.stop();
    this.worker.terminate();
    this.pending.clear();
  }
}
