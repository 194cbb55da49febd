// Messages between the page and the tokenizer worker. Plain data only.

import type { ErrorInfo } from '../errors';
import type { TokenizedText, TokenizerAlgorithm } from './types';
import type { WordTrace } from './word-trace';

/** What the views need to know about a loaded tokenizer. */
export interface TokenizerInfo {
  id: string;
  algorithm: TokenizerAlgorithm;
  byteLevel: boolean;
  continuingPrefix: string | null;
  metaspace: string | null;
  byteFallback: boolean;
  unkToken: string | null;
  vocabSize: number;
  /** Number of BPE merges (0 for WordPiece / Unigram). */
  mergeCount: number;
}

export type Request =
  | { type: 'load'; req: number; id: string; tokenizerUrl: string; configUrl: string | null }
  | { type: 'tokenize'; req: number; ids: string[]; text: string }
  | { type: 'trace'; req: number; id: string; word: string };

export type Response =
  | { type: 'loaded'; req: number; info: TokenizerInfo }
  /** `errors`: tokenizers that failed on this text, each with why (the others' results still count). */
  | { type: 'tokenized'; req: number; results: Record<string, TokenizedText>; ms: Record<string, number>; errors: Record<string, ErrorInfo> }
  | { type: 'traced'; req: number; trace: WordTrace | null }
  | { type: 'error'; req: number; error: ErrorInfo };
