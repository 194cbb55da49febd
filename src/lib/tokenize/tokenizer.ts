// Loads a Hugging Face tokenizer.json through @huggingface/tokenizers and turns its
// output into a TokenizedText. (Interim span alignment for the runtime; the
// tokenization view's exact alignment replaces it.)

import { Tokenizer } from '@huggingface/tokenizers';
import { AtlasError } from '../errors';
import type { TokenizedText, TokenizerAlgorithm, TokenPiece } from './types';

export interface LoadedTokenizer {
  id: string;
  hf: Tokenizer;
  algorithm: TokenizerAlgorithm;
  specialIds: Set<number>;
  json: Record<string, unknown>;
}

export function detectAlgorithm(json: Record<string, unknown>): TokenizerAlgorithm {
  const model = (json.model ?? {}) as Record<string, unknown>;
  const pre = JSON.stringify(json.pre_tokenizer ?? null);
  // Older files (GPT-2's among them) omit model.type; the model's fields tell it apart.
  const type = model.type ?? (Array.isArray(model.merges) ? 'BPE' : Array.isArray(model.vocab) ? 'Unigram' : 'max_input_chars_per_word' in model ? 'WordPiece' : undefined);
  if (type === 'WordPiece') return 'wordpiece';
  if (type === 'Unigram') return 'unigram';
  if (type === 'BPE') return pre.includes('ByteLevel') ? 'byte-level-bpe' : 'bpe';
  throw new AtlasError('bad-tokenizer', `tokenizer.json has an unsupported model type ${JSON.stringify(model.type)}.`, 'Supported: BPE, WordPiece, Unigram.');
}

export function loadTokenizer(id: string, json: unknown, config: unknown): LoadedTokenizer {
  if (typeof json !== 'object' || json === null) throw new AtlasError('bad-tokenizer', `${id}: tokenizer.json is not a JSON object.`);
  const j = json as Record<string, unknown>;
  const algorithm = detectAlgorithm(j);
  let hf: Tokenizer;
  try {
    hf = new Tokenizer(j, (config ?? {}) as object);
  } catch (e) {
    throw new AtlasError('bad-tokenizer', `${id}: tokenizer.json could not be loaded (${e instanceof Error ? e.message : e}).`);
  }
  const specialIds = new Set<number>();
  for (const t of (j.added_tokens ?? []) as { id: number; special: boolean }[]) if (t.special) specialIds.add(t.id);
  return { id, hf, algorithm, specialIds, json: j };
}

/** A loose key for matching pieces against text: lower case, no accents, no markers. */
function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function tokenizeText(tok: LoadedTokenizer, text: string): TokenizedText {
  const enc = tok.hf.encode(text);
  const unk = (tok.json.model as { unk_token?: string } | undefined)?.unk_token;
  const folded = [...text].map((ch) => fold(ch));
  // Offsets of each code point in UTF-16 units.
  const starts: number[] = [];
  let at = 0;
  for (const ch of text) {
    starts.push(at);
    at += ch.length;
  }
  starts.push(at);
  let cursor = 0; // in code points
  const tokens: TokenPiece[] = enc.ids.map((id, i) => {
    const piece = enc.tokens[i];
    const special = tok.specialIds.has(id);
    let start = starts[cursor];
    let end = start;
    if (!special) {
      const body = fold(piece.replace(/^##/, '').replace(/^[Ġ▁]/, ''));
      // Skip whitespace, then consume code points until their folded form covers the piece.
      while (cursor < folded.length && /^\s*$/.test(folded[cursor]) && body.length > 0 && !/^\s/.test(body)) cursor++;
      start = starts[cursor];
      let covered = '';
      while (cursor < folded.length && covered.length < body.length) covered += folded[cursor++];
      if (piece === unk && cursor < folded.length && covered.length === 0) cursor++;
      end = starts[cursor];
    }
    return { id, piece, start, end, special, unknown: piece === unk };
  });
  return { text, tokens, algorithm: tok.algorithm, tokenizerId: tok.id };
}
