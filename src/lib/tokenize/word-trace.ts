// A merge trace for one word of a loaded BPE tokenizer, with the final tokens' ids and
// the library's own result for the same word next to it.

import type { LoadedTokenizer } from './load';
import { buildMergeRanks, traceBpe, type MergeRanks, type MergeStep } from './bpe-trace';

export interface WordTrace {
  word: string;
  steps: MergeStep[];
  /** Tokens after the merges and the vocabulary look-up (byte fallback / unknown). */
  tokens: Array<{ piece: string; id: number }>;
  /** What the library's BPE model returns for the same word. */
  library: string[];
  matchesLibrary: boolean;
  wholeWord: boolean;
  /** Number of merges the tokenizer has (ranks go from 0 to mergeCount − 1). */
  mergeCount: number;
}

const ranksCache = new WeakMap<LoadedTokenizer, MergeRanks>();

export function mergeRanksOf(tok: LoadedTokenizer): MergeRanks | null {
  const merges = tok.json.model.merges;
  if (!merges || (tok.algorithm !== 'bpe' && tok.algorithm !== 'byte-level-bpe')) return null;
  let r = ranksCache.get(tok);
  if (!r) ranksCache.set(tok, (r = buildMergeRanks(merges)));
  return r;
}

export function traceWord(tok: LoadedTokenizer, word: string): WordTrace | null {
  const ranks = mergeRanksOf(tok);
  const model = tok.lib.model;
  if (!ranks || !model) return null;
  const vocab = model.tokens_to_ids;
  const t = traceBpe(word, ranks, {
    endOfWordSuffix: tok.endOfWordSuffix,
    ignoreMerges: !!tok.json.model.ignore_merges,
    inVocab: (s) => vocab.has(s),
  });
  // After the merges, as the library: continuation suffixes, then the vocabulary
  // look-up with byte fallback or the unknown token.
  const pieces = t.final.map((s, i) => (tok.continuingSuffix && i < t.final.length - 1 ? s + tok.continuingSuffix : s));
  const tokens: Array<{ piece: string; id: number }> = [];
  const enc = new TextEncoder();
  for (const p of t.wholeWord ? [word] : pieces) {
    const id = vocab.get(p);
    if (id !== undefined) tokens.push({ piece: p, id });
    else if (tok.byteFallback) {
      const bytes = Array.from(enc.encode(p), (b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
      if (bytes.every((b) => vocab.has(b))) bytes.forEach((b) => tokens.push({ piece: b, id: vocab.get(b)! }));
      else if (tok.unkToken !== null) tokens.push({ piece: tok.unkToken, id: tok.unkId ?? -1 });
    } else if (tok.unkToken !== null) tokens.push({ piece: tok.unkToken, id: tok.unkId ?? -1 });
  }
  const library = model.encode([word]);
  const matchesLibrary = library.length === tokens.length && library.every((p, i) => p === tokens[i].piece);
  return { word, steps: t.steps, tokens, library, matchesLibrary, wholeWord: t.wholeWord, mergeCount: ranks.count };
}
