// The results bench/browser.ts measures, shared with the report writer.

import type { Summary } from './stats';
import type { PageMemory } from './bench-page';

export interface RuntimeRow {
  model: string;
  /** 'webgpu' (SwiftShader here: no GPU) or 'wasm'; `backend` is what actually ran. */
  preference: 'webgpu' | 'wasm';
  backend: string;
  /** WASM threads the worker was set up with. */
  threads?: number;
  parameters: number;
  tokens: number;
  decoderTokens?: number;
  /** Download, parse and graph validation in the worker, ms. */
  loadMs: number;
  /** The first run: session creation (and WebGPU shader compilation) included, ms. */
  firstRunMs: number;
  /** Page → worker → page round trip of a warm run, ms. */
  wall: Summary;
  /** Of which the worker's session.run, ms. */
  session: Summary;
  traceBytes: number;
  /** Set when the runs were cut short (too slow on this machine) or failed. */
  note?: string;
}

export interface ViewsRow {
  tokens: number;
  /** How the page stored the trace: all float32 (before issue 18) or compact (trace/compact.ts). */
  storage: 'float32' | 'compact';
  /** The packing the probs got ('dense' when none). */
  packing?: string;
  /** Worker session.run of the probs-only run that made the trace, ms. */
  runMs: number;
  traceBytes: number;
  /** The page's memory (V8 heap + ArrayBuffers + DOM, after a GC): before the run, holding the trace, with the views drawn. */
  memBefore: PageMemory;
  memWithTrace: PageMemory;
  memWithViews: PageMemory;
  /** Mounting TraceViews until the model grid, heatmap and head view have drawn, ms. */
  firstDrawMs: number;
  /** Each view's own first draw (data-draw-ms), ms. */
  firstDraws?: Record<string, number>;
  /** From mounting the views: the first screen painted (two frames after its three views drew), and the views below it mounted (the page is busy until then). */
  paintedMs?: number;
  restMs?: number;
  /** Float16 traces: ms from the three first draws until the heatmap's head holds its exact values (trace/exact.ts). */
  exactMs?: number;
  grid: Summary;
  heatmap: Summary;
  head: Summary;
  hover: Summary;
  hoverPerView: Record<string, number>;
}

export interface FirstHeatmapRow {
  /** '' (the app's default: WebGPU where offered) or 'wasm' (?backend=wasm). */
  query: string;
  backend: string;
  /** performance.mark('atlas:first-heatmap').startTime: ms since navigation start. */
  samples: number[];
  summary: Summary;
  /** DOMContentLoaded, ms since navigation start (median). */
  domContentLoaded: number;
  /** Medians, ms since navigation start: the worker finished downloading onnxruntime's .wasm, and the model's weights. */
  wasmFetched: number;
  weightsFetched: number;
  /** session.run of the first trace (the status line), ms. */
  sessionRunMs: number;
  /** The first heatmap canvas had coloured pixels when checked (a cross-check of the mark). */
  pixelsDrawn: boolean;
  /**
   * Medians, ms since navigation start, of the app's own performance marks (worker marks moved
   * onto the page's clock): worker created, onnxruntime started (.wasm compiled, threads up,
   * a one-node session run), the trace's run started and ended in the worker, the trace received.
   */
  marks?: Record<string, number>;
  /** The same page opened again in the same browser profile (HTTP cache and compiled code warm). */
  repeat?: Summary;
  /** Those repeat visits in order, ms. */
  repeatSamples?: number[];
  /** When each reloaded page created its worker (ms after navigation). */
  repeatWorkerCreated?: number[];
}

export interface BrowserResults {
  started: string;
  chromium: string;
  webgpuAdapter: string;
  runtime: RuntimeRow[];
  views: ViewsRow[];
  firstHeatmap: FirstHeatmapRow[];
  /** Hover on the explorer with the embedded model (tokens), besides the big traces. */
  explorerHover?: { tokens: number; hover: Summary; perView: Record<string, number>; samples?: number[] };
  /** The same on the old loading path's tab (?load=old). */
  explorerHoverOld?: { tokens: number; hover: Summary; perView: Record<string, number>; samples?: number[] };
  wallSeconds: number;
  load: [number[], number[]];
}
