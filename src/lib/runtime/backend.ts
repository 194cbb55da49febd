// Chooses the execution provider: WebGPU where the browser offers an adapter, WASM
// otherwise, and says why in words the app shows next to the picture.

import * as ort from 'onnxruntime-web';
import type { Backend, BackendWhy } from '../trace/types';
import { DataType, encodeModel } from '../graph/onnx-proto';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface OrtSetup {
  /** URL of the folder holding ort-wasm-*.{mjs,wasm} (browser only). */
  wasmPaths?: string;
  /** WASM threads; defaults to what the environment allows. */
  threads?: number;
}

let configured = false;

export function configureOrt(setup: OrtSetup): void {
  if (configured) return;
  configured = true;
  if (setup.wasmPaths) ort.env.wasm.wasmPaths = setup.wasmPaths;
  const isolated = typeof globalThis.crossOriginIsolated === 'boolean' ? globalThis.crossOriginIsolated : true;
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  // Threads need SharedArrayBuffer, which browsers give only to cross-origin isolated pages.
  ort.env.wasm.numThreads = setup.threads ?? (isolated ? Math.min(4, cores) : 1);
  ort.env.logLevel = 'error';
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
  const wasm = (reason: string, why: BackendWhy): Backend => ({ name: 'wasm', threads: ort.env.wasm.numThreads as number, reason, why });
  if (preference === 'wasm') return wasm('WASM chosen in the settings.', 'settings');
  const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined' && typeof self === 'undefined';
  if (isNode) return wasm('Running in Node.js, where onnxruntime-web has only WASM.', 'node');
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

export function sessionOptions(backend: Backend, externalData: { path: string; data: Uint8Array }[]): ort.InferenceSession.SessionOptions {
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

export { ort };
