// How the page stores a trace's attention matrices (issue 18): losslessly where that fits,
// as float16 where it does not. Measured on a GPT-2-small-shaped trace (bench/browser.ts):
// at 512 tokens the probs are 151 MB as float32 and 76 MB as the lower triangle (causal
// stacks: every cell above the diagonal is masked), so that trace stays exact; at 1,024
// tokens even the triangle is 302 MB, and float16 halves it to 151 MB.

import type { DenseTrace, Matrices, MatrixTap, Tensor, Trace } from './types';
import { pack, packedBytes, upperFill, type Packing } from './packed';

/** Attention matrices one trace may hold in the page before they are stored as float16. */
export const PAGE_MATRIX_BUDGET = 80e6;

/** The largest finite float16 value: a stack with larger values stays float32. */
const F16_MAX = 65504;

const MATRIX_TAPS: readonly MatrixTap[] = ['probs', 'scores'];

/** How a stack can be stored: its lossless packing (null: dense) and whether float16 holds its values. */
interface Plan {
  tensor: Tensor;
  fill: number | null;
  f16: boolean;
}

function fitsF16(data: Float32Array, fill: number | null): boolean {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== fill && Number.isFinite(v) && Math.abs(v) > F16_MAX) return false;
  }
  return true;
}

/**
 * compact: lossless within the budget, float16 past it; lossless: never float16 (runs compared
 * with another); float32: unpacked (the bench's comparison); float16: as if over the budget
 * (tests and the bench check the float16 path on small traces).
 */
export type TraceStorage = 'compact' | 'lossless' | 'float32' | 'float16';

/** The budget compactTrace is given for a storage (float32: not packed at all). */
export const storageBudget = (storage: Exclude<TraceStorage, 'float32'>): number => (storage === 'lossless' ? Infinity : storage === 'float16' ? 0 : PAGE_MATRIX_BUDGET);

/**
 * The trace the page keeps: matrices packed per stack (the lower triangle where the model
 * masked the rest, exactly), and as float16 when even that would exceed `budget` bytes. The
 * dense input is not changed; the returned trace shares everything but the packed matrices.
 */
export function compactTrace(trace: DenseTrace, budget = PAGE_MATRIX_BUDGET): Trace {
  return compactions(trace, budget, false).page;
}

/**
 * compactTrace's trace and, when that one holds float16 stacks, the lossless one too (what the
 * worker keeps for trace/exact.ts), from one scan of the dense stacks.
 */
export function compactWithExact(trace: DenseTrace, budget = PAGE_MATRIX_BUDGET): { page: Trace; lossless: Trace | null } {
  return compactions(trace, budget, true);
}

function compactions(trace: DenseTrace, budget: number, keepLossless: boolean): { page: Trace; lossless: Trace | null } {
  const plans: { kind: keyof DenseTrace['attention']; tap: MatrixTap; plan: Plan }[] = [];
  for (const [kind, taps] of Object.entries(trace.attention) as [keyof DenseTrace['attention'], NonNullable<DenseTrace['attention'][keyof DenseTrace['attention']]>][])
    for (const tap of MATRIX_TAPS) {
      const t = taps[tap];
      if (!t || t.shape.length !== 4) continue;
      const fill = upperFill(t.data, t.shape);
      plans.push({ kind, tap, plan: { tensor: t, fill, f16: false } });
    }
  if (!plans.length) return { page: trace, lossless: null };
  const losslessBytes = (p: Plan) => (p.fill === null ? p.tensor.data.byteLength : packedBytes(p.tensor.shape, 'lower'));
  const packed = (f16: (p: Plan) => boolean): Trace => {
    const attention: Trace['attention'] = {};
    for (const [kind, taps] of Object.entries(trace.attention)) attention[kind as keyof Trace['attention']] = { ...taps };
    for (const { kind, tap, plan } of plans) {
      const half = f16(plan);
      const packing: Packing | null = plan.fill !== null ? (half ? 'lower-f16' : 'lower') : half ? 'f16' : null;
      if (packing) (attention[kind]![tap] as Matrices) = pack(plan.tensor.data, plan.tensor.shape, packing, plan.fill ?? 0);
    }
    return { ...trace, attention };
  };
  if (plans.reduce((a, p) => a + losslessBytes(p.plan), 0) > budget) for (const p of plans) p.plan.f16 = fitsF16(p.plan.tensor.data, p.plan.fill);
  const page = packed((p) => p.f16);
  const anyF16 = plans.some((p) => p.plan.f16);
  return { page, lossless: keepLossless && anyF16 ? packed(() => false) : null };
}
