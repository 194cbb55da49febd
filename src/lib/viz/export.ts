// The pure parts of exporting a view: file names, the caption printed into an image,
// CSV text of a matrix or table, and the numbers and text as they go into files.
// Framework-free and DOM-free (tested in Node); the SVG documents are in export-svg.ts,
// the rasterising and the download in export-dom.ts.

/** Images are exported at this many pixels per CSS pixel of the view. */
export const EXPORT_SCALE = 2;

/**
 * Browsers refuse canvases beyond these (Chrome and Firefox: 32 767 px a side, but
 * Safari 16 384 and about 268 M pixels in all); an export never asks for more.
 */
export const MAX_CANVAS_SIDE = 16_384;
export const MAX_CANVAS_AREA = 268_000_000;

/** File names longer than this are cut (most file systems allow 255 bytes; UTF-8 can take 4 a character). */
const MAX_NAME_CHARS = 120;

/** Names Windows reserves whatever the extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/**
 * One part of a file name, safe on Windows, macOS and Linux: letters and digits of any
 * script, `.`, `-`, `_` and `+` stay; everything else (slashes of Hub ids like
 * `openai-community/gpt2`, spaces, `:*?"<>|`, control characters) becomes `-`; runs of
 * `-` collapse; no leading or trailing dots or dashes.
 */
export function sanitizeFilePart(text: string): string {
  const s = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._+-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  return WINDOWS_RESERVED.test(s) ? `${s}_` : s;
}

/** A whole file name: each part sanitised, joined with `_`, cut to a safe length, then the extension. */
export function sanitizeFileName(parts: readonly string[], ext: string): string {
  const stem = parts.map(sanitizeFilePart).filter(Boolean).join('_') || 'attention-atlas';
  const cut = Array.from(stem).slice(0, MAX_NAME_CHARS).join('').replace(/[._+-]+$/, '');
  const e = sanitizeFilePart(ext).toLowerCase();
  return e ? `${cut}.${e}` : cut;
}

/** What an export shows: the view and, where they apply, the stack, layer and heads. */
export interface ExportSubject {
  /** Model id (`tiny-gpt2`, `openai-community/gpt2`). */
  model: string;
  /** View name for the file (`heatmap`, `head-view`, `model-grid`, …). */
  view: string;
  /** Attention stack (`self`, `encoder`, `decoder`, `cross`). */
  kind?: string;
  /** A layer, or 'mean' when averaged over layers. */
  layer?: number | 'mean';
  /** The heads shown (several: the head view blends them), or 'mean' over all heads. */
  heads?: readonly number[] | 'mean';
  /** A query token position (the Q/K/V view). */
  query?: number;
}

/** `tiny-gpt2_self_L2_H1_heatmap.png`; several heads `H0+3`, means `Lmean` / `Hmean`. */
export function exportFileName(s: ExportSubject, ext: string): string {
  const parts = [s.model];
  if (s.kind) parts.push(s.kind);
  if (s.layer !== undefined) parts.push(`L${s.layer}`);
  if (s.heads !== undefined) parts.push(s.heads === 'mean' ? 'Hmean' : `H${s.heads.join('+')}`);
  if (s.query !== undefined) parts.push(`Q${s.query}`);
  parts.push(s.view);
  return sanitizeFileName(parts, ext);
}

const KIND_WORDS: Record<string, string> = {
  self: 'self-attention',
  encoder: 'encoder self-attention',
  decoder: 'decoder self-attention',
  cross: 'cross-attention',
};

/** Caption text is cut to this many characters (the full text goes into the SVG's <title>). */
export const CAPTION_MAX_CHARS = 160;

/**
 * The line printed at the top of an exported image, so that a picture pasted into slides
 * says what it is: `tiny-gpt2 · self-attention · layer 2 · head 1 · heatmap · “The cat sat”`.
 */
export function captionText(s: ExportSubject & { title: string; detail?: string; text?: string }): string {
  const bits = [s.model];
  if (s.kind) bits.push(KIND_WORDS[s.kind] ?? s.kind);
  if (s.layer !== undefined) bits.push(s.layer === 'mean' ? 'mean over layers' : `layer ${s.layer}`);
  if (s.heads !== undefined) bits.push(s.heads === 'mean' ? 'mean over heads' : `${s.heads.length === 1 ? 'head' : 'heads'} ${s.heads.join(', ')}`);
  if (s.query !== undefined) bits.push(`query ${s.query}`);
  bits.push(s.title);
  if (s.detail) bits.push(s.detail);
  if (s.text) bits.push(`“${truncateWords(s.text.replace(/\s+/g, ' ').trim(), 48)}”`);
  return truncateWords(bits.join(' · '), CAPTION_MAX_CHARS);
}

/** Cut to at most `max` characters at a word boundary, marked ` …` (a caption never ends mid-word). */
export function truncateWords(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const head = chars.slice(0, Math.max(1, max - 2)).join('');
  const cut = head.lastIndexOf(' ');
  return `${(cut > 0 ? head.slice(0, cut) : head).trimEnd()} …`;
}

/** Cut to `max` characters with an ellipsis; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, Math.max(1, max - 1)).join('') + '…';
}

/**
 * The shortest decimal that reads back as the same float32 (`0.1f` → `0.1`, not
 * `0.10000000149011612`): exact for the model's numbers, and short.
 */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const f = Math.fround(v);
  if (f !== v) return String(v); // not a float32 (a mean in float64): every digit
  for (let p = 1; p <= 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return String(s);
  }
  return String(f);
}

/** Spreadsheets run a cell that starts like a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, or begins or
 * ends with a space; quotes doubled. Text that would start a spreadsheet formula gets a
 * leading `'` (and is quoted), so opening a file with a token like `=cmd|…` in Excel or
 * LibreOffice shows the text instead of running it. Numbers are never touched.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return formatFloat32(value);
  let s = value;
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) || s !== value ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of fields as CSV text, CRLF line ends (RFC 4180) and a final line end. */
export function csvText(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export interface CsvMatrix {
  rows: number;
  cols: number;
  values: ArrayLike<number>;
  rowLabels: readonly string[];
  colLabels: readonly string[];
  /** The top-left cell: says what rows and columns are. */
  corner: string;
}

/** A matrix as CSV: the column tokens as the header row, the row tokens as the first column. */
export function matrixCSV(m: CsvMatrix): string {
  if (m.rowLabels.length !== m.rows || m.colLabels.length !== m.cols) throw new Error(`matrixCSV: ${m.rowLabels.length}×${m.colLabels.length} labels for a ${m.rows}×${m.cols} matrix.`);
  const out: (string | number)[][] = [[m.corner, ...m.colLabels]];
  for (let i = 0; i < m.rows; i++) {
    const row: (string | number)[] = [m.rowLabels[i]];
    for (let j = 0; j < m.cols; j++) row.push(m.values[i * m.cols + j]);
    out.push(row);
  }
  return csvText(out);
}

/** The largest scale ≤ `wanted` at which a `width × height` CSS-pixel image fits a canvas. */
export function rasterScale(width: number, height: number, wanted = EXPORT_SCALE): number {
  const w = Math.max(1, width);
  const h = Math.max(1, height);
  return Math.min(wanted, MAX_CANVAS_SIDE / w, MAX_CANVAS_SIDE / h, Math.sqrt(MAX_CANVAS_AREA / (w * h)));
}

/** Text for XML (SVG): `&`, `<`, `>`, quotes escaped; characters XML 1.0 forbids dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The per-layer charts' numbers as table rows: `layer`, then one column per metric and series. */
export function metricsTable(metrics: readonly { name: string; series: readonly { label: string; values: readonly number[] }[] }[]): (string | number)[][] {
  const columns = metrics.flatMap((m) => m.series.map((s) => ({ name: `${m.name} (${s.label})`, values: s.values })));
  const layers = Math.max(0, ...columns.map((c) => c.values.length));
  const rows: (string | number)[][] = [['layer', ...columns.map((c) => c.name)]];
  for (let l = 0; l < layers; l++) rows.push([l, ...columns.map((c) => (Number.isFinite(c.values[l]) ? c.values[l] : ''))]);
  return rows;
}
