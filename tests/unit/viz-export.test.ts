// The pure parts of exporting: file names, CSV text, captions and SVG documents, checked
// against independent readers (d3's CSV parser, a strict XML reader written for tests).
import { describe, expect, it } from 'vitest';
import { csvParseRows } from 'd3';
import {
  captionText,
  csvField,
  csvText,
  escapeXml,
  exportFileName,
  formatFloat32,
  matrixCSV,
  metricsTable,
  rasterScale,
  sanitizeFileName,
  sanitizeFilePart,
  MAX_CANVAS_SIDE,
} from '../../src/lib/viz/export';
import {
  canExportCellsAsVector,
  captionLines,
  CAPTION_LINE,
  CAPTION_MAX_LINES,
  DOC_PADDING,
  heatmapPlotPart,
  legendPart,
  MAX_VECTOR_CELLS_SIDE,
  svgDocument,
  type SvgStyle,
} from '../../src/lib/viz/export-svg';
import { alignmentPart, headViewPart } from '../../src/lib/viz/export-lines';
import { qkvParts, qkvTable } from '../../src/lib/viz/export-qkv';
import { MIN_LINE_WEIGHT } from '../../src/lib/viz/head-view';
import { alignmentLayout } from '../../src/lib/viz/alignment';
import { cssColor, lutColor, sequentialLut } from '../../src/lib/viz/color';
import { fmt4, tokenLabel } from '../../src/lib/viz/format';
import { neuronSteps } from '../../src/lib/trace/neuron';
import { headAttention } from '../../src/lib/trace/attention-matrix';
import { findAll, parseXml, shownText, type XmlElement } from '../helpers/xml';
import { rng, syntheticTrace, HOSTILE_TOKEN } from '../fixtures/synthetic-trace';

const STYLE: SvgStyle = { bg: '#ffffff', fg: '#1d1f23', muted: '#5f6570', border: '#d5d8de', font: 'system-ui, "Segoe UI", sans-serif' };
/** Tokens that break naive CSV, XML and file names. */
const NASTY = ['plain', 'a,b', 'say "hi"', 'two\nlines', ' lead', 'trail ', '=SUM(A1)', '-', HOSTILE_TOKEN, 'tab\there', 'amp & <lt>', 'ünï 日本 🙂'];
/** A file name every common file system takes. */
const SAFE_NAME = /^[\p{L}\p{N}_+-][\p{L}\p{N}._+-]*$/u;

describe('file names', () => {
  it('say model, stack, layer, heads and view', () => {
    expect(exportFileName({ model: 'tiny-gpt2', view: 'heatmap', kind: 'self', layer: 2, heads: [1] }, 'png')).toBe('tiny-gpt2_self_L2_H1_heatmap.png');
    expect(exportFileName({ model: 'tiny-t5', view: 'head-view', kind: 'cross', layer: 0, heads: [0, 3] }, 'svg')).toBe('tiny-t5_cross_L0_H0+3_head-view.svg');
    expect(exportFileName({ model: 'x', view: 'heatmap', kind: 'self', layer: 'mean', heads: [4] }, 'csv')).toBe('x_self_Lmean_H4_heatmap.csv');
    expect(exportFileName({ model: 'x', view: 'heatmap', kind: 'self', layer: 1, heads: 'mean' }, 'csv')).toBe('x_self_L1_Hmean_heatmap.csv');
    expect(exportFileName({ model: 'x', view: 'qkv', kind: 'self', layer: 1, heads: [2], query: 7 }, 'png')).toBe('x_self_L1_H2_Q7_qkv.png');
    expect(exportFileName({ model: 'tiny-bert', view: 'trace' }, 'json')).toBe('tiny-bert_trace.json');
  });

  it('are safe on every file system, whatever the model id', () => {
    expect(exportFileName({ model: 'openai-community/gpt2', view: 'heatmap', kind: 'self', layer: 0, heads: [0] }, 'png')).toBe('openai-community-gpt2_self_L0_H0_heatmap.png');
    expect(sanitizeFilePart('../../etc/passwd')).toBe('etc-passwd');
    expect(sanitizeFilePart('a:b*c?d"e<f>g|h\\i j')).toBe('a-b-c-d-e-f-g-h-i-j');
    expect(sanitizeFilePart('CON')).toBe('CON_');
    expect(sanitizeFilePart('lpt1')).toBe('lpt1_');
    expect(sanitizeFilePart('modèle 日本')).toBe('modèle-日本');
    expect(sanitizeFilePart('line\nbreak\u0000')).toBe('line-break');
    expect(sanitizeFileName(['', '///'], 'png')).toBe('attention-atlas.png');
    for (const model of [...NASTY, '.hidden', '..', 'x'.repeat(400), '🙂'.repeat(300)]) {
      const name = exportFileName({ model, view: 'heatmap', kind: 'self', layer: 3, heads: [1, 2] }, 'png');
      expect(name, JSON.stringify(model)).toMatch(SAFE_NAME);
      expect(name.endsWith('.png')).toBe(true);
      // Within the 255 bytes of ext4, APFS and NTFS (UTF-8 takes up to 4 bytes a character).
      expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(255);
    }
  });
});

describe('CSV', () => {
  it('quotes fields with commas, quotes, line breaks and edge spaces, and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(' lead')).toBe('" lead"');
    expect(csvField('=SUM(A1)')).toBe(`"'=SUM(A1)"`);
    expect(csvField('-')).toBe(`"'-"`);
    expect(csvField('@x')).toBe(`"'@x"`);
    expect(csvField(-0.5)).toBe('-0.5'); // numbers are never touched
    expect(csvText([['a', 1], ['b', 2]])).toBe('a,1\r\nb,2\r\n');
  });

  it('writes a matrix that a CSV parser reads back: tokens as header and first column, exact float32 cells', () => {
    const rand = rng(7);
    const rows = NASTY.length;
    const cols = NASTY.length;
    const values = new Float32Array(rows * cols).map(() => rand() ** 3);
    const text = matrixCSV({ rows, cols, values, rowLabels: NASTY, colLabels: NASTY, corner: 'query \\ key' });
    const parsed = csvParseRows(text.replace(/\r\n$/, ''));
    // Formula-like text comes back with the leading ' that keeps spreadsheets from running it.
    const shown = (t: string): string => (/^[=+\-@\t\r]/.test(t) ? `'${t}` : t);
    expect(parsed.length).toBe(rows + 1);
    expect(parsed[0]).toEqual(['query \\ key', ...NASTY.map(shown)]);
    for (let i = 0; i < rows; i++) {
      expect(parsed[i + 1][0]).toBe(shown(NASTY[i]));
      for (let j = 0; j < cols; j++) expect(Math.fround(Number(parsed[i + 1][j + 1]))).toBe(values[i * cols + j]);
    }
  });

  it('prints float32 values in the fewest digits that read back exactly', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(0)).toBe('0');
    expect(formatFloat32(Math.fround(1 / 3))).toBe('0.33333334');
    expect(formatFloat32(0.1 + 0.2)).toBe(String(0.1 + 0.2)); // a float64: every digit
    const rand = rng(3);
    for (let k = 0; k < 2000; k++) {
      const v = Math.fround((rand() - 0.5) * 10 ** Math.floor(rand() * 12 - 6));
      const s = formatFloat32(v);
      expect(Math.fround(Number(s))).toBe(v);
      expect(s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length).toBeLessThanOrEqual(9);
    }
  });

  it('tabulates the per-layer summaries, one row per layer, blank where a metric does not apply', () => {
    const rows = metricsTable([
      { name: 'entropy', series: [{ label: 'encoder', values: [1, 2, 3] }, { label: 'decoder', values: [4, NaN] }] },
      { name: 'distance', series: [{ label: 'encoder', values: [0.5, 0.25, 0.125] }] },
    ]);
    expect(rows).toEqual([
      ['layer', 'entropy (encoder)', 'entropy (decoder)', 'distance (encoder)'],
      [0, 1, 4, 0.5],
      [1, 2, '', 0.25],
      [2, 3, '', 0.125],
    ]);
  });
});

describe('captions', () => {
  it('say model, stack, layer, head and view in one line', () => {
    expect(captionText({ model: 'tiny-gpt2', view: 'heatmap', kind: 'self', layer: 2, heads: [1], title: 'heatmap', text: '  The cat\nsat ' })).toBe('tiny-gpt2 · self-attention · layer 2 · head 1 · heatmap · “The cat sat”');
    expect(captionText({ model: 'tiny-t5', view: 'x', kind: 'cross', layer: 'mean', heads: 'mean', title: 'alignment' })).toBe('tiny-t5 · cross-attention · mean over layers · mean over heads · alignment');
    expect(captionText({ model: 'm', view: 'x', kind: 'decoder', layer: 0, heads: [0, 2], title: 'head view', detail: 'log colour scale' })).toBe('m · decoder self-attention · layer 0 · heads 0, 2 · head view · log colour scale');
    expect(Array.from(captionText({ model: 'm', view: 'x', title: 't', text: 'w '.repeat(500) })).length).toBeLessThanOrEqual(160);
  });

  it('wrap whole: between pieces where they can, between words otherwise, never cut', () => {
    const c = 'tiny-gpt2 · self-attention · layer 2 · head 1 · heatmap · “The cat sat on the mat”';
    expect(captionLines(c, 200)).toEqual([c]);
    const lines = captionLines(c, 40);
    expect(lines[0]).toBe('tiny-gpt2 · self-attention · layer 2');
    for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(40);
    expect(lines[1].startsWith('head 1 · heatmap')).toBe(true);
    // Every word is there, in order, none cut or replaced by an ellipsis.
    expect(lines.join(' ').replace(/ · /g, ' ').split(/\s+/)).toEqual(c.replace(/ · /g, ' ').split(/\s+/));
    expect(lines.join('')).not.toContain('…');
    expect(captionLines('a · ' + 'x'.repeat(25), 10)).toEqual(['a', 'xxxxxxxxxx', 'xxxxxxxxxx', 'xxxxx']);
    expect(CAPTION_MAX_LINES).toBeGreaterThanOrEqual(6);
  });
});

/** A heatmap document of a synthetic head, cells as rects. */
function heatmapDoc(rowLabels: string[], colLabels: string[], values: Float32Array, masked: Uint8Array | null): { doc: ReturnType<typeof svgDocument>; colour: (i: number) => string | null } {
  const lut = sequentialLut();
  const colour = (i: number): string | null => (masked?.[i] ? null : cssColor(lutColor(lut, values[i])));
  const plot = heatmapPlotPart({
    rows: rowLabels.length,
    cols: colLabels.length,
    cell: 14,
    left: 90,
    top: 70,
    labelStep: 1,
    rowLabels: rowLabels.map((t) => tokenLabel(t)),
    colLabels: colLabels.map((t) => tokenLabel(t)),
    rowTitles: rowLabels,
    colTitles: colLabels,
    fontSize: 11,
    cells: { kind: 'rects', colour, maskFill: '#ecedf0', maskHatch: '#c8cbd2' },
    style: STYLE,
  });
  const legend = legendPart({ domain: [0.01, 0.93], kind: 'linear', label: 'attention weight' }, 240, STYLE);
  return { doc: svgDocument([plot, legend], { caption: 'm · self-attention · layer 0 · head 0 · heatmap', style: STYLE }), colour };
}

const idsIn = (root: XmlElement): Set<string> => new Set([...findAll(root, 'pattern'), ...findAll(root, 'linearGradient')].map((e) => e.attrs.id));

describe('SVG documents', () => {
  it('heatmap: well-formed XML, one rect per cell in the scale’s colour, hatched masked cells, every label as text', () => {
    const n = NASTY.length;
    const rand = rng(11);
    const values = new Float32Array(n * n).map(() => rand());
    const masked = new Uint8Array(n * n).map((_, k) => (k % n > Math.floor(k / n) ? 1 : 0));
    const { doc, colour } = heatmapDoc(NASTY, NASTY, values, masked);
    const root = parseXml(doc.svg);
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect([Number(root.attrs.width), Number(root.attrs.height)]).toEqual([doc.width, doc.height]);
    const cells = findAll(findAll(root, 'g', 'cells')[0], 'rect');
    expect(cells.length).toBe(n * n);
    const ids = idsIn(root);
    cells.forEach((r, k) => {
      const expected = colour(k);
      if (expected) expect(r.attrs.fill).toBe(expected);
      else expect(ids.has(/^url\(#(.+)\)$/.exec(r.attrs.fill)![1])).toBe(true);
    });
    const rowTexts = findAll(findAll(root, 'g', 'row-labels')[0], 'text');
    const colTexts = findAll(findAll(root, 'g', 'col-labels')[0], 'text');
    expect(rowTexts.map(shownText)).toEqual(NASTY.map((t) => tokenLabel(t)));
    expect(colTexts.map(shownText)).toEqual(NASTY.map((t) => tokenLabel(t)));
    // The full token is kept as a tooltip where the label is shortened.
    expect(rowTexts.some((t) => t.children.some((c) => typeof c !== 'string' && c.name === 'title' && (c.children[0] as string) === HOSTILE_TOKEN))).toBe(true);
    // Nothing that looks like markup became an element.
    expect(findAll(root, 'img').length).toBe(0);
    // The caption and the legend's exact ends are text.
    // (wrapped in two lines on a figure this narrow)
    expect(findAll(root, 'text', 'caption').map(shownText).join(' · ')).toBe('m · self-attention · layer 0 · head 0 · heatmap');
    expect(shownText(findAll(root, 'text', 'legend-min')[0])).toBe(fmt4(0.01));
    expect(shownText(findAll(root, 'text', 'legend-max')[0])).toBe(fmt4(0.93));
    expect(ids.has(/^url\(#(.+)\)$/.exec(findAll(root, 'rect', 'legend-bar')[0].attrs.fill)![1])).toBe(true);
  });

  it('is the figure plus a padding wide, and as tall as the caption, the parts and their gaps', () => {
    const { doc } = heatmapDoc(['a', 'b'], ['a', 'b', 'c'], new Float32Array(6).fill(0.5), null);
    const plotWidth = 90 + 3 * 14 + 8;
    expect(doc.width).toBe(Math.max(plotWidth, 240) + 2 * DOC_PADDING);
    const oneLine = svgDocument([{ width: 300, height: 100, body: '' }], { caption: 'short', style: STYLE });
    expect(oneLine.height).toBe(DOC_PADDING + CAPTION_LINE + 6 + 100 + DOC_PADDING);
  });

  it('escapes text for XML and drops characters XML cannot hold', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    const weird = 'nul\u0000 bell\u0007 lone\uD800 pair🙂 ok';
    const { doc } = heatmapDoc([weird, 'b'], ['c', weird], new Float32Array(4).fill(0.2), null);
    const root = parseXml(doc.svg);
    const label = shownText(findAll(findAll(root, 'g', 'row-labels')[0], 'text')[0]);
    expect(label).toBe(tokenLabel(weird).replace(/[\u0000-\u0008\uD800]/g, ''));
  });

  it('offers vector cells up to the size limit only', () => {
    expect(canExportCellsAsVector(MAX_VECTOR_CELLS_SIDE, MAX_VECTOR_CELLS_SIDE)).toBe(true);
    expect(canExportCellsAsVector(MAX_VECTOR_CELLS_SIDE + 1, 4)).toBe(false);
    expect(canExportCellsAsVector(4, MAX_VECTOR_CELLS_SIDE + 1)).toBe(false);
  });

  it('head view: one subpath per drawn line, per head, and every token as text', () => {
    const trace = syntheticTrace({ family: 'gpt2', layers: 1, heads: 2, tokens: 9, seed: 4, hostileToken: true });
    const tokens = trace.tokens.map((t) => t.text);
    const heads = [0, 1].map((h) => ({ head: h, colour: ['#CC6677', '#332288'][h], matrix: headAttention(trace, 'self', 0, h) }));
    const part = headViewPart({ left: tokens, right: tokens, leftTitle: 'queries (tokens)', rightTitle: 'keys (tokens)', heads, leftWidth: 120, rightWidth: 120, style: STYLE });
    const root = parseXml(svgDocument([part], { caption: 'c', style: STYLE }).svg);
    const groups = findAll(root, 'g', 'lines');
    expect(groups.map((g) => g.attrs.stroke)).toEqual(['#CC6677', '#332288']);
    heads.forEach((h, k) => {
      const { values, masked } = h.matrix;
      const drawn = Array.from(values).filter((w, i) => !masked?.[i] && w >= MIN_LINE_WEIGHT).length;
      const subpaths = findAll(groups[k], 'path').reduce((acc, p) => acc + (p.attrs.d.match(/M/g)?.length ?? 0), 0);
      expect(subpaths).toBe(drawn);
      expect(drawn).toBeGreaterThan(0);
    });
    expect(findAll(findAll(root, 'g', 'query')[0], 'text').map(shownText)).toEqual(tokens.map((t) => tokenLabel(t, 16)));
    expect(findAll(findAll(root, 'g', 'key')[0], 'text').map(shownText)).toEqual(tokens.map((t) => tokenLabel(t, 16)));
    expect(part.width).toBe(120 + 220 + 120);
  });

  it('alignment: one curve per drawn weight between the source and target rows', () => {
    const trace = syntheticTrace({ family: 't5', layers: 1, heads: 1, tokens: 6, decoderTokens: 5, seed: 9 });
    const m = headAttention(trace, 'cross', 0, 0);
    const source = trace.tokens.map((t) => t.text);
    const target = trace.decoderTokens!.map((t) => t.text);
    for (const maxWidth of [600, 60]) {
      const layout = alignmentLayout(source.length, target.length, maxWidth, 40);
      const root = parseXml(svgDocument([alignmentPart({ source, target, matrix: m, colour: '#1c4e80', layout, style: STYLE })], { caption: 'c', style: STYLE }).svg);
      const curves = findAll(root, 'path').reduce((acc, p) => acc + (p.attrs.d.match(/C/g)?.length ?? 0), 0);
      expect(curves).toBe(Array.from(m.values).filter((w) => w >= MIN_LINE_WEIGHT).length);
      expect(findAll(findAll(root, 'g', 'source')[0], 'text').map(shownText)).toEqual(source.map((t) => tokenLabel(t, 14)));
      expect(findAll(findAll(root, 'g', 'target')[0], 'text').map(shownText)).toEqual(target.map((t) => tokenLabel(t, 14)));
      // Labels turn upright when they do not fit their slot.
      expect(findAll(root, 'text').some((t) => /rotate\(/.test(t.attrs.transform ?? ''))).toBe(layout.rotate);
    }
  });

  it('Q/K/V: the key table with one coloured cell per vector component, and the checks', () => {
    const trace = syntheticTrace({ family: 'gpt2', layers: 1, heads: 1, headDim: 4, tokens: 5, seed: 2 });
    const r = neuronSteps(trace, 'self', 0, 0, 3);
    if (!r.ok) throw new Error('synthetic trace has every tap');
    const keyLabels = trace.tokens.map((t) => t.text);
    const parts = qkvParts({ steps: r.steps, queryLabel: keyLabels[3], keyLabels, stackLabel: 'GPT-2 self-attention', noBiasReason: 'learned positions', cell: 10, style: { ...STYLE, accent: '#d9480f', maskFill: '#ecedf0' } });
    const root = parseXml(svgDocument(parts, { caption: 'c', style: STYLE }).svg);
    const d = 4;
    const n = 5;
    // q (d) + k (n·d) + p·v (n·d) + recomputed and tapped outputs (2·d) + a bar per key + 2 legend bars + background.
    expect(findAll(root, 'rect').length).toBe(d + 2 * n * d + 2 * d + n + 2 + 1);
    expect(findAll(findAll(root, 'g', 'keys')[0], 'text', 'key').map(shownText)).toEqual(keyLabels.map((t) => tokenLabel(t, 13)));
    const checks = findAll(root, 'text', 'check');
    expect(checks.length).toBe(3);
    expect(checks.every((c) => c.attrs.class.includes('ok') && shownText(c).startsWith('✓'))).toBe(true);
    // Causal: keys after the query are masked, and the CSV leaves their scores blank.
    const table = qkvTable(r.steps, keyLabels);
    expect(table.length).toBe(n + 1);
    expect(table[0]).toEqual(['key_index', 'key', 'masked', 'q_dot_k', 'scaled', 'score', 'tapped_score', 'softmax', 'tapped_prob']);
    expect(table[5][2]).toBe(1);
    expect(table[5][5]).toBe('');
    expect(table[2][5]).toBeCloseTo(r.steps.scores[1], 12);
  });
});

describe('raster size', () => {
  it('is 2× unless the browser’s canvas limits need less', () => {
    expect(rasterScale(800, 600)).toBe(2);
    expect(rasterScale(MAX_CANVAS_SIDE, 100)).toBe(1);
    const s = rasterScale(12_000, 12_000);
    expect(12_000 * s).toBeLessThanOrEqual(MAX_CANVAS_SIDE);
    expect((12_000 * s) ** 2).toBeLessThanOrEqual(268_000_000);
  });
});
