// The regular expressions a tokenizer.json brings with it (Split and Replace steps of its
// normalizer and pre-tokenizer), and a probe that runs each one alone over a text under a
// watch. A pattern such as `(a+)+$` backtracks without end on "aaa…a!" and would hang the
// thread that tokenizes; running each alone first lets a watchdog say which one it was.

import type { Tokenizer } from '@huggingface/tokenizers';

export interface TokenizerPattern {
  /** Where it sits, for people: "pre_tokenizer Split". */
  where: string;
  /** The pattern as written in tokenizer.json. */
  source: string;
  /** The library's own compiled RegExp (the one tokenizing will use). */
  regex: RegExp;
}

/** A phase of synchronous work that a watchdog outside the thread may stop. */
export interface WatchPhase {
  /** What is running, for the message if it runs over: "the tokenizer's pattern (a+)+$ (pre_tokenizer Split)". */
  label: string;
  budgetMs: number;
}

export interface Watch {
  begin(phase: WatchPhase): void;
  end(): void;
}

/**
 * One pattern over the longest text the app takes (~100 k characters) runs in well under
 * 100 ms when it is linear; 3 s is far beyond that on a slow laptop, and short enough that
 * nobody waits long for a pattern that never finishes.
 */
export const PATTERN_BUDGET_MS = 3000;

interface Step {
  config?: { type?: string; pattern?: { Regex?: unknown } };
  pattern?: unknown;
  tokenizers?: unknown[];
  normalizers?: unknown[];
}

function* walk(step: unknown, where: string): Generator<TokenizerPattern> {
  // The library's steps are callable objects (typeof 'function').
  if (!step || (typeof step !== 'object' && typeof step !== 'function')) return;
  const s = step as Step;
  for (const inner of s.tokenizers ?? s.normalizers ?? []) yield* walk(inner, where);
  const source = s.config?.pattern?.Regex;
  if (typeof source === 'string' && s.pattern instanceof RegExp) yield { where: `${where} ${s.config?.type ?? ''}`.trim(), source, regex: s.pattern };
}

/** The tokenizer.json regexes of a loaded tokenizer, in the order they run. */
export function tokenizerPatterns(lib: Tokenizer): TokenizerPattern[] {
  const l = lib as unknown as { normalizer: unknown; pre_tokenizer: unknown };
  return [...walk(l.normalizer, 'normalizer'), ...walk(l.pre_tokenizer, 'pre_tokenizer')];
}

export const patternLabel = (p: Pick<TokenizerPattern, 'where' | 'source'>) => `the tokenizer's pattern ${p.source} (${p.where})`;

/** Runs each pattern once over the text, each inside its own watch phase. */
export function probePatterns(patterns: TokenizerPattern[], text: string, watch: Watch, budgetMs = PATTERN_BUDGET_MS): void {
  for (const p of patterns) {
    watch.begin({ label: patternLabel(p), budgetMs });
    try {
      p.regex.lastIndex = 0;
      text.match(p.regex);
    } finally {
      watch.end();
    }
  }
}
