// Heads that name their role: per head, scores computed from the trace's own attention weights
// (and its token ids), each a share of attention in [0, 1] averaged over the queries it applies to.
// A score is null where it cannot be measured on this text (no repeated token, no earlier token).

import type { AttentionKind, Trace } from './types';
import { headMatrix, isPacked } from './types';
import { unpackHead } from './packed';
import { isCausal } from '../families';

export const HEAD_ROLES = ['previous', 'next', 'induction', 'duplicate', 'first', 'special', 'broad'] as const;
export type HeadRole = (typeof HEAD_ROLES)[number];

/** One sentence per score, as the UI says it. */
export const ROLE_DEFINITIONS: Record<HeadRole, { label: string; badge: string; definition: string }> = {
  previous: { label: 'previous token', badge: 'prev', definition: 'Weight each token gives the token just before it.' },
  next: { label: 'next token', badge: 'next', definition: 'Weight each token gives the token just after it (bidirectional stacks only).' },
  induction: {
    label: 'induction',
    badge: 'ind',
    definition: 'For a token seen earlier, weight on the token that followed it then (prefix matching: “A B … A” attends to B); only queries whose token appeared before count.',
  },
  duplicate: { label: 'duplicate token', badge: 'dup', definition: 'For a token seen earlier, weight on its earlier copies.' },
  first: { label: 'first-token sink', badge: 'sink', definition: 'Weight on the first token, whatever it is (an “attention sink”).' },
  special: { label: 'special tokens', badge: 'spec', definition: 'Weight on special tokens ([CLS], [SEP], </s>, <|endoftext|>…).' },
  broad: { label: 'broad', badge: 'broad', definition: 'Entropy of each query’s weights over the keys it may see, as a share of the most it could be (1 = evenly spread).' },
};

/** The roles that describe where a head looks (sink, special and broad describe how much it looks anywhere). */
export const STRIKING_ROLES: readonly HeadRole[] = ['previous', 'next', 'induction', 'duplicate'];

export type RoleScores = Record<HeadRole, number | null>;

export interface HeadRoleTable {
  kind: AttentionKind;
  layers: number;
  heads: number;
  /** scores[layer][head]. */
  scores: RoleScores[][];
}

/** The queries' and keys' token ids and special flags of a stack (self-attention: the same tokens). */
function streams(trace: Trace, kind: AttentionKind): { q: { id: number; special: boolean }[]; k: { id: number; special: boolean }[] } | null {
  const enc = trace.tokens;
  const dec = trace.decoderTokens;
  if (kind === 'self' || kind === 'encoder') return { q: enc, k: enc };
  if (kind === 'decoder' && dec) return { q: dec, k: dec };
  return null; // cross-attention: two token lists, so "previous" or "duplicate" mean nothing.
}

export function headRoles(trace: Trace, kind: AttentionKind): HeadRoleTable | null {
  const p = trace.attention[kind]?.probs;
  const s = streams(trace, kind);
  if (!p || !s) return null;
  const [L, H, Q, K] = p.shape;
  if (Q !== s.q.length || K !== s.k.length) return null;
  const causal = isCausal(trace.model.family, kind);
  const ids = s.q.map((t) => t.id);
  // For each query: earlier positions of its token (duplicates) and the positions right after them (induction).
  const earlier = ids.map((id, i) => ids.slice(0, i).flatMap((x, j) => (x === id ? [j] : [])));
  const followers = earlier.map((js, i) => js.map((j) => j + 1).filter((j) => j < K && j !== i && (!causal || j <= i)));
  const special = s.k.map((t) => t.special);
  // The special keys' columns: a row's share on them adds only these (the other cells added 0).
  const specialCols = special.flatMap((sp, j) => (sp ? [j] : []));
  const scores: RoleScores[][] = [];
  let scratch: Float32Array | undefined;
  for (let l = 0; l < L; l++) {
    const row: RoleScores[] = [];
    for (let h = 0; h < H; h++) {
      // A packed head is decoded into one reused buffer: the roles read every head once, and 144
      // fresh 4 MB arrays (1,024 tokens) cost more in allocation than in decoding.
      const m = isPacked(p) ? unpackHead(p, l, h, (scratch ??= new Float32Array(Q * K))) : headMatrix(p, l, h);
      const at = (i: number, j: number) => m[i * K + j];
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
      const previous = mean(Array.from({ length: Q - 1 }, (_, i) => at(i + 1, i)));
      const next = causal ? null : mean(Array.from({ length: Q - 1 }, (_, i) => at(i, i + 1)));
      const weightOn = (i: number, keys: number[]) => keys.reduce((a, j) => a + at(i, j), 0);
      const duplicate = mean(earlier.flatMap((js, i) => (js.length ? [weightOn(i, js)] : [])));
      // Prefix matching: the key right after each earlier copy, if the query may see it.
      const induction = mean(followers.flatMap((js, i) => (js.length ? [weightOn(i, js)] : [])));
      const first = mean(Array.from({ length: Q - (causal ? 1 : 0) }, (_, n) => at(n + (causal ? 1 : 0), 0)));
      const specialShare = specialCols.length ? mean(Array.from({ length: Q }, (_, i) => specialCols.reduce((a, j) => a + at(i, j), 0))) : null;
      const broad = mean(
        Array.from({ length: Q }, (_, i) => {
          const n = causal ? i + 1 : K;
          if (n < 2) return NaN;
          let e = 0;
          for (let j = 0; j < n; j++) {
            const v = at(i, j);
            if (v > 0) e -= v * Math.log(v);
          }
          return e / Math.log(n);
        }).filter((x) => !Number.isNaN(x)),
      );
      row.push({ previous, next, induction, duplicate, first, special: specialShare, broad });
    }
    scores.push(row);
  }
  return { kind, layers: L, heads: H, scores };
}

/** The head whose strongest positional role is the strongest of all (ties: the lower layer, then head). */
export function mostStrikingHead(t: HeadRoleTable): { layer: number; head: number; role: HeadRole; score: number } | null {
  let best: { layer: number; head: number; role: HeadRole; score: number } | null = null;
  t.scores.forEach((row, layer) =>
    row.forEach((s, head) => {
      for (const role of STRIKING_ROLES) {
        const v = s[role];
        if (v !== null && (!best || v > best.score + 1e-9)) best = { layer, head, role, score: v };
      }
    }),
  );
  return best;
}

/** The role a badge names for one head: its strongest positional role, when at least `threshold`. */
export function badgeOf(s: RoleScores, threshold = 0.5): HeadRole | null {
  let best: HeadRole | null = null;
  for (const role of STRIKING_ROLES) if ((s[role] ?? -1) >= threshold && (best === null || (s[role] ?? 0) > (s[best] ?? 0))) best = role;
  if (best) return best;
  if ((s.first ?? 0) >= 0.7) return 'first';
  return null;
}
