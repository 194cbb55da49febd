// Issue 15, item 14: every head colour keeps at least 3:1 contrast (WCAG, for graphics) against
// every surface it is drawn on, in both themes; the surfaces are read from app.css itself.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { HEAD_COLOURS_DARK, HEAD_COLOURS_LIGHT } from '../../src/lib/viz/color';

const css = readFileSync('src/app.css', 'utf8');
const darkAt = css.indexOf('prefers-color-scheme: dark');
const surfaces = (block: string) => ['--bg', '--surface', '--surface-2'].map((v) => block.match(new RegExp(`${v}:\\s*(#[0-9a-fA-F]{6})`))![1]);

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

describe('head colours', () => {
  for (const [theme, palette, block] of [['light', HEAD_COLOURS_LIGHT, css.slice(0, darkAt)], ['dark', HEAD_COLOURS_DARK, css.slice(darkAt)]] as const)
    it(`${theme}: every head colour is at least 3:1 against ${surfaces(block).join(', ')}`, () => {
      for (const colour of palette) for (const surface of surfaces(block)) expect(contrast(colour, surface), `${colour} on ${surface}`).toBeGreaterThanOrEqual(3);
      expect(new Set(palette).size).toBe(palette.length);
    });
  it('the old pale yellow would have failed', () => expect(contrast('#DDCC77', '#ffffff')).toBeLessThan(3));
});
