// The whole view state of the explorer as plain data, and its two homes:
// - the URL fragment (#…), so any picture can be shared as a link. A fragment is never
//   sent to a server, so a shared text stays between the people who share it.
// - localStorage, so the text and settings survive a reload or a crash.
// Long texts are deflated into the fragment so that links stay within URL limits.

import type { AttentionKind } from '../trace/types';
import { DEFAULT_HEATMAP_OPTIONS, type HeatmapViewOptions } from '../components/views/heatmap-options';

/** The views a link or a lesson step can show large: the `id`s of the view registry (components/views/registry.ts). */
export const VIEW_NAMES = ['model', 'head', 'heatmap', 'qkv', 'alignment', 'position', 'rollout', 'kvcache', 'lens', 'metrics'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];
/** Names older links used for a view. */
const VIEW_ALIASES: Record<string, ViewName> = { neuron: 'qkv' };
export const viewNameOf = (v: unknown): ViewName | null =>
  typeof v !== 'string' ? null : (VIEW_NAMES as readonly string[]).includes(v) ? (v as ViewName) : (VIEW_ALIASES[v] ?? null);

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

/**
 * The most text a link may unpack to. A link is a stranger's input: 87 kB of tz= can
 * deflate 64 MiB of "a", which took a tab to 10 GB. 1 MiB is ~100× the longest text any
 * embedded model reads, and unpacking stops there.
 */
export const LINK_TEXT_LIMIT_BYTES = 2 ** 20;

export class LinkTooLarge extends Error {}
const TooLarge = LinkTooLarge;

/** Inflates as a stream and gives up as soon as the output passes `limit` bytes. */
async function inflateCapped(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new TooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const intList = (s: string | null): number[] | null => {
  if (s === null) return null;
  const v = s.split(',').map(Number);
  return v.every((n) => Number.isInteger(n) && n >= 0) ? v : null;
};
const intOf = (s: string | null): number | null => (s !== null && /^\d+$/.test(s) ? Number(s) : null);

/** A text deflated into base64url (links that carry long texts or whole lessons). */
export async function packText(text: string): Promise<string> {
  return toBase64Url(await pipe(new TextEncoder().encode(text), new CompressionStream('deflate-raw')));
}

/** packText's inverse; throws LinkTooLarge past `limit` bytes unpacked, or an Error when damaged. */
export async function unpackText(packed: string, limit = LINK_TEXT_LIMIT_BYTES): Promise<string> {
  return new TextDecoder('utf-8', { fatal: true }).decode(await inflateCapped(fromBase64Url(packed), limit));
}

export async function encodeState(s: ViewState): Promise<string> {
  const p = new URLSearchParams();
  p.set('m', s.model);
  if (encodeURIComponent(s.text).length > PLAIN_TEXT_LIMIT) p.set('tz', await packText(s.text));
  else p.set('t', s.text);
  if (s.target) p.set('y', s.target);
  if (s.kind) p.set('k', s.kind);
  p.set('l', String(s.layer));
  p.set('h', String(s.head));
  if (s.heads.length > 1 || s.heads[0] !== s.head) p.set('hs', s.heads.join(','));
  p.set('q', String(s.query));
  p.set('v', s.view);
  const h = s.heatmap;
  const flags = [h.hideSpecial ? 's' : '', h.scaleMode === 'row' ? 'r' : h.scaleMode === 'global' ? 'f' : '', h.log ? 'g' : '', h.average === 'heads' ? 'H' : h.average === 'layers' ? 'L' : '', h.weighting === 'value-norm' ? 'n' : ''].join('');
  if (flags) p.set('o', flags);
  if (s.truncate) p.set('x', '1');
  return p.toString();
}

/** Reads a fragment written by encodeState; anything missing or malformed keeps the default. */
export async function decodeState(fragment: string, fallback: ViewState): Promise<ViewState> {
  return (await decodeStateChecked(fragment, fallback)).state;
}

export interface DecodedState {
  state: ViewState;
  /** What in the link was refused or reset, for a notice ("The link's layer "-1" is not a number; …"). */
  problems: string[];
  /** The link's parameters that were refused: take them out of the URL so a reload does not meet them again. */
  drop: string[];
}

const PARAM_NAMES: Record<string, string> = { l: 'layer', h: 'head', q: 'query token', hs: 'heads', k: 'attention kind', v: 'view' };

/** decodeState, saying what it refused: a link can be damaged, tampered with or a memory bomb. */
export async function decodeStateChecked(fragment: string, fallback: ViewState): Promise<DecodedState> {
  const p = new URLSearchParams(fragment.replace(/^#/, ''));
  const s: ViewState = { ...fallback, heatmap: { ...fallback.heatmap } };
  const problems: string[] = [];
  const drop: string[] = [];
  const refuse = (param: string, why: string) => {
    drop.push(param);
    problems.push(why);
  };
  const model = p.get('m');
  if (model) s.model = model;
  const tz = p.get('tz');
  if (tz !== null) {
    try {
      s.text = await unpackText(tz);
    } catch (e) {
      // The previous text stays rather than being lost.
      if (e instanceof TooLarge)
        refuse('tz', `The link's text is over ${LINK_TEXT_LIMIT_BYTES / 2 ** 20} MB once unpacked, so it was not opened (a link this small should not hold that much); your previous text is shown instead.`);
      else refuse('tz', "The link's text is damaged and could not be read; your previous text is shown instead.");
    }
  } else if (p.get('t') !== null) s.text = p.get('t')!;
  if (p.get('y') !== null) s.target = p.get('y')!;
  const kind = p.get('k');
  if (kind === 'self' || kind === 'encoder' || kind === 'decoder' || kind === 'cross') s.kind = kind;
  else if (kind !== null) refuse('k', `The link's attention kind "${kind.slice(0, 40)}" is not one of self, encoder, decoder, cross; it was ignored.`);
  const int = (param: 'l' | 'h' | 'q', current: number): number => {
    const raw = p.get(param);
    const v = intOf(raw);
    if (raw !== null && v === null) refuse(param, `The link's ${PARAM_NAMES[param]} "${raw.slice(0, 40)}" is not a whole number; it was ignored.`);
    return v ?? current;
  };
  s.layer = int('l', s.layer);
  s.head = int('h', s.head);
  const hs = p.get('hs');
  const heads = intList(hs);
  if (hs !== null && heads === null) refuse('hs', `The link's heads "${hs.slice(0, 40)}" are not whole numbers; they were ignored.`);
  s.heads = heads ?? [s.head];
  s.query = int('q', s.query);
  const view = p.get('v');
  if (view && viewNameOf(view)) s.view = viewNameOf(view)!;
  else if (view) refuse('v', `The link's view "${view.slice(0, 40)}" is not one this app has; it was ignored.`);
  if (p.get('x') !== null) s.truncate = p.get('x') === '1';
  const o = p.get('o');
  if (o !== null)
    s.heatmap = { hideSpecial: o.includes('s'), scaleMode: o.includes('r') ? 'row' : o.includes('f') ? 'global' : 'probability', log: o.includes('g'), average: o.includes('H') ? 'heads' : o.includes('L') ? 'layers' : 'none', weighting: o.includes('n') ? 'value-norm' : 'weights' };
  return { state: s, problems, drop };
}

/** The fragment without the refused parameters (for history.replaceState). */
export function withoutParams(fragment: string, drop: string[]): string {
  const p = new URLSearchParams(fragment.replace(/^#/, ''));
  for (const d of drop) p.delete(d);
  return p.toString();
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

/** The selection fields of stored state or of a saved trace's `view`, each kept only if it has the right type. */
export function selectionFrom(value: unknown, heatmapFallback: ViewState['heatmap'] = DEFAULT_HEATMAP): Partial<Pick<ViewState, 'layer' | 'head' | 'query' | 'heads' | 'heatmap'>> & { kind?: AttentionKind } {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const out: ReturnType<typeof selectionFrom> = {};
  for (const key of ['layer', 'head', 'query'] as const) if (Number.isInteger(v[key]) && (v[key] as number) >= 0) out[key] = v[key] as number;
  if (Array.isArray(v.heads) && v.heads.length && v.heads.length <= 4096 && v.heads.every((h) => Number.isInteger(h) && h >= 0)) out.heads = v.heads as number[];
  if (typeof v.kind === 'string' && ['self', 'encoder', 'decoder', 'cross'].includes(v.kind)) out.kind = v.kind as AttentionKind;
  const h = (v.heatmap ?? {}) as Record<string, unknown>;
  const heatmap = { ...heatmapFallback };
  if (typeof h.hideSpecial === 'boolean') heatmap.hideSpecial = h.hideSpecial;
  if (typeof h.log === 'boolean') heatmap.log = h.log;
  if (h.scaleMode === 'row' || h.scaleMode === 'global' || h.scaleMode === 'probability') heatmap.scaleMode = h.scaleMode;
  if (h.average === 'none' || h.average === 'heads' || h.average === 'layers') heatmap.average = h.average;
  if (h.weighting === 'weights' || h.weighting === 'value-norm') heatmap.weighting = h.weighting;
  out.heatmap = heatmap;
  return out;
}

export function loadLocal(fallback: ViewState, storage: Storage | undefined = globalThis.localStorage): ViewState {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return fallback;
    const v = JSON.parse(raw) as Record<string, unknown>;
    // Keep only fields of the right type: stored data may come from an older version.
    const out: ViewState = { ...fallback, heatmap: { ...fallback.heatmap } };
    for (const key of ['model', 'text', 'target'] as const) if (typeof v[key] === 'string') out[key] = v[key] as string;
    const sel = selectionFrom(v, fallback.heatmap);
    Object.assign(out, sel);
    if (typeof v.truncate === 'boolean') out.truncate = v.truncate;
    if (viewNameOf(v.view)) out.view = viewNameOf(v.view)!;
    return out;
  } catch {
    return fallback;
  }
}
