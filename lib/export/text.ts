/**
 * Plain-text export: the document's text, images left out. Open suggestions are shown in
 * CriticMarkup, `{++inserted++}` and `{--deleted--}` (lib/ot SPEC, SG17), so a reader sees
 * what is proposed; a proposal spanning lines is marked on each line.
 */
import type { Delta } from '../ot/operation.ts';
import { markOf, type Mark } from '../ot/suggestion-marks.ts';
import { sameMark } from './lines.ts';

/** `text` wrapped as CriticMarkup for `mark`'s kind; unchanged when there is no mark or no text. */
export function criticMarkup(mark: Mark | null, text: string): string {
  if (mark === null || text.length === 0) return text;
  return mark.kind === 'insert' ? `{++${text}++}` : `{--${text}--}`;
}

/** The text of a document, open suggestions in CriticMarkup; embeds (images) have no text and are skipped. */
export function toText(doc: Delta): string {
  let out = '';
  let open: Mark | null = null;
  let run = '';
  const flush = () => {
    out += criticMarkup(open, run);
    run = '';
  };
  for (const op of doc.ops) {
    if (typeof op.insert !== 'string') continue;
    const mark = markOf(op.attributes);
    if (!sameMark(mark, open)) {
      flush();
      open = mark;
    }
    if (mark === null) {
      run += op.insert;
      continue;
    }
    const parts = op.insert.split('\n');
    parts.forEach((part, i) => {
      run += part;
      if (i < parts.length - 1) {
        flush();
        out += '\n';
      }
    });
  }
  flush();
  return out;
}
