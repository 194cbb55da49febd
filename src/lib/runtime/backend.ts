// Chooses the execution provider: WebGPU where the browser offers an adapter, WASM
// otherwise, and says why in words the app shows next to the picture.

import * as ort from 'onnxruntime-web';
import type { Backend } from '../trace/types';

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

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** Resolves which backend to try first and the reason, before any session exists. */
export async function chooseBackend(preference: BackendPreference): Promise<Backend> {
  const wasm = (reason: string): Backend => ({ name: 'wasm', threads: ort.env.wasm.numThreads as number, reason });
  if (preference === 'wasm') return wasm('WASM chosen in the settings.');
  const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined' && typeof self === 'undefined';
  if (isNode) return wasm('Running in Node.js, where onnxruntime-web has only WASM.');
  const gpu = (globalThis.navigator as Navigator & { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return wasm('This browser has no WebGPU, so the model runs on the CPU with WASM.');
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return wasm('WebGPU is present but offered no GPU adapter, so the model runs on the CPU with WASM.');
  } catch (e) {
    return wasm(`WebGPU failed to start (${e instanceof Error ? e.message : e}); running on the CPU with WASM.`);
  }
  return { name: 'webgpu', reason: 'WebGPU is available, so the model runs on the GPU.' };
}

export function sessionOptions(backend: Backend, externalData: { path: string; data: Uint8Array }[]): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [backend.name],
    externalData,
    graphOptimizationLevel: 'all',
  };
}

export { ort };
