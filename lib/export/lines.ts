/**
 * A document Delta as Quill's block structure: lines (each ended by a "\n" insert, whose
 * attributes are the line's block format) made of inline pieces (text or an image, with inline
 * formats). The converters (html.ts, markdown.ts, text.ts) walk this instead of the raw Delta.
 */
import type { Delta } from '../ot/operation.ts';
import { markOf, type Mark } from '../ot/suggestion-marks.ts';

/** Inline formats a piece may carry (lib/ot's allowed attributes minus the block ones). */
export interface InlineFormat {
  readonly bold?: boolean;
  readonly italic?: boolean;
  readonly underline?: boolean;
  readonly strike?: boolean;
  readonly code?: boolean;
  readonly link?: string;
  readonly color?: string;
  readonly background?: string;
  readonly script?: 'sub' | 'super';
  /** An open suggestion's mark: the piece is proposed for insertion or deletion (lib/ot SPEC, SG17). */
  readonly suggestion?: Mark;
}

/** Block formats of a line. */
export interface BlockFormat {
  readonly header?: number;
  readonly list?: 'ordered' | 'bullet' | 'checked' | 'unchecked';
  readonly blockquote?: boolean;
  readonly codeBlock?: string | true;
  readonly align?: 'center' | 'right' | 'justify';
  readonly indent?: number;
}

export type Piece = { readonly text: string; readonly format: InlineFormat } | { readonly image: string; readonly format: InlineFormat };

export interface Line {
  readonly pieces: readonly Piece[];
  readonly block: BlockFormat;
}

type Attributes = Record<string, unknown> | undefined;

function inlineOf(a: Attributes): InlineFormat {
  if (!a) return {};
  const f: { -readonly [K in keyof InlineFormat]: InlineFormat[K] } = {};
  if (a.bold === true) f.bold = true;
  if (a.italic === true) f.italic = true;
  if (a.underline === true) f.underline = true;
  if (a.strike === true) f.strike = true;
  if (a.code === true) f.code = true;
  if (typeof a.link === 'string') f.link = a.link;
  if (typeof a.color === 'string') f.color = a.color;
  if (typeof a.background === 'string') f.background = a.background;
  if (a.script === 'sub' || a.script === 'super') f.script = a.script;
  const mark = markOf(a);
  if (mark !== null) f.suggestion = mark;
  return f;
}

function blockOf(a: Attributes): BlockFormat {
  if (!a) return {};
  const b: { -readonly [K in keyof BlockFormat]: BlockFormat[K] } = {};
  if (typeof a.header === 'number') b.header = a.header;
  if (a.list === 'ordered' || a.list === 'bullet' || a.list === 'checked' || a.list === 'unchecked') b.list = a.list;
  if (a.blockquote === true) b.blockquote = true;
  if (a['code-block'] === true || typeof a['code-block'] === 'string') b.codeBlock = a['code-block'] as string | true;
  if (a.align === 'center' || a.align === 'right' || a.align === 'justify') b.align = a.align;
  if (typeof a.indent === 'number') b.indent = a.indent;
  return b;
}

/** Splits a document (inserts only, ending with "\n") into its lines. */
export function toLines(doc: Delta): Line[] {
  const lines: Line[] = [];
  let pieces: Piece[] = [];
  for (const op of doc.ops) {
    const attributes = op.attributes as Attributes;
    if (typeof op.insert !== 'string') {
      const image = (op.insert as { image?: unknown } | undefined)?.image;
      if (typeof image === 'string') pieces.push({ image, format: inlineOf(attributes) });
      continue;
    }
    const parts = op.insert.split('\n');
    parts.forEach((part, i) => {
      if (part.length > 0) pieces.push({ text: part, format: inlineOf(attributes) });
      if (i < parts.length - 1) {
        lines.push({ pieces, block: blockOf(attributes) });
        pieces = [];
      }
    });
  }
  // A valid document ends with "\n", so nothing is left over; keep stray text rather than drop it.
  if (pieces.length > 0) lines.push({ pieces, block: {} });
  return lines;
}

/** Pieces of a line in runs that share one suggestion mark (or none), so a proposal renders as one unit. */
export function bySuggestion(pieces: readonly Piece[]): { readonly mark: Mark | null; readonly pieces: Piece[] }[] {
  const groups: { mark: Mark | null; pieces: Piece[] }[] = [];
  for (const piece of pieces) {
    const mark = piece.format.suggestion ?? null;
    const last = groups[groups.length - 1];
    if (last !== undefined && sameMark(last.mark, mark)) last.pieces.push(piece);
    else groups.push({ mark, pieces: [piece] });
  }
  return groups;
}

/** Whether two pieces carry the same suggestion mark (or both none). */
export const sameMark = (a: Mark | null, b: Mark | null): boolean =>
  a === b || (a !== null && b !== null && a.kind === b.kind && a.id === b.id && a.author === b.author);

/** Consecutive lines that render as one block (a list, a code block) share a group kind. */
export function groupKind(block: BlockFormat): 'list' | 'code' | null {
  if (block.codeBlock !== undefined) return 'code';
  if (block.list !== undefined) return 'list';
  return null;
}

/** How a run of lines is rendered: a list, a code block, or one ordinary line. */
export interface BlockRenderers {
  list(lines: Line[]): string;
  code(lines: Line[]): string;
  line(line: Line): string;
}

/** The document's blocks in order: consecutive list lines and code lines grouped, others alone. */
export function renderBlocks(doc: Delta, render: BlockRenderers): string[] {
  const lines = toLines(doc);
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const kind = groupKind(lines[i]!.block);
    let j = i + 1;
    if (kind !== null) while (j < lines.length && groupKind(lines[j]!.block) === kind) j++;
    const group = lines.slice(i, j);
    blocks.push(kind === 'list' ? render.list(group) : kind === 'code' ? render.code(group) : render.line(group[0]!));
    i = j;
  }
  return blocks;
}
