// A small, strict XML reader for tests in Node (which has no DOMParser): it checks that
// a document is well-formed (one root, balanced tags, quoted and unique attributes, only
// the five named entities or numeric ones, no raw `<` or `&` in text or attributes) and
// returns the element tree with decoded text. Written independently of the exporter.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`raw "<" in ${where}`);
  return raw.replace(/&([^;]*);?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new Error(`unterminated entity in ${where}: ${m}`);
    if (body in ENTITIES) return ENTITIES[body];
    const num = /^#(\d+)$/.exec(body) ?? /^#x([0-9a-fA-F]+)$/.exec(body);
    if (num) return String.fromCodePoint(parseInt(num[1], body.startsWith('#x') ? 16 : 10));
    throw new Error(`unknown entity &${body}; in ${where}`);
  });
}

export function parseXml(text: string): XmlElement {
  let at = 0;
  const rest = (): string => text.slice(at);
  const skipMisc = (): void => {
    for (;;) {
      const ws = /^\s*/.exec(rest())![0];
      at += ws.length;
      if (rest().startsWith('<?')) at = text.indexOf('?>', at) + 2;
      else if (rest().startsWith('<!--')) at = text.indexOf('-->', at) + 3;
      else return;
      if (at < 2) throw new Error('unterminated declaration or comment');
    }
  };
  const element = (): XmlElement => {
    if (text[at] !== '<') throw new Error(`expected "<" at ${at}`);
    at++;
    const name = NAME.exec(rest())?.[0];
    if (!name) throw new Error(`bad element name at ${at}`);
    at += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = /^\s*/.exec(rest())![0];
      at += ws.length;
      if (rest().startsWith('/>')) {
        at += 2;
        return { name, attrs, children: [] };
      }
      if (text[at] === '>') {
        at++;
        break;
      }
      if (!ws) throw new Error(`missing space before attribute in <${name}> at ${at}`);
      const a = NAME.exec(rest())?.[0];
      if (!a) throw new Error(`bad attribute in <${name}> at ${at}`);
      at += a.length;
      const m = /^\s*=\s*(["'])/.exec(rest());
      if (!m) throw new Error(`attribute ${a} of <${name}> is not quoted`);
      at += m[0].length;
      const end = text.indexOf(m[1], at);
      if (end < 0) throw new Error(`unterminated attribute ${a}`);
      if (a in attrs) throw new Error(`duplicate attribute ${a} in <${name}>`);
      attrs[a] = decode(text.slice(at, end), `attribute ${a} of <${name}>`);
      at = end + 1;
    }
    const children: XmlNode[] = [];
    for (;;) {
      if (at >= text.length) throw new Error(`<${name}> is never closed`);
      if (rest().startsWith('</')) {
        at += 2;
        const close = NAME.exec(rest())?.[0];
        if (close !== name) throw new Error(`</${close}> closes <${name}>`);
        at += close.length;
        const m = /^\s*>/.exec(rest());
        if (!m) throw new Error(`bad closing tag </${name}>`);
        at += m[0].length;
        return { name, attrs, children };
      }
      if (rest().startsWith('<!--')) {
        at = text.indexOf('-->', at) + 3;
        continue;
      }
      if (text[at] === '<') {
        children.push(element());
        continue;
      }
      const next = text.indexOf('<', at);
      const end = next < 0 ? text.length : next;
      children.push(decode(text.slice(at, end), `text of <${name}>`));
      at = end;
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (at !== text.length) throw new Error(`content after the root element at ${at}`);
  return root;
}

/** Every element named `name` (depth first), optionally only those with a class. */
export function findAll(root: XmlElement, name: string, cls?: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === name && (!cls || (e.attrs.class ?? '').split(/\s+/).includes(cls))) out.push(e);
    for (const c of e.children) if (typeof c !== 'string') walk(c);
  };
  walk(root);
  return out;
}

/** The text of an element without its <title> children (what is drawn). */
export function shownText(e: XmlElement): string {
  return e.children.map((c) => (typeof c === 'string' ? c : c.name === 'title' ? '' : shownText(c))).join('');
}
