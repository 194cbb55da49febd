import { describe, expect, it } from 'vitest';
import { ViewSelection } from '../../src/lib/components/views/selection.svelte';
import { syntheticTrace } from '../fixtures/synthetic-trace';

describe('the linked selection', () => {
  it('starts on the first stack of the trace, on its last ordinary query token', () => {
    expect(new ViewSelection(syntheticTrace({ family: 'gpt2', tokens: 6 })).query).toBe(5);
    expect(new ViewSelection(syntheticTrace({ family: 'bert', tokens: 6 })).query).toBe(4); // before [SEP]
    expect(new ViewSelection(syntheticTrace({ family: 'gpt2' })).kind).toBe('self');
    const s = new ViewSelection(syntheticTrace({ family: 't5' }));
    expect(s.kind).toBe('encoder');
    expect(s.kinds()).toEqual(['encoder', 'decoder', 'cross']);
  });

  it('restore keeps the shown head whatever order the blended heads come in', () => {
    const s = new ViewSelection(syntheticTrace({ family: 'bert', layers: 3, heads: 4 }));
    s.restore({ layer: 2, head: 0, heads: [0, 2], query: 1 });
    expect([s.layer, s.head, s.heads, s.query]).toEqual([2, 0, [0, 2], 1]);
    s.restore({ layer: 9, head: 7, heads: [7, 1] });
    expect([s.layer, s.head, s.heads]).toEqual([2, 1, [1]]);
  });

  it('selects one head, or toggles heads into the blended set with additive', () => {
    const s = new ViewSelection(syntheticTrace({ family: 'bert', layers: 3, heads: 4 }));
    s.selectHead(2, 1);
    expect([s.layer, s.head, s.heads]).toEqual([2, 1, [1]]);
    s.selectHead(2, 3, true);
    expect([s.head, s.heads]).toEqual([3, [1, 3]]);
    s.selectHead(2, 1, true);
    expect([s.head, s.heads]).toEqual([3, [3]]);
    s.toggleHead(3); // never empty
    expect(s.heads).toEqual([3]);
  });

  it('a shift-click in another layer starts a new selection there and says so (heads never move between layers)', () => {
    const s = new ViewSelection(syntheticTrace({ family: 'bert', layers: 3, heads: 4 }));
    s.selectHead(0, 1);
    s.selectHead(2, 2, true);
    expect([s.layer, s.head, s.heads]).toEqual([2, 2, [2]]);
    expect(s.selectionNote).toMatch(/blended within one layer, so layer 2, head 2 started a new selection/);
    s.selectHead(2, 3, true);
    expect([s.layer, s.heads]).toEqual([2, [2, 3]]);
    expect(s.selectionNote).toBeNull();
  });

  it('clamps layer, heads and query to the stack, also when switching stacks', () => {
    const t = syntheticTrace({ family: 't5', layers: 4, decoderLayers: 2, heads: 3, tokens: 9, decoderTokens: 3 });
    const s = new ViewSelection(t);
    s.selectHead(9, 9);
    expect([s.layer, s.head]).toEqual([3, 2]);
    s.setQuery(8);
    expect(s.query).toBe(8);
    s.setKind('cross');
    expect([s.layer, s.query]).toEqual([1, 2]); // 2 decoder layers, 3 target tokens
    s.setQuery(-4);
    expect(s.query).toBe(0);
  });

  it('shares the hovered token; a click locks it until the same token is clicked again', () => {
    const s = new ViewSelection(syntheticTrace({ family: 'gpt2' }));
    s.hover({ stream: 'input', index: 3 });
    expect(s.isHovered('input', 3)).toBe(true);
    expect(s.isHovered('target', 3)).toBe(false);
    s.toggleLock({ stream: 'input', index: 5 });
    s.hover({ stream: 'input', index: 1 });
    s.hover(null);
    expect(s.hovered).toEqual({ stream: 'input', index: 5 });
    s.toggleLock({ stream: 'input', index: 5 });
    s.hover(null);
    expect(s.hovered).toBeNull();
  });

  it('keeps what fits when a new trace of the same model arrives, resets what does not', () => {
    const s = new ViewSelection(syntheticTrace({ family: 'gpt2', layers: 3, heads: 3, tokens: 8 }));
    s.selectHead(2, 2);
    s.setQuery(7);
    s.bind(syntheticTrace({ family: 'gpt2', layers: 3, heads: 3, tokens: 4 }));
    expect([s.layer, s.head, s.query]).toEqual([2, 2, 3]);
    s.bind(syntheticTrace({ family: 't5', layers: 1, heads: 2 }));
    expect([s.kind, s.layer, s.head]).toEqual(['encoder', 0, 0]);
  });
  // Reactivity itself (an effect in every view re-running on hover) is exercised by the
  // browser test, where Svelte runs its client runtime; Node loads the server build.
});
