/**
 * Markdown export (CommonMark with GitHub's strikethrough and task lists). Formats Markdown has
 * no syntax for (underline, colours, sub/superscript, alignment) fall back to inline HTML or are
 * dropped (colours, alignment); the text is always kept, with Markdown's special characters
 * escaped so that it reads back as the same text. Open suggestions are written in CriticMarkup
 * (`{++inserted++}`, `{--deleted--}`), the inline notation Markdown tools use for tracked changes.
 */
import type { Delta } from '../ot/operation.ts';
import { bySuggestion, renderBlocks, type Line, type Piece } from './lines.ts';
import { criticMarkup } from './text.ts';

/** Escapes characters that would start Markdown syntax inside a line. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>~|]/g, (c) => `\\${c}`);
}

/** At the start of a line, these would turn a paragraph into a heading, list or quote. */
function escapeLineStart(line: string): string {
  return line.replace(/^(\s*)([#>+-]|\d+[.)])(?=\s|$)/, (_m, space: string, marker: string) =>
    marker.length > 1 ? `${space}${marker.slice(0, -1)}\\${marker.slice(-1)}` : `${space}\\${marker}`,
  );
}

function inline(piece: Piece): string {
  const f = piece.format;
  if ('image' in piece) {
    const image = `![](${piece.image.replace(/[()\s]/g, encodeURIComponent)})`;
    return f.link ? `[${image}](${f.link.replace(/[()\s]/g, encodeURIComponent)})` : image;
  }
  // Emphasis markers must touch the text: keep surrounding spaces outside them.
  const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(piece.text) ?? [];
  if (core.length === 0) return piece.text;
  let md = f.code ? codeSpan(core) : escapeMarkdown(core);
  if (f.script) md = f.script === 'sub' ? `<sub>${md}</sub>` : `<sup>${md}</sup>`;
  if (f.underline) md = `<u>${md}</u>`;
  if (f.strike) md = `~~${md}~~`;
  if (f.italic) md = `*${md}*`;
  if (f.bold) md = `**${md}**`;
  if (f.link) md = `[${md}](${f.link.replace(/[()\s]/g, encodeURIComponent)})`;
  return lead + md + trail;
}

function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A line's Markdown; open suggestions in CriticMarkup, `{++inserted++}` / `{--deleted--}` [SG17]. */
const content = (line: Line): string =>
  escapeLineStart(
    bySuggestion(line.pieces)
      .map(({ mark, pieces }) => criticMarkup(mark, pieces.map(inline).join('')))
      .join(''),
  );

function singleLine(line: Line): string {
  const text = content(line);
  if (line.block.header) return `${'#'.repeat(line.block.header)} ${text}`.trimEnd();
  if (line.block.blockquote) return `> ${text}`.trimEnd();
  // An empty paragraph has no Markdown form; an HTML line break keeps the blank line visible.
  return text.length > 0 ? text : '<br>';
}

function listGroup(lines: readonly Line[]): string {
  const counters: number[] = [];
  return lines
    .map((line) => {
      const depth = line.block.indent ?? 0;
      counters.length = depth + 1;
      counters[depth] = (counters[depth] ?? 0) + 1;
      const marker =
        line.block.list === 'ordered' ? `${counters[depth]}.` : line.block.list === 'checked' ? '- [x]' : line.block.list === 'unchecked' ? '- [ ]' : '-';
      return `${'    '.repeat(depth)}${marker} ${content(line)}`.trimEnd();
    })
    .join('\n');
}

function codeGroup(lines: readonly Line[]): string {
  const text = lines.map((l) => l.pieces.map((p) => ('text' in p ? p.text : '')).join('')).join('\n');
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const language = lines[0]?.block.codeBlock;
  return `${fence}${typeof language === 'string' ? language : ''}\n${text}\n${fence}`;
}

/** The document as Markdown: blocks separated by blank lines, list items and code lines kept together. */
export function toMarkdown(doc: Delta): string {
  const blocks = renderBlocks(doc, { list: listGroup, code: codeGroup, line: singleLine });
  return blocks.join('\n\n') + '\n';
}
