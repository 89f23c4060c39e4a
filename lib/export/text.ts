/** Plain-text export: the document's text, images left out. */
import type { Delta } from '../ot/operation.ts';

/** The text of a document; embeds (images) have no text and are skipped. */
export function toText(doc: Delta): string {
  return doc.ops.map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');
}
