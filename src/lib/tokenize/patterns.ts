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

/**
 * The text each pattern meets: normalizer patterns the raw text, pre-tokenizer patterns the
 * normalized one (a Lowercase step can turn a harmless "AAA…!" into a hanging "aaa…!").
 * `normalize` runs only after every normalizer pattern was probed on its own.
 */
export function* patternInputs(patterns: TokenizerPattern[], text: string, normalize?: (s: string) => string): Generator<[TokenizerPattern, string]> {
  let normalized: string | undefined;
  for (const p of patterns) {
    if (p.where.startsWith('normalizer')) yield [p, text];
    else yield [p, (normalized ??= normalize ? normalize(text) : text)];
  }
}

/** Runs each pattern once over the text it will meet, each inside its own watch phase. */
export function probePatterns(patterns: TokenizerPattern[], text: string, watch: Watch, normalize?: (s: string) => string, budgetMs = PATTERN_BUDGET_MS): void {
  for (const [p, input] of patternInputs(patterns, text, normalize)) {
    watch.begin({ label: patternLabel(p), budgetMs });
    try {
      p.regex.lastIndex = 0;
      input.match(p.regex);
    } finally {
      watch.end();
    }
  }
}

/** The library's normalizer as a function (identity when the tokenizer has none). */
export function normalizerOf(lib: Tokenizer): (s: string) => string {
  const n = (lib as unknown as { normalizer: ((s: string) => string) | null }).normalizer;
  return n ? (s) => n(s) : (s) => s;
}
