// The browser side of exporting a view: the theme as the export's style, an SVG document
// rasterised into a PNG, a canvas as an embeddable image, and a live SVG element (the
// per-layer charts) as a part. Everything pure is in export.ts and export-svg.ts.

import { EXPORT_SCALE, rasterScale } from './export';
import type { SvgDocument, SvgPart, SvgStyle } from './export-svg';
import { readTheme, type Theme } from './theme';

export function svgStyleOf(theme: Theme): SvgStyle {
  return { bg: theme.bg, fg: theme.fg, muted: theme.muted, border: theme.border, font: theme.font };
}

export const readSvgStyle = (el: Element): SvgStyle => svgStyleOf(readTheme(el));

/**
 * The document as a PNG at `scale` pixels per CSS pixel (less if the browser could not
 * hold such a canvas): the SVG is loaded as an image from a blob: URL (the page's CSP
 * allows blob: images) and drawn at the scaled size, so text and lines are vector-sharp.
 */
export async function svgToPng(doc: SvgDocument, scale = EXPORT_SCALE): Promise<{ blob: Blob; scale: number }> {
  const s = rasterScale(doc.width, doc.height, scale);
  const url = URL.createObjectURL(new Blob([doc.svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(doc.width * s);
    canvas.height = Math.round(doc.height * s);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser gave no canvas to draw the PNG on.');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error(`The browser could not encode a ${canvas.width} × ${canvas.height} PNG.`);
    return { blob, scale: s };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A canvas as a data: URL to embed in an SVG (the page's CSP allows data: images). */
export const canvasHref = (canvas: HTMLCanvasElement): string => canvas.toDataURL('image/png');

/**
 * The SVG charts inside `container` as one part, each where it is on screen (so the
 * export has the layout the page shows). Their text takes the document's font.
 */
export function svgElementsPart(container: HTMLElement, selector: string): SvgPart {
  const box = container.getBoundingClientRect();
  const serializer = new XMLSerializer();
  let width = 0;
  let height = 0;
  let body = '';
  for (const svg of container.querySelectorAll<SVGSVGElement>(selector)) {
    const r = svg.getBoundingClientRect();
    const x = r.left - box.left;
    const y = r.top - box.top;
    const copy = svg.cloneNode(true) as SVGSVGElement;
    copy.setAttribute('x', String(Math.round(x * 100) / 100));
    copy.setAttribute('y', String(Math.round(y * 100) / 100));
    copy.removeAttribute('role');
    body += serializer.serializeToString(copy);
    width = Math.max(width, x + r.width);
    height = Math.max(height, y + r.height);
  }
  return { width, height, body };
}
