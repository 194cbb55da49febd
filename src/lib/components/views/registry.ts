// The view registry: every view of a trace, in page order. TraceViews renders this list,
// so adding a view is its component plus one line here. `wide` views span both columns;
// `shows` says whether a trace has what the view draws.

import { cachedStack } from '$lib/trace/kv-cache';
import type { Component } from 'svelte';
import type { Trace } from '$lib/trace/types';
import type { ViewSelection } from './selection.svelte';
import ModelView from './ModelView.svelte';
import HeadView from './HeadView.svelte';
import HeatmapView from './HeatmapView.svelte';
import NeuronView from './NeuronView.svelte';
import AlignmentView from './AlignmentView.svelte';
import MetricsView from './MetricsView.svelte';
import PositionView from './PositionView.svelte';
import RolloutView from './RolloutView.svelte';
import LogitLensView from './LogitLensView.svelte';
import KvCacheView from './KvCacheView.svelte';
import { rolloutApplies } from '$lib/trace/analysis';
import type { ViewName } from '$lib/state/view-state';
import { ATTENTION_KINDS } from '$lib/vocabulary/attention-kinds';

export interface ViewProps {
  trace: Trace;
  selection: ViewSelection;
}

export interface ViewEntry {
  /** The `data-view` name of its section (tests and exports find views by it). */
  id: ViewName;
  /** Its name in a menu of views (the presenter layout, lesson steps). */
  label: string;
  component: Component<ViewProps>;
  wide: boolean;
  shows(trace: Trace): boolean;
}

const always = () => true;

export const VIEWS: readonly ViewEntry[] = [
  { id: 'model', label: 'Model grid', component: ModelView, wide: false, shows: always },
  { id: 'head', label: 'Head view', component: HeadView, wide: false, shows: always },
  { id: 'heatmap', label: 'Heatmap', component: HeatmapView, wide: false, shows: always },
  { id: 'qkv', label: 'Q, K and V', component: NeuronView, wide: true, shows: always },
  { id: 'alignment', label: 'Alignment', component: AlignmentView, wide: true, shows: (t) => !!t.attention.cross?.probs },
  // RoPE and T5's relative bias are read from taps; learned absolute positions from the graph's embedding outputs (asked for with positionEmbedding).
  { id: 'position', label: 'Positions', component: PositionView, wide: false, shows: (t) => t.model.positionEncoding !== 'learned-absolute' || !!t.positionEmbedding },
  { id: 'rollout', label: 'Rollout', component: RolloutView, wide: false, shows: (t) => ATTENTION_KINDS.some((k) => rolloutApplies(k) && !!t.attention[k]?.probs) },
  // A causal generation's key/value cache, from the trace's own keys and values.
  { id: 'kvcache', label: 'KV cache', component: KvCacheView, wide: true, shows: (t) => {
      // A generation's cached stack (T5: the decoder) with its keys, values and weights.
      const taps = t.attention[cachedStack(t)];
      return !!(t.generated || t.generation) && !!taps?.k && !!taps?.v && !!taps?.probs;
    } },
  { id: 'lens', label: 'Logit lens', component: LogitLensView, wide: true, shows: (t) => !!t.logitLens },
  { id: 'metrics', label: 'Summary', component: MetricsView, wide: true, shows: always },
];

/** A view by its id (lesson steps and the presenter layout show one view large). */
export const viewEntry = (id: ViewName): ViewEntry | undefined => VIEWS.find((v) => v.id === id);
