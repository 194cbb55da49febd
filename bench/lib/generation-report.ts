// The generation part of docs/BENCHMARKS.md (bench/generation.ts).

export interface GenerationResults {
  started: string;
  loadStart: number[];
  loadEnd: number[];
  rows: {
    prompt: number;
    generate: number;
    /** Whole generate() calls, the final full forward for the trace included. */
    cachedMs: number;
    recomputedMs: number;
    /** All generation steps (the trace's stepMs summed); the cached run's first step runs the prompt. */
    cachedStepsMs: number;
    recomputedStepsMs: number;
    cachedPromptMs: number;
    /** Median of the steps after the first: one new token each. */
    cachedMsPerToken: number;
    recomputedMsPerToken: number;
    ratio: number;
    /** recomputedStepsMs / cachedStepsMs. */
    totalRatio: number;
    sameTokens: boolean;
    cacheBytes: number;
  }[];
}

export function generationMarkdown(g: GenerationResults): string[] {
  const first = g.rows[0];
  const met = first && first.totalRatio >= 3;
  return [
    '## Generation with a key/value cache (Node, WASM, one thread)',
    '',
    `A GPT-2-small-shaped random checkpoint writes greedily after a prompt, once reusing the key/value cache (each step runs only the newest token; the first step runs the prompt against an empty cache) and once recomputing the whole text every step. From the trace's own \`generated.stepMs\`: "per new token" is the median step after the first (the cached run's first step runs the whole prompt, shown apart); "all steps" sums every step, the prompt's included; the full forward that then builds the trace is the same in both and left out. Measured ${g.started.replace('T', ' ').slice(0, 16)} UTC, load ${g.loadStart.map((x) => x.toFixed(2)).join(', ')} → ${g.loadEnd.map((x) => x.toFixed(2)).join(', ')}.`,
    '',
    '| prompt → new tokens | per new token: cache | recompute | speed-up | all steps: cache (its prompt step) | recompute | speed-up | same tokens | cache at the end |',
    '|---|---|---|---|---|---|---|---|---|',
    ...g.rows.map((r) => `| ${r.prompt} → ${r.generate} | ${r.cachedMsPerToken.toFixed(0)} ms | ${r.recomputedMsPerToken.toFixed(0)} ms | **${r.ratio.toFixed(1)}×** | ${(r.cachedStepsMs / 1000).toFixed(1)} s (${(r.cachedPromptMs / 1000).toFixed(1)} s) | ${(r.recomputedStepsMs / 1000).toFixed(1)} s | **${r.totalRatio.toFixed(1)}×** | ${r.sameTokens ? 'yes' : '**no**'} | ${(r.cacheBytes / 2 ** 20).toFixed(1)} MiB |`),
    '',
    first ? `Target (64 tokens after a 64-token prompt at least 3× faster with the cache): **${met ? 'met' : 'not met'}**, ${first.totalRatio.toFixed(1)}× over all steps; per new token the speed-up ${g.rows.every((r, i) => i === 0 || r.ratio > g.rows[i - 1].ratio) ? 'grows' : 'does not grow'} with the length (${g.rows.map((r) => `${r.ratio.toFixed(1)}× at ${r.prompt}`).join(', ')}).` : '',
    '',
  ];
}
