// `?load=old` brings back the loading path the app had before issue 18, all three parts of
// it, so that bench/browser.ts measures both paths in one run: onnxruntime's WebGPU build
// (28 MB .wasm) even for WASM, the service worker registered at start, and every view
// mounted in the same frame as the heatmap. Nothing in the app links to it.
export function oldLoadPath(): boolean {
  return typeof location !== 'undefined' && new URLSearchParams(location.search).get('load') === 'old';
}
