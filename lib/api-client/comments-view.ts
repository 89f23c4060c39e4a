/**
 * The editor's list of comment threads (issue 17): each thread with where its text is in the local
 * document, in document order. Pure, so the sidebar's rules are tested without a browser.
 *
 * A thread's anchor can be *ahead* of the editor: the server answered it at a head version whose
 * ops have not reached this editor yet (someone typed, then someone commented). Its place is then
 * unknown for a moment, which is not the same as its text being deleted: only a range the tracker
 * holds as null at the editor's version is listed as deleted.
 */
import type { TextRange } from '../ot/anchor.ts';

/** Where a thread's text is in the local document. */
export type ThreadPlace =
  | { readonly kind: 'placed'; readonly range: TextRange }
  /** All of its text was deleted (lib/ot/SPEC.md AN4): listed as such. */
  | { readonly kind: 'deleted' }
  /** Its anchor is at a version this editor has not reached yet: shown without a place until it does. */
  | { readonly kind: 'catching-up' };

export interface ViewThread<T> {
  readonly thread: T;
  readonly place: ThreadPlace;
  /** The range when placed, else null (for highlights and positions). */
  readonly range: TextRange | null;
}

const rank = (p: ThreadPlace) => (p.kind === 'placed' ? 0 : p.kind === 'catching-up' ? 1 : 2);

/**
 * `threads` with their places: `ranges` holds the tracker's ranges in the local document for
 * anchors at the editor's version (null: deleted); a thread missing from it is catching up.
 * Order: placed threads by position, then those catching up, then deleted ones, each oldest first.
 */
export function threadsInDocumentOrder<T extends { readonly id: string; readonly createdAt: string }>(
  threads: Iterable<T>,
  ranges: ReadonlyMap<string, TextRange | null>,
): ViewThread<T>[] {
  const list = [...threads].map((thread): ViewThread<T> => {
    const range = ranges.get(thread.id);
    if (range === undefined) return { thread, place: { kind: 'catching-up' }, range: null };
    if (range === null) return { thread, place: { kind: 'deleted' }, range: null };
    return { thread, place: { kind: 'placed', range }, range };
  });
  return list.sort((a, b) => {
    if (a.range && b.range) return a.range.index - b.range.index || a.range.length - b.range.length;
    return rank(a.place) - rank(b.place) || a.thread.createdAt.localeCompare(b.thread.createdAt);
  });
}
