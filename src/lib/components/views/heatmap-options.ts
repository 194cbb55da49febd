// The heatmap's options; they live on the shared selection so that links can carry them.
import type { Averaging, Weighting } from '$lib/trace/attention-matrix';
import type { ScaleMode } from '$lib/viz/heatmap';

export interface HeatmapViewOptions {
  average: Averaging;
  hideSpecial: boolean;
  scaleMode: ScaleMode;
  log: boolean;
  /** Attention weights, or weights × value norms (shared by the model grid, heatmap and head view). */
  weighting: Weighting;
}

export const DEFAULT_HEATMAP_OPTIONS: HeatmapViewOptions = { average: 'none', hideSpecial: false, scaleMode: 'probability', log: false, weighting: 'weights' };

/** performance.mark set when a page first draws a heatmap (the explorer's "first picture"). */
export const FIRST_HEATMAP_MARK = 'atlas:first-heatmap';
