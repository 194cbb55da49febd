// A small line chart of one per-layer metric: x = layer, y = value, one line per series
// (attention stacks of one trace, or several models on the Compare page).

import { vw } from './words';
import { axisBottom, axisLeft, extent, line, scaleLinear, select } from 'd3';
import { fmt4, fmtTick } from './format';
import { readTheme } from './theme';
import { headColour } from './color';
import { maxTextWidth } from './canvas';

export interface MetricSeries {
  label: string;
  /** One value per layer; NaN where the metric does not apply. */
  values: number[];
  colour?: string;
  /** Drawn dashed and left out of the legend: the same stack in a second form (value-weighted). */
  dashed?: boolean;
}

export interface MetricChartData {
  title: string;
  unit: string;
  series: MetricSeries[];
}

export interface MetricChartOptions {
  width: number;
  height: number;
}

const M = { top: 44, right: 12, bottom: 30, left: 44 };
const LEGEND_Y = 30;

/** The y domain: the data's extent, padded, and including 0 for shares and distances. */
export function metricDomain(series: MetricSeries[]): [number, number] {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  if (!all.length) return [0, 1];
  const [lo, hi] = extent(all) as [number, number];
  const low = Math.min(0, lo);
  return hi > low ? [low, hi + (hi - low) * 0.05] : [low, low + 1];
}

export function drawMetricChart(target: HTMLElement, data: MetricChartData, options: MetricChartOptions): SVGSVGElement {
  const theme = readTheme(target);
  const root = select(target);
  root.selectAll('svg.atlas-metric-chart').remove();
  const { width, height } = options;
  const svg = root.append('svg').attr('class', 'atlas-metric-chart').attr('width', width).attr('height', height).attr('role', 'img').attr('aria-label', data.title);
  const layers = Math.max(1, ...data.series.map((s) => s.values.length));
  const x = scaleLinear()
    .domain([0, Math.max(1, layers - 1)])
    .range([M.left, width - M.right]);
  const y = scaleLinear().domain(metricDomain(data.series)).range([height - M.bottom, M.top]).nice();
  svg.append('text').attr('x', M.left).attr('y', 14).attr('font-size', 12).attr('font-weight', 600).attr('fill', theme.fg).text(data.title);
  svg.append('text').attr('x', width - M.right).attr('y', 14).attr('text-anchor', 'end').attr('font-size', 11).attr('fill', theme.muted).text(data.unit);
  const gx = svg.append('g').attr('transform', `translate(0,${height - M.bottom})`).call(axisBottom(x).ticks(Math.min(layers, 12)).tickFormat((v) => String(v)));
  const gy = svg.append('g').attr('transform', `translate(${M.left},0)`).call(axisLeft(y).ticks(4).tickFormat((v) => fmtTick(Number(v))));
  for (const g of [gx, gy]) {
    g.selectAll('text').attr('fill', theme.muted);
    g.selectAll('line,path').attr('stroke', theme.border);
  }
  svg.append('text').attr('x', (M.left + width - M.right) / 2).attr('y', height - 2).attr('text-anchor', 'middle').attr('font-size', 11).attr('fill', theme.muted).text(vw('viz.layerAxis'));
  data.series.forEach((s, k) => {
    const colour = s.colour ?? headColour(k, theme.dark);
    const pts = s.values.map((v, l) => [l, v] as [number, number]);
    const g = svg.append('g').attr('class', 'series').attr('data-label', s.label);
    g.append('path')
      .attr('fill', 'none')
      .attr('stroke', colour)
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', s.dashed ? '5 3' : null)
      .attr('d', line<[number, number]>().defined((p) => Number.isFinite(p[1])).x((p) => x(p[0])).y((p) => y(p[1]))(pts));
    g.selectAll('circle')
      .data(pts.filter((p) => Number.isFinite(p[1])))
      .join('circle')
      .attr('cx', (p) => x(p[0]))
      .attr('cy', (p) => y(p[1]))
      .attr('r', 3)
      .attr('fill', colour)
      .append('title')
      .text((p) => `${s.label}, layer ${p[0]}: ${fmt4(p[1])}`);
  });
  if (data.series.length > 1 || data.series[0]?.label) {
    const lg = svg.append('g').attr('font-size', 11);
    let at = 4;
    data.series.forEach((s, k) => {
      if (s.dashed) return;
      const colour = s.colour ?? headColour(k, theme.dark);
      lg.append('rect').attr('x', at).attr('y', LEGEND_Y - 4).attr('width', 10).attr('height', 3).attr('fill', colour);
      lg.append('text').attr('x', at + 14).attr('y', LEGEND_Y).attr('fill', theme.fg).text(s.label);
      // Measured on a canvas: asking the SVG text for its length would force a layout of the whole
      // page in the middle of the first render (measured: half a second on a cold page here).
      at += 24 + maxTextWidth([s.label], `11px ${theme.font}`);
    });
  }
  return svg.node()!;
}
