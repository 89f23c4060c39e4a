/**
 * For the history preview: the document after `change`, with what changed made visible.
 * Inserted text keeps its formatting and gets a green background; deleted text stays in place,
 * struck through in red; text whose formatting changed gets a yellow background.
 */
import { Delta } from '../ot/operation.ts';

export const INSERTED = { background: '#c9f2d4' } as const;
export const DELETED = { strike: true, color: '#b42318', background: '#fde2e1' } as const;
export const REFORMATTED = { background: '#fff1b8' } as const;

export function highlightChanges(base: Delta, change: Delta): Delta {
  const out = new Delta();
  const source = base.ops.length > 0 ? new Delta(base.ops) : new Delta();
  let offset = 0;
  const take = (length: number): Delta => {
    const slice = source.slice(offset, offset + length);
    offset += length;
    return slice;
  };
  for (const op of change.ops) {
    if (op.insert !== undefined) {
      // A newline carries its paragraph's format; colouring it would colour nothing visible.
      if (typeof op.insert === 'string') {
        for (const part of op.insert.split(/(\n)/)) {
          if (part === '') continue;
          out.insert(part, part === '\n' ? op.attributes : { ...op.attributes, ...INSERTED });
        }
      } else out.insert(op.insert, op.attributes);
    } else if (typeof op.retain === 'number') {
      for (const piece of take(op.retain).ops) {
        if (op.attributes && typeof piece.insert === 'string' && piece.insert !== '\n') {
          const merged: Record<string, unknown> = { ...piece.attributes, ...op.attributes, ...REFORMATTED };
          for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
          out.insert(piece.insert, merged);
        } else {
          out.insert(piece.insert!, op.attributes ? { ...piece.attributes, ...op.attributes } : piece.attributes);
        }
      }
    } else if (typeof op.delete === 'number') {
      for (const piece of take(op.delete).ops) {
        if (typeof piece.insert === 'string') {
          // Deleted line breaks are shown as a pilcrow so that lines do not merge silently.
          out.insert(piece.insert.replace(/\n/g, '¶'), { ...piece.attributes, ...DELETED });
        }
      }
    }
  }
  for (const piece of source.slice(offset).ops) out.insert(piece.insert!, piece.attributes);
  return out;
}
