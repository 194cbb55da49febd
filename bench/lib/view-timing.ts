// Timing the app's views in a page where TraceViews is drawn (the /view/ page, or the
// bench page): redraws forced through a view's own control, and the linked hover.
// Used by bench/views.ts (synthetic traces) and bench/browser.ts (real model runs).

import type { Page } from 'playwright-core';
import { median } from './stats';

/**
 * Redraw time of a view (its renderer's own data-draw-ms), forced `n` times by cycling one
 * of its controls: a <select> steps to its next option, a checkbox toggles.
 */
export async function redraws(page: Page, view: string, toggle: string, n: number): Promise<number[]> {
  return page.evaluate(
    async ({ view, toggle, n }) => {
      const out: number[] = [];
      const root = document.querySelector(`[data-view="${view}"]`)!;
      const ctl = root.querySelector(toggle) as HTMLInputElement | HTMLSelectElement;
      for (let i = 0; i < n; i++) {
        if (ctl instanceof HTMLSelectElement) ctl.selectedIndex = (ctl.selectedIndex + 1) % ctl.options.length;
        else ctl.checked = !ctl.checked;
        ctl.dispatchEvent(new Event('change', { bubbles: true }));
        await new Promise((r) => setTimeout(r, 30));
        out.push(Number(root.querySelector('[data-draw-ms]')!.getAttribute('data-draw-ms')));
      }
      return out;
    },
    { view, toggle, n },
  );
}

export interface HoverTimes {
  /** Median over the samples of the whole update, ms. */
  total: number;
  /** All samples of the whole update, ms. */
  samples: number[];
  /** Median of each view's own overlay work (its data-hover-ms), ms. */
  perView: Record<string, number>;
}

/**
 * Hover one head-view token (as the pointer would), and time until every linked view has
 * updated: the event's JS, Svelte's effects (a microtask later), then style and layout
 * (forced). Paint is not included.
 */
export async function hoverTimes(page: Page, n: number): Promise<HoverTimes> {
  const samples = await page.evaluate(async (n) => {
    const res: { total: number; perView: Record<string, number> }[] = [];
    const tokens = [...document.querySelectorAll('[data-view="head"] .atlas-tokens-left .atlas-token')];
    for (let i = 0; i < n; i++) {
      const tok = tokens[(i * 7) % tokens.length];
      const t0 = performance.now();
      tok.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      await Promise.resolve();
      await Promise.resolve();
      void document.body.offsetHeight;
      const total = performance.now() - t0;
      const perView: Record<string, number> = {};
      for (const el of document.querySelectorAll('[data-hover-ms]')) {
        const v = el.closest('[data-view]')?.getAttribute('data-view') ?? '?';
        perView[v] = Math.max(perView[v] ?? 0, Number(el.getAttribute('data-hover-ms')));
      }
      res.push({ total, perView });
      await new Promise((r) => setTimeout(r, 50));
    }
    return res;
  }, n);
  const perView: Record<string, number> = {};
  for (const k of Object.keys(samples[0].perView)) perView[k] = median(samples.map((s) => s.perView[k] ?? 0));
  const totals = samples.map((s) => s.total);
  return { total: median(totals), samples: totals, perView };
}
