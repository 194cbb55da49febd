// How a token is written on its chip: the vocabulary string cut into parts, so the
// algorithm's own markers (Ġ, Ċ, ##, ▁), raw bytes and invisible characters can be
// styled and explained in place. Everything here is plain text; the components render
// it as text nodes, never as HTML.

import type { TokenPiece, TokenizerAlgorithm } from './types';
import { byteLevelToBytes, hex, utf8SequenceLength } from './bytes';

export type PartKind = 'text' | 'marker' | 'escape' | 'bytes' | 'special' | 'unknown';

export interface ChipPart {
  kind: PartKind;
  text: string;
  /** What this part means, for a tooltip / screen reader. */
  title?: string;
}

export interface MarkerInfo {
  algorithm: TokenizerAlgorithm;
  byteLevel: boolean;
  continuingPrefix: string | null;
  metaspace: string | null;
  /** SentencePiece BPE writes characters it has no piece for as their UTF-8 bytes, <0xE6>. */
  byteFallback?: boolean;
}

/** GPT-2 writes these bytes with stand-in letters; we keep the letter and explain it. */
const BYTE_LEVEL_MARKERS: Record<number, { mark: string; title: string }> = {
  0x20: { mark: 'Ġ', title: 'Ġ is how GPT-2 writes a space (byte 20): the token includes the space before it' },
  0x0a: { mark: 'Ċ', title: 'Ċ is how GPT-2 writes a newline (byte 0A)' },
  0x09: { mark: 'ĉ', title: 'ĉ is how GPT-2 writes a tab (byte 09)' },
  0x0d: { mark: 'č', title: 'č is how GPT-2 writes a carriage return (byte 0D)' },
};

const VISIBLE_WHITESPACE: Record<string, { mark: string; title: string }> = {
  ' ': { mark: '␣', title: 'a space' },
  '\n': { mark: '⏎', title: 'a newline' },
  '\t': { mark: '⇥', title: 'a tab' },
  '\r': { mark: '␍', title: 'a carriage return' },
};

const INVISIBLE_NAMES: Record<number, string> = {
  0x00a0: 'no-break space',
  0x00ad: 'soft hyphen',
  0x034f: 'combining grapheme joiner',
  0x200b: 'zero-width space',
  0x200c: 'zero-width non-joiner',
  0x200d: 'zero-width joiner (glues emoji into one)',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x2060: 'word joiner',
  0xfe0e: 'variation selector 15 (text style)',
  0xfe0f: 'variation selector 16 (emoji style)',
  0xfeff: 'byte order mark / zero-width no-break space',
  0x3000: 'ideographic space',
};

// Characters that draw nothing (or nothing clear) on their own.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\p{Co}\p{Cn}\u034f\ufe00-\ufe0f]/u;
const COMBINING = /^\p{M}/u;

function codePointEscape(cp: number): string {
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** Plain text with whitespace made visible and invisible characters escaped. */
export function textParts(s: string): ChipPart[] {
  const parts: ChipPart[] = [];
  let run = '';
  const flush = () => {
    if (run) parts.push({ kind: 'text', text: run });
    run = '';
  };
  for (const ch of s) {
    const ws = VISIBLE_WHITESPACE[ch];
    if (ws) {
      flush();
      parts.push({ kind: 'escape', text: ws.mark, title: ws.title });
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (INVISIBLE.test(ch)) {
      flush();
      const name = INVISIBLE_NAMES[cp] ?? 'an invisible character';
      parts.push({ kind: 'escape', text: codePointEscape(cp), title: `${name}, U+${cp.toString(16).toUpperCase().padStart(4, '0')}` });
      continue;
    }
    // A combining mark with nothing before it in this token: draw it on a dotted circle.
    if (run === '' && COMBINING.test(ch) && (parts.length === 0 || parts[parts.length - 1].kind !== 'text')) {
      parts.push({ kind: 'escape', text: '◌', title: 'a combining mark: it attaches to the letter before it, which is in another token' });
    }
    run += ch;
  }
  flush();
  return parts;
}

/** Byte-level pieces: decode whole UTF-8 characters, show stray bytes as hex. */
function byteLevelParts(bytes: Uint8Array): ChipPart[] {
  const parts: ChipPart[] = [];
  let i = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const pushBytes = (from: number, to: number) => {
    const h = hex(bytes.subarray(from, to));
    const prev = parts[parts.length - 1];
    if (prev?.kind === 'bytes') prev.text += ' ' + h;
    else parts.push({ kind: 'bytes', text: h, title: 'raw UTF-8 bytes (hexadecimal) of a character whose bytes are split across several tokens' });
  };
  while (i < bytes.length) {
    const b = bytes[i];
    const marker = BYTE_LEVEL_MARKERS[b];
    if (marker) {
      parts.push({ kind: 'marker', text: marker.mark, title: marker.title });
      i++;
      continue;
    }
    const len = utf8SequenceLength(b);
    let ok = len > 0 && i + len <= bytes.length;
    for (let k = 1; ok && k < len; k++) ok = (bytes[i + k] & 0xc0) === 0x80;
    let ch = '';
    if (ok) {
      try {
        ch = decoder.decode(bytes.subarray(i, i + len));
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      pushBytes(i, i + 1);
      i++;
      continue;
    }
    const sub = textParts(ch);
    const prev = parts[parts.length - 1];
    if (sub.length === 1 && sub[0].kind === 'text' && prev?.kind === 'text') prev.text += sub[0].text;
    else parts.push(...sub);
    i += len;
  }
  return parts;
}

const SPECIAL_TITLES: Record<string, string> = {
  '[CLS]': '[CLS]: “classification” token BERT puts first; its final vector sums up the input',
  '[SEP]': '[SEP]: separator BERT puts after each sentence',
  '[PAD]': '[PAD]: padding, fills batches to one length',
  '[MASK]': '[MASK]: the blank BERT learns to fill in',
  '[UNK]': '[UNK]: BERT’s “unknown” token',
  '<|endoftext|>': '<|endoftext|>: GPT-2’s end-of-text token, which separates documents',
  '</s>': '</s>: end of sequence; T5 adds it after the text',
  '<pad>': '<pad>: padding; T5’s decoder also starts from it',
  '<unk>': '<unk>: the “unknown” token',
  '<s>': '<s>: start of sequence',
};

export function specialTitle(piece: string): string {
  if (SPECIAL_TITLES[piece]) return SPECIAL_TITLES[piece];
  if (/^<extra_id_\d+>$/.test(piece)) return `${piece}: T5 sentinel that stands for a masked-out span`;
  return `${piece}: a special token the tokenizer adds or reserves`;
}

/** The parts for one vocabulary piece as the model stores it (not special, not unknown). */
export function pieceParts(piece: string, info: MarkerInfo, source?: string): ChipPart[] {
  const byte = info.byteFallback ? /^<0x([0-9A-Fa-f]{2})>$/.exec(piece) : null;
  if (byte) {
    const of = source ? ` of “${source}”` : '';
    return [{ kind: 'bytes', text: piece, title: `${piece}: byte fallback. The vocabulary has no piece for this character, so it is written as its UTF-8 bytes, one token each; this is byte ${byte[1].toUpperCase()}${of}` }];
  }
  if (info.byteLevel) {
    const bytes = byteLevelToBytes(piece);
    if (bytes) return byteLevelParts(bytes);
  }
  const parts: ChipPart[] = [];
  let rest = piece;
  if (info.continuingPrefix && rest.startsWith(info.continuingPrefix) && rest.length > info.continuingPrefix.length) {
    parts.push({ kind: 'marker', text: info.continuingPrefix, title: `${info.continuingPrefix} = this piece continues the word before it (no space in between)` });
    rest = rest.slice(info.continuingPrefix.length);
  }
  const meta = info.metaspace;
  if (meta && rest.includes(meta)) {
    rest.split(meta).forEach((chunk, k) => {
      if (k > 0) parts.push({ kind: 'marker', text: meta, title: `${meta} = start of a word: it stands for the space before it` });
      parts.push(...textParts(chunk));
    });
    return parts;
  }
  parts.push(...textParts(rest));
  return parts;
}

/** The parts of a token chip. `source` is the text its span covers. */
export function chipParts(token: TokenPiece, info: MarkerInfo, source?: string): ChipPart[] {
  if (token.special) return [{ kind: 'special', text: token.piece, title: specialTitle(token.piece) }];
  if (token.unknown) {
    const what = source ? `“${source}” is` : 'this text is';
    return [{ kind: 'unknown', text: token.piece, title: `${token.piece}: ${what} not in the vocabulary, so the tokenizer writes the unknown token` }];
  }
  return pieceParts(token.piece, info, source);
}
