// Lesson text is plain text with a small Markdown subset: paragraphs (a blank line between),
// "- " bullet lists, "1. " numbered lists, **bold**, *emphasis* and `code`. It is parsed into
// plain data that the page renders as elements, never as HTML: a lesson file is a stranger's
// input, and `<script>` in it is shown as the characters it is.

export type Inline = { kind: 'text' | 'strong' | 'em' | 'code'; text: string };
export type Block = { kind: 'paragraph'; parts: Inline[] } | { kind: 'list'; ordered: boolean; items: Inline[][] };

/** **bold**, *em* and `code` spans of one line; unmatched markers stay as text. */
export function parseInline(line: string): Inline[] {
  const out: Inline[] = [];
  const push = (kind: Inline['kind'], text: string) => {
    if (!text) return;
    const last = out[out.length - 1];
    if (kind === 'text' && last?.kind === 'text') last.text += text;
    else out.push({ kind, text });
  };
  let i = 0;
  while (i < line.length) {
    const rest = line.slice(i);
    const span = /^`([^`]+)`/.exec(rest) ?? null;
    if (span) {
      push('code', span[1]);
      i += span[0].length;
      continue;
    }
    const strong = /^\*\*(?=\S)(.+?)(?<=\S)\*\*/.exec(rest);
    if (strong) {
      push('strong', strong[1]);
      i += strong[0].length;
      continue;
    }
    const em = /^\*(?=[^\s*])(.+?)(?<=[^\s*])\*/.exec(rest);
    if (em) {
      push('em', em[1]);
      i += em[0].length;
      continue;
    }
    push('text', line[i]);
    i++;
  }
  return out;
}

const BULLET = /^\s*[-*•]\s+/;
const NUMBERED = /^\s*\d+[.)]\s+/;

export function parseLessonText(text: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', parts: parseInline(paragraph.join(' ')) });
    paragraph = [];
    if (list) blocks.push({ kind: 'list', ordered: list.ordered, items: list.items.map(parseInline) });
    list = null;
  };
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    if (!line.trim()) {
      flush();
      continue;
    }
    const ordered = NUMBERED.test(line);
    if (BULLET.test(line) || ordered) {
      if (paragraph.length || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push(line.replace(ordered ? NUMBERED : BULLET, ''));
    } else if (list && /^\s+/.test(raw)) {
      // An indented line continues the list item above it.
      list.items[list.items.length - 1] += ` ${line.trim()}`;
    } else {
      if (list) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return blocks;
}
