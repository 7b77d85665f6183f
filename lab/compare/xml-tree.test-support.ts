/** An XML element as a test sees it: attribute values and text decoded. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated decoded text directly inside the element. */
  text: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string): string {
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(raw))
    throw new Error(`bare & in: ${raw.slice(0, 40)}`);
  return raw.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (_, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    const value = entities[ref];
    if (value === undefined) throw new Error(`unknown entity &${ref};`);
    return value;
  });
}

function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const rest = text.replace(/\s*([\w:.-]+)="([^"<]*)"|\s*([\w:.-]+)='([^'<]*)'/g, (_, n1, v1, n2, v2) => {
    const name = (n1 ?? n2) as string;
    if (Object.hasOwn(attributes, name)) throw new Error(`attribute ${name} given twice`);
    attributes[name] = decode((v1 ?? v2) as string);
    return '';
  });
  if (rest.trim() !== '') throw new Error(`malformed attributes: ${rest.slice(0, 40)}`);
  return attributes;
}

/**
 * Parses a small XML document strictly enough to catch escaping mistakes: one root, tags closed in
 * order, quoted attributes without `<`, no bare `&`, no forbidden control characters. Test support only.
 */
export function parseXml(document: string): XmlElement {
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(document))
    throw new Error('forbidden character in the document');
  const body = document.replace(/^<\?xml[^?]*\?>\s*/, '');
  const tokens = body.match(/<[^<>]*>|[^<]+/g) ?? [];
  if (tokens.join('') !== body) throw new Error('a stray < or > in the document');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  for (const token of tokens) {
    if (!token.startsWith('<')) {
      const parent = stack.at(-1);
      if (!parent) {
        if (token.trim() !== '') throw new Error(`text outside the root: ${token.slice(0, 40)}`);
        continue;
      }
      if (token.includes('>')) throw new Error(`unescaped > in text: ${token.slice(0, 40)}`);
      parent.text += decode(token);
      continue;
    }
    const close = /^<\/([\w:.-]+)>$/.exec(token);
    if (close) {
      const open = stack.pop();
      if (open?.name !== close[1]) throw new Error(`</${close[1]}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const open = /^<([\w:.-]+)((?:\s[^]*?)?)(\/?)>$/.exec(token);
    if (!open?.[1]) throw new Error(`malformed tag: ${token.slice(0, 60)}`);
    const element: XmlElement = {
      name: open[1],
      attributes: parseAttributes(open[2] ?? ''),
      children: [],
      text: '',
    };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else if (root) throw new Error('more than one root element');
    else root = element;
    if (open[3] !== '/') stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.map((e) => e.name).join('> <')}>`);
  if (!root) throw new Error('no root element');
  return root;
}
