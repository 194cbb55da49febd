// Canvas plumbing shared by the renderers: HiDPI sizing and text measuring.

export const devicePixelRatioOf = (): number => (typeof window !== 'undefined' && window.devicePixelRatio > 0 ? window.devicePixelRatio : 1);

/**
 * Sizes a canvas to `cssWidth × cssHeight` CSS pixels backed by device pixels, so cells
 * and lines stay crisp on HiDPI screens. Returns the device pixel size and a context
 * whose unit is one CSS pixel.
 */
export function sizeCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number, dpr = devicePixelRatioOf()): { ctx: CanvasRenderingContext2D; width: number; height: number; dpr: number } {
  const width = Math.max(1, Math.round(cssWidth * dpr));
  const height = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, width, height, dpr };
}

let measurer: CanvasRenderingContext2D | null = null;

/** Width in CSS pixels of the widest string at `font`. */
export function maxTextWidth(texts: readonly string[], font: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return texts.reduce((m, t) => Math.max(m, t.length * 7), 0);
  measurer.font = font;
  let m = 0;
  for (const t of texts) m = Math.max(m, measurer.measureText(t).width);
  return m;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, parent?: Element): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  parent?.appendChild(e);
  return e;
}

export const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
