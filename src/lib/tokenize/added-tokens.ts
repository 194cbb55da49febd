// Added tokens ([CLS], <|endoftext|>, </s>, <extra_id_0>, …) are matched in the text
// before anything else, exactly as @huggingface/tokenizers does it: a longest match at
// each position (its DictionarySplitter), then `lstrip`/`rstrip` trim the whitespace
// next to a match. We redo the split here because we need offsets, which the library
// does not give.

export interface AddedTokenSpec {
  id: number;
  content: string;
  special?: boolean;
  normalized?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  single_word?: boolean;
}

export interface AddedTokenInfo {
  id: number;
  content: string;
  special: boolean;
  lstrip: boolean;
  rstrip: boolean;
}

/** A piece of a string: either plain text or one added token, with its offsets. */
export interface Section {
  start: number;
  end: number;
  /** The added token this section is, if it is one. */
  added: AddedTokenInfo | null;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  end: string | null;
}

class Splitter {
  private root: TrieNode = { next: new Map(), end: null };
  readonly empty: boolean;
  constructor(words: string[]) {
    for (const w of words) {
      let node = this.root;
      for (let i = 0; i < w.length; i++) {
        let child = node.next.get(w[i]);
        if (!child) node.next.set(w[i], (child = { next: new Map(), end: null }));
        node = child;
      }
      node.end = w;
    }
    this.empty = words.length === 0;
  }
  /** Longest match starting at each position, scanning left to right (code units, as the library). */
  matches(text: string): Array<[number, string]> {
    const out: Array<[number, string]> = [];
    if (this.empty) return out;
    let i = 0;
    while (i < text.length) {
      let node: TrieNode | undefined = this.root;
      let match: string | null = null;
      for (let j = i; j < text.length; j++) {
        node = node.next.get(text[j]);
        if (!node) break;
        if (node.end !== null) match = node.end;
      }
      if (match !== null) {
        out.push([i, match]);
        i += match.length;
      } else i++;
    }
    return out;
  }
}

const LEADING_WS = /^\s+/;
const TRAILING_WS = /\s+$/;

export class AddedTokenTable {
  /** content (and normalized content) → token, as the library's added_tokens_map. */
  readonly byContent = new Map<string, AddedTokenInfo>();
  private unnormalized: Splitter;
  private normalized: Splitter;

  constructor(specs: AddedTokenSpec[], normalize: ((s: string) => string) | null) {
    const raw: string[] = [];
    const norm: string[] = [];
    for (const s of specs) {
      const special = s.special ?? false;
      const info: AddedTokenInfo = {
        id: s.id,
        content: s.content,
        special,
        lstrip: s.lstrip ?? false,
        rstrip: s.rstrip ?? false,
      };
      this.byContent.set(s.content, info);
      // Like the library: tokens marked `normalized` are looked for in the normalized text.
      if ((s.normalized ?? !special) && normalize) {
        const n = normalize(s.content);
        norm.push(n);
        this.byContent.set(n, info);
      } else raw.push(s.content);
    }
    this.unnormalized = new Splitter(raw);
    this.normalized = new Splitter(norm);
  }

  /** Sections of the original text (before normalization). */
  splitRaw(text: string, from: number, to: number): Section[] {
    return this.split(this.unnormalized, text, from, to);
  }

  /** Sections of a normalized string. */
  splitNormalized(text: string): Section[] {
    return this.split(this.normalized, text, 0, text.length);
  }

  private split(splitter: Splitter, text: string, from: number, to: number): Section[] {
    const slice = text.slice(from, to);
    const sections: Section[] = [];
    let last = 0;
    for (const [at, content] of splitter.matches(slice)) {
      if (at > last) sections.push({ start: from + last, end: from + at, added: null });
      sections.push({ start: from + at, end: from + at + content.length, added: this.byContent.get(content)! });
      last = at + content.length;
    }
    if (last < slice.length) sections.push({ start: from + last, end: from + slice.length, added: null });
    // lstrip / rstrip eat the whitespace next to an added token (String.trimEnd/trimStart).
    // The library looks every section up by its (possibly already trimmed) text, so a
    // plain section equal to a normalized token's content also counts as that token.
    for (let i = 0; i < sections.length; i++) {
      const tok = sections[i].added ?? this.byContent.get(text.slice(sections[i].start, sections[i].end)) ?? null;
      sections[i].added = tok;
      if (!tok) continue;
      if (tok.lstrip && i > 0) {
        const prev = sections[i - 1];
        const m = TRAILING_WS.exec(text.slice(prev.start, prev.end));
        if (m) prev.end -= m[0].length;
      }
      if (tok.rstrip && i < sections.length - 1) {
        const next = sections[i + 1];
        const m = LEADING_WS.exec(text.slice(next.start, next.end));
        if (m) next.start += m[0].length;
      }
    }
    return sections;
  }
}
