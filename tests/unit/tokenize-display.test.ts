// How tokens are written on chips: markers kept and explained, bytes as hex,
// whitespace and invisible characters made visible, and nothing interpreted as HTML.
import { describe, expect, it } from 'vitest';
import { chipParts, pieceParts, textParts, type MarkerInfo } from '../../src/lib/tokenize/display';
import { tokenizeText } from '../../src/lib/tokenize/tokenize';
import { model, unigramFixture } from './tokenize-load';
import type { LoadedTokenizer } from '../../src/lib/tokenize/load';

const info = (t: LoadedTokenizer): MarkerInfo => t;
const kinds = (parts: { kind: string; text: string }[]) => parts.map((p) => `${p.kind}:${p.text}`);

describe('chip parts', () => {
  it('GPT-2: Ġ is a marker for the leading space, the rest is text', () => {
    const gpt2 = model('gpt2');
    const parts = pieceParts('Ġworld', info(gpt2));
    expect(kinds(parts)).toEqual(['marker:Ġ', 'text:world']);
    expect(parts[0].title).toMatch(/space/);
    expect(kinds(pieceParts('ĊĊ', info(gpt2)))).toEqual(['marker:Ċ', 'marker:Ċ']);
    expect(pieceParts('Ċ', info(gpt2))[0].title).toMatch(/newline/);
  });

  it('GPT-2: complete multi-byte characters are decoded, partial ones shown as hex bytes', () => {
    const gpt2 = model('gpt2');
    expect(kinds(pieceParts('Ã¯ve', info(gpt2)))).toEqual(['text:ïve']);
    expect(kinds(pieceParts('ĠðŁĳ', info(gpt2)))).toEqual(['marker:Ġ', 'bytes:F0 9F 91']);
    expect(kinds(pieceParts('¨', info(gpt2)))).toEqual(['bytes:A8']);
    expect(kinds(pieceParts('âĢĭ', info(gpt2)))).toEqual(['escape:\\u200b']); // zero-width space
  });

  it('LLaMA (SentencePiece BPE): ▁ starts a word, and a character it has no piece for is its bytes, explained', () => {
    const llama = model('tinyllama');
    expect(llama.byteFallback).toBe(true);
    expect(llama.metaspace).toBe('▁');
    expect(kinds(pieceParts('▁Hello', info(llama)))).toEqual(['marker:▁', 'text:Hello']);
    const r = tokenizeText(llama, 'I like 🦙');
    const bytes = r.tokens.filter((t) => /^<0x/.test(t.piece));
    expect(bytes.map((t) => t.piece)).toEqual(['<0xF0>', '<0x9F>', '<0xA6>', '<0x99>']);
    for (const t of bytes) {
      expect(t.start).toBe(7); // each byte token spans the whole emoji
      const [part] = chipParts(t, info(llama), '🦙');
      expect(part.kind).toBe('bytes');
      expect(part.title).toMatch(/byte fallback.*UTF-8 bytes.*this is byte [0-9A-F]{2} of “🦙”/);
    }
  });

  it('WordPiece: ## is a marker that says “continues the word”', () => {
    const bert = model('bert-base-uncased');
    const parts = pieceParts('##ization', info(bert));
    expect(kinds(parts)).toEqual(['marker:##', 'text:ization']);
    expect(parts[0].title).toMatch(/continues/);
    expect(kinds(pieceParts('##', info(bert)))).toEqual(['text:##']); // the token "##" itself
  });

  it('SentencePiece: ▁ is a marker for the start of a word', () => {
    const parts = pieceParts('▁the', info(unigramFixture()));
    expect(kinds(parts)).toEqual(['marker:▁', 'text:the']);
    expect(parts[0].title).toMatch(/start of a word/);
  });

  it('special and unknown tokens are labelled', () => {
    const bert = model('bert-base-uncased');
    const r = tokenizeText(bert, 'hi 😀');
    expect(chipParts(r.tokens[0], info(bert))[0]).toMatchObject({ kind: 'special', text: '[CLS]' });
    const unk = r.tokens[2];
    const parts = chipParts(unk, info(bert), '😀');
    expect(parts[0]).toMatchObject({ kind: 'unknown', text: '[UNK]' });
    expect(parts[0].title).toContain('😀');
  });

  it('whitespace and invisible characters become visible', () => {
    expect(kinds(textParts('a b\tc\nd'))).toEqual(['text:a', 'escape:␣', 'text:b', 'escape:⇥', 'text:c', 'escape:⏎', 'text:d']);
    expect(kinds(textParts('x\u200by'))).toEqual(['text:x', 'escape:\\u200b', 'text:y']);
    expect(kinds(textParts('\u00a0'))).toEqual(['escape:\\u00a0']);
    expect(textParts('\u200d')[0].title).toMatch(/zero-width joiner/);
  });

  it('a combining mark alone in a token is drawn on a dotted circle', () => {
    expect(kinds(textParts('\u0308'))).toEqual(['escape:◌', 'text:\u0308']);
  });

  it('markup stays plain text', () => {
    const gpt2 = model('gpt2');
    const r = tokenizeText(gpt2, '<img src=x onerror=alert(1)>');
    const shown = r.tokens.map((t) => chipParts(t, info(gpt2)).map((p) => p.text).join('')).join('');
    expect(shown).toBe('<imgĠsrc=xĠonerror=alert(1)>');
  });
});
