// Markdown tables of bench/browser.ts results.

import type { BrowserResults } from './browser-types';
import { fmt, mb } from './stats';

const ms1 = (s: { median: number; min: number; max: number }) => fmt({ ...s, n: 0 }, 1);

export function browserMarkdown(r: BrowserResults): string {
  const out: string[] = [];
  out.push(
    '#### Navigation → first heatmap (explorer `/`, embedded default model, fresh profile each time)',
    '',
    `| loading path | backend used | first heatmap ms after navigation, median (min–max) of ${r.firstHeatmap[0]?.samples.length ?? 0} | repeat visit ms | DOMContentLoaded ms | ort .wasm downloaded ms | weights downloaded ms | first session.run ms | canvas has pixels |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const f of r.firstHeatmap)
    out.push(`| ${f.query === '?load=old' ? 'old loading path (load=old)' : f.query ? f.query.replace(/^\?/, '') : "today's path (auto)"} | ${f.backend} | ${fmt(f.summary)} | ${f.repeat ? fmt(f.repeat) : '–'} | ${f.domContentLoaded.toFixed(0)} | ${f.wasmFetched.toFixed(0)} | ${f.weightsFetched.toFixed(0)} | ${f.sessionRunMs.toFixed(0)} | ${f.pixelsDrawn ? 'yes' : 'NO'} |`);
  out.push('');

  out.push(
    '#### Runtime in the app\'s worker: WebGPU (SwiftShader, no GPU here) vs WASM, all taps (the explorer\'s default)',
    '',
    '| model | asked → used | params | tokens | load ms | first run ms | warm run ms, median (min–max) | of which session.run ms | trace MB | note |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const x of r.runtime) {
    const tokens = x.decoderTokens !== undefined ? `${x.tokens} + ${x.decoderTokens}` : String(x.tokens);
    const ok = Number.isFinite(x.wall.median);
    out.push(
      `| ${x.model} | ${x.preference} → ${x.backend}${x.threads ? `, ${x.threads} thread${x.threads > 1 ? 's' : ''}` : ''} | ${(x.parameters / 1e6).toFixed(x.parameters < 1e7 ? 2 : 0)} M | ${tokens} | ${x.loadMs.toFixed(0)} | ${Number.isFinite(x.firstRunMs) ? x.firstRunMs.toFixed(0) : '–'} | ${ok ? fmt(x.wall) : '–'} | ${ok ? x.session.median.toFixed(0) : '–'} | ${x.traceBytes ? mb(x.traceBytes) : '–'} | ${x.note ?? ''} |`,
    );
  }
  out.push('');

  out.push(
    '#### Views on GPT-2-small-shaped traces (12 layers × 12 heads, probs only, WASM), in the page',
    '',
    "Page memory: the page's JavaScript heap, ArrayBuffers (the trace's Float32Arrays) and DOM heap after a garbage collection (CDP Runtime.getHeapUsage); the worker, which holds the model, is not counted. Canvas pixels live in the GPU process and are not counted either.",
    '',
    `Redraws forced ${r.views[0]?.grid.n ?? 0} times through each view's own control (model grid: colour scale; heatmap: log scale; head view: layer); the renderer's own draw time (data-draw-ms). Hover: a head-view token hovered, until every linked view has updated (JS, Svelte effects, style and layout; paint not included).`,
    '',
    'Storage: `float32` is how the page kept every trace before issue 18 (dense Float32Arrays); `compact` is today\'s (src/lib/trace/compact.ts: the lower triangle of causal stacks, float32, and float16 only for traces whose matrices would exceed 80 MB even so). First draws: each view\'s own first draw (grid / heatmap / head view); then, on the page\'s clock from mounting TraceViews, when all three had drawn, when that screen was painted (two frames later), and when the views below it were mounted (the page is busy until then).',
    '',
    '| tokens | storage | trace MB | page MB before → with trace → with views | of which ArrayBuffers MB (with trace) | first draw ms: grid / heatmap / head; all three drawn; painted; views below mounted | model grid redraw ms | heatmap ms | head view ms | hover ms |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const v of r.views) {
    const f = v.firstDraws ?? {};
    const d = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(0));
    out.push(
      `| ${v.tokens} | ${v.storage ?? 'float32'}${v.packing && v.packing !== 'dense' ? ` (${v.packing})` : ''} | ${mb(v.traceBytes)} | ${mb(v.memBefore.total)} → ${mb(v.memWithTrace.total)} → ${mb(v.memWithViews.total)} | ${mb(v.memWithTrace.arrayBuffers)} | ${d(f.model)} / ${d(f.heatmap)} / ${d(f.head)}; ${v.firstDrawMs.toFixed(0)}; ${v.paintedMs?.toFixed(0) ?? '–'}; ${v.restMs?.toFixed(0) ?? '–'} | ${ms1(v.grid)} | ${ms1(v.heatmap)} | ${ms1(v.head)} | ${ms1(v.hover)} |`,
    );
  }
  for (const [label, h] of [['today\'s path', r.explorerHover], ['the old path (?load=old)', r.explorerHoverOld]] as const)
    if (h) out.push('', `Hover on the explorer, ${label} (embedded model, ${h.tokens} tokens, WASM), ${h.hover.n} hovers after the reloads: ${ms1(h.hover)} ms; per view: ${Object.entries(h.perView).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}.`);
  out.push('');
  return out.join('\n');
}
