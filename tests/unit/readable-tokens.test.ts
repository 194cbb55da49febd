// Issue 14, point 5: tokens as a student reads them, from each tokenizer's own markers.
import { describe, expect, it } from 'vitest';
import { readableTokens, visibleToken } from '../../src/lib/viz/format';
import { model } from './tokenize-load';

describe('readable tokens', () => {
  it('byte-level BPE (GPT-2) is decoded to its text, spaces shown as ␣, split characters as bytes', () => {
    const gpt2 = model('gpt2').lib;
    const enc = gpt2.encode('The quick 猫\nend');
    const readable = readableTokens(enc.tokens);
    expect(readable.map(visibleToken)).toContain('␣quick');
    expect(readable.map(visibleToken)).toContain('↵');
    // The decoded pieces concatenate back to the text where no character is split.
    const whole = readableTokens(gpt2.encode('The quick brown fox').tokens).join('');
    expect(whole).toBe('The quick brown fox');
    // 猫 is three bytes: if the tokenizer splits it, the pieces show <0xNN>; joined, the bytes are exactly its UTF-8.
    const cat = readableTokens(gpt2.encode('猫').tokens, [], true); // the model says its tokenizer is byte-level
    const bytes = cat.join('').match(/<0x([0-9A-F]{2})>/g);
    if (bytes) expect(bytes.map((b) => parseInt(b.slice(3, 5), 16))).toEqual([...new TextEncoder().encode('猫')]);
    else expect(cat.join('')).toBe('猫');
  });

  it('SentencePiece ▁ is the same space; WordPiece ## and byte tokens stay; other vocabularies are left alone', () => {
    expect(readableTokens(['▁The', '▁quick', 'ly', '<0xE6>']).map(visibleToken)).toEqual(['␣The', '␣quick', 'ly', '<0xE6>']);
    expect(readableTokens(['the', '##ing', '[SEP]'], [false, false, true])).toEqual(['the', '##ing', '[SEP]']);
    // Polish ł (U+0142) is in GPT-2's byte alphabet range: without Ġ/Ċ in the trace it is not decoded.
    expect(readableTokens(['ła', 'dny'])).toEqual(['ła', 'dny']);
  });
});
