/**
 * What search reads of a document: its text as it reads with no open suggestion applied
 * (lib/ot/SPEC.md SG1): text someone proposes to insert is left out (it may be rejected, and it
 * is not the document's yet); text someone proposes to delete is kept, once and unmarked (it is
 * still the document's until accepted). So a search finds what the document says, never a
 * proposal, and never CriticMarkup (`{++…++}` is the export's way to show proposals, SG17).
 * Embeds (images) have no text and are skipped, as in the plain-text export.
 */
import { toText } from '../export/text.ts';
import type { Delta } from '../ot/operation.ts';
import { resolvedView } from '../ot/suggestion-marks.ts';

/** The plain text of `doc` with every open suggestion rejected (see the module comment). */
export function searchableText(doc: Delta): string {
  return toText(resolvedView(doc, 'original'));
}
