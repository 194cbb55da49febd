import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { defaultClientConditions, type Plugin } from 'vite';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeManifest } from './tools/manifest.ts';
import { writeTiktokenTokenizer } from './tools/tiktoken-tokenizer.ts';
import { headersFile, siteHeaders } from './tools/headers.ts';

// onnxruntime-web loads its .mjs glue and .wasm binary at run time. Serving them as
// plain static files (rather than letting the bundler rewrite them) is what made the
// threaded build work (see DESIGN.md), so we copy them into static/ort/ before each
// dev server start and build. static/ort/ is git-ignored. The same step regenerates
// static/models/manifest.json from the model folders, after writing the generated
// tiktoken tokenizer folder.
// Two builds of onnxruntime-web: the WebGPU one (+ WASM) loads the JSEP variant, the WASM-only
// one (half the bytes) the plain variant; the worker imports one of them (runtime/backend.ts).
const ORT_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
function prepareStatic(): Plugin {
  return {
    name: 'prepare-static',
    buildStart() {
      const from = resolve('node_modules/onnxruntime-web/dist');
      const to = resolve('static/ort');
      rmSync(to, { recursive: true, force: true });
      mkdirSync(to, { recursive: true });
      for (const f of ORT_FILES) {
        const src = resolve(from, f);
        const dst = resolve(to, f);
        copyFileSync(src, dst);
      }
      // tiktoken's cl100k_base as a tokenizer.json, from the ranks js-tiktoken ships (git-ignored).
      writeTiktokenTokenizer('static/models');
      writeManifest('static/models');
      writeFileSync('static/_headers', headersFile());
    },
  };
}

export default defineConfig({
  // Cross-origin isolation (COOP/COEP) lets onnxruntime-web use WASM threads; see tools/headers.ts.
  plugins: [siteHeaders(), prepareStatic(), sveltekit()],
  // Load onnxruntime's .mjs/.wasm from static/ort/ at run time instead of bundling a
  // 28 MB copy of the wasm into the app's assets.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  // One file per worker: the families' runtimes are dynamic imports (kept out of the pages'
  // bundles), and a worker's own chunks are not in the service worker's file list, so
  // offline they would fail to load.
  worker: { format: 'es', rolldownOptions: { output: { inlineDynamicImports: true } } },
  // The plugin-timing report is noise in test logs.
  build: { rolldownOptions: { checks: { pluginTimings: false } } },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/browser/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // One Chromium at a time: the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
