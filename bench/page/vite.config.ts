// Builds the benchmark page into test-results/bench-page/ (never shipped). Like the test
// harness (tests/browser/harness), plus Svelte, so the page can mount the app's TraceViews.
import { defaultClientConditions, defineConfig } from 'vite';
import { svelte, vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export default defineConfig({
  root: resolve(import.meta.dirname),
  base: '/__bench/',
  logLevel: 'warn',
  plugins: [svelte({ configFile: false, preprocess: vitePreprocess() })],
  resolve: {
    alias: { $lib: resolve(root, 'src/lib') },
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  worker: { format: 'es' },
  build: { outDir: resolve(root, 'test-results/bench-page'), emptyOutDir: true, rolldownOptions: { checks: { pluginTimings: false } } },
});
