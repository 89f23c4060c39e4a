/**
 * For the history preview: the document after `change`, with what changed made visible.
 * Inserted text keeps its formatting and gets a green background; deleted text stays in place,
 * struck through in red; text whose formatting changed gets a yellow background.
 *
 * Fidelity (issue 19): with the deleted text taken out and the highlight colours removed, the
 * preview is exactly the document after the change (`at(toVersion)`), line formats included.
 * Quill applies a block format (header, list, code block…) found on any character to that
 * character's whole line, so block formats are kept on line breaks only: a deleted heading's
 * line break, shown as a struck "¶", must not turn the line it lands in into a heading. Code
 * blocks render no inline formats, so deleted text there could not be shown struck through: it
 * is left out of code-block lines rather than shown as if it were still there.
 */
import type { AttributeMap } from 'quill-delta';
import { Delta } from '../ot/operation.ts';

export const INSERTED = { background: '#c9f2d4' } as const;
export const DELETED = { strike: true, color: '#b42318', background: '#fde2e1' } as const;
export const REFORMATTED = { background: '#fff1b8' } as const;

/** Line formats: Quill applies them to a whole line, so they belong on line breaks only. */
export const BLOCK_FORMATS: ReadonlySet<string> = new Set(['header', 'list', 'blockquote', 'code-block', 'align', 'indent', 'direction']);

type Insert = string | Record<string, unknown>;
interface Piece {
  readonly insert: Insert;
  readonly attributes: AttributeMap | undefined;
  readonly deleted: boolean;
}

function inline(attributes: AttributeMap | undefined, extra?: AttributeMap): AttributeMap | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries({ ...attributes, ...extra })) if (v !== null && v !== undefined && !BLOCK_FORMATS.has(k)) out[k] = v;
  return Object.keys(out).length > 0 ? (out as AttributeMap) : undefined;
}

function merged(...maps: Array<AttributeMap | undefined>): AttributeMap | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(Object.assign({}, ...maps))) if (v !== null && v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? (out as AttributeMap) : undefined;
}

/** `text` split into its line breaks and the runs between them. */
const lines = (text: string): string[] => text.split(/(\n)/).filter((part) => part !== '');

export function highlightChanges(base: Delta, change: Delta): Delta {
  const pieces: Piece[] = [];
  const source = new Delta(base.ops);
  let offset = 0;
  const take = (length: number): Delta => {
    const slice = source.slice(offset, offset + length);
    offset += length;
    return slice;
  };
  const keep = (piece: Delta['ops'][number], format?: AttributeMap) => {
    if (typeof piece.insert !== 'string') {
      pieces.push({ insert: piece.insert as Insert, attributes: format ? merged(piece.attributes, format) : piece.attributes, deleted: false });
      return;
    }
    for (const part of lines(piece.insert)) {
      if (part === '\n') pieces.push({ insert: part, attributes: merged(piece.attributes, format), deleted: false });
      else pieces.push({ insert: part, attributes: format ? inline(piece.attributes, { ...format, ...REFORMATTED }) : inline(piece.attributes), deleted: false });
    }
  };
  for (const op of change.ops) {
    if (op.insert !== undefined) {
      if (typeof op.insert === 'string') {
        // A newline carries its paragraph's format; colouring it would colour nothing visible.
        for (const part of lines(op.insert)) {
          pieces.push({ insert: part, attributes: part === '\n' ? merged(op.attributes) : inline(op.attributes, INSERTED), deleted: false });
        }
      } else pieces.push({ insert: op.insert as Insert, attributes: op.attributes, deleted: false });
    } else if (typeof op.retain === 'number') {
      for (const piece of take(op.retain).ops) keep(piece, op.attributes);
    } else if (typeof op.delete === 'number') {
      for (const piece of take(op.delete).ops) {
        if (typeof piece.insert !== 'string') continue;
        // Deleted line breaks are shown as a pilcrow so that lines do not merge silently.
        for (const part of lines(piece.insert)) pieces.push({ insert: part === '\n' ? '¶' : part, attributes: inline(piece.attributes, DELETED), deleted: true });
      }
    }
  }
  for (const piece of source.slice(offset).ops) keep(piece);

  const out = new Delta();
  let line: Piece[] = [];
  for (const piece of pieces) {
    line.push(piece);
    if (piece.insert !== '\n') continue;
    const codeBlock = piece.attributes?.['code-block'] !== undefined;
    for (const p of line) if (!(codeBlock && p.deleted)) out.insert(p.insert, p.attributes);
    line = [];
  }
  for (const p of line) out.insert(p.insert, p.attributes);
  return out;
}
