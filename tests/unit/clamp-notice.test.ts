// Issue 19, item 13: a link's layer 999 on a 4-layer model is reported, not silently shown as layer 3.
import { describe, expect, it } from 'vitest';
import { clampNotice } from '../../src/lib/state/clamp-notice';
import { ViewSelection } from '../../src/lib/components/views/selection.svelte';
import { syntheticTrace } from '../fixtures/synthetic-trace';

/** What the explorer does with a link's selection: select it on the trace, then compare. */
function restore(asked: { layer: number; head: number; heads: number[]; query: number }) {
  const trace = syntheticTrace({ family: 'gpt2', layers: 4, heads: 4, tokens: 6 });
  const s = new ViewSelection();
  s.bind(trace);
  s.selectHead(asked.layer, asked.head);
  for (const h of asked.heads) if (h !== asked.head) s.selectHead(asked.layer, h, true);
  s.setQuery(asked.query);
  return clampNotice(asked, { layer: s.layer, head: s.head, heads: [...s.heads], query: s.query }, trace.model.id);
}

describe('a link selection that does not fit the model', () => {
  it('is named with what is shown instead', () => {
    const notice = restore({ layer: 999, head: 1, heads: [1], query: 2 });
    expect(notice).toBe('The link asks for layer 999 (layer 3 is shown), which synthetic-gpt2 does not have.');
    expect(restore({ layer: 1, head: 9, heads: [9, 2], query: 50 })).toMatch(/head 9 \(head \d is shown\).*query token 50 \(token 5 is shown\)/);
  });

  it('says nothing when everything fits', () => {
    expect(restore({ layer: 3, head: 2, heads: [2, 0], query: 5 })).toBeNull();
  });
});
