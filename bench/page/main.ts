// Benchmark page (never shipped): loads models through the app's inference client and
// worker (embedded, or from a URL folder served beside the app), times runs, keeps the
// last trace, and mounts the app's TraceViews on it so bench/browser.ts can time the
// views on real traces. Served by tests/browser/static-server.ts at /__bench/.
import '../../src/app.css';
import { mount, unmount } from 'svelte';
import { InferenceClient } from '$lib/runtime/client';
import type { BackendPreference } from '$lib/runtime/backend';
import type { RunMode } from '$lib/runtime/protocol';
import { isPacked, traceBytes, type Trace } from '$lib/trace/types';
import TraceViews from '$lib/components/views/TraceViews.svelte';

export interface BenchLoad {
  preference: BackendPreference;
  /** Folder URL the model's folder lies in (default: the app's /models/). */
  modelsBase?: string;
  id: string;
  /** WASM threads (default: the app's choice, min(4, cores) when cross-origin isolated). */
  threads?: number;
}

export interface BenchRun {
  key: string;
  text: string;
  target?: string;
  mode: RunMode;
}

export interface BenchRunResult {
  /** Page → worker → page round trip, ms. */
  ms: number;
  /** The worker's session.run and session-creation time (trace.timings), ms. */
  runMs: number;
  buildMs: number;
  tokens: number;
  decoderTokens?: number;
  /** Bytes of the trace's typed arrays. */
  bytes: number;
  /** How the probs were stored in the page ('dense', or a packing of trace/packed.ts). */
  packing: string;
  backend: string;
  backendReason: string;
}

const clients = new Map<string, InferenceClient>();
function client(preference: BackendPreference, modelsBase: string, threads: number | undefined): InferenceClient {
  const key = `${preference} ${modelsBase} ${threads}`;
  let c = clients.get(key);
  if (!c) {
    c = new InferenceClient(() => new Worker(new URL('../../src/lib/runtime/worker.ts', import.meta.url), { type: 'module' }), {
      ortBase: new URL('/ort/', location.href).href,
      modelsBase,
      preference,
      threads,
    });
    clients.set(key, c);
  }
  return c;
}

const loaded = new Map<string, InferenceClient>();
let held: Trace | null = null;
let views: Record<string, unknown> | null = null;

async function load(l: BenchLoad): Promise<{ key: string; ms: number; backend: string; threads?: number; parameters: number }> {
  const c = client(l.preference, new URL(l.modelsBase ?? '/models/', location.href).href, l.threads);
  const t0 = performance.now();
  const m = await c.load({ kind: 'embedded', id: l.id });
  const key = `${l.preference}:${m.key}`;
  loaded.set(key, c);
  return { key, ms: performance.now() - t0, backend: m.backend.name, threads: m.backend.threads, parameters: m.info.parameters };
}


function packingOf(t: Trace): string {
  const p = Object.values(t.attention)[0]?.probs;
  return p && isPacked(p) ? p.packing : 'dense';
}

async function run(r: BenchRun): Promise<BenchRunResult> {
  const c = loaded.get(r.key)!;
  const model = r.key.slice(r.key.indexOf(':') + 1);
  held = null; // the previous trace may be collected while this one runs
  const t0 = performance.now();
  const trace = await c.run(model, r.text, r.mode, r.target);
  const ms = performance.now() - t0;
  held = trace;
  return {
    ms,
    runMs: trace.timings?.runMs ?? NaN,
    buildMs: trace.timings?.buildMs ?? NaN,
    tokens: trace.tokens.length,
    decoderTokens: trace.decoderTokens?.length,
    bytes: traceBytes(trace),
    packing: packingOf(trace),
    backend: trace.backend.name,
    backendReason: trace.backend.reason,
  };
}

/** Mounts the app's views on the held trace (replacing any shown before). */
function show(): void {
  hide();
  if (!held) throw new Error('no trace held');
  views = mount(TraceViews, { target: document.getElementById('views')!, props: { trace: held } });
}

function hide(): void {
  if (views) unmount(views);
  views = null;
}

function drop(): void {
  hide();
  held = null;
}

async function unloadModel(key: string): Promise<void> {
  await loaded.get(key)?.unload(key.slice(key.indexOf(':') + 1));
  loaded.delete(key);
}

(window as unknown as { atlasBench: unknown }).atlasBench = { load, run, show, hide, drop, unload: unloadModel };
document.body.dataset.ready = 'true';
