/**
 * Where a new comment thread goes (issue 17): the selection as a range of the server's document at
 * a version the server knows. The browser's range is in its local document, which equals the
 * server's document at `session.version` only while no local edit is unconfirmed; so this waits
 * until none is, then reads the range as it is *then*. Others' edits that arrive during the wait
 * move the selection (the sidebar carries it over every text change), and a range read before the
 * wait would be placed at the wrong offsets at the newer version.
 */
import type { TextRange } from '../ot/anchor.ts';

/** What placement needs of a collab session. */
export interface ConfirmedState {
  /** Local edits the server has not confirmed; null when none. */
  readonly pending: unknown;
  /** The server version the local document reflects, with nothing pending. */
  readonly version: number;
}

/** A range at a version, ready for `createCommentThread`. */
export interface Placement {
  readonly version: number;
  readonly index: number;
  readonly length: number;
}

/**
 * Resolves once `session` has nothing pending, with `currentRange()` read at that moment and the
 * session's version. Rejects with a message a person can act on when the edits stay unsaved
 * longer than `timeoutMs`, or when the selected text was deleted meanwhile (`currentRange()` null).
 */
export async function placeComment(session: ConfirmedState, currentRange: () => TextRange | null, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<Placement> {
  const { timeoutMs = 10_000, pollMs = 100 } = options;
  const start = Date.now();
  while (session.pending !== null) {
    if (Date.now() - start > timeoutMs) {
      throw new Error('Your latest edits are not saved yet, so the comment cannot be placed; check your connection and try again.');
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  // Read after the wait, in the same tick as the version: both describe the same document.
  const range = currentRange();
  if (range === null) throw new Error('The text you selected was deleted; select some text again.');
  return { version: session.version, index: range.index, length: range.length };
}
