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
  /** Byte-level BPE: this token holds only some of the UTF-8 bytes of a character. */
  partial?: boolean;
  /** Byte-level BPE: the raw bytes this token stands for. */
  bytes?: number[];
}

export interface TokenizedText {
  text: string;
  tokens: TokenPiece[];
  algorithm: TokenizerAlgorithm;
  /** The model or tokenizer id this came from. */
  tokenizerId: string;
}
