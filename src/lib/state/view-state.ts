// The whole view state of the explorer as plain data, and its two homes:
// - the URL fragment (#…), so any picture can be shared as a link. A fragment is never
//   sent to a server, so a shared text stays between the people who share it.
// - localStorage, so the text and settings survive a reload or a crash.
// Long texts are deflated into the fragment so that links stay within URL limits.

import type { AttentionKind } from '../trace/types';
import { DEFAULT_HEATMAP_OPTIONS, type HeatmapViewOptions } from '../components/views/heatmap-options';

export type ViewName = 'model' | 'head' | 'heatmap' | 'neuron' | 'alignment';
export const VIEW_NAMES: readonly ViewName[] = ['model', 'head', 'heatmap', 'neuron', 'alignment'];

export type HeatmapSettings = HeatmapViewOptions;

export interface ViewState {
  /** Model key: an embedded id (`tiny-gpt2`) or `hub:<id>@<revision>`. */
  model: string;
  text: string;
  /** T5: the target for teacher forcing; empty means "generate". */
  target: string;
  kind: AttentionKind | null;
  layer: number;
  head: number;
  heads: number[];
  /** The query token of the Q/K/V view (index in the query stream). */
  query: number;
  view: ViewName;
  heatmap: HeatmapSettings;
  /** Cut texts longer than the model's positions instead of refusing them. */
  truncate: boolean;
}

export const DEFAULT_HEATMAP: HeatmapSettings = DEFAULT_HEATMAP_OPTIONS;

export function defaultState(model: string): ViewState {
  return {
    model,
    text: 'The quick brown fox jumps over the lazy dog because it was happy.',
    target: '',
    kind: null,
    layer: 0,
    head: 0,
    heads: [0],
    query: 0,
    view: 'model',
    heatmap: { ...DEFAULT_HEATMAP },
    truncate: false,
  };
}

/** Texts longer than this (after URI-escaping) are deflated into the link. */
const PLAIN_TEXT_LIMIT = 600;

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

const intList = (s: string | null): number[] | null => {
  if (s === null) return null;
  const v = s.split(',').map(Number);
  return v.every((n) => Number.isInteger(n) && n >= 0) ? v : null;
};
const intOf = (s: string | null): number | null => (s !== null && /^\d+$/.test(s) ? Number(s) : null);

export async function encodeState(s: ViewState): Promise<string> {
  const p = new URLSearchParams();
  p.set('m', s.model);
  if (encodeURIComponent(s.text).length > PLAIN_TEXT_LIMIT) p.set('tz', toBase64Url(await pipe(new TextEncoder().encode(s.text), new CompressionStream('deflate-raw'))));
  else p.set('t', s.text);
  if (s.target) p.set('y', s.target);
  if (s.kind) p.set('k', s.kind);
  p.set('l', String(s.layer));
  p.set('h', String(s.head));
  if (s.heads.length > 1 || s.heads[0] !== s.head) p.set('hs', s.heads.join(','));
  p.set('q', String(s.query));
  p.set('v', s.view);
  const h = s.heatmap;
  const flags = [h.hideSpecial ? 's' : '', h.scaleMode === 'row' ? 'r' : '', h.log ? 'g' : '', h.average === 'heads' ? 'H' : h.average === 'layers' ? 'L' : ''].join('');
  if (flags) p.set('o', flags);
  if (s.truncate) p.set('x', '1');
  return p.toString();
}

/** Reads a fragment written by encodeState; anything missing or malformed keeps the default. */
export async function decodeState(fragment: string, fallback: ViewState): Promise<ViewState> {
  const p = new URLSearchParams(fragment.replace(/^#/, ''));
  const s: ViewState = { ...fallback, heatmap: { ...fallback.heatmap } };
  const model = p.get('m');
  if (model) s.model = model;
  const tz = p.get('tz');
  if (tz !== null) {
    try {
      s.text = new TextDecoder().decode(await pipe(fromBase64Url(tz), new DecompressionStream('deflate-raw')));
    } catch {
      // A damaged link keeps the previous text rather than losing it.
    }
  } else if (p.get('t') !== null) s.text = p.get('t')!;
  if (p.get('y') !== null) s.target = p.get('y')!;
  const kind = p.get('k');
  if (kind === 'self' || kind === 'encoder' || kind === 'decoder' || kind === 'cross') s.kind = kind;
  s.layer = intOf(p.get('l')) ?? s.layer;
  s.head = intOf(p.get('h')) ?? s.head;
  s.heads = intList(p.get('hs')) ?? [s.head];
  s.query = intOf(p.get('q')) ?? s.query;
  const view = p.get('v');
  if (view && (VIEW_NAMES as readonly string[]).includes(view)) s.view = view as ViewName;
  if (p.get('x') !== null) s.truncate = p.get('x') === '1';
  const o = p.get('o');
  if (o !== null)
    s.heatmap = { hideSpecial: o.includes('s'), scaleMode: o.includes('r') ? 'row' : 'global', log: o.includes('g'), average: o.includes('H') ? 'heads' : o.includes('L') ? 'layers' : 'none' };
  return s;
}

const STORAGE_KEY = 'attention-atlas:explorer';

export function saveLocal(s: ViewState, storage: Storage | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(s));
  } catch {
    // Storage full or disabled: the URL still holds the state.
  }
}

export function hasLocal(storage: Storage | undefined = globalThis.localStorage): boolean {
  try {
    return !!storage?.getItem(STORAGE_KEY);
  } catch {
    return false;
  }
}

export function loadLocal(fallback: ViewState, storage: Storage | undefined = globalThis.localStorage): ViewState {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return fallback;
    const v = JSON.parse(raw) as Record<string, unknown>;
    // Keep only fields of the right type: stored data may come from an older version.
    const out: ViewState = { ...fallback, heatmap: { ...fallback.heatmap } };
    for (const key of ['model', 'text', 'target'] as const) if (typeof v[key] === 'string') out[key] = v[key] as string;
    for (const key of ['layer', 'head', 'query'] as const) if (Number.isInteger(v[key]) && (v[key] as number) >= 0) out[key] = v[key] as number;
    if (Array.isArray(v.heads) && v.heads.length && v.heads.every((h) => Number.isInteger(h) && h >= 0)) out.heads = v.heads as number[];
    if (typeof v.kind === 'string' && ['self', 'encoder', 'decoder', 'cross'].includes(v.kind)) out.kind = v.kind as AttentionKind;
    if (typeof v.truncate === 'boolean') out.truncate = v.truncate;
    if (typeof v.view === 'string' && (VIEW_NAMES as readonly string[]).includes(v.view)) out.view = v.view as ViewName;
    const h = (v.heatmap ?? {}) as Record<string, unknown>;
    if (typeof h.hideSpecial === 'boolean') out.heatmap.hideSpecial = h.hideSpecial;
    if (typeof h.log === 'boolean') out.heatmap.log = h.log;
    if (h.scaleMode === 'row' || h.scaleMode === 'global') out.heatmap.scaleMode = h.scaleMode;
    if (h.average === 'none' || h.average === 'heads' || h.average === 'layers') out.heatmap.average = h.average;
    return out;
  } catch {
    return fallback;
  }
}
