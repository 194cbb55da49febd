// The contents of a trace read from a file, after its shapes (./shape-check.ts): a trace
// file is a stranger's input. What the views cannot draw at all (no tokens, token text that
// is not text, 10,000 layers) is refused with a message; what they can draw but should not
// be trusted (weights outside [0, 1], rows that do not sum to 1, NaN) is listed as issues
// to show beside the picture. Missing descriptive fields (backend, timings) get stand-ins.

import { AtlasError } from '../errors';
import type { AttentionKind, Trace, TraceToken } from './types';
import { headMatrix } from './types';

/**
 * Bounds on what a trace may hold: well above any model the app runs (GPT-2 XL has 48
 * layers × 25 heads, T5-11B 24 × 128), and below what the views can draw (the model grid
 * draws every layer × head; 10,000 layers asked for a 78 × 780,000 pixel canvas).
 */
export const MAX_TRACE_LAYERS = 256;
export const MAX_TRACE_HEADS = 256;
export const MAX_TRACE_GRID_HEADS = 8192;
export const MAX_TRACE_TOKENS = 16384;
/** A softmax row sums to 1 in float32 within ~1e-6; 1e-3 only flags rows that are not softmax output. */
export const ROW_SUM_TOLERANCE = 1e-3;
/** Weights a hair outside [0, 1] are float32 rounding. */
const WEIGHT_SLACK = 1e-6;
/** Rows named in an issue before "and N more". */
const ROWS_NAMED = 3;

const fail = (what: string): never => {
  throw new AtlasError('bad-trace', what, 'Save the trace again from the app or the CLI; a trace file should not be edited by hand.');
};

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function checkTokens(tokens: unknown, where: string): void {
  if (!Array.isArray(tokens)) fail(`This trace's ${where} is not a list.`);
  const list = tokens as unknown[];
  if (list.length > MAX_TRACE_TOKENS) fail(`This trace has ${list.length} ${where}; this app draws at most ${MAX_TRACE_TOKENS}.`);
  list.forEach((t, i) => {
    const tok = t as Partial<TraceToken> | null;
    if (typeof tok !== 'object' || tok === null) fail(`${where}[${i}] is ${JSON.stringify(t)}, not a token object.`);
    if (typeof tok!.text !== 'string') fail(`${where}[${i}].text is ${JSON.stringify(tok!.text)}, not text.`);
    if (!isInt(tok!.id)) fail(`${where}[${i}].id is ${JSON.stringify(tok!.id)}, not a whole number.`);
    if (!isInt(tok!.start) || !isInt(tok!.end) || tok!.start! < 0 || tok!.end! < tok!.start!) fail(`${where}[${i}] has no valid span (start ${JSON.stringify(tok!.start)}, end ${JSON.stringify(tok!.end)}).`);
    if (typeof tok!.special !== 'boolean') (tok as TraceToken).special = false;
  });
}

/** Refuses what cannot be drawn; fills stand-ins for what only describes. Before the shape check. */
export function checkTraceFields(trace: Trace): void {
  const m = trace.model as Partial<Trace['model']> | undefined;
  if (typeof m !== 'object' || m === null) fail('This trace has no model description.');
  if (typeof m!.id !== 'string') (m as Trace['model']).id = 'unnamed model';
  for (const key of ['layers', 'heads'] as const) if (!isInt(m![key]) || m![key]! < 1) fail(`This trace's model.${key} is ${JSON.stringify(m![key])}, not a positive whole number.`);
  if (typeof m!.modelType !== 'string') (m as Trace['model']).modelType = String(m!.family);
  if (typeof trace.text !== 'string') fail('This trace has no text.');
  checkTokens(trace.tokens, 'tokens');
  if (trace.decoderTokens !== undefined) checkTokens(trace.decoderTokens, 'decoderTokens');
  const b = trace.backend as Partial<Trace['backend']> | undefined;
  if (typeof b !== 'object' || b === null || typeof b.name !== 'string' || typeof b.reason !== 'string')
    trace.backend = { name: 'wasm', reason: 'not recorded in this trace' } as Trace['backend'];
  if (typeof trace.timings !== 'object' || trace.timings === null || typeof trace.timings.runMs !== 'number') trace.timings = { runMs: 0 };
  let grid = 0;
  for (const [kind, taps] of Object.entries(trace.attention) as [AttentionKind, NonNullable<Trace['attention'][AttentionKind]>][]) {
    const shape = taps.probs?.shape;
    if (!shape || shape.length !== 4) continue;
    const [L, H] = shape;
    if (L > MAX_TRACE_LAYERS) fail(`attentions.${kind} has ${L} layers; this app draws at most ${MAX_TRACE_LAYERS}.`);
    if (H > MAX_TRACE_HEADS) fail(`attentions.${kind} has ${H} heads; this app draws at most ${MAX_TRACE_HEADS}.`);
    grid += L * H;
  }
  if (grid > MAX_TRACE_GRID_HEADS) fail(`This trace has ${grid} layer × head matrices; this app draws at most ${MAX_TRACE_GRID_HEADS}.`);
}

/**
 * What is drawable but not to be trusted: each a sentence naming where it starts. NaN and
 * ±∞ are not listed here: every page that draws a trace says so itself (non-finite.ts).
 */
export function traceIssues(trace: Trace): string[] {
  const issues: string[] = [];
  for (const [kind, taps] of Object.entries(trace.attention) as [AttentionKind, NonNullable<Trace['attention'][AttentionKind]>][]) {
    const p = taps.probs;
    if (!p || p.shape.length !== 4) continue;
    const [L, H, Q, K] = p.shape;
    let outside = 0;
    let firstOutside = '';
    const badRows: string[] = [];
    let badRowCount = 0;
    for (let l = 0; l < L; l++)
      for (let h = 0; h < H; h++) {
        const m = headMatrix(p, l, h);
        for (let q = 0; q < Q; q++) {
          const base = q * K;
          let sum = 0;
          for (let k = 0; k < K; k++) {
            const v = m[base + k];
            if (v < -WEIGHT_SLACK || v > 1 + WEIGHT_SLACK) {
              if (!outside) firstOutside = `layer ${l}, head ${h}, query ${q}, key ${k}: ${v}`;
              outside++;
            }
            sum += v;
          }
          // Rows with NaN are reported above; an all-zero row is a query with nothing to see.
          if (sum === sum && sum !== 0 && Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
            if (badRows.length < ROWS_NAMED) badRows.push(`layer ${l}, head ${h}, query ${q} sums to ${sum.toPrecision(4)}`);
            badRowCount++;
          }
        }
      }
    if (outside) issues.push(`attentions.${kind} has ${outside} weight${outside > 1 ? 's' : ''} outside [0, 1] (first at ${firstOutside}); attention weights are probabilities, so this trace was not made by a softmax.`);
    if (badRowCount)
      issues.push(`attentions.${kind} has ${badRowCount} row${badRowCount > 1 ? 's' : ''} whose weights do not sum to 1 ± ${ROW_SUM_TOLERANCE} (${badRows.join('; ')}${badRowCount > ROWS_NAMED ? `; and ${badRowCount - ROWS_NAMED} more` : ''}).`);
  }
  return issues;
}
