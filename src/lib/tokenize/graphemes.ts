// User-perceived characters (grapheme clusters): an emoji with its skin tone or ZWJ
// family, a flag (two regional indicators), a letter with its combining accents, CR LF.
// A token span never cuts one of these.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

// Printable ASCII without CR: every code unit is its own grapheme (fast path).
const SIMPLE_ASCII = /^[\x20-\x7e\t\n]*$/;

/**
 * Grapheme boundaries of `text` as UTF-16 offsets: [0, …, text.length], so grapheme i
 * is text.slice(b[i], b[i + 1]).
 *
 * Intl.Segmenter is slow (≈25 ms for 10k characters), so it only sees the stretches
 * that need it: between two ASCII characters there is always a boundary (except CR LF),
 * because everything that glues characters together (combining marks, ZWJ, variation
 * selectors, skin tones, regional indicators, prepend marks) is outside ASCII.
 */
export function graphemeBoundaries(text: string): Int32Array {
  const n = text.length;
  if (SIMPLE_ASCII.test(text)) {
    const b = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) b[i] = i;
    return b;
  }
  const out: number[] = [];
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x80 && (i + 1 >= n || text.charCodeAt(i + 1) < 0x80)) {
      out.push(i);
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      continue;
    }
    // A stretch that ends at a boundary between two ASCII characters (or the end).
    let j = i + 1;
    while (j < n) {
      const a = text.charCodeAt(j - 1);
      const b = text.charCodeAt(j);
      if (a < 0x80 && b < 0x80 && !(a === 13 && b === 10)) break;
      j++;
    }
    segmentStretch(text, i, j, out);
    i = j;
  }
  out.push(n);
  return Int32Array.from(out);
}

/**
 * Intl.Segmenter is quadratic on one long stretch in Node (100 k emoji: 88 s through the CLI),
 * so a stretch is segmented in windows of this many code units.
 */
const WINDOW = 2048;

/**
 * Pushes the grapheme starts of text[i, j) (i is a boundary) onto `out`, window by window.
 * Within a window that starts at a boundary, every boundary before the window's last
 * segment is final: whether a boundary falls at p depends only on text before p and the
 * (whole) character at p (UAX #29; regional-indicator parity and emoji/Indic lookbacks
 * look back only), so a window never ends inside a surrogate pair. The last segment may go on past the window, so the next window starts there; a
 * single cluster longer than the window doubles it.
 */
function segmentStretch(text: string, i: number, j: number, out: number[]): void {
  let at = i;
  let width = WINDOW;
  while (at < j) {
    let end = Math.min(j, at + width);
    // Never cut a surrogate pair: a half character would end a cluster that goes on.
    const c = text.charCodeAt(end - 1);
    if (end < j && c >= 0xd800 && c <= 0xdbff) end--;
    const starts: number[] = [];
    for (const seg of segmenter.segment(text.slice(at, end))) starts.push(seg.index);
    if (end === j) {
      for (const s of starts) out.push(at + s);
      return;
    }
    const last = starts[starts.length - 1];
    if (last === 0) {
      width *= 2;
      continue;
    }
    for (let k = 0; k < starts.length - 1; k++) out.push(at + starts[k]);
    at += last;
    width = WINDOW;
  }
}

/** For each code unit, the [start, end) of the grapheme that holds it. */
export function graphemeSpans(text: string): { start: Int32Array; end: Int32Array } {
  const b = graphemeBoundaries(text);
  const start = new Int32Array(text.length);
  const end = new Int32Array(text.length);
  for (let g = 0; g + 1 < b.length; g++) {
    for (let i = b[g]; i < b[g + 1]; i++) {
      start[i] = b[g];
      end[i] = b[g + 1];
    }
  }
  return { start, end };
}

/** Number of user-perceived characters. */
export function graphemeCount(text: string): number {
  return graphemeBoundaries(text).length - 1;
}
