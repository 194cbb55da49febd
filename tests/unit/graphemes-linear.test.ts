// Issue 19, item 12: grapheme splitting is linear (Intl.Segmenter over one long stretch is
// quadratic in Node: 100 k emoji took 88 s through the CLI) and gives exactly the
// segmenter's own boundaries, across window edges too.
import { describe, expect, it } from 'vitest';
import { graphemeBoundaries } from '../../src/lib/tokenize/graphemes';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** The reference: the segmenter over the whole text at once. */
const reference = (text: string) => [...[...segmenter.segment(text)].map((s) => s.index), text.length];

const time = (f: () => void) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

describe('grapheme boundaries', () => {
  it('equal the segmenter’s own on long non-ASCII stretches that cross window edges', () => {
    const cases = [
      '😀'.repeat(3000),
      '🇩🇪🇫🇷🇯🇵'.repeat(700) + '🇺', // regional-indicator pairs: boundaries depend on parity from the start
      '👨‍👩‍👧‍👦'.repeat(600), // ZWJ families
      'e' + '\u0301'.repeat(5000) + 'é'.repeat(3000), // one cluster longer than the window
      'क्षि'.repeat(1500) + '👍🏽'.repeat(1500), // Indic conjuncts, skin tones
      Array.from({ length: 6000 }, (_, i) => ['ü', '😀', '\u200d', '🏳️‍🌈', 'ß', '\u0308', '🇨'][i % 7]).join(''),
    ];
    for (const text of cases) expect([...graphemeBoundaries(text)]).toEqual(reference(text));
  });

  it('grows linearly: 4× the emoji take well under 16× the time', () => {
    const small = '😀'.repeat(8000);
    const big = '😀'.repeat(32000);
    graphemeBoundaries(small);
    const a = Math.min(time(() => graphemeBoundaries(small)), time(() => graphemeBoundaries(small)));
    const b = time(() => graphemeBoundaries(big));
    console.log(`graphemes: 8k emoji ${a.toFixed(0)} ms, 32k emoji ${b.toFixed(0)} ms`);
    expect(b / a).toBeLessThan(8);
    expect(b).toBeLessThan(1500);
  });
});
