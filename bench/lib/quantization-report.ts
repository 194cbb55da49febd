// The quantization and cost-sweep part of docs/BENCHMARKS.md (bench/quantization.ts).
import { fmt, type Summary } from './stats';

export interface QuantizationResults {
  started: string;
  loadStart: number[];
  loadEnd: number[];
  runs: number;
  fp32: Summary;
  int8: Summary;
  /** Per-round int8 / fp32 forward time. */
  ratio: Summary;
  bytes: number;
  fp32Bytes: number;
  tensors: number;
  sweeps: { model: string; lengths: number[]; ms: number }[];
}

export function quantizationMarkdown(q: QuantizationResults): string[] {
  return [
    '## int8 weights and the cost-of-length sweep (Node, WASM, one thread)',
    '',
    `GPT-2-small shape at 128 tokens, logits only, ${q.runs} alternating rounds after a warm-up. int8 here is the app's scheme (graph/quantize.ts): every weight matrix rounded to int8 with a scale per row and expanded back to float32 at load, so the sessions compute in float32 — the time is float32's by construction, and the bytes are what the ${q.tensors} matrices would store. Measured ${q.started.replace('T', ' ').slice(0, 16)} UTC, load ${q.loadStart.map((x) => x.toFixed(2)).join(', ')} → ${q.loadEnd.map((x) => x.toFixed(2)).join(', ')}.`,
    '',
    '| | forward, ms | × float32 | weight matrices stored |',
    '|---|---|---|---|',
    `| float32 | ${fmt(q.fp32)} | 1 | ${(q.fp32Bytes / 1e6).toFixed(0)} MB |`,
    `| int8 (expanded at load) | ${fmt(q.int8)} | **${q.ratio.median.toFixed(2)}×** | ${(q.bytes / 1e6).toFixed(0)} MB (${((100 * q.bytes) / q.fp32Bytes).toFixed(1)} %) |`,
    '',
    `Targets: int8 at most 1.3× float32's forward time — **${q.ratio.median <= 1.3 ? 'met' : 'not met'}** (${q.ratio.median.toFixed(2)}×, float32 arithmetic by design); the matrices a quarter of the bytes — **${q.bytes / q.fp32Bytes <= 0.26 ? 'met' : 'not met'}** (${((100 * q.bytes) / q.fp32Bytes).toFixed(1)} %, scales included). In memory the sessions still hold float32.`,
    '',
    '| cost-of-length sweep | lengths | time |',
    '|---|---|---|',
    ...q.sweeps.map((s) => `| ${s.model} | ${s.lengths.join(', ')} (5 runs each) | ${(s.ms / 1000).toFixed(1)} s |`),
    '',
    `Target (the sweep for the embedded models within 10 s): **${q.sweeps.every((s) => s.ms <= 10_000) ? 'met' : 'not met'}** in Node; the page adds its worker round trip per run (the browser test's sweep on tiny-gpt2 and tiny-llama finished in under 5 s each).`,
    '',
  ];
}
