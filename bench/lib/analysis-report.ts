// The "Analyses" section of docs/BENCHMARKS.md, from bench/analysis.ts's JSON.
import { fmt, type Summary } from './stats';
import { wasmSimdPeak } from './machine';

export interface AnalysisResults {
  started: string;
  runs: number;
  load: { start: number[]; end: number[] };
  norms: Record<'probs' | 'probs + valueNorms', Summary>;
  lens: Record<'logits only' | 'logits + logit lens, explorer budget' | 'logits + logit lens, every position', Summary>;
  lensWindow: number;
  ablation: Record<string, { plain: Summary; ablated: Summary; panel: Summary; tokens: number }>;
}

export function analysisMarkdown(a: AnalysisResults): string {
  const ratio = a.norms['probs + valueNorms'].median / a.norms.probs.median;
  const lensAdded = (k: keyof AnalysisResults['lens']) => a.lens[k].median - a.lens['logits only'].median;
  const worstPanel = Math.max(...Object.values(a.ablation).map((r) => r.panel.median));
  const rows = [
    '| target | verdict | measured |',
    '|---|---|---|',
    `| value norms add ≤ 5 % to a GPT-2-small forward at 128 tokens (Node WASM, 1 thread) | **${ratio <= 1.05 ? 'met' : 'not met'}** | ${ratio.toFixed(3)}× (probs ${fmt(a.norms.probs)} ms, probs + valueNorms ${fmt(a.norms['probs + valueNorms'])} ms) |`,
    `| an ablation re-run on the embedded models ≤ 100 ms after the click (Node WASM, 1 thread; in the page add the worker round trips) | **${worstPanel <= 100 ? 'met' : 'not met'}** | the panel's two runs (plain and ablated, every tap, logits kept), medians: ${Object.entries(a.ablation).map(([id, r]) => `${id} ${r.panel.median.toFixed(1)} ms`).join(', ')} |`,
    `| logit lens for GPT-2-small at 128 tokens < 1 s | **${lensAdded('logits + logit lens, explorer budget') < 1000 ? 'met' : 'not met'}** at the explorer's budget (the last ${a.lensWindow} positions); **${lensAdded('logits + logit lens, every position') < 1000 ? 'met' : 'not met'}** at every position | +${lensAdded('logits + logit lens, explorer budget').toFixed(0)} ms for the last ${a.lensWindow} positions; +${lensAdded('logits + logit lens, every position').toFixed(0)} ms for all 128 (logits only ${fmt(a.lens['logits only'])} ms) |`,
  ];
  return [
    '## Analyses (value norms, ablation, logit lens)',
    '',
    `Measured ${a.started.replace('T', ' ').slice(0, 16)} UTC by \`npx tsx bench/analysis.ts\` (${a.runs} alternating rounds after a warm-up; load average ${a.load.start.map((x) => x.toFixed(2)).join(', ')} → ${a.load.end.map((x) => x.toFixed(2)).join(', ')}). GPT-2-small: random weights with gpt2's exact shapes.`,
    '',
    ...rows,
    '',
    lensBound(lensAdded('logits + logit lens, every position')),
    '',
  ].join('\n');
}

/** Why every position cannot be under 1 s on this CPU: the multiply-adds, the rate reached, the peak. */
function lensBound(addedMs: number): string {
  const flops = 2 * 13 * 768 * 50257 * 128;
  const reached = flops / (addedMs / 1000) / 1e9;
  const one = wasmSimdPeak(1);
  const all = wasmSimdPeak();
  return [
    `Why every position cannot be under 1 s here: the lens reads each of the 13 residual streams through the 50,257-token output head, 13 × 768 × 50,257 = 5.0·10⁸ multiply-adds per position, ${(flops / 2e9).toFixed(1)}·10⁹ for 128 positions (${(flops / 1e9).toFixed(0)} GFLOP). On one WASM thread that took ${(addedMs / 1000).toFixed(1)} s, **${reached.toFixed(1)} GFLOP/s**. This CPU's 128-bit WASM SIMD peak (${one.clockGHz.toFixed(2)} GHz × 2 FMA units × 4 lanes × 2) is ${one.fmaGflops.toFixed(1)} GFLOP/s per thread, so the lens already runs at ${((100 * reached) / one.fmaGflops).toFixed(0)} % of one thread's peak. Even at the peak of all ${all.threads} cores (${all.fmaGflops.toFixed(1)} GFLOP/s) the product needs ${(flops / all.fmaGflops / 1e9).toFixed(2)} s: under 1 s at every position is out of reach of this CPU, not of the code; a WebGPU device or fewer positions gets there.`,
    '',
    "What was built instead: the explorer reads the last positions that fit a budget of 8·10⁹ multiply-adds (LENS_BUDGET, src/lib/graph/logit-lens.ts; every position of the tiny models) and says so under the table; `npm run trace -- --analysis logitLens` reads every position. Value norms cost little because the graph computes √(v·G_h·vᵀ) with G_h = W_O^h·W_O^hᵀ, which depends on weights only.",
  ].join('\n');
}
