// The BPE merge trace: a word goes from single symbols (bytes, for byte-level BPE) to
// its final tokens one merge at a time. At each step the adjacent pair whose merge was
// learned earliest (lowest rank in tokenizer.json's `model.merges`) is merged; ties go
// to the leftmost pair. This is GPT-2's rule (encoder.py `bpe`) and the one the
// 🤗 tokenizers BPE model applies; the tests check that every trace ends in the
// library's own output.

export interface MergeRanks {
  /** left + SEP + right → rank (0 = learned first). */
  ranks: Map<string, number>;
  count: number;
}

const SEP = '\u0000';

/** Reads `model.merges` in either format: "a b" strings or ["a", "b"] pairs. */
export function buildMergeRanks(merges: ReadonlyArray<string | readonly [string, string]>): MergeRanks {
  const ranks = new Map<string, number>();
  merges.forEach((m, i) => {
    // Same parsing as the library: "a b" → ["a", "b"] (split(' ', 2)).
    const [left, right] = typeof m === 'string' ? (m.split(' ', 2) as [string, string]) : m;
    // A duplicate pair keeps its last rank, as in the library's rank map.
    ranks.set(left + SEP + right, i);
  });
  return { ranks, count: merges.length };
}

export function mergeRank(r: MergeRanks, left: string, right: string): number | undefined {
  return r.ranks.get(left + SEP + right);
}

export interface MergeStep {
  /** Symbols after this step. */
  symbols: string[];
  /** The merge that produced them (absent for the starting symbols). */
  merge?: { index: number; left: string; right: string; rank: number };
}

export interface MergeTrace {
  word: string;
  steps: MergeStep[];
  /** Symbols after the last merge (before any vocabulary fallback). */
  final: string[];
  /** The whole word is in the vocabulary and ignore_merges is set: no merges are run. */
  wholeWord: boolean;
}

export interface TraceOptions {
  endOfWordSuffix?: string | null;
  /** ignore_merges: a word already in the vocabulary is taken as it is. */
  ignoreMerges?: boolean;
  inVocab?: (s: string) => boolean;
  /** Stop after this many merges (a guard for pathological inputs). */
  maxSteps?: number;
}

/** Longest word we trace step by step; each step scans the word, so cost grows as n². */
export const MAX_TRACE_SYMBOLS = 2000;

export function traceBpe(word: string, r: MergeRanks, opts: TraceOptions = {}): MergeTrace {
  if (opts.ignoreMerges && opts.inVocab?.(word)) {
    return { word, steps: [{ symbols: [word] }], final: [word], wholeWord: true };
  }
  // Code points, as the library splits the word (Array.from).
  const symbols = Array.from(word);
  if (symbols.length === 0) return { word, steps: [{ symbols: [] }], final: [], wholeWord: false };
  if (opts.endOfWordSuffix) symbols[symbols.length - 1] += opts.endOfWordSuffix;
  const steps: MergeStep[] = [{ symbols: symbols.slice() }];
  const limit = opts.maxSteps ?? Infinity;
  let cur = symbols;
  while (cur.length > 1 && steps.length - 1 < limit && cur.length <= MAX_TRACE_SYMBOLS) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < cur.length; i++) {
      const rank = r.ranks.get(cur[i] + SEP + cur[i + 1]);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) break;
    const left = cur[best];
    const right = cur[best + 1];
    cur = [...cur.slice(0, best), left + right, ...cur.slice(best + 2)];
    steps.push({ symbols: cur, merge: { index: best, left, right, rank: bestRank } });
  }
  return { word, steps, final: cur, wholeWord: false };
}
