// Test-only page (never shipped): exposes the app's inference client so that browser
// tests can run checkpoints they made in Node through the real worker, on WebGPU or WASM,
// and compare the traces with the float64 reference.
import { InferenceClient } from '../../../src/lib/runtime/client';
import type { BackendPreference } from '../../../src/lib/runtime/backend';
import type { RunMode } from '../../../src/lib/runtime/protocol';
import { traceToJSON } from '../../../src/lib/trace/json';

export interface HarnessRun {
  files: Record<string, string>; // base64
  text: string;
  target?: string;
  mode: RunMode;
  preference: BackendPreference;
}

const clients = new Map<BackendPreference, InferenceClient>();
function client(preference: BackendPreference): InferenceClient {
  let c = clients.get(preference);
  if (!c) {
    c = new InferenceClient(() => new Worker(new URL('../../../src/lib/runtime/worker.ts', import.meta.url), { type: 'module' }), {
      ortBase: new URL('/ort/', location.href).href,
      modelsBase: new URL('/models/', location.href).href,
      preference,
    });
    clients.set(preference, c);
  }
  return c;
}

const decode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

async function run(r: HarnessRun): Promise<unknown> {
  const files = Object.fromEntries(Object.entries(r.files).map(([k, v]) => [k, decode(v)]));
  const c = client(r.preference);
  const name = `harness-${Math.random().toString(36).slice(2)}`;
  const loaded = await c.load({ kind: 'files', name, files });
  try {
    return traceToJSON(await c.run(loaded.key, r.text, r.mode, r.target));
  } finally {
    await c.unload(loaded.key);
  }
}

(window as unknown as { atlasHarness: unknown }).atlasHarness = { run };
document.body.dataset.ready = 'true';
