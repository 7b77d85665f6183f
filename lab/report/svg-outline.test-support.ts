/** What a test needs to know about an SVG document. */
export interface SvgOutline {
  width: number;
  height: number;
  /** Number of elements, root included. */
  elements: number;
  /** Text content of `<text>` elements (entities decoded for &amp; &lt; &gt; &quot; &#39;). */
  texts: string[];
}

const decode = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * Checks that `text` is a well-formed SVG document (one `<svg>` root in the SVG namespace, every
 * element closed in order) and outlines it. Throws with the first problem. Test support only.
 */
export function parseSvgOutline(text: string): SvgOutline {
  const tokens = text.trim().match(/<[^>]*>|[^<]+/g) ?? [];
  const stack: string[] = [];
  const texts: string[] = [];
  let root: string | undefined;
  let elements = 0;
  for (const token of tokens) {
    if (!token.startsWith('<')) {
      if (stack.length === 0 && token.trim() !== '')
        throw new Error(`text outside the root: ${token.slice(0, 40)}`);
      if (stack.at(-1) === 'text') texts.push(decode(token));
      continue;
    }
    if (token.startsWith('<?') || token.startsWith('<!')) continue;
    const close = /^<\/([\w:-]+)\s*>$/.exec(token);
    if (close) {
      const open = stack.pop();
      if (open !== close[1]) throw new Error(`</${close[1]}> closes <${open ?? 'nothing'}>`);
      continue;
    }
    const open = /^<([\w:-]+)(\s[^]*?)?(\/?)>$/.exec(token);
    if (!open?.[1]) throw new Error(`malformed tag: ${token.slice(0, 60)}`);
    if (stack.length === 0) {
      if (root !== undefined) throw new Error('more than one root element');
      root = token;
    }
    elements += 1;
    if (open[3] !== '/') stack.push(open[1]);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('> <')}>`);
  if (!root?.startsWith('<svg') || !root.includes('xmlns="http://www.w3.org/2000/svg"')) {
    throw new Error('root element is not <svg xmlns="http://www.w3.org/2000/svg">');
  }
  const attr = (name: string): number => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(root)?.[1] ?? NaN);
  return { width: attr('width'), height: attr('height'), elements, texts };
}
