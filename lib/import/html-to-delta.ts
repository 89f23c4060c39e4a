/**
 * HTML to a document Delta through an allow-list: headings, paragraphs, lists (nested by
 * indent), quotes, code blocks, bold, italic, underline, strike, inline code, sub/superscript and
 * links (http, https, mailto only) become Quill formats. Scripts, styles, embedded objects and
 * forms are dropped with their content; any other element is unwrapped (its text kept, its markup
 * and attributes dropped), so nothing from the file reaches the document except text and formats
 * from the list. The result is then checked by lib/ot's validateDocument like any client input.
 */
import { parseDocument } from 'htmlparser2';
import type { ChildNode, Element } from 'domhandler';
import { Delta } from '../ot/operation.ts';

type Attributes = Record<string, unknown>;

/** Dropped with everything inside them. */
const DROPPED = new Set([
  'script', 'style', 'template', 'noscript', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math',
  'head', 'title', 'meta', 'link', 'base', 'button', 'select', 'textarea', 'input', 'canvas', 'audio', 'video', 'img', 'picture',
]);
const INLINE: Record<string, Attributes> = {
  strong: { bold: true }, b: { bold: true },
  em: { italic: true }, i: { italic: true },
  u: { underline: true }, ins: { underline: true },
  s: { strike: true }, strike: { strike: true }, del: { strike: true },
  code: { code: true }, kbd: { code: true }, samp: { code: true },
  sub: { script: 'sub' }, sup: { script: 'super' },
};
const BLOCKS = new Set(['p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'nav', 'figure', 'figcaption', 'address', 'dt', 'dd', 'tr', 'caption', 'body', 'html']);
const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
const MAX_INDENT = 8;

/** The link target when it is absolute with a safe scheme; anything else keeps only the text. */
function safeLink(href: string | undefined): string | null {
  if (!href || /[\s\u0000-\u001f\u007f]/.test(href) || href.length > 2048) return null;
  try {
    return LINK_SCHEMES.has(new URL(href).protocol) ? href : null;
  } catch {
    return null;
  }
}

class Builder {
  readonly delta = new Delta();
  #lineHasContent = false;
  /** Collapsed whitespace at the end of the text so far: written only if more text follows on the line. */
  #space: { text: string; attributes: Attributes } | null = null;

  text(text: string, attributes: Attributes, collapse = false): void {
    if (text.length === 0) return;
    if (this.#space) this.#insert(this.#space.text, this.#space.attributes);
    this.#space = null;
    const trailing = collapse ? /\s+$/.exec(text)?.[0] ?? '' : '';
    if (trailing.length > 0) this.#space = { text: trailing, attributes };
    this.#insert(text.slice(0, text.length - trailing.length), attributes);
    this.#lineHasContent = true;
  }

  #insert(text: string, attributes: Attributes): void {
    if (text.length > 0) this.delta.insert(text, Object.keys(attributes).length ? attributes : undefined);
  }

  get lineHasContent(): boolean {
    return this.#lineHasContent;
  }

  /** Ends the current line with `block` formats (even an empty one when `force`). */
  endLine(block: Attributes, force = false): void {
    this.#space = null;
    if (!this.#lineHasContent && !force) return;
    this.delta.insert('\n', Object.keys(block).length ? block : undefined);
    this.#lineHasContent = false;
  }
}

interface Context {
  readonly inline: Attributes;
  readonly block: Attributes;
  readonly listDepth: number;
  readonly listKind: 'ordered' | 'bullet' | null;
}

const isElement = (node: ChildNode): node is Element => node.type === 'tag' || node.type === 'script' || node.type === 'style';

function walk(nodes: readonly ChildNode[], ctx: Context, out: Builder): void {
  for (const node of nodes) {
    if (node.type === 'text') {
      // Outside <pre>, runs of whitespace are one space, and none at the start of a line.
      let text = node.data.replace(/[\s\u00a0]+/g, ' ');
      if (!out.lineHasContent) text = text.replace(/^ /, '');
      out.text(text, ctx.inline, true);
      continue;
    }
    if (!isElement(node)) continue; // comments, CDATA, processing instructions
    const name = node.name.toLowerCase();
    if (DROPPED.has(name)) continue;
    if (name === 'br') {
      out.endLine(ctx.block, true);
      continue;
    }
    if (name === 'pre') {
      preformatted(node, ctx, out);
      continue;
    }
    if (name === 'a') {
      const link = safeLink(node.attribs.href);
      walk(node.children, link ? { ...ctx, inline: { ...ctx.inline, link } } : ctx, out);
      continue;
    }
    const inline = INLINE[name];
    if (inline) {
      walk(node.children, { ...ctx, inline: { ...ctx.inline, ...inline } }, out);
      continue;
    }
    const heading = /^h([1-6])$/.exec(name);
    if (heading) {
      block(node, { ...ctx, block: { ...listless(ctx.block), header: Number(heading[1]) } }, out);
      continue;
    }
    if (name === 'blockquote') {
      block(node, { ...ctx, block: { ...ctx.block, blockquote: true } }, out);
      continue;
    }
    if (name === 'ul' || name === 'ol') {
      out.endLine(ctx.block);
      walk(node.children, { ...ctx, listDepth: ctx.listDepth + 1, listKind: name === 'ol' ? 'ordered' : 'bullet' }, out);
      continue;
    }
    if (name === 'li') {
      // Nesting, or Quill's own flat lists with ql-indent-N classes (as the HTML export writes them).
      const indent = Math.min(MAX_INDENT, Math.max(0, ctx.listDepth - 1) + quillIndent(node));
      const item: Attributes = { ...ctx.block, list: ctx.listKind ?? 'bullet' };
      if (indent > 0) item.indent = indent;
      else delete item.indent;
      block(node, { ...ctx, block: item }, out);
      continue;
    }
    if (BLOCKS.has(name) || name === 'td' || name === 'th' || name === 'table' || name === 'tbody' || name === 'thead') {
      block(node, ctx, out);
      continue;
    }
    // Unknown or purely presentational markup (span, font, mark, custom tags): keep the text.
    walk(node.children, ctx, out);
  }
}

const quillIndent = (node: Element): number => Number(/(?:^|\s)ql-indent-([1-8])(?:\s|$)/.exec(node.attribs.class ?? '')?.[1] ?? 0);

const listless = (block: Attributes): Attributes => {
  const { list: _list, indent: _indent, ...rest } = block;
  return rest;
};

/** A block element: its own line(s); an empty paragraph stays an empty line. */
function block(node: Element, ctx: Context, out: Builder): void {
  out.endLine(ctx.block);
  const before = out.delta.length();
  walk(node.children, ctx, out);
  const empty = out.delta.length() === before;
  out.endLine(ctx.block, empty && node.name.toLowerCase() === 'p');
}

/** <pre>: every line of its text is a code-block line; inline formats have no meaning inside. */
function preformatted(node: Element, ctx: Context, out: Builder): void {
  out.endLine(ctx.block);
  const text = textOf(node).replace(/\r\n?/g, '\n').replace(/\n$/, '');
  const code = node.children.find((c): c is Element => isElement(c) && c.name === 'code');
  const language = /(?:^|\s)language-([A-Za-z0-9_+-]{1,30})(?:\s|$)/.exec(code?.attribs.class ?? '')?.[1];
  const attributes: Attributes = { ...listless(ctx.block), 'code-block': language ?? true };
  delete attributes.header;
  for (const line of text.split('\n')) {
    out.text(line.replace(/\t/g, '    '), {});
    out.endLine(attributes, true);
  }
}

function textOf(node: ChildNode): string {
  if (node.type === 'text') return node.data;
  if (!isElement(node) || DROPPED.has(node.name.toLowerCase())) return '';
  if (node.name.toLowerCase() === 'br') return '\n';
  return node.children.map(textOf).join('');
}

/** Converts HTML (a page or a fragment) to a document Delta ending with "\n". Never throws on bad markup. */
export function htmlToDelta(html: string): Delta {
  const dom = parseDocument(html, { decodeEntities: true, lowerCaseTags: true });
  const out = new Builder();
  walk(dom.children, { inline: {}, block: {}, listDepth: 0, listKind: null }, out);
  out.endLine({});
  const delta = out.delta;
  if (delta.length() === 0) return new Delta().insert('\n');
  return delta;
}

/** The text of the first <title> in an HTML page, if any (for a default document title). */
export function htmlTitle(html: string): string | null {
  const dom = parseDocument(html.slice(0, 64 * 1024));
  const find = (nodes: readonly ChildNode[]): string | null => {
    for (const n of nodes) {
      if (!isElement(n)) continue;
      if (n.name === 'title') return n.children.map(textOf).join('').trim() || null;
      const inner = find(n.children);
      if (inner) return inner;
    }
    return null;
  };
  return find(dom.children);
}
