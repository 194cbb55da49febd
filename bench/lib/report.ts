// Writes docs/BENCHMARKS.md from the JSON results of bench/forward.ts and bench/browser.ts:
// the machine, how to rerun, each target with its numbers, then every table.

import { analysisMarkdown, type AnalysisResults } from './analysis-report';
import { generationMarkdown, type GenerationResults } from './generation-report';
import { quantizationMarkdown, type QuantizationResults } from './quantization-report';
import type { BrowserResults } from './browser-types';
import type { ForwardResults } from './forward-types';
import { find, forwardMarkdown, forwardTargets, peakSentence } from './forward-report';
import { browserMarkdown } from './browser-report';
import { loadText, type Machine } from './machine';
import { mb, median } from './stats';

export interface RunInfo {
  machine: Machine;
  date: string;
  loadStart: number[];
  loadEnd: number[];
  wallSeconds: number;
  command: string;
}

/** Targets of issues 7 and 18; each limit sits next to the number it judges. */
export const TARGETS = {
  probsOverLogits: 1.1,
  firstHeatmapMs: 1200,
  /** The first heatmap at most this share of the old loading path's, in the same run. */
  firstHeatmapVsOld: 0.5,
  /** Each reload of one tab within this factor of the first reload. */
  reloadFactor: 1.5,
  gridAt128Ms: 100,
  heatmapAt512Ms: 50,
  hoverMs: 16,
  traceAt512Bytes: 80e6,
  traceAt1024Bytes: 160e6,
  gridFirstAt1024Ms: 300,
  gridRedrawAt1024Ms: 100,
  heatmapAt1024Ms: 50,
  /** No explorer hover over this. */
  hoverOutlierMs: 50,
} as const;

const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? '**met**' : '**not met**');
const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
const ms0 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(0));
const range = (s: { median: number; min: number; max: number; n: number }) => `median ${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)}), n = ${s.n}`;

function targetsSection(f: ForwardResults | null, b: BrowserResults | null): string[] {
  const out = ['## Targets', '', '| target | verdict | measured |', '|---|---|---|'];
  if (f) {
    const t = forwardTargets(f);
    const ok = t.probsRatio.length ? t.probsRatio.every((p) => p.ratio <= TARGETS.probsOverLogits) : undefined;
    out.push(
      `| all \`probs\` taps ≤ ${TARGETS.probsOverLogits}× logits-only at 128 tokens (GPT-2-small, Node WASM) | ${verdict(ok)} | ${t.probsRatio.map((p) => `numThreads ${p.threads}: ${p.ratio.toFixed(3)}× (${p.probsMs.toFixed(0)} vs ${p.logitsMs.toFixed(0)} ms)`).join('; ')} |`,
    );
    const gpt = t.lastVsAll.filter((x) => x.family === 'gpt2');
    out.push(
      `| logits only where needed (GPT-2: last position vs all) | saving measured | ${gpt.filter((x) => x.threads === 1).map((x) => `${x.tokens} tok: ${pct(x.saving)} of wall time (${x.lastMs.toFixed(0)} vs ${x.allMs.toFixed(0)} ms; ${pct(x.flopSaving)} of FLOPs)`).join('; ')} |`,
    );
    const peak = peakSentence(f);
    if (peak) out.push(`| the forward pass's GFLOP/s next to this CPU's 128-bit WASM SIMD peak | stated | ${peak} |`);
  }
  if (b) {
    const now = b.firstHeatmap.find((x) => x.query === '');
    const old = b.firstHeatmap.find((x) => x.query === '?load=old');
    if (now) {
      const ratio = old ? now.summary.median / old.summary.median : NaN;
      out.push(
        `| first heatmap ≤ ${TARGETS.firstHeatmapMs / 1000} s after navigation, first visit (fresh profile), embedded default model, app default (${now.backend}) | ${verdict(now.summary.median <= TARGETS.firstHeatmapMs)} | ${range(now.summary)} |`,
        `| the same, at most ${TARGETS.firstHeatmapVsOld}× the old loading path in the same run (\`?load=old\`: WebGPU build of onnxruntime, service worker at start, every view at once) | ${verdict(old ? ratio <= TARGETS.firstHeatmapVsOld : undefined)} | ${old ? `${ratio.toFixed(2)}× (old path: ${range(old.summary)})` : '–'} |`,
      );
      for (const fh of [now, old]) {
        const r = fh?.repeatSamples;
        if (!fh || !r?.length) continue;
        const worst = Math.max(...r) / r[0];
        out.push(
          `| ${r.length} reloads in a row in one tab, each within ${TARGETS.reloadFactor}× of the first reload${fh === old ? ' — old loading path, for comparison' : ''} | ${fh === old ? (worst <= TARGETS.reloadFactor ? 'met there too' : 'not met there (the cause, below)') : verdict(worst <= TARGETS.reloadFactor)} | ${r.map((x) => x.toFixed(0)).join(', ')} ms (worst ${worst.toFixed(2)}× the first) |`,
        );
      }
    }
    const view = (n: number, storage: 'compact' | 'float32') => b.views.find((v) => v.tokens === n && (v.storage ?? 'float32') === storage);
    const v128 = view(128, 'compact');
    const v512 = view(512, 'compact');
    const v512f = view(512, 'float32');
    const v1024 = view(1024, 'compact');
    out.push(`| model grid 12×12 heads at 128 tokens ≤ ${TARGETS.gridAt128Ms} ms | ${verdict(v128 && v128.grid.median <= TARGETS.gridAt128Ms)} | ${v128 ? `median ${v128.grid.median.toFixed(1)} ms (max ${v128.grid.max.toFixed(1)})` : '–'} |`);
    out.push(`| heatmap at 512 tokens ≤ ${TARGETS.heatmapAt512Ms} ms | ${verdict(v512 && v512.heatmap.median <= TARGETS.heatmapAt512Ms)} | ${v512 ? `median ${v512.heatmap.median.toFixed(1)} ms (max ${v512.heatmap.max.toFixed(1)})` : '–'} |`);
    const hovers = b.views.filter((v) => (v.storage ?? 'float32') === 'compact').map((v) => ({ at: `${v.tokens} tok`, s: v.hover }));
    if (b.explorerHover) hovers.push({ at: `explorer, ${b.explorerHover.tokens} tok`, s: b.explorerHover.hover });
    out.push(
      `| hover ≤ ${TARGETS.hoverMs} ms (median) | ${verdict(hovers.length ? hovers.every((h) => h.s.median <= TARGETS.hoverMs) : undefined)} | medians: ${hovers.map((h) => `${h.at} ${h.s.median.toFixed(1)} ms (max ${h.s.max.toFixed(1)})`).join('; ')} |`,
    );
    const eh = b.explorerHover;
    if (eh) {
      const over = (eh.samples ?? []).filter((x) => x > TARGETS.hoverOutlierMs);
      out.push(`| ${eh.hover.n} hovers in the explorer, none over ${TARGETS.hoverOutlierMs} ms | ${verdict(eh.samples ? over.length === 0 : undefined)} | max ${eh.hover.max.toFixed(1)} ms, median ${eh.hover.median.toFixed(1)} ms${over.length ? `; over ${TARGETS.hoverOutlierMs} ms: ${over.map((x) => x.toFixed(0)).join(', ')}` : ''} |`);
    }
    if (v512)
      out.push(
        `| GPT-2-small trace at 512 tokens (probs only) holds ≤ ${TARGETS.traceAt512Bytes / 1e6} MB in the page | ${verdict(v512.traceBytes <= TARGETS.traceAt512Bytes)} | the trace's arrays ${mb(v512.traceBytes)} MB (${v512.packing ?? 'dense'}, float32, exact); the page grew by ${mb(v512.memWithTrace.total - v512.memBefore.total)} MB to ${mb(v512.memWithTrace.total)} MB${v512f ? `; stored all float32 as before: ${mb(v512f.traceBytes)} MB, page ${mb(v512f.memWithTrace.total)} MB` : ''} |`,
      );
    if (v1024) {
      const first = v1024.firstDraws ?? {};
      out.push(
        `| 1,024 tokens (GPT-2-small shape, probs only): trace in the page ≤ ${TARGETS.traceAt1024Bytes / 1e6} MB | ${verdict(v1024.traceBytes <= TARGETS.traceAt1024Bytes)} | the trace's arrays ${mb(v1024.traceBytes)} MB (${v1024.packing ?? 'dense'}); page ${mb(v1024.memWithTrace.total)} MB with the trace, ${mb(v1024.memWithViews.total)} MB with every view drawn |`,
        `| 1,024 tokens: model grid first draw ≤ ${TARGETS.gridFirstAt1024Ms} ms | ${verdict(first.model !== undefined ? first.model <= TARGETS.gridFirstAt1024Ms : undefined)} | ${ms0(first.model)} ms (the renderer's own draw; all three first-screen views mounted and drawn ${ms0(v1024.firstDrawMs)} ms after mounting, painted by ${ms0(v1024.paintedMs)} ms) |`,
        `| 1,024 tokens: model grid redraw ≤ ${TARGETS.gridRedrawAt1024Ms} ms | ${verdict(v1024.grid.median <= TARGETS.gridRedrawAt1024Ms)}${v1024.grid.max > TARGETS.gridRedrawAt1024Ms ? ' (median); not the first switch to a new scale' : ''} | median ${v1024.grid.median.toFixed(1)} ms (${v1024.grid.min.toFixed(1)}–${v1024.grid.max.toFixed(1)}) over ${v1024.grid.n} colour-scale changes |`,
        `| 1,024 tokens: heatmap ≤ ${TARGETS.heatmapAt1024Ms} ms | ${verdict(v1024.heatmap.median <= TARGETS.heatmapAt1024Ms)} | median ${v1024.heatmap.median.toFixed(1)} ms (max ${v1024.heatmap.max.toFixed(1)}); first draw ${ms0(first.heatmap)} ms |`,
        `| 1,024 tokens: hover ≤ ${TARGETS.hoverMs} ms | ${verdict(v1024.hover.median <= TARGETS.hoverMs)} | median ${v1024.hover.median.toFixed(1)} ms (max ${v1024.hover.max.toFixed(1)}) |`,
      );
    }
  }
  return out;
}

/** What the numbers say about the targets, where the milliseconds go, and what stands in the way. */
function notesSection(f: ForwardResults | null, b: BrowserResults | null): string[] {
  const out = ['## Notes on the targets', ''];
  if (f) {
    const t = forwardTargets(f);
    const probs = find(f.children, 'gpt2', 1, 128, 'probs');
    const all = find(f.children, 'gpt2', 1, 128, 'all taps');
    if (t.probsRatio.length && probs && all)
      out.push(
        `- **Taps.** Asking for \`probs\` adds no arithmetic (the softmax runs anyway); it costs stacking the per-layer [H, T, T] outputs into one [L, H, T, T] tensor and copying it out of the WASM heap into the trace: ${mb(probs.traceBytes)} MB for GPT-2-small at 128 tokens. Ratios measured: ${t.probsRatio.map((p) => `${p.ratio.toFixed(3)}× (${p.threads}T)`).join(', ')}. All six taps move ${mb(all.traceBytes)} MB at 128 tokens (scores as large as probs; q, k, v and context [L, H, T, 64] each).`,
      );
    const peak = peakSentence(f);
    if (peak)
      out.push(
        `- **How far from the CPU's limit.** ${peak} The rest of the peak goes to what a matrix-product count leaves out (LayerNorm, GELU, softmax, the taps' copies), to onnxruntime's WASM kernels (no fused attention, 128-bit SIMD only), and to the memory traffic of 124 M float32 weights per run.`,
      );
  }
  {
    const parts: string[] = [];
    const check = f?.children.find((c) => c.threads > 1);
    const one = check && f!.children.find((c) => c.family === check.family && c.threads === 1);
    if (check && one) {
      const v = check.variants.find((x) => x.variant === 'logits only')!;
      const base = one.variants.find((x) => x.tokens === v.tokens && x.variant === 'logits only');
      const busy = v.cpuMs?.length ? median(v.cpuMs) / median(v.wallMs) : NaN;
      const verdictText = !Number.isFinite(busy) ? '' : busy > 1.5 ? ': onnxruntime-web ran a second thread in Node in this run' : ': onnxruntime-web kept to one thread in Node in this run (CPU/wall ≈ 1), so its numThreads 2 figures are one thread too';
      parts.push(`in Node, numThreads ${check.threads} kept ${Number.isFinite(busy) ? busy.toFixed(2) : '?'} cores busy (CPU time over wall time) and ran ${check.family} at ${v.tokens} tokens in ${median(v.wallMs).toFixed(0)} ms${base ? ` vs ${median(base.wallMs).toFixed(0)} ms on one` : ''}${verdictText}`);
    }
    const big = b?.runtime.filter((x) => x.model === 'random-gpt2' && x.backend === 'wasm') ?? [];
    const pairs = big.filter((x) => x.threads === 1).map((x1) => [x1, big.find((x2) => x2.tokens === x1.tokens && (x2.threads ?? 0) > 1)] as const);
    const speed = pairs.filter(([, x2]) => x2 && Number.isFinite(x2.session.median)).map(([x1, x2]) => `${x1.tokens} tokens ${(x1.session.median / x2!.session.median).toFixed(2)}×`);
    if (speed.length) parts.push(`in Chromium, GPT-2-small on 2 WASM threads vs 1 (session.run): ${speed.join(', ')} (load average ${b!.load[0].map((x) => x.toFixed(1)).join('/')} at the start of the browser part; a second thread helps only when a second core is free)`);
    const text = parts.join('; ');
    if (parts.length) out.push(`- **Threads.** ${text[0].toUpperCase()}${text.slice(1)}.`);
  }
  if (b) {
    const path = (fh: BrowserResults['firstHeatmap'][number]) => {
      const m = fh.marks ?? {};
      const at = (name: string) => ms0(m[name]);
      return `DOMContentLoaded ${fh.domContentLoaded.toFixed(0)}; worker created ${at('atlas:worker-created')}, set up ${at('atlas:worker-setup')}; onnxruntime's .wasm in by ${fh.wasmFetched.toFixed(0)}, onnxruntime up (threads started, a one-node session run) ${at('atlas:ort-ready')}; model files in ${at('atlas:model-files')}; run ${at('atlas:run-start')} → ${at('atlas:run-end')} (session.run ${fh.sessionRunMs.toFixed(0)} ms); trace in the page ${at('atlas:trace-received')}; heatmap ${fh.summary.median.toFixed(0)}`;
    };
    const now = b.firstHeatmap.find((x) => x.query === '');
    const old = b.firstHeatmap.find((x) => x.query === '?load=old');
    if (now)
      out.push(
        `- **Where a first visit's milliseconds go** (medians, ms after navigation). Today's path: ${path(now)}.${old ? ` Old path (\`?load=old\`): ${path(old)}.` : ''} What changed: the worker imports onnxruntime's WASM-only build (its .wasm is 14 MB, against 28 MB for the build that also carries WebGPU) unless WebGPU will be used (src/lib/runtime/backend.ts); the service worker, whose install downloads every file of the app (both onnxruntime builds and the models, ~74 MB) on the same two cores, registers after the first heatmap (src/lib/offline.ts); the views below the first screen mount one frame after it (TraceViews); and the model worker starts as the app starts (src/hooks.client.ts), not once the explorer's page has mounted. What is left: the app's own start (its JavaScript) before it creates the worker, onnxruntime's compile and thread start, the graph build and session creation, and one layout of the page with the trace (~0.2 s of style and layout here).`,
      );
    const r = now?.repeatSamples;
    const ro = old?.repeatSamples;
    if (r?.length)
      out.push(
        `- **Reloads.** One tab reloaded ${r.length} times: ${r.map((x) => x.toFixed(0)).join(', ')} ms${ro?.length ? `; on the old path ${ro.map((x) => x.toFixed(0)).join(', ')} ms` : ''}. The cause of the old slowdown is the WebGPU (JSEP) build of onnxruntime being loaded: with it, the delay falls mostly before the reloaded page has even created its worker (so not in the model's work: the previous page's onnxruntime — a 28 MB module, its heap and threads — being torn down in the same renderer is what is left), it grows over the reloads, and a probe saw it just the same with \`?backend=wasm\` (no WebGPU adapter asked for) and with V8's WebAssembly tier-up off (\`--no-wasm-tier-up\`), and the last report's probe with the service worker blocked; with the WASM-only build the same reloads stay flat. Which part of that build's teardown holds the next page was not isolated further. When WebGPU is used the WebGPU build still loads, so a GPU user reloading again and again may still see it (not measurable here: no GPU).`,
      );
    const v512 = b.views.find((v) => v.tokens === 512 && v.storage === 'compact');
    const v1024 = b.views.find((v) => v.tokens === 1024 && v.storage === 'compact');
    if (v512 || v1024)
      out.push(
        `- **Compact traces, chosen by measurement.** 12 × 12 heads × T² weights: at 512 tokens 151 MB as float32; a causal stack's upper triangle is all masked, so keeping the lower triangle loses nothing and halves it (${v512 ? `${mb(v512.traceBytes)} MB measured` : '76 MB'}), and that is what the page keeps (src/lib/trace/packed.ts, compact.ts). At 1,024 tokens even the triangle is 302 MB, so traces whose matrices would exceed 80 MB packed are stored as float16 (${v1024 ? `${mb(v1024.traceBytes)} MB measured` : '151 MB'}; relative error ≤ 2⁻¹¹, far below what the colour scale resolves). The JSON file format is unchanged (packed matrices are written out dense). Float16 traces stay exact where it matters: the worker keeps the run's lossless stacks (at 1,024 tokens 302 MB, in the worker, not the page), and the page fetches from it the heads a view shows and the whole stacks for a JSON export (src/lib/trace/exact.ts), so hover, read-outs, CSV and JSON are the model's float32${v1024?.exactMs !== undefined ? (Number.isFinite(v1024.exactMs) ? ` (at 1,024 tokens the heatmap's head was exact ${ms0(v1024.exactMs)} ms after the first screen was drawn)` : ' (at 1,024 tokens the exact values did NOT arrive in this run)') : ''}; the grid's thumbnails, metrics, roles and rollout read the float16 stack. Float16 was not chosen for every trace: below the budget the lower triangle is exact without a second copy in the worker.`,
      );
    if (v1024) {
      const first = v1024.firstDraws ?? {};
      out.push(
        `- **1,024 tokens.** The first screen (model grid ${ms0(first.model)} ms, heatmap ${ms0(first.heatmap)} ms, head view ${ms0(first.head)} ms of own drawing) was drawn ${ms0(v1024.firstDrawMs)} ms after mounting (Svelte, the page's layout and the three renderers; head roles, which read every weight, now follow the first paint) and painted by ${ms0(v1024.paintedMs)} ms: what stands between is the browser painting the head view's lines, thousands of pixels long each (one head has ~32,000 above the drawing threshold; the view now draws the 10,000 strongest and says so, viz/head-view.ts LINE_BUDGET). The views below the first screen were mounted by ${ms0(v1024.restMs)} ms; until then the page is busy with them (the summary's metrics, roles, rollout and the Q/K/V view read every head) — a wait, not a target of this issue. The grid reads every packed head in place into block maxima (no decode, trace/packed.ts packedBlockMax) and keeps them per trace, so a redraw with the same scale is ${v1024.grid.min.toFixed(0)}–${v1024.grid.median.toFixed(0)} ms; the first switch to a new scale (log, or per-row, which must read every weight of every head again) is the slowest redraw (${v1024.grid.max.toFixed(0)} ms). The head view's hover no longer looks up 1,024 token nodes by selector (it was quadratic in the tokens). The summary, roles and rollout read each head once (rollout only as far as the layer shown).`,
      );
    }
    const eh = b.explorerHover;
    const eo = b.explorerHoverOld;
    if (eh?.samples) {
      const over = (x: { samples?: number[] }) => (x.samples ?? []).filter((v) => v > TARGETS.hoverOutlierMs).length;
      out.push(
        `- **Explorer hover outliers.** ${eh.samples.length} hovers on the explorer after its ${r?.length ?? 0} reloads: max ${eh.hover.max.toFixed(1)} ms, ${over(eh)} over ${TARGETS.hoverOutlierMs} ms${eo?.samples ? `; the same on the old loading path's tab after its reloads: max ${eo.hover.max.toFixed(1)} ms, ${over(eo)} over ${TARGETS.hoverOutlierMs} ms` : ''}. The last report's 10.7 s sample was taken the same way on the old path's tab (\`?backend=wasm\` then) right after its slow reloads; a hover's own work (each view's overlay) stays under a millisecond or two, so a sample that long is the page's main thread held by something else — which these ${eh.samples.length} samples no longer show.`,
      );
    }
  }
  return out.length > 2 ? out : [];
}

export function benchmarksMarkdown(run: RunInfo, f: ForwardResults | null, b: BrowserResults | null, a: AnalysisResults | null = null, gen: GenerationResults | null = null, quant: QuantizationResults | null = null): string {
  const m = run.machine;
  const out = [
    '# Benchmarks',
    '',
    `Measured ${run.date} by \`${run.command}\` in ${(run.wallSeconds / 60).toFixed(1)} minutes. Benchmarks are not tests: nothing here runs in \`npm test\`.`,
    // A part skipped in this run keeps the figures of the run that last measured it.
    ...[f && `Forward pass in Node measured ${f.started.replace('T', ' ').slice(0, 16)} UTC.`, b && `Browser part measured ${b.started.replace('T', ' ').slice(0, 16)} UTC.`].filter((x): x is string => !!x),
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpuModel}, ${m.cores} logical cores; ${m.memoryGiB.toFixed(0)} GiB memory; ${m.platform}; no GPU.`,
    `- Node ${m.node}; onnxruntime-web WASM (SIMD, threads); Chromium ${b?.chromium ?? '–'} headless (WebGPU adapter: ${b?.webgpuAdapter || '–'}).`,
    `- Load average (1, 5, 15 min) at the start: ${loadText(run.loadStart)}; at the end: ${loadText(run.loadEnd)}. The machine is shared; a load near or above the core count slows every number here and widens its range.`,
    '',
    '## How to rerun',
    '',
    '```sh',
    'npm run bench                      # everything (~15–20 min on 2 cores): builds, runs both parts, rewrites this file',
    'npx tsx bench/forward.ts --families gpt2 --tokens 128   # one part, printed, not written here',
    'npx vite build && npx vite build --config bench/page/vite.config.ts && npx tsx bench/browser.ts --no-build',
    'npx tsx bench/generation.ts        # key/value cache against recomputing (GPT-2-small shape, ~5 min)',
    'npx tsx bench/quantization.ts      # int8 weights against float32, and the cost-of-length sweep (~2 min)',
    'npx tsx bench/run.ts --report-only  # rewrite this file from test-results/bench/*.json',
    '```',
    '',
    'Models: random weights with the exact shapes of `gpt2` (124 M parameters), `bert-base-uncased` (110 M) and `t5-small` (60 M), from their real config.json (tests/helpers/random-checkpoint.ts), and the embedded tiny-gpt2, tiny-bert, tiny-t5. Speed does not depend on the weights\' values.',
    '',
    ...targetsSection(f, b),
    '',
    ...notesSection(f, b),
    '',
  ];
  if (f) {
    out.push(
      '## Forward pass in Node (onnxruntime-web WASM)',
      '',
      `The app's ModelRunner (the graphs, tap sets and sessions the app uses) on texts of exactly 32, 128 and 512 tokens. After one warm-up run per variant (which creates its session), ${f.runs} rounds run every variant once, in a rotating order, so load changes hit all variants alike. Wall time covers ModelRunner.run (tokenize, feeds, session.run, building the Trace); "× logits only" is the median over rounds of the ratio to logits-only in the same round. GFLOP counts matrix products only (bench/flops.ts: Q/K/V/output projections, QKᵀ and PV over the full T×T matrix as the graphs compute it, FFN, LM head at the computed positions); GFLOP/s is that over the median session.run time. T5 runs teacher-forced with a target a quarter as long as the source (at least 8 tokens; shown as source + decoder tokens), logits at every decoder position as in the app. RSS is the whole Node process: the checkpoint as generated and as safetensors bytes (≈ 2 × 4 bytes per parameter, a cost of the benchmark, not of the app), then the sessions (one per tap set, three per model, each with its own copy of the weights in the one WASM heap, which never shrinks) and the activations.`,
      '',
      forwardMarkdown(f),
      `Forward part: ${(f.wallSeconds / 60).toFixed(1)} minutes.`,
      '',
    );
  }
  if (b) {
    out.push(
      '## In the browser (headless Chromium, production build)',
      '',
      'This machine has no GPU: Chromium\'s WebGPU runs on SwiftShader, a CPU implementation, so the WebGPU rows show what a user without a GPU driver would get if WebGPU were offered, not GPU speed. WASM runs with 2 threads (the page is cross-origin isolated). Runs go through the app\'s worker (InferenceClient → worker → ModelRunner) on the bench page (bench/page/, served beside the built app), which also mounts the app\'s TraceViews on the trace it holds. Load = download + parse + graph validation; the first run adds session creation (WebGPU: shader compilation). The GPT-2-small checkpoint is served as files from test-results/bench-models/ and fetched by the worker, as a user\'s model would be.',
      '',
      browserMarkdown(b),
      `Browser part: ${(b.wallSeconds / 60).toFixed(1)} minutes; load average ${loadText(b.load[0])} → ${loadText(b.load[1])}.`,
      '',
    );
  }
  if (a) out.push(analysisMarkdown(a));
  if (gen) out.push(...generationMarkdown(gen));
  if (quant) out.push(...quantizationMarkdown(quant));
  return out.join('\n');
}
