// Issue 15, item 14: what a screen reader hears for a token (the live regions of the canvas views).
import { describe, expect, it } from 'vitest';
import { spokenToken } from '../../src/lib/viz/format';

describe('spokenToken', () => {
  it('spells out the tokenizers’ markers instead of reading them as letters', () => {
    expect(spokenToken('Ġman')).toBe('space man');
    expect(spokenToken('▁man')).toBe('space man');
    expect(spokenToken('##ing')).toBe('…ing');
    expect(spokenToken('Ċ')).toBe('newline');
    expect(spokenToken('<0xE6>')).toBe('byte E6');
    expect(spokenToken('Ġ')).toBe('space');
    expect(spokenToken('[CLS]')).toBe('[CLS]');
    expect(spokenToken('man')).toBe('man');
    expect(spokenToken('')).toBe('empty');
  });
});
