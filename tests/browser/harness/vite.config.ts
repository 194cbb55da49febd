// Builds the test-only runtime harness page into test-results/harness/ (never shipped).
import { defaultClientConditions, defineConfig } from 'vite';
import { resolve } from 'node:path';

export default defineConfig({
  root: resolve(import.meta.dirname),
  base: '/__harness/',
  logLevel: 'warn',
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  worker: { format: 'es', rolldownOptions: { output: { inlineDynamicImports: true } } },
  build: { outDir: resolve(import.meta.dirname, '../../../test-results/harness'), emptyOutDir: true },
});
