import type { TraceStorage } from './trace/compact';

// `?load=old` brings back the loading path the app had before issue 18, all four parts of it,
// so that bench/browser.ts measures both paths in one run: onnxruntime's WebGPU build (28 MB
// .wasm) even for WASM, the service worker registered at start, every view mounted in the same
// frame as the heatmap, and the model worker started once the explorer has mounted (not as the
// app starts, src/hooks.client.ts). Nothing in the app links to it.
export function oldLoadPath(): boolean {
  return typeof location !== 'undefined' && new URLSearchParams(location.search).get('load') === 'old';
}

/**
 * `?storage=float16` (or lossless, float32) keeps the explorer's trace that way whatever its
 * size (trace/compact.ts), so that a browser test checks the float16 path and its exact values
 * (trace/exact.ts) on a small model. The app itself keeps traces `compact`.
 */
export function storageParam(): TraceStorage | undefined {
  if (typeof location === 'undefined') return undefined;
  const s = new URLSearchParams(location.search).get('storage');
  return s === 'float16' || s === 'float32' || s === 'lossless' ? s : undefined;
}
