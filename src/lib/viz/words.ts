// The words the renderers draw themselves (captions, legend notes, keyboard help, the Q/K/V
// steps). The renderers stay framework-free: they read the current words from here, and the
// app sets them when the interface language changes (src/lib/i18n). English is the default,
// so Node, tests and exports made without the app read English.

export const VIZ_EN = {
  'viz.rowsCols': 'Rows: {rows}. Columns: {cols}.',
  'viz.heatmapHelp': 'Arrow keys move between cells and read out the weight; Home and End go to the first and last key, Page Up and Page Down ten rows; Enter selects the query row; Escape leaves the cell.',
  'viz.dataRange': 'these data: {lo} to {hi} (the band under the bar)',
  'viz.headFirst': 'head {h}',
  'viz.gridHelp': 'Arrow keys move between heads (rows are layers); Enter or Space selects the head; Shift+Enter adds it to the head view or removes it; Escape leaves.',
  'viz.gridTipPointer': 'click: select · shift-click: add',
  'viz.gridTipKeys': 'Enter: select · Shift+Enter: add',
  'viz.gridRowScaled': 'Each row of each head is scaled to its own min..max.',
  'viz.gridRowScaledLog': 'Each row of each head is scaled to its own min..max (log).',
  'viz.gridThumbs': 'Thumbnails are smaller than their matrices: each pixel shows the largest weight among the cells it covers.',
  'viz.headViewHelp': 'Up and Down move through the tokens and show their lines; Left goes to the queries, Right to the keys; Enter pins the token (and selects a query for the Q/K/V view); Escape leaves.',
  'viz.alignmentHelp': 'Left and Right move along the tokens and show their lines; Up goes to the source tokens, Down to the target tokens; Escape leaves.',
  'viz.layerAxis': 'layer',
  'viz.qkv.projections': '(tapped per head; d_k = {d}; {stack}, layer {layer}, head {head})',
  'viz.qkv.everyKey': 'for every key j',
  'viz.qkv.noScaling': 'no scaling in T5',
  'viz.qkv.noScalingNote': '(T5 does not divide by √d_k; the scale is folded into its weight initialisation)',
  'viz.qkv.bias': '(relative position bias of head {head}, shared by all layers)',
  'viz.qkv.noBias': 'no position bias',
  'viz.qkv.nothingMasked': '(nothing is masked here)',
  'viz.qkv.masked': '(−∞ where the query may not look: keys after it)',
  'viz.qkv.tappedProbs': '(the tapped probs)',
  'viz.qkv.tappedContext': '(the tapped context, before the output projection)',
  'viz.qkv.recomputed': ' (recomputed here)',
  'viz.qkv.contextRow': 'tapped context (the model’s output of this head)',
  'viz.qkv.qkLegend': 'q and k components',
  'viz.qkv.vLegend': 'p·v and output components',
  'viz.qkv.check': '{mark} {what}: max |difference| = {diff} over {n} values (tolerance {tol})',
  'viz.qkv.checkOne': '{mark} {what}: max |difference| = {diff} over {n} value (tolerance {tol})',
  'viz.qkv.checkMissing': '{what}: the trace has no tap to compare with.',
  'viz.qkv.tappedScores': 'tapped scores',
  'viz.qkv.keyHeader': 'key',
  'viz.qkv.tappedS': 'tapped s',
  'viz.qkv.tappedP': 'tapped p',
  'viz.qkv.maskedCell': 'masked',
  'viz.qkv.tappedProbsCheck': 'tapped probs',
  'viz.qkv.tappedContextCheck': 'tapped context',
} as const;

export type VizWord = keyof typeof VIZ_EN;

let words: Record<VizWord, string> = VIZ_EN;

/** The app's language switch sets the words (a missing one falls back to English). */
export function setVizWords(next: Partial<Record<VizWord, string>>): void {
  words = { ...VIZ_EN, ...next };
}

/** A renderer's word, with {name} placeholders filled in. */
export function vw(key: VizWord, params: Record<string, string | number> = {}): string {
  return words[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}
