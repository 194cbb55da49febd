import { describe, expect, it } from 'vitest';
import { decodeState, defaultState, encodeState, loadLocal, saveLocal, type ViewState } from '../../src/lib/state/view-state';

class MemoryStorage {
  data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
}

const sample = (): ViewState => ({
  ...defaultState('tiny-t5'),
  text: 'reverse: the cat & the hat #1 ?x=y 😀 naïve',
  target: 'hat the & cat the',
  kind: 'cross',
  layer: 2,
  head: 3,
  heads: [1, 3],
  query: 4,
  view: 'alignment',
  heatmap: { hideSpecial: true, scaleMode: 'row', log: true, average: 'heads', weighting: 'value-norm' },
  truncate: true,
});

describe('view state in the URL fragment', () => {
  it('round-trips every field, including text with URL-special characters', async () => {
    const s = sample();
    const fragment = await encodeState(s);
    expect(fragment).toContain('m=tiny-t5');
    expect(await decodeState('#' + fragment, defaultState('other'))).toEqual(s);
  });

  it('colour scale: 0 → 1 by default (no flag), fit to the data as o=f, per row as o=r', async () => {
    const base = defaultState('tiny-gpt2');
    expect(base.heatmap.scaleMode).toBe('probability');
    for (const scaleMode of ['probability', 'global', 'row'] as const) {
      const s = { ...base, heatmap: { ...base.heatmap, scaleMode } };
      const fragment = await encodeState(s);
      expect(fragment.includes('o=f'), scaleMode).toBe(scaleMode === 'global');
      expect((await decodeState('#' + fragment, defaultState('x'))).heatmap.scaleMode).toBe(scaleMode);
    }
  });

  it('deflates long texts so a 10,000-character text still makes a link', async () => {
    const words = ['attention', 'is', 'all', 'you', 'need', 'the', 'cat', 'sat'];
    const text = Array.from({ length: 2200 }, (_, i) => words[(i * 7 + (i >> 3)) % words.length]).join(' ');
    expect(text.length).toBeGreaterThan(8000);
    const s = { ...sample(), text };
    const fragment = await encodeState(s);
    expect(fragment).toContain('tz=');
    expect(fragment.length).toBeLessThan(text.length / 3);
    expect((await decodeState(fragment, defaultState('x'))).text).toBe(text);
  });

  it('keeps defaults for missing or malformed fields, and the old text for a damaged link', async () => {
    const fallback = { ...defaultState('tiny-gpt2'), text: 'keep me' };
    const s = await decodeState('#l=-1&h=abc&v=nope&k=weird&tz=%%%', fallback);
    expect(s.layer).toBe(0);
    expect(s.head).toBe(0);
    expect(s.view).toBe('model');
    expect(s.kind).toBeNull();
    expect(s.text).toBe('keep me');
  });
});

describe('view state in local storage', () => {
  it('survives a reload', () => {
    const storage = new MemoryStorage() as unknown as Storage;
    saveLocal(sample(), storage);
    expect(loadLocal(defaultState('x'), storage)).toEqual(sample());
  });

  it('ignores stored fields of the wrong type', () => {
    const storage = new MemoryStorage() as unknown as Storage;
    storage.setItem('attention-atlas:explorer', JSON.stringify({ text: 42, layer: 'x', heads: [], view: 'model', heatmap: { log: 'yes' } }));
    const s = loadLocal(defaultState('tiny-gpt2'), storage);
    expect(s).toEqual(defaultState('tiny-gpt2'));
    storage.setItem('attention-atlas:explorer', '{not json');
    expect(loadLocal(defaultState('tiny-gpt2'), storage)).toEqual(defaultState('tiny-gpt2'));
  });
});
