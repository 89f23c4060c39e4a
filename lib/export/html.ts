/**
 * HTML export: a standalone page with semantic markup for Quill's formats (headings, lists,
 * quotes, code blocks, bold/italic/…, links, images). Every text and attribute value is escaped;
 * links and image URLs were checked for safe schemes when the ops were validated (lib/ot).
 * Open suggestions show as `<ins>` / `<del>` (lib/ot SPEC, SG17).
 */
import type { Delta } from '../ot/operation.ts';
import { bySuggestion, renderBlocks, type InlineFormat, type Line, type Piece } from './lines.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML content and double-quoted attribute values. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

function inline(piece: Piece): string {
  const f: InlineFormat = piece.format;
  let html = 'image' in piece ? `<img src="${escapeHtml(piece.image)}" alt="">` : escapeHtml(piece.text);
  if (f.code) html = `<code>${html}</code>`;
  if (f.script) html = f.script === 'sub' ? `<sub>${html}</sub>` : `<sup>${html}</sup>`;
  if (f.strike) html = `<s>${html}</s>`;
  if (f.underline) html = `<u>${html}</u>`;
  if (f.italic) html = `<em>${html}</em>`;
  if (f.bold) html = `<strong>${html}</strong>`;
  const style = [f.color ? `color: ${f.color}` : '', f.background ? `background-color: ${f.background}` : ''].filter(Boolean).join('; ');
  if (style) html = `<span style="${escapeHtml(style)}">${html}</span>`;
  if (f.link) html = `<a href="${escapeHtml(f.link)}">${html}</a>`;
  return html;
}

/**
 * A line's markup; an open suggestion's text is wrapped in `<ins>` (proposed insertion) or
 * `<del>` (proposed deletion) naming the suggestion and its author [SG17].
 */
const content = (line: Line): string =>
  bySuggestion(line.pieces)
    .map(({ mark, pieces }) => {
      const html = pieces.map(inline).join('');
      if (mark === null) return html;
      const tag = mark.kind === 'insert' ? 'ins' : 'del';
      return `<${tag} class="suggestion" data-suggestion="${escapeHtml(mark.id)}" data-author="${escapeHtml(mark.author)}">${html}</${tag}>`;
    })
    .join('');

function blockAttributes(line: Line): string {
  const attributes: string[] = [];
  if (line.block.align) attributes.push(`style="text-align: ${line.block.align}"`);
  if (line.block.indent) attributes.push(`class="ql-indent-${line.block.indent}"`);
  return attributes.length ? ' ' + attributes.join(' ') : '';
}

function singleLine(line: Line): string {
  const inner = content(line) || '<br>';
  const attributes = blockAttributes(line);
  if (line.block.header) return `<h${line.block.header}${attributes}>${inner}</h${line.block.header}>`;
  if (line.block.blockquote) return `<blockquote${attributes}>${inner}</blockquote>`;
  return `<p${attributes}>${inner}</p>`;
}

function listGroup(lines: readonly Line[]): string {
  const out: string[] = [];
  let open: string | null = null;
  for (const line of lines) {
    const tag = line.block.list === 'ordered' ? 'ol' : 'ul';
    const checklist = line.block.list === 'checked' || line.block.list === 'unchecked';
    const opening = checklist ? '<ul class="checklist">' : `<${tag}>`;
    if (open !== opening) {
      if (open !== null) out.push(open.startsWith('<ol') ? '</ol>' : '</ul>');
      out.push(opening);
      open = opening;
    }
    const checked = checklist ? ` data-checked="${line.block.list === 'checked'}"` : '';
    out.push(`<li${checked}${blockAttributes(line)}>${content(line) || '<br>'}</li>`);
  }
  if (open !== null) out.push(open.startsWith('<ol') ? '</ol>' : '</ul>');
  return out.join('\n');
}

function codeGroup(lines: readonly Line[]): string {
  const language = lines[0]?.block.codeBlock;
  const cls = typeof language === 'string' ? ` class="language-${escapeHtml(language)}"` : '';
  // Code keeps its text only: inline formats have no meaning inside <pre>.
  const text = lines.map((l) => l.pieces.map((p) => ('text' in p ? escapeHtml(p.text) : '')).join('')).join('\n');
  return `<pre><code${cls}>${text}</code></pre>`;
}

/** The body markup of a document: one element per line, lists and code blocks grouped. */
export function toHtmlBody(doc: Delta): string {
  const blocks = renderBlocks(doc, { list: listGroup, code: codeGroup, line: singleLine });
  return blocks.join('\n');
}

/** A standalone HTML page of the document, titled `title`. */
export function toHtml(doc: Delta, title: string): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '</head>',
    '<body>',
    toHtmlBody(doc),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
