// Text → TokenizedText, with the exact source span of every token.
//
// @huggingface/tokenizers gives ids and token strings but no offsets. We therefore run
// its pipeline ourselves, stage by stage and with the library's own components:
//   1. added tokens are cut out of the raw text (./added-tokens.ts),
//   2. each remaining section is normalized by the library's normalizer, step by step
//      with a map back to the original characters (./normalize-map.ts),
//   3. the library's pre-tokenizer splits it into words, which we find again in the
//      normalized text (byte-wise, so byte-level BPE works the same way),
//   4. the library's model turns each word into pieces; each piece's text (its bytes
//      for byte-level BPE, without `##` for WordPiece) is lined up inside its word,
//   5. the library's post-processor adds [CLS]/[SEP]/</s>, which get zero-width spans.
// Every span is widened to whole graphemes, so no span cuts a character. The result is
// compared with the library's own encode() (see `verify`).

import type { LoadedTokenizer } from './load';
import type { TokenizedText, TokenPiece, WordSpan } from './types';
import { graphemeSpans } from './graphemes';
import { byteLevelToBytes, utf8, utf8WithUnits } from './bytes';
import { charwise, identityMap, normalizerSteps, replace, runSteps, strip, type MappedText, type TextStep } from './normalize-map';
import { charLengthAt, equalAt, indexOfBytes, whitespaceLengthAt } from './match-bytes';
import type { AddedTokenInfo } from './added-tokens';
import { checkTextBounds } from './bounds';

/**
 * Up to this many characters, every result is checked against the library's encode().
 * The check runs the whole tokenizer a second time, so long texts (the 10k-character
 * case) skip it; the unit tests check it on every text they use.
 */
export const VERIFY_MAX_CHARS = 4000;

export interface TokenizeOptions {
  /** Compare with the library's encode(): true, false, or 'auto' (texts up to VERIFY_MAX_CHARS). */
  verify?: boolean | 'auto';
}

interface Draft {
  piece: string;
  start: number;
  end: number;
  /** Added token matched in the text. */
  added: AddedTokenInfo | null;
  /** Inserted by the post-processor (no source text). */
  inserted: boolean;
}

interface Ctx {
  tok: LoadedTokenizer;
  text: string;
  drafts: Draft[];
  words: WordSpan[];
  approximate: boolean;
}

function pieceSurface(tok: LoadedTokenizer, piece: string, index: number, count: number): Uint8Array | null {
  if (tok.algorithm !== 'unigram' && tok.unkToken !== null && piece === tok.unkToken) return null;
  if (tok.byteLevel) return byteLevelToBytes(piece);
  let s = piece;
  if (tok.continuingPrefix && index > 0 && s.startsWith(tok.continuingPrefix)) s = s.slice(tok.continuingPrefix.length);
  if (tok.continuingSuffix && index < count - 1 && s.endsWith(tok.continuingSuffix)) s = s.slice(0, -tok.continuingSuffix.length);
  if (tok.endOfWordSuffix && index === count - 1 && s.endsWith(tok.endOfWordSuffix)) s = s.slice(0, -tok.endOfWordSuffix.length);
  if (tok.byteFallback) {
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(s);
    if (m) return Uint8Array.of(parseInt(m[1], 16));
  }
  return utf8(s);
}

/** Lines up the pre-tokens and pieces of one normalized subsection n.text[from, to). */
function alignSubsection(ctx: Ctx, n: MappedText, from: number, to: number, sectionIndex: number): void {
  const { tok } = ctx;
  const lib = tok.lib;
  const model = lib.model!;
  const sub = n.text.slice(from, to);
  const pre = lib.pre_tokenizer ? lib.pre_tokenizer(sub, { section_index: sectionIndex }) : [sub];
  // The pre-tokenizer's own substitution, so words can be found again: Metaspace writes
  // spaces as "▁".
  const meta = tok.metaspace && tok.metaspace.length === 1 ? tok.metaspace : null;
  const view = meta ? sub.replaceAll(' ', meta) : sub;
  const { bytes, unit } = utf8WithUnits(view);
  const virtualPrefix = tok.byteLevel ? (tok.addPrefixSpace ? Uint8Array.of(0x20) : null) : meta ? utf8(meta) : null;
  const metaCp = meta ? meta.codePointAt(0)! : null;
  const origin = from < n.text.length ? n.start[from] : n.text.length ? n.end[n.text.length - 1] : 0;

  const spanOf = (a: number, b: number): [number, number] => {
    if (b <= a) {
      const p = a < bytes.length ? n.start[from + unit[a]] : to > from ? n.end[to - 1] : origin;
      return [p, p];
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (let u = unit[a]; u <= unit[b - 1]; u++) {
      if (n.start[from + u] < lo) lo = n.start[from + u];
      if (n.end[from + u] > hi) hi = n.end[from + u];
    }
    return [lo, hi];
  };

  const firstDraft = ctx.drafts.length;
  let cursor = 0;
  for (const word of pre) {
    const surface = tok.byteLevel ? byteLevelToBytes(word) : utf8(word);
    const pieces = model([word]);
    // Find the word: at the cursor, maybe after whitespace the pre-tokenizer dropped,
    // maybe with a prefix ("▁", or "Ġ" for add_prefix_space) that is not in the text.
    let at = -1;
    let virtual = 0;
    if (surface) {
      let pos = cursor;
      for (;;) {
        if (equalAt(bytes, pos, surface)) {
          at = pos;
          break;
        }
        if (virtualPrefix && equalAt(surface, 0, virtualPrefix) && equalAt(bytes, pos, surface, virtualPrefix.length)) {
          at = pos;
          virtual = virtualPrefix.length;
          break;
        }
        const w = whitespaceLengthAt(bytes, pos, metaCp);
        if (w === 0) break;
        pos += w;
      }
      if (at < 0) {
        at = indexOfBytes(bytes, surface, cursor);
        if (at < 0) ctx.approximate = true;
      }
    } else ctx.approximate = true;

    if (!surface || at < 0) {
      // Could not find the word: keep the pieces, at the cursor, flagged approximate.
      const [p] = spanOf(cursor, cursor);
      for (const piece of pieces) ctx.drafts.push({ piece, start: p, end: p, added: null, inserted: false });
      continue;
    }
    const wordEnd = at + surface.length - virtual;
    const tokenStart = ctx.drafts.length;
    // Pieces in word-surface coordinates; surface byte k sits at view byte at + k - virtual.
    let c = 0;
    for (let k = 0; k < pieces.length; k++) {
      const ps = pieceSurface(tok, pieces[k], k, pieces.length);
      let a = c;
      let b = c;
      if (ps && equalAt(surface, c, ps)) b = c + ps.length;
      else if (ps) {
        const i = indexOfBytes(surface, ps, c);
        if (i >= 0) [a, b] = [i, i + ps.length];
        else ctx.approximate = true;
      } else {
        // [UNK]: up to where the next piece starts, or the end of the word.
        b = surface.length;
        const next = k + 1 < pieces.length ? pieceSurface(tok, pieces[k + 1], k + 1, pieces.length) : null;
        if (next && c < surface.length) {
          const i = indexOfBytes(surface, next, c + charLengthAt(surface, c));
          if (i >= 0) b = i;
        }
      }
      c = b;
      const va = at + Math.max(a - virtual, 0);
      const vb = at + Math.max(b - virtual, 0);
      const [s, e] = spanOf(va, vb);
      ctx.drafts.push({ piece: pieces[k], start: s, end: e, added: null, inserted: false });
    }
    const [ws, we] = spanOf(at, wordEnd);
    ctx.words.push({ text: word, start: ws, end: we, tokenStart, tokenEnd: ctx.drafts.length });
    cursor = wordEnd;
  }

  // The library fuses runs of unknown pieces across words too (Unigram always does).
  if (model.fuse_unk && tok.unkId !== null) {
    const isUnk = (p: string) => (model.tokens_to_ids.get(p) ?? tok.unkId) === tok.unkId;
    const fused: Draft[] = [];
    const remap: number[] = [];
    for (let i = firstDraft; i < ctx.drafts.length; i++) {
      const d = ctx.drafts[i];
      const prev = fused[fused.length - 1];
      if (prev && i > firstDraft && isUnk(d.piece) && isUnk(ctx.drafts[i - 1].piece)) {
        if (model.tokens_to_ids.get(prev.piece) !== tok.unkId) prev.piece += d.piece;
        prev.start = Math.min(prev.start, d.start);
        prev.end = Math.max(prev.end, d.end);
      } else fused.push({ ...d });
      remap[i - firstDraft] = firstDraft + fused.length - 1;
    }
    if (fused.length !== ctx.drafts.length - firstDraft) {
      for (const w of ctx.words) {
        if (w.tokenStart < firstDraft) continue;
        const endIdx = w.tokenEnd - 1 - firstDraft;
        w.tokenStart = remap[w.tokenStart - firstDraft] ?? firstDraft + fused.length;
        w.tokenEnd = endIdx >= 0 ? remap[endIdx] + 1 : w.tokenStart;
      }
      ctx.drafts.splice(firstDraft, ctx.drafts.length - firstDraft, ...fused);
    }
  }
}

function normalizeSection(ctx: Ctx, from: number, to: number, g: { start: Int32Array; end: Int32Array }): MappedText {
  const { tok, text } = ctx;
  const lib = tok.lib;
  const steps: TextStep[] = [];
  let expected = text.slice(from, to);
  // tokenizer_config.json flags the library applies before the normalizer.
  if (tok.config.remove_space === true) {
    steps.push(strip(true, true), replace(/\s+/gu, ' ', from));
    expected = expected.trim().split(/\s+/).join(' ');
  }
  if (tok.config.do_lowercase_and_remove_accent) {
    const f = (s: string) => s.toLowerCase().replace(/\p{M}/gu, '');
    steps.push(charwise(f));
    expected = f(expected);
  }
  if (lib.normalizer) {
    steps.push(...normalizerSteps(lib.normalizer, from));
    expected = lib.normalizer(expected);
  }
  return runSteps(identityMap(text, from, to, g.start, g.end), steps, expected);
}

function idOf(tok: LoadedTokenizer, piece: string): number {
  return tok.added.byContent.get(piece)?.id ?? tok.lib.model!.tokens_to_ids.get(piece) ?? tok.unkId ?? -1;
}

export function tokenizeText(tok: LoadedTokenizer, text: string, options: TokenizeOptions = {}): TokenizedText {
  checkTextBounds(tok, text);
  const g = graphemeSpans(text);
  const ctx: Ctx = { tok, text, drafts: [], words: [], approximate: false };
  const wholeSpan = (a: number, b: number): [number, number] => (b > a ? [g.start[a], g.end[b - 1]] : [a, a]);

  const sections = tok.added.splitRaw(text, 0, text.length);
  sections.forEach((sec, sectionIndex) => {
    if (sec.end <= sec.start) return;
    const raw = text.slice(sec.start, sec.end);
    const added = tok.added.byContent.get(raw);
    if (added) {
      const [s, e] = wholeSpan(sec.start, sec.end);
      ctx.drafts.push({ piece: raw, start: s, end: e, added, inserted: false });
      return;
    }
    const n = normalizeSection(ctx, sec.start, sec.end, g);
    if (n.approximate) ctx.approximate = true;
    if (n.text.length === 0) return;
    for (const sub of tok.added.splitNormalized(n.text)) {
      if (sub.end <= sub.start) continue;
      const s = n.text.slice(sub.start, sub.end);
      const a = tok.added.byContent.get(s);
      if (a) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let k = sub.start; k < sub.end; k++) {
          lo = Math.min(lo, n.start[k]);
          hi = Math.max(hi, n.end[k]);
        }
        ctx.drafts.push({ piece: s, start: lo, end: hi, added: a, inserted: false });
      } else alignSubsection(ctx, n, sub.start, sub.end, sectionIndex);
    }
  });

  // Post-processor: feed it placeholders so we know which outputs are ours and which
  // it inserted ([CLS], [SEP], </s>).
  let drafts = ctx.drafts;
  let wordShift = 0;
  const post = tok.lib.post_processor;
  if (post) {
    const placeholder = (i: number) => `\u0000\u0001${i}\u0001`;
    const lookup = new Map(drafts.map((_, i) => [placeholder(i), i]));
    const out = post(drafts.map((_, i) => placeholder(i)), null, true).tokens;
    const result: Draft[] = [];
    let seenReal = false;
    let lastEnd = 0;
    out.forEach((t, k) => {
      const i = lookup.get(t);
      if (i !== undefined) {
        if (!seenReal) wordShift = k;
        seenReal = true;
        result.push(drafts[i]);
        lastEnd = drafts[i].end;
      } else {
        const anyRealAfter = out.slice(k + 1).some((x) => lookup.has(x));
        const p = !seenReal ? 0 : anyRealAfter ? lastEnd : text.length;
        result.push({ piece: t, start: p, end: p, added: tok.added.byContent.get(t) ?? null, inserted: true });
      }
    });
    if (!seenReal) wordShift = 0;
    drafts = result;
  }

  const tokens: TokenPiece[] = drafts.map((d) => {
    const id = idOf(tok, d.piece);
    const special = d.inserted || (d.added?.special ?? false);
    const fromModel = !d.inserted && !d.added;
    const t: TokenPiece = {
      id,
      // For an unknown piece the vocabulary string is the unk token ("[UNK]", "<unk>").
      piece: fromModel && id === tok.unkId && tok.unkToken !== null ? tok.unkToken : d.piece,
      start: d.start,
      end: d.end,
      special,
      unknown: fromModel && id === tok.unkId,
    };
    if (tok.byteLevel && fromModel) {
      const b = byteLevelToBytes(d.piece);
      if (b) t.bytes = Array.from(b);
    }
    return t;
  });
  markPartial(tokens);

  const words = ctx.words.map((w) => ({ ...w, tokenStart: w.tokenStart + wordShift, tokenEnd: w.tokenEnd + wordShift }));
  const result: TokenizedText = { text, tokens, algorithm: tok.algorithm, tokenizerId: tok.id, words };
  if (ctx.approximate) result.approximate = true;

  const verify = options.verify ?? 'auto';
  if (verify === true || (verify === 'auto' && text.length <= VERIFY_MAX_CHARS)) {
    const ref = tok.lib.encode(text);
    const same = ref.ids.length === tokens.length && ref.ids.every((id, i) => id === tokens[i].id);
    if (!same) return fallback(tok, text, ref.ids, ref.tokens);
  }
  return result;
}

/** Tokens sharing one character with a neighbour hold only part of it. */
function markPartial(tokens: TokenPiece[]): void {
  let prev = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.special || t.end <= t.start) continue;
    if (prev >= 0 && tokens[prev].end > t.start) {
      tokens[prev].partial = true;
      t.partial = true;
    }
    prev = i;
  }
}

/**
 * Our step-by-step run disagreed with the library (a tokenizer feature we do not
 * mirror): show the library's tokens, each spanning the whole text, marked approximate.
 */
function fallback(tok: LoadedTokenizer, text: string, ids: number[], pieces: string[]): TokenizedText {
  const tokens = ids.map((id, i) => {
    const added = tok.added.byContent.get(pieces[i]);
    return {
      id,
      piece: pieces[i],
      start: 0,
      end: added?.special ? 0 : text.length,
      special: added?.special ?? false,
      unknown: !added && id === tok.unkId,
    };
  });
  return { text, tokens, algorithm: tok.algorithm, tokenizerId: tok.id, approximate: true };
}
