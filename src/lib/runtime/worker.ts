// The inference worker: downloads model files, builds graphs, runs onnxruntime-web, and
// posts Traces back. The page never blocks on a model.

import { toErrorInfo, AtlasError } from '../errors';
import { browserCache, fetchModelFiles } from '../hub/sources';
import { chooseBackend, configureOrt, prewarm } from './backend';
import { loadModel } from './load';
import { checkVocabulary } from './vocab-check';
import { guardFetch } from './fetch-guard';
import { modelKey, traceBuffers, type WorkerRequest, type WorkerResponse, type WorkerSetup } from './protocol';
import type { ModelRunner } from './runner';
import type { Watch } from '../tokenize/patterns';
import { headMatrix, isPacked, type DenseTrace, type Trace } from '../trace/types';
import { unpackHead } from '../trace/packed';
import { compactWithExact, storageBudget, type TraceStorage } from '../trace/compact';
import { PartialSender } from './partial-traces';

const scope = self as unknown as { postMessage(m: WorkerResponse, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null };

let setup: WorkerSetup | undefined;
let warm: Promise<void> = Promise.resolve();
const models = new Map<string, Promise<ModelRunner>>();
const cancelled = new Set<number>();
/** Downloads in progress, by load request id, so that a cancel can abort them. */
const downloads = new Map<number, AbortController>();
/** Runs execute one at a time, in order; a newer run of a model supersedes its older ones. */
let queue: Promise<unknown> = Promise.resolve();
const latestRun = new Map<string, number>();

const post = (m: WorkerResponse, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
/** Tokenizing is synchronous: the page's watchdog hears when it starts and ends, and stops a worker that hangs. */
const watch: Watch = { begin: (phase) => post({ type: 'watch', id: 0, phase }), end: () => post({ type: 'watch', id: 0, phase: null }) };

/**
 * The lossless stacks of the last final run the page keeps as float16 (trace/exact.ts asks for
 * them on hover and export). One run only: the page shows one such trace at a time, and at
 * 1,024 tokens its lossless probs alone are 302 MB.
 */
let exactKept: { run: number; model: string; lane: string; trace: Trace } | null = null;

/** Partial traces sent so far, by run id. */
const partialsSent = new Map<number, PartialSender>();

function sendTrace(id: number, model: string, lane: string, trace: DenseTrace, final: boolean, storage: TraceStorage = 'compact'): void {
  // Partial traces of a generation share buffers with the next ones (T5's encoder taps, the last
  // decoder run), so they are copied; only the final trace hands its buffers over. After the
  // first partial, partials leave out the encoder side, which does not change.
  if (final) {
    partialsSent.delete(id);
    // The page keeps the matrices packed (trace/compact.ts); partials stay dense (they are small, and grow step by step).
    const { page: kept, lossless } = storage === 'float32' ? { page: trace, lossless: null } : compactWithExact(trace, storageBudget(storage));
    if (lossless) exactKept = { run: id, model, lane, trace: lossless };
    post({ type: 'trace', id, trace: kept, final }, traceBuffers(kept));
    return;
  }
  let sender = partialsSent.get(id);
  if (!sender) partialsSent.set(id, (sender = new PartialSender()));
  const p = sender.next(trace);
  post({ type: 'trace', id, trace: p.trace, final, reusesFirst: p.reusesFirst, ...(p.grown ? { grown: p.grown } : {}) });
}

async function release(key: string): Promise<void> {
  if (exactKept?.model === key) exactKept = null;
  const runner = models.get(key);
  models.delete(key);
  await (await runner?.catch(() => undefined))?.release();
}

async function handle(req: WorkerRequest): Promise<void> {
  switch (req.type) {
    case 'setup':
      setup = req.setup;
      // The page's CSP does not cover this worker: it keeps to the same origins in code.
      guardFetch(scope as unknown as { fetch: typeof fetch }, [self.location.origin, ...[setup.modelsBase, setup.ortBase, setup.hubEndpoint].filter((u): u is string => !!u).map((u) => new URL(u).origin)]);
      configureOrt({ wasmPaths: setup.ortBase, threads: setup.threads, build: setup.ortBuild });
      // Overlap onnxruntime's start with the model download. Sessions wait for it (onnxruntime
      // does not survive two sessions initialising it at once); a failure shows up later, where it matters.
      performance.mark('atlas:worker-setup');
      warm = chooseBackend(setup.preference)
        .then(prewarm)
        .then(() => void performance.mark('atlas:ort-ready'))
        .catch(() => undefined);
      post({ type: 'ready', id: req.id });
      return;
    case 'load': {
      if (!setup) throw new AtlasError('runtime-failed', 'The worker was not set up.');
      const key = modelKey(req.ref, req.quantize);
      let runner = models.get(key);
      if (!runner) {
        const s = setup;
        const abort = new AbortController();
        downloads.set(req.id, abort);
        runner = fetchModelFiles(req.ref, {
          modelsBase: s.modelsBase,
          hubEndpoint: s.hubEndpoint,
          cache: browserCache(),
          signal: abort.signal,
          onProgress: (progress) => post({ type: 'progress', id: req.id, progress }),
        }).then((files) => {
          performance.mark('atlas:model-files');
          return loadModel(files, { id: req.ref.kind === 'files' ? req.ref.name : req.ref.id, source: req.ref.kind === 'embedded' ? 'embedded' : req.ref.kind === 'hub' ? 'hub' : 'local', revision: req.ref.kind === 'hub' ? req.ref.revision : undefined }, s.preference, watch, req.quantize ? { quantize: req.quantize } : {});
        }).then((r) => {
          checkVocabulary(r.codec.tokenizer, r.info.vocabSize, r.info.id, r.config);
          return r;
        });
        models.set(key, runner);
        runner.catch(() => models.delete(key)).finally(() => downloads.delete(req.id));
        // One set of a user's files at a time: an older set's sessions would hold its weights for nothing.
        if (req.ref.kind === 'files') for (const old of [...models.keys()]) if (old !== key && old.startsWith('files:')) void release(old);
      }
      const r = await runner;
      post({ type: 'loaded', id: req.id, model: key, info: r.info, backend: r.backend });
      return;
    }
    case 'unload': {
      await release(req.model);
      post({ type: 'ready', id: req.id });
      return;
    }
    case 'exact': {
      const t = exactKept?.run === req.run ? exactKept.trace.attention[req.kind]?.[req.tap] : undefined;
      if (!t) return post({ type: 'exact', id: req.id, values: null });
      if (req.layer === undefined || req.head === undefined) return post({ type: 'exact', id: req.id, values: t }); // copied: later heads are read from it
      const values = isPacked(t) ? unpackHead(t, req.layer, req.head) : headMatrix(t, req.layer, req.head).slice();
      return post({ type: 'exact', id: req.id, values }, [values.buffer]);
    }
    case 'cancel':
      cancelled.add(req.target);
      downloads.get(req.target)?.abort();
      return;
    case 'run': {
      // A newer run supersedes older ones of the same model and lane.
      const lane = req.lane ? `${req.model}#${req.lane}` : req.model;
      latestRun.set(lane, req.id);
      const isCancelled = () => cancelled.has(req.id) || latestRun.get(lane) !== req.id;
      const run = async () => {
        // Superseded while waiting: skip it entirely.
        if (isCancelled()) throw new AtlasError('cancelled', 'The run was replaced by a newer one.');
        await warm;
        const runner = await models.get(req.model);
        performance.mark('atlas:run-start');
        if (!runner) throw new AtlasError('runtime-failed', 'That model is not loaded.', 'Choose the model again.');
        // The trace this run replaces in the page need not keep its exact values here any more:
        // at 1,024 tokens they are 302 MB, next to the 604 MB this run is about to produce.
        if (exactKept?.lane === lane) exactKept = null;
        let trace: DenseTrace;
        if (req.mode.kind === 'forward')
          trace = await runner.run(req.text, req.mode.options, req.target);
        else {
          const options = { ...req.mode.options, cancelled: isCancelled, onStep: (t: DenseTrace) => sendTrace(req.id, req.model, lane, t, false) };
          trace = await runner.generate(req.text, options);
        }
        performance.mark('atlas:run-end');
        sendTrace(req.id, req.model, lane, trace, true, req.mode.options.pageStorage);
      };
      const done = queue.then(run);
      queue = done.catch(() => undefined);
      await done;
      return;
    }
  }
}

scope.onmessage = (e) => {
  const req = e.data;
  handle(req)
    .catch((err) => post({ type: 'error', id: req.id, error: toErrorInfo(err) }))
    .finally(() => {
      if (req.type !== 'run') return;
      cancelled.delete(req.id);
      partialsSent.delete(req.id);
    });
};
