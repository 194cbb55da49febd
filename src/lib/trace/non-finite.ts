// Where a trace holds numbers that are not finite (NaN, ±∞). Broken weights or a config
// such as a negative layer_norm_epsilon make NaN attention; drawn like masked cells and
// left out of every scale, it used to look like a normal picture. This finds the first
// layer and head where such numbers appear, so the page, /view/ and the CLI can say so.

import type { AttentionKind, Matrices, Trace } from './types';
import { TAP_NAMES } from './types';
import { isPacked, packedHeadSize, type PackedMatrices } from './packed';

export interface NonFiniteAt {
  kind: AttentionKind;
  tap: string;
  /** Layer and head of the first non-finite value (positionBias has no layer: 0). */
  layer: number;
  head: number;
  /** How many values of that head are not finite, of how many. */
  count: number;
  of: number;
}

const KINDS: readonly AttentionKind[] = ['self', 'encoder', 'decoder', 'cross'];

/** Masked scores are the float32 minimum or −∞ (when read back from JSON's null): not a fault. */
const isFault = (v: number, tap: string): boolean => (tap === 'scores' ? v !== v || v === Infinity : !Number.isFinite(v));

/** float16 bits that are NaN or ±∞ (scores: NaN or +∞; −∞ is a masked score). */
const isFaultF16 = (h: number, tap: string): boolean => (h & 0x7c00) === 0x7c00 && (tap !== 'scores' || h !== 0xfc00);

/** Packed matrices: each head's kept cells (the dropped ones hold the finite fill or the mask). */
function scanPacked(t: PackedMatrices, tap: string, kind: AttentionKind): NonFiniteAt | null {
  const [layers, heads, rows, cols] = t.shape;
  const per = packedHeadSize(t.packing, rows, cols);
  const f16 = t.packing !== 'lower';
  for (let g = 0; g < layers * heads; g++) {
    let count = 0;
    for (let i = g * per; i < (g + 1) * per; i++) if (f16 ? isFaultF16(t.packed[i], tap) : isFault(t.packed[i], tap)) count++;
    if (count) return { kind, tap, layer: Math.floor(g / heads), head: g % heads, count, of: rows * cols };
  }
  return null;
}

function scan(t: Matrices, tap: string, kind: AttentionKind): NonFiniteAt | null {
  if (isPacked(t)) return scanPacked(t, tap, kind);
  const { shape, data } = t;
  // [layers, heads, …] for taps, [heads, q, k] for a position bias.
  const lead = tap === 'positionBias' ? 1 : 2;
  const groups = shape.slice(0, lead).reduce((a, b) => a * b, 1);
  const per = groups ? data.length / groups : 0;
  const heads = shape[lead - 1] ?? 1;
  for (let g = 0; g < groups; g++) {
    let count = 0;
    for (let i = g * per; i < (g + 1) * per; i++) if (isFault(data[i], tap)) count++;
    if (count) return { kind, tap, layer: lead === 2 ? Math.floor(g / heads) : 0, head: g % heads, count, of: per };
  }
  return null;
}

/** The first non-finite value among the attention weights (all kinds), then the other taps. */
export function findNonFinite(trace: Trace): NonFiniteAt | null {
  for (const kind of KINDS) {
    const p = trace.attention[kind]?.probs;
    const hit = p && scan(p, 'probs', kind);
    if (hit) return hit;
  }
  for (const kind of KINDS)
    for (const tap of [...TAP_NAMES.filter((n) => n !== 'probs'), 'positionBias'] as const) {
      const t = trace.attention[kind]?.[tap];
      const hit = t && scan(t, tap, kind);
      if (hit) return hit;
    }
  return null;
}

export function nonFiniteMessage(at: NonFiniteAt): string {
  const where = at.tap === 'positionBias' ? `the ${at.kind} position bias, head ${at.head}` : `${at.kind} layer ${at.layer}, head ${at.head} (${at.tap})`;
  return `This trace holds numbers that are not finite (NaN or ±∞), first at ${where}: ${at.count} of ${at.of} values. They are marked as not a number, never as masked, and left out of the metrics; the model's weights or config (e.g. a non-positive layer_norm_epsilon) are likely broken.`;
}
