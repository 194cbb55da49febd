// The export menu's items for one view: PNG and SVG of the figure, CSV of its numbers,
// the trace as JSON. Each view says what its figure is (parts of an SVG document) and
// what its numbers are; file names and captions come from export.ts.

import type { Trace } from '$lib/trace/types';
import { traceToJSONChunks } from '$lib/trace/json-stream';
import { exactTrace } from '$lib/trace/exact';
import type { AttentionMatrix } from '$lib/trace/attention-matrix';
import { captionText, EXPORT_SCALE, exportFileName, matrixCSV, type ExportSubject } from '$lib/viz/export';
import { rawTokenTexts } from './view-data';
import { svgDocument, type SvgPart, type SvgStyle } from '$lib/viz/export-svg';
import { svgToPng } from '$lib/viz/export-dom';

export type ExportFormat = 'png' | 'svg' | 'csv' | 'json';

export interface ExportItem {
  format: ExportFormat;
  label: string;
  /** One line on what the file holds. */
  detail: string;
  /** Why this format is not offered here (the item is shown, disabled, with this text). */
  unavailable?: string;
  make(): Promise<{ blob: Blob; name: string }>;
}

export type FigureMode = { vector: true } | { vector: false; scale: number };

export interface Figure {
  subject: ExportSubject & { title: string; detail?: string };
  /** The input text, quoted in the caption. */
  text?: string;
  style: SvgStyle;
  parts(mode: FigureMode): SvgPart[];
}

function document(f: Figure, mode: FigureMode): ReturnType<typeof svgDocument> {
  const parts = f.parts(mode);
  if (!parts.length) throw new Error('The view has not been drawn yet.');
  return svgDocument(parts, { caption: captionText({ ...f.subject, text: f.text }), style: f.style });
}

/** PNG (always) and SVG (when `vector` is true; else `vector` says why not). */
export function figureItems(figure: () => Figure, vector: true | string): ExportItem[] {
  return [
    {
      format: 'png',
      label: 'PNG',
      detail: `image at ${EXPORT_SCALE}×, captioned`,
      async make() {
        const f = figure();
        const { blob } = await svgToPng(document(f, { vector: false, scale: EXPORT_SCALE }));
        return { blob, name: exportFileName(f.subject, 'png') };
      },
    },
    {
      format: 'svg',
      label: 'SVG',
      detail: 'vector image, text as text',
      unavailable: vector === true ? undefined : vector,
      async make() {
        const f = figure();
        return { blob: new Blob([document(f, { vector: true }).svg], { type: 'image/svg+xml' }), name: exportFileName(f.subject, 'svg') };
      },
    },
  ];
}

/** `make` may wait (for a float16 trace's exact values: trace/exact.ts). */
export function csvItem(detail: string, make: () => { subject: ExportSubject; csv: string } | Promise<{ subject: ExportSubject; csv: string }>): ExportItem {
  return {
    format: 'csv',
    label: 'CSV',
    detail,
    async make() {
      const { subject, csv } = await make();
      return { blob: new Blob([csv], { type: 'text/csv;charset=utf-8' }), name: exportFileName(subject, 'csv') };
    },
  };
}

/** The trace as JSON, with the selection shown (so /view/ reopens the same picture). */
export function traceItem(trace: () => Trace, selection?: { snapshot(): object }): ExportItem {
  return {
    format: 'json',
    label: 'JSON',
    detail: 'the whole trace, for /view/',
    async make() {
      // A float16 trace is written with the exact values the worker kept (trace/exact.ts).
      const exact = (await exactTrace(trace())).trace;
      const t = selection ? { ...exact, view: { ...selection.snapshot() } as Record<string, unknown> } : exact;
      return { blob: new Blob([...traceToJSONChunks(t)], { type: 'application/json' }), name: exportFileName({ model: t.model.id, view: 'trace' }, 'json') };
    },
  };
}

/** An attention matrix as CSV: its key tokens as the header row, its query tokens as the first column. */
export function attentionCSV(trace: Trace, m: AttentionMatrix): string {
  const rows = rawTokenTexts(trace, m.rowStream);
  const cols = rawTokenTexts(trace, m.colStream);
  return matrixCSV({ ...m, rowLabels: m.rowIds.map((i) => rows[i]), colLabels: m.colIds.map((i) => cols[i]), corner: m.weighting === 'value-norm' ? 'query \\ key (α·‖f(x)‖)' : 'query \\ key' });
}
