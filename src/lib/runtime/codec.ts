// The runtime's view of a tokenizer: text → pieces with ids and spans (through the
// tokenize layer), ids → text for generated tokens.

import { AtlasError } from '../errors';
import type { TokenizedText } from '../tokenize/types';
import type { TraceToken } from '../trace/types';
import { loadTokenizer, type LoadedTokenizer } from '../tokenize/load';
import { tokenizeText } from '../tokenize/tokenize';
import { normalizerOf, probePatterns, tokenizerPatterns, type Watch } from '../tokenize/patterns';
import { checkTokenIds } from './vocab-check';

/**
 * The whole of tokenizing one text, when a watch looks on: byte-level BPE on 100 k
 * characters of emoji takes 2–6 s in Chromium (issue 19, item 12), so 30 s is a hang.
 */
export const TOKENIZE_BUDGET_MS = 30_000;

export interface TextCodec {
  readonly tokenizer: LoadedTokenizer;
  /** Ids of the tokenizer's special tokens ([CLS], </s>, <|endoftext|>, …). */
  readonly specialIds: Set<number>;
  /** Tokenizes with the model's own special tokens ([CLS] … [SEP], … </s>). */
  encode(text: string): TokenizedText;
  decode(ids: number[]): string;
  piece(id: number): string;
  id(piece: string): number | undefined;
}

/**
 * `watch`: where tokenizing runs on a thread a watchdog can stop (the browser's worker),
 * each of the tokenizer's own regexes is first run alone, then the whole tokenizer, each
 * under a time budget, so a hang is stopped and named.
 */
export interface CodecOptions {
  watch?: Watch;
  /** Rows of the model's embedding table (vocab_size): every id a text gives must have one. */
  embeddingRows?: number;
}

export function createCodec(id: string, tokenizerJson: unknown, tokenizerConfig: unknown, options: CodecOptions = {}): TextCodec {
  const tokenizer = loadTokenizer(id, tokenizerJson, tokenizerConfig ?? {});
  const lib = tokenizer.lib;
  const specialIds = new Set([...tokenizer.added.byContent.values()].filter((t) => t.special).map((t) => t.id));
  const patterns = tokenizerPatterns(lib);
  const normalize = normalizerOf(lib);
  const { watch, embeddingRows } = options;
  const tokenize = (text: string): TokenizedText => {
    if (!watch) return tokenizeText(tokenizer, text);
    probePatterns(patterns, text, watch, normalize);
    watch.begin({ label: `the tokenizer of ${id}`, budgetMs: TOKENIZE_BUDGET_MS });
    try {
      return tokenizeText(tokenizer, text);
    } finally {
      watch.end();
    }
  };
  const encode = (text: string): TokenizedText => {
    const out = tokenize(text);
    if (embeddingRows !== undefined) checkTokenIds(out.tokens, embeddingRows, id);
    return out;
  };
  return {
    tokenizer,
    specialIds,
    encode,
    decode: (ids) => lib.decode(ids, { skip_special_tokens: true }),
    piece: (i) => lib.id_to_token(i) ?? `<${i}>`,
    id: (p) => lib.token_to_id(p),
  };
}

export function toTraceTokens(t: TokenizedText): TraceToken[] {
  return t.tokens.map((p) => ({ id: p.id, text: p.piece, start: p.start, end: p.end, special: p.special }));
}

/**
 * Tokens for ids the model generated, placed after `offset` in the text: each token's
 * span is what its id adds to the decoded text. Returns the tokens and the added text.
 */
export function generatedTokens(codec: TextCodec, ids: number[], offset: number, specialIds: Set<number>): { tokens: TraceToken[]; text: string } {
  const tokens: TraceToken[] = [];
  let previous = '';
  for (let i = 0; i < ids.length; i++) {
    const text = codec.decode(ids.slice(0, i + 1));
    // A byte-level token may end inside a UTF-8 character; its span grows when the character completes.
    const start = offset + Math.min(previous.length, text.length);
    tokens.push({ id: ids[i], text: codec.piece(ids[i]), start, end: offset + text.length, special: specialIds.has(ids[i]) });
    previous = text;
  }
  return { tokens, text: previous };
}

export function requireText(text: string): void {
  if (text.trim() === '') throw new AtlasError('bad-input', 'There is no text to run.', 'Type a sentence into the text box.');
}
