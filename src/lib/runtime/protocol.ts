// The typed messages between the page and the inference worker. Every request carries
// an id; every response names the request it answers.

import type { ErrorInfo } from '../errors';
import type { ModelRef, Progress } from '../hub/sources';
import type { Quantization } from '../graph/quantize';
import { fingerprintFiles } from '../hub/fingerprint';
import type { WatchPhase } from '../tokenize/patterns';
import type { AttentionKind, Backend, Matrices, MatrixTap, ModelInfo, Trace } from '../trace/types';
import type { GrownTaps } from './partial-traces';
import type { BackendPreference, OrtBuild } from './backend';
import type { GenerateOptions, RunOptions } from './runner';

export interface WorkerSetup {
  /** Absolute URL of the folder with onnxruntime-web's .mjs/.wasm files. */
  ortBase: string;
  /** Absolute URL of the app's models/ folder. */
  modelsBase: string;
  hubEndpoint?: string;
  preference: BackendPreference;
  threads?: number;
  /** Which onnxruntime build to load (backend.ts): `auto` unless the bench compares the old path. */
  ortBuild?: OrtBuild;
}

export type RunMode =
  /** One forward pass (GPT-2, BERT) or, for T5, teacher forcing when a target is given. */
  | { kind: 'forward'; options: RunOptions }
  /** GPT-2 continuation or T5 greedy decoding; partial traces stream back for T5. */
  | { kind: 'generate'; options: Omit<GenerateOptions, 'onStep' | 'cancelled'> };

export type WorkerRequest =
  | { type: 'setup'; id: number; setup: WorkerSetup }
  /** `quantize`: load a copy with its weights rounded to that precision (graph/quantize.ts), known by its own key. */
  | { type: 'load'; id: number; ref: ModelRef; quantize?: Quantization }
  | { type: 'run'; id: number; model: string; text: string; target?: string; mode: RunMode; lane?: string }
  | { type: 'cancel'; id: number; target: number }
  /** Exact values of a final run the page keeps as float16 (trace/exact.ts): one head, or the whole stack when layer is absent. */
  | { type: 'exact'; id: number; run: number; kind: AttentionKind; tap: MatrixTap; layer?: number; head?: number }
  | { type: 'unload'; id: number; model: string };

export type WorkerResponse =
  | { type: 'ready'; id: number }
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'loaded'; id: number; model: string; info: ModelInfo; backend: Backend }
  | { type: 'trace'; id: number; trace: Trace; final: boolean; reusesFirst?: boolean; grown?: GrownTaps }
  | { type: 'error'; id: number; error: ErrorInfo }
  /** A head's dense values, a lossless stack, or null when the worker no longer keeps that run. */
  | { type: 'exact'; id: number; values: Float32Array | Matrices | null }
  /** Synchronous work begins (phase) or ends (null): the page's watchdog stops the worker if it runs over. */
  | { type: 'watch'; id: 0; phase: WatchPhase | null };

/**
 * The key a loaded model is known by in the worker. A user's files are keyed by their
 * content: every drop is named alike, and a second set must never get the first model back.
 */
export function modelKey(ref: ModelRef, quantize?: Quantization): string {
  const q = quantize ? `~${quantize}` : '';
  if (ref.kind === 'embedded') return `embedded:${ref.id}${q}`;
  if (ref.kind === 'hub') return `hub:${ref.id}@${ref.revision}${q}`;
  return `files:${ref.name}#${fingerprintFiles(ref.files)}${q}`;
}

/** The typed-array buffers of a trace, to transfer rather than copy across threads. */
export function traceBuffers(trace: Trace): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (t?: { data: Float32Array } | { packed: Float32Array | Uint16Array }) => {
    const array = t && ('packed' in t ? t.packed : t.data);
    if (array && array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  };
  for (const taps of Object.values(trace.attention)) for (const t of Object.values(taps ?? {})) add(t);
  add(trace.hidden);
  return [...buffers];
}
