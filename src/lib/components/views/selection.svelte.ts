// The selection shared by every view of one trace: which attention stack, layer and
// heads, which query token, and which token the pointer is on. Hovering a token in any
// view sets `hovered`; every view highlights it. A click pins the hover (like
// CircuitsVis's hover lock) until the next click.

import type { AttentionKind, Trace } from '$lib/trace/types';
import { attentionKinds } from '$lib/trace/types';
import { stackShape, streamsOf, tokensOf, type Stream } from '$lib/trace/attention-matrix';
import type { TokenRef } from './view-data';
import { DEFAULT_HEATMAP_OPTIONS, type HeatmapViewOptions } from './heatmap-options';

export type { TokenRef };

/** The selection as links and saved traces carry it. */
export interface SavedView {
  kind: AttentionKind;
  layer: number;
  head: number;
  heads: number[];
  query: number;
  heatmap: HeatmapViewOptions;
}

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));

function lastOrdinary(trace: Trace, stream: Stream): number {
  const tokens = tokensOf(trace, stream);
  for (let i = tokens.length - 1; i >= 0; i--) if (!tokens[i].special) return i;
  return Math.max(0, tokens.length - 1);
}

export class ViewSelection {
  kind = $state<AttentionKind>('self');
  layer = $state(0);
  /** The head the heatmap and Q/K/V view show. */
  head = $state(0);
  /** The heads the head view blends (always contains `head`). */
  heads = $state<number[]>([0]);
  /** The query row (in the row stream of `kind`) for the Q/K/V view. */
  query = $state(0);
  hovered = $state<TokenRef | null>(null);
  /** The heatmap's options (kept here so that links and the Compare page can share them). */
  heatmap = $state<HeatmapViewOptions>({ ...DEFAULT_HEATMAP_OPTIONS });
  locked = $state(false);
  /** Said once after a selection did something the click may not have meant (e.g. a shift-click in another layer). */
  selectionNote = $state<string | null>(null);
  /** Raw: the trace's big typed arrays must not be wrapped in proxies. */
  private trace = $state.raw<Trace | null>(null);

  constructor(trace?: Trace) {
    if (trace) this.bind(trace);
  }

  /** Adopts a trace, keeping what still fits (same model: same layer, head, query). */
  bind(trace: Trace): void {
    const first = this.trace === null;
    this.trace = trace;
    const kinds = this.kinds();
    if (!kinds.includes(this.kind)) this.kind = kinds[0] ?? 'self';
    // A first trace opens on its last ordinary token (GPT: the one predicting the next).
    if (first) this.query = lastOrdinary(trace, streamsOf(this.kind).rows);
    this.clampAll();
    this.hovered = null;
    this.locked = false;
  }

  /** What a link, a reload or a saved trace must reproduce. */
  snapshot(): SavedView {
    return { kind: this.kind, layer: this.layer, head: this.head, heads: [...this.heads], query: this.query, heatmap: { ...this.heatmap } };
  }

  /**
   * Sets the whole selection at once, clamped to the bound trace: the shown head stays the shown
   * head whatever order the blended heads come in (a link's h=0&hs=0,2 shows head 0, not 2).
   */
  restore(v: Partial<SavedView>): void {
    const kinds = this.kinds();
    if (v.kind && kinds.includes(v.kind)) this.kind = v.kind;
    if (v.layer !== undefined) this.layer = v.layer;
    const head = v.head ?? this.head;
    const heads = [...new Set([...(v.heads ?? [head]), head])].sort((a, b) => a - b);
    this.heads = heads;
    this.head = head;
    if (v.query !== undefined) this.query = v.query;
    if (v.heatmap) this.heatmap = { ...v.heatmap };
    this.clampAll();
  }

  /** The stacks this trace has, in display order. */
  kinds(): AttentionKind[] {
    const t = this.trace;
    return t ? attentionKinds(t.model.family).filter((k) => t.attention[k]?.probs) : [];
  }

  get layers(): number {
    return (this.trace && stackShape(this.trace, this.kind)?.layers) || 0;
  }

  get headCount(): number {
    return (this.trace && stackShape(this.trace, this.kind)?.heads) || 0;
  }

  /** Query rows of the current stack. */
  get queries(): number {
    return this.trace ? tokensOf(this.trace, streamsOf(this.kind).rows).length : 0;
  }

  setKind(kind: AttentionKind): void {
    if (!this.kinds().includes(kind)) return;
    this.kind = kind;
    this.clampAll();
  }

  /** Selects one head, or with `additive` toggles it in the blended set. */
  selectHead(layer: number, head: number, additive = false): void {
    layer = clamp(layer, 0, Math.max(0, this.layers - 1));
    head = clamp(head, 0, Math.max(0, this.headCount - 1));
    // Blended heads share one layer: adding a head of another layer starts a new selection, and says so.
    const otherLayer = additive && layer !== this.layer;
    this.selectionNote = otherLayer ? `Heads are blended within one layer, so layer ${layer}, head ${head} started a new selection (layer ${this.layer}’s heads were let go).` : null;
    this.layer = layer;
    if (!additive || otherLayer) {
      this.head = head;
      this.heads = [head];
      return;
    }
    this.toggleHead(head);
  }

  /** Adds or removes a head from the blended set; the set never becomes empty. */
  toggleHead(head: number): void {
    if (this.heads.includes(head)) {
      if (this.heads.length === 1) return;
      this.heads = this.heads.filter((h) => h !== head);
      if (this.head === head) this.head = this.heads[0];
    } else {
      this.heads = [...this.heads, head].sort((a, b) => a - b);
      this.head = head;
    }
  }

  setLayer(layer: number): void {
    this.layer = clamp(layer, 0, Math.max(0, this.layers - 1));
  }

  setQuery(index: number): void {
    this.query = clamp(index, 0, Math.max(0, this.queries - 1));
  }

  /** Pointer over a token (null: off). Ignored while a hover is locked. */
  hover(ref: TokenRef | null): void {
    if (this.locked) return;
    this.hovered = ref;
  }

  /** Click: lock the hover on this token, or unlock if it is the locked one. */
  toggleLock(ref: TokenRef): void {
    if (this.locked && this.hovered?.stream === ref.stream && this.hovered.index === ref.index) {
      this.locked = false;
      return;
    }
    this.hovered = ref;
    this.locked = true;
  }

  isHovered(stream: Stream, index: number): boolean {
    return this.hovered?.stream === stream && this.hovered.index === index;
  }

  private clampAll(): void {
    this.layer = clamp(this.layer, 0, Math.max(0, this.layers - 1));
    const hc = Math.max(1, this.headCount);
    const heads = this.heads.filter((h) => h < hc);
    this.heads = heads.length ? heads : [0];
    this.head = this.heads.includes(this.head) ? this.head : this.heads[0];
    this.query = clamp(this.query, 0, Math.max(0, this.queries - 1));
  }
}
