// Chooses the execution provider: WebGPU where the browser offers an adapter, WASM
// otherwise, and says why in words the app shows next to the picture.

import type * as Ort from 'onnxruntime-web';
import type { Backend, BackendWhy } from '../trace/types';
import { DataType, encodeModel } from '../graph/onnx-proto';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

/**
 * Which onnxruntime-web build the browser loads: `auto` takes the WASM-only build (its .wasm is
 * 14 MB) when the model will run on WASM and the WebGPU build (28 MB, WASM included) only when
 * WebGPU will be used; `full` always takes the WebGPU build, as the app did before (kept so the
 * bench can measure both in one run: `?load=old`, lib/load-path.ts). Node has one build and ignores this.
 */
export type OrtBuild = 'auto' | 'full';

export interface OrtSetup {
  /** URL of the folder holding ort-wasm-*.{mjs,wasm} (browser only). */
  wasmPaths?: string;
  /** WASM threads; defaults to what the environment allows. */
  threads?: number;
  build?: OrtBuild;
}

let setup: OrtSetup = {};
let configured = false;
/** The onnxruntime-web module in use, set by loadOrt (a live binding: importers see it once loaded). */
export let ort: typeof Ort;
let loading: Promise<typeof Ort> | undefined;

/** Settings for the onnxruntime that loadOrt will load; the first call wins. */
export function configureOrt(s: OrtSetup): void {
  if (configured) return;
  configured = true;
  setup = s;
}

const isNode = () => typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined' && typeof self === 'undefined';

/** The threads WASM will use: more than one only where SharedArrayBuffer exists. */
function wasmThreads(): number {
  const isolated = typeof globalThis.crossOriginIsolated === 'boolean' ? globalThis.crossOriginIsolated : true;
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  // Threads need SharedArrayBuffer, which browsers give only to cross-origin isolated pages.
  return setup.threads ?? (isolated ? Math.min(4, cores) : 1);
}

/**
 * Imports the onnxruntime-web build the backend needs, once per worker (one build per thread:
 * a session created later on another backend reuses the first, which carries WASM either way).
 */
export function loadOrt(backend: Backend['name']): Promise<typeof Ort> {
  loading ??= (async () => {
    const wasmOnly = backend === 'wasm' && setup.build !== 'full' && !isNode();
    const m: typeof Ort = wasmOnly ? await import('onnxruntime-web/wasm') : await import('onnxruntime-web');
    ortBuild = wasmOnly ? 'wasm-only' : isNode() ? 'node' : 'full';
    if (setup.wasmPaths) m.env.wasm.wasmPaths = setup.wasmPaths;
    m.env.wasm.numThreads = wasmThreads();
    m.env.logLevel = 'error';
    ort = m;
    return m;
  })();
  return loading;
}

/** The build loadOrt took: `wasm-only`, `full` (WebGPU + WASM) or `node`. */
export let ortBuild: 'wasm-only' | 'full' | 'node' | undefined;

/**
 * The backend a model gets once onnxruntime is loaded: WebGPU asked of a worker that already
 * loaded the WASM-only build (its first model ran on WASM) runs on WASM, and says so.
 */
export async function backendFor(preference: BackendPreference): Promise<Backend> {
  const chosen = await chooseBackend(preference);
  await loadOrt(chosen.name);
  if (chosen.name === 'webgpu' && ortBuild === 'wasm-only')
    return { name: 'wasm', threads: wasmThreads(), reason: 'This tab started onnxruntime without WebGPU (its first model ran on WASM); reload the page to use WebGPU.', why: 'webgpu-failed' };
  return chosen;
}

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; description?: string; vendor?: string };
}

interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

/** Resolves which backend to try first and the reason, before any session exists. */
export async function chooseBackend(preference: BackendPreference): Promise<Backend> {
  const wasm = (reason: string, why: BackendWhy): Backend => ({ name: 'wasm', threads: wasmThreads(), reason, why });
  if (preference === 'wasm') return wasm('WASM chosen in the settings.', 'settings');
  if (isNode()) return wasm('Running in Node.js, where onnxruntime-web has only WASM.', 'node');
  const gpu = (globalThis.navigator as Navigator & { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return wasm('This browser has no WebGPU, so the model runs on the CPU with WASM.', 'no-webgpu');
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return wasm('WebGPU is present but offered no GPU adapter, so the model runs on the CPU with WASM.', 'no-adapter');
    // A fallback adapter is WebGPU emulated on the CPU (e.g. SwiftShader): measured 5–15×
    // slower than WASM here (docs/BENCHMARKS.md), so "auto" takes WASM; ?backend=webgpu still forces it.
    if (preference === 'auto' && (adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter))
      return wasm('WebGPU here is only a software fallback (no GPU), which is slower than WASM, so the model runs on the CPU with WASM.', 'fallback-adapter');
  } catch (e) {
    return wasm(`WebGPU failed to start (${e instanceof Error ? e.message : e}); running on the CPU with WASM.`, 'webgpu-failed');
  }
  return { name: 'webgpu', reason: 'WebGPU is available, so the model runs on the GPU.', why: 'webgpu' };
}

export function sessionOptions(backend: Backend, externalData: { path: string; data: Uint8Array }[]): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [backend.name],
    externalData,
    graphOptimizationLevel: 'all',
  };
}

/**
 * Starts onnxruntime before any model is ready: fetching and compiling its .wasm, starting
 * its threads (and, on WebGPU, the device) take seconds that can overlap the model's own
 * download. A one-node graph is enough to do all of it.
 */
export async function prewarm(backend: Backend): Promise<void> {
  const ort = await loadOrt(backend.name);
  const model = encodeModel({
    irVersion: 8,
    producerName: 'attention-atlas-prewarm',
    opsets: [{ domain: '', version: 17 }],
    graph: {
      name: 'prewarm',
      nodes: [{ name: 'id', opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
      initializers: [],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [1] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: [1] }],
    },
  });
  const session = await ort.InferenceSession.create(model, { executionProviders: [backend.name] });
  await session.run({ x: new ort.Tensor('float32', new Float32Array([0]), [1]) });
  await session.release();
}

