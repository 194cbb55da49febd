// A colour legend: a gradient bar over the domain actually drawn, its ends printed, and
// ticks in between. Attention weights are drawn on 0 → 1 by default; then the data's own
// min..max is marked as a band under the bar (`dataRange`), so the true range stays visible.

import { scaleLinear, scaleLog, select } from 'd3';
import type { ScaleKind, ValueScale } from './color';
import { fmt4, fmtTick } from './format';
import type { Theme } from './theme';
import { vw } from './words';

export interface LegendSpec {
  scale: ValueScale;
  interpolate: (t: number) => string;
  /** What the colours are ("attention weight", "value"), and any qualifier. */
  label: string;
  /** The data's own min..max when the bar spans more (0 → 1 for weights): marked as a band. */
  dataRange?: [number, number];
}

const GRADIENT_STOPS = 32;
const MAX_TICKS = 4;
/** Rough width of a legend digit at 11 px, to keep tick labels off the end labels. */
const CHAR_PX = 6.5;

/** Interior ticks, strictly between the ends (the ends are always printed exactly). */
export function legendTicks(domain: [number, number], kind: ScaleKind): number[] {
  const [lo, hi] = domain;
  if (!(hi > lo)) return [];
  const s = kind === 'log' ? scaleLog().domain(domain) : scaleLinear().domain(domain);
  const span = hi - lo;
  // Keep ticks clear of the end labels so nothing overlaps.
  return s.ticks(MAX_TICKS).filter((t) => t - lo > span * 0.15 && hi - t > span * 0.15);
}

let gradientIds = 0;

/** Draws (or redraws) the legend into `host`, replacing what was there. */
export function drawLegend(host: HTMLElement, spec: LegendSpec | null, width: number, theme: Theme): void {
  const root = select(host);
  root.selectAll('*').remove();
  if (!spec) return;
  const [lo, hi] = spec.scale.domain;
  const h = 10;
  const pad = 4;
  const w = Math.max(240, width);
  root.append('div').attr('class', 'atlas-legend-label atlas-note').text(spec.label);
  const svg = root
    .append('svg')
    .attr('class', 'atlas-legend')
    .attr('width', w)
    .attr('height', 30)
    .attr('data-min', String(lo))
    .attr('data-max', String(hi))
    .attr('data-scale', spec.scale.kind)
    .attr('role', 'img')
    .attr('aria-label', `${spec.label}: colours from ${fmt4(lo)} to ${fmt4(hi)}${spec.dataRange ? `; these data from ${fmt4(spec.dataRange[0])} to ${fmt4(spec.dataRange[1])}` : ''}`);
  if (spec.dataRange) svg.attr('data-data-min', String(spec.dataRange[0])).attr('data-data-max', String(spec.dataRange[1]));
  const id = `atlas-legend-${++gradientIds}`;
  const grad = svg.append('defs').append('linearGradient').attr('id', id);
  for (let i = 0; i <= GRADIENT_STOPS; i++) {
    const t = i / GRADIENT_STOPS;
    grad.append('stop').attr('offset', `${t * 100}%`).attr('stop-color', spec.interpolate(t));
  }
  const x0 = pad;
  const x1 = w - pad;
  svg.append('rect').attr('x', x0).attr('y', 2).attr('width', x1 - x0).attr('height', h).attr('fill', `url(#${id})`).attr('stroke', theme.border);
  const pos = spec.scale.kind === 'log' ? scaleLog().domain([lo, hi]).range([x0, x1]) : scaleLinear().domain([lo, hi]).range([x0, x1]);
  const label = (x: number, text: string, anchor: string, cls: string): void => {
    svg.append('text').attr('class', cls).attr('x', x).attr('y', 26).attr('text-anchor', anchor).attr('fill', theme.fg).attr('font-size', 11).text(text);
  };
  // The exact ends, anchored inwards so they never leave the legend.
  // Whole ends (0 → 1 for weights) print as "0" and "1", which leaves room for every tick label.
  const endText = (v: number) => (Number.isInteger(v) ? String(v) : fmt4(v));
  const loText = endText(lo);
  const hiText = endText(hi);
  label(x0, loText, 'start', 'legend-min');
  label(x1, hiText, 'end', 'legend-max');
  const loEnd = x0 + loText.length * CHAR_PX + 10;
  const hiStart = x1 - hiText.length * CHAR_PX - 10;
  for (const t of legendTicks([lo, hi], spec.scale.kind)) {
    const x = pos(t);
    svg.append('line').attr('x1', x).attr('x2', x).attr('y1', 2 + h).attr('y2', 2 + h + 3).attr('stroke', theme.muted);
    const text = fmtTick(t);
    const half = (text.length * CHAR_PX) / 2;
    if (x - half > loEnd && x + half < hiStart) label(x, text, 'middle', 'legend-tick');
  }
  if (spec.dataRange) {
    // The data's own range, under the bar: on 0 → 1 a matrix may use only part of the colours.
    const [a, b] = spec.dataRange.map((v) => Math.max(x0, Math.min(x1, pos(Math.max(v, lo)))));
    svg.append('rect').attr('class', 'legend-data').attr('x', a).attr('y', 2 + h + 1).attr('width', Math.max(2, b - a)).attr('height', 3).attr('fill', theme.fg);
    root.append('div').attr('class', 'atlas-legend-range atlas-note').text(vw('viz.dataRange', { lo: fmt4(spec.dataRange[0]), hi: fmt4(spec.dataRange[1]) }));
  }
}
