// Minimal pairs: one model, two texts that differ in a word or two ("The keys to the cabinet
// are" / "The key to the cabinet is"). Tokens are aligned by their longest common subsequence,
// and each head's attention is compared on the aligned tokens only. Both traces are the model's
// own numbers; only the comparison is formed here.

import type { AttentionKind, Trace, TraceToken } from './types';
import { attentionKinds } from './types';
import { headMatrix } from './types';
import { isCausal } from '../families';

/** Index pairs [i in a, j in b] of tokens with the same text, in order (a longest common subsequence). */
export function alignTokens(a: readonly TraceToken[], b: readonly TraceToken[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const len = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) len[i][j] = a[i].text === b[j].text ? len[i + 1][j + 1] + 1 : Math.max(len[i + 1][j], len[i][j + 1]);
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (a[i].text === b[j].text) pairs.push([i++, j++]);
    else if (len[i + 1][j] >= len[i][j + 1]) i++;
    else j++;
  }
  return pairs;
}

export interface PairDifference {
  /** Aligned tokens (rows are queries, columns keys), as indices into each trace. */
  pairs: [number, number][];
  /** [pairs × pairs], row-major: weight in text A − weight in text B; NaN where either cell is masked. */
  values: Float64Array;
}

/** The masked (never attended) cells of a head: exactly zero weight under a causal or padding mask. */
function maskedAt(trace: Trace, kind: AttentionKind, layer: number, head: number, i: number, j: number): boolean {
  const s = trace.attention[kind]?.scores;
  if (s) return headMatrix(s, layer, head)[i * s.shape[3] + j] <= -1e30;
  return isCausal(trace.model.family, kind) && j > i;
}

/** One head's weights in A minus in B on the aligned tokens (self-attention stacks). */
export function pairDifference(a: Trace, b: Trace, kind: AttentionKind, layer: number, head: number, pairs = alignTokens(a.tokens, b.tokens)): PairDifference {
  const pa = a.attention[kind]?.probs;
  const pb = b.attention[kind]?.probs;
  if (!pa || !pb) throw new Error(`Both traces need ${kind} attention.`);
  const ma = headMatrix(pa, layer, head);
  const mb = headMatrix(pb, layer, head);
  const [na, nb] = [pa.shape[3], pb.shape[3]];
  const n = pairs.length;
  const values = new Float64Array(n * n);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      const [ia, ib] = pairs[r];
      const [ja, jb] = pairs[c];
      const masked = maskedAt(a, kind, layer, head, ia, ja) || maskedAt(b, kind, layer, head, ib, jb);
      values[r * n + c] = masked ? NaN : ma[ia * na + ja] - mb[ib * nb + jb];
    }
  return { pairs, values };
}

export interface HeadPairChange {
  kind: AttentionKind;
  layer: number;
  head: number;
  /** Mean |Δ weight| over the aligned cells that neither text masks. */
  change: number;
}

/** Every head's mean |Δ| on the aligned tokens, largest first. T5's cross-attention is left out (its rows are the target). */
export function pairChanges(a: Trace, b: Trace): HeadPairChange[] {
  const pairs = alignTokens(a.tokens, b.tokens);
  const out: HeadPairChange[] = [];
  for (const kind of attentionKinds(a.model.family)) {
    if (kind === 'cross' || kind === 'decoder') continue;
    const p = a.attention[kind]?.probs;
    if (!p || !b.attention[kind]?.probs) continue;
    const [layers, heads] = p.shape;
    for (let l = 0; l < layers; l++)
      for (let h = 0; h < heads; h++) {
        const d = pairDifference(a, b, kind, l, h, pairs).values;
        let sum = 0;
        let count = 0;
        for (const x of d)
          if (!Number.isNaN(x)) {
            sum += Math.abs(x);
            count++;
          }
        out.push({ kind, layer: l, head: h, change: count ? sum / count : 0 });
      }
  }
  return out.sort((x, y) => y.change - x.change);
}
