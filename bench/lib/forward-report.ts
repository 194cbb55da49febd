// Markdown tables of bench/forward.ts results, and the forward-pass targets.

import type { ForwardChildResult, ForwardResults, VariantResult } from './forward-types';
import { fmt, mb, median, summarize } from './stats';
import { wasmSimdPeak } from './machine';

const FAMILY_TITLE = { gpt2: 'GPT-2-small shape (gpt2)', bert: 'BERT-base shape (bert-base-uncased)', t5: 'T5-small shape (t5-small)' } as const;

/** The variant the others are compared with. */
export const BASELINE = 'logits only';

/** Per round, a variant's wall time over the baseline's in the same round; the median of those ratios. */
export function pairedRatio(v: VariantResult, base: VariantResult): number {
  return median(v.wallMs.map((w, i) => w / base.wallMs[i]));
}

export function find(children: ForwardChildResult[], family: string, threads: number, tokens: number, variant: string): VariantResult | undefined {
  return children.find((c) => c.family === family && c.threads === threads)?.variants.find((v) => v.tokens === tokens && v.variant === variant);
}

function variantTable(c: ForwardChildResult): string[] {
  const lines = [
    `| tokens | variant | logit rows | wall ms, median (min–max) | session.run ms | × logits only | CPU / wall | GFLOP | GFLOP/s | % of ${c.threads}-thread SIMD peak | trace MB |`,
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const peak = wasmSimdPeak(c.threads).fmaGflops;
  for (const v of c.variants) {
    const base = c.variants.find((b) => b.tokens === v.tokens && b.variant === BASELINE)!;
    const session = median(v.sessionMs);
    const tokens = v.decoderTokens !== undefined ? `${v.tokens} + ${v.decoderTokens}` : String(v.tokens);
    lines.push(
      `| ${tokens} | ${v.variant} | ${v.logitPositions} | ${fmt(summarize(v.wallMs))} | ${session.toFixed(0)} | ${v === base ? '1' : pairedRatio(v, base).toFixed(3)} | ${v.cpuMs ? (median(v.cpuMs) / median(v.wallMs)).toFixed(2) : '–'} | ${(v.flops.total / 1e9).toFixed(1)} | ${(v.flops.total / 1e9 / (session / 1000)).toFixed(1)} | ${((100 * v.flops.total) / 1e9 / (session / 1000) / peak).toFixed(0)} % | ${mb(v.traceBytes)} |`,
    );
  }
  return lines;
}

/** The forward pass against this CPU's 128-bit WASM SIMD peak, in words (GPT-2-small at 128 tokens). */
export function peakSentence(r: ForwardResults): string {
  const parts: string[] = [];
  for (const c of r.children.filter((x) => x.family === 'gpt2')) {
    const v = c.variants.find((x) => x.tokens === 128 && x.variant === 'probs');
    if (!v) continue;
    const gflops = v.flops.total / 1e9 / (median(v.sessionMs) / 1000);
    const p = wasmSimdPeak(c.threads);
    parts.push(`on ${c.threads} thread${c.threads > 1 ? 's' : ''} ${gflops.toFixed(1)} GFLOP/s of ${p.fmaGflops.toFixed(1)} (${c.threads} × 2 FMA units × 4 lanes × 2 × ${p.clockGHz.toFixed(2)} GHz), ${((100 * gflops) / p.fmaGflops).toFixed(0)} %`);
  }
  return parts.length ? `GPT-2-small at 128 tokens with the probs taps, matrix-product FLOPs over session.run: ${parts.join('; ')}.` : '';
}

export function forwardMarkdown(r: ForwardResults): string {
  const out: string[] = [];
  const peak = peakSentence(r);
  if (peak) out.push(`Against this CPU's 128-bit WASM SIMD peak (cores × FMA units × 4 lanes × 2 × clock from /proc/cpuinfo): ${peak}`, '');
  const families = [...new Set(r.children.map((c) => c.family))];
  for (const family of families) {
    out.push(`#### ${FAMILY_TITLE[family]}`, '');
    for (const c of r.children.filter((x) => x.family === family)) {
      out.push(
        `numThreads ${c.threads}: ${(c.parameters / 1e6).toFixed(1)} M parameters; checkpoint made in ${(c.checkpointMs / 1000).toFixed(1)} s, loaded in ${(c.loadMs / 1000).toFixed(1)} s; ` +
          `RSS with the model loaded (no session yet) ${mb(c.rssLoaded ?? NaN)} MB, after each length ${Object.entries(c.rssAfter).map(([n, b]) => `${n}: ${mb(b)} MB`).join(', ')}; peak RSS ${mb(c.maxRss)} MB; load average ${c.load[0].map((x) => x.toFixed(2)).join('/')} → ${c.load[1].map((x) => x.toFixed(2)).join('/')}.`,
        '',
        ...variantTable(c),
        '',
      );
    }
    // Session creation is per tap set, once per model: report it once per family.
    const c = r.children.find((x) => x.family === family)!;
    const creates = c.variants.filter((v) => v.tokens === c.variants[0].tokens && v.sessionCreateMs > 0);
    out.push(`Session creation (first run of each tap set): ${creates.map((v) => `${v.variant} ${(v.sessionCreateMs / 1000).toFixed(1)} s`).join(', ')}.`, '');
  }
  return out.join('\n');
}

export interface ForwardTargets {
  /** All probs taps over logits-only at 128 tokens, GPT-2-small, per thread count. */
  probsRatio: { threads: number; ratio: number; probsMs: number; logitsMs: number }[];
  /** Logits at the last position vs at all, per family, length and thread count. */
  lastVsAll: { family: string; threads: number; tokens: number; lastMs: number; allMs: number; saving: number; flopSaving: number }[];
}

export function forwardTargets(r: ForwardResults): ForwardTargets {
  const probsRatio: ForwardTargets['probsRatio'] = [];
  const lastVsAll: ForwardTargets['lastVsAll'] = [];
  for (const c of r.children) {
    for (const v of c.variants) {
      if (v.variant !== 'logits only, all positions') continue;
      const last = find(r.children, c.family, c.threads, v.tokens, BASELINE)!;
      lastVsAll.push({
        family: c.family,
        threads: c.threads,
        tokens: v.tokens,
        lastMs: median(last.wallMs),
        allMs: median(v.wallMs),
        saving: 1 - 1 / pairedRatio(v, last),
        flopSaving: 1 - last.flops.total / v.flops.total,
      });
    }
    if (c.family !== 'gpt2') continue;
    const probs = find(r.children, 'gpt2', c.threads, 128, 'probs');
    const base = find(r.children, 'gpt2', c.threads, 128, BASELINE);
    if (probs && base) probsRatio.push({ threads: c.threads, ratio: pairedRatio(probs, base), probsMs: median(probs.wallMs), logitsMs: median(base.wallMs) });
  }
  return { probsRatio, lastVsAll };
}
