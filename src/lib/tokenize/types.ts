// What the tokenize layer hands on: the pieces of a text with their ids and exact
// character spans. Everything downstream (graph inputs, trace tokens, the chips of the
// tokenization view) reads this.

export type TokenizerAlgorithm = 'byte-level-bpe' | 'bpe' | 'wordpiece' | 'unigram';

export interface TokenPiece {
  id: number;
  /** The vocabulary string (`Ġworld`, `##ing`, `▁the`, `[CLS]`). */
  piece: string;
  /**
   * Span in the input text in UTF-16 code units, never splitting a Unicode character.
   * When a byte-level token holds only part of a character's UTF-8 bytes, the span
   * covers the whole character and `partial` is true. Tokens with no source text
   * (added special tokens) have start === end.
   */
  start: number;
  end: number;
  special: boolean;
  unknown: boolean;
  /**
   * This token holds only part of a user-perceived character (some of its UTF-8 bytes,
   * one code point of an emoji sequence, the "f" of "ﬁ"): its span is the whole
   * character, shared with the neighbouring token(s) that hold the rest.
   */
  partial?: boolean;
  /** Byte-level BPE: the raw bytes this token stands for. */
  bytes?: number[];
}

/** One pre-token ("word" as the tokenizer splits text before its model runs). */
export interface WordSpan {
  /** The pre-token as the model sees it (byte-level BPE: in the byte alphabet, `Ġworld`). */
  text: string;
  start: number;
  end: number;
  /** tokens[tokenStart … tokenEnd) came from this word. */
  tokenStart: number;
  tokenEnd: number;
}

export interface TokenizedText {
  text: string;
  tokens: TokenPiece[];
  algorithm: TokenizerAlgorithm;
  /** The model or tokenizer id this came from. */
  tokenizerId: string;
  /** The pre-tokens (words) the model was run on, in order. */
  words?: WordSpan[];
  /**
   * Some spans could not be worked out exactly (an unusual normalizer or
   * pre-tokenizer) and cover a wider stretch of text than the token itself.
   */
  approximate?: boolean;
}
