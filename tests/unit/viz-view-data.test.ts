import { describe, expect, it } from 'vitest';
import { axisTitles, hoveredCells, noBiasReason } from '../../src/lib/components/views/view-data';
import { syntheticTrace } from '../fixtures/synthetic-trace';

describe('view glue', () => {
  it('maps a hovered token to the display rows and columns that show it', () => {
    const self = { rowIds: [0, 1, 2, 3], colIds: [0, 1, 2, 3], rowStream: 'input' as const, colStream: 'input' as const };
    expect(hoveredCells(self, { stream: 'input', index: 2 })).toEqual({ rows: [2], cols: [2] });
    // After hiding token 0, token 2 is display row/column 1.
    const hidden = { ...self, rowIds: [1, 2, 3], colIds: [1, 2, 3] };
    expect(hoveredCells(hidden, { stream: 'input', index: 2 })).toEqual({ rows: [1], cols: [1] });
    expect(hoveredCells(hidden, { stream: 'input', index: 0 })).toEqual({ rows: [], cols: [] });
    // Cross-attention: a target token is a row, a source token a column.
    const cross = { rowIds: [0, 1, 2], colIds: [0, 1, 2, 3], rowStream: 'target' as const, colStream: 'input' as const };
    expect(hoveredCells(cross, { stream: 'target', index: 1 })).toEqual({ rows: [1], cols: [] });
    expect(hoveredCells(cross, { stream: 'input', index: 3 })).toEqual({ rows: [], cols: [3] });
    expect(hoveredCells(cross, null)).toEqual({ rows: [], cols: [] });
  });

  it('names the axes and says why there is no position bias', () => {
    expect(axisTitles('cross')).toEqual({ rows: 'queries (target tokens)', cols: 'keys (source tokens)' });
    expect(noBiasReason(syntheticTrace({ family: 'gpt2' }), 'self')).toMatch(/learned position embeddings/);
    expect(noBiasReason(syntheticTrace({ family: 't5' }), 'cross')).toMatch(/cross-attention has no position bias/);
  });
});
