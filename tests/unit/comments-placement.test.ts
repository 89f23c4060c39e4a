/**
 * Where the editor opens a new comment thread (lib/api-client/comments-placement.ts, issue 17):
 * the selection as it is once no local edit is unconfirmed, at the session's version then.
 */
import { describe, expect, it } from 'vitest';
import { placeComment } from '../../lib/api-client/comments-placement.ts';
import type { TextRange } from '../../lib/ot/anchor.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('placeComment', () => {
  it('with nothing pending, answers the selection at the session version at once', async () => {
    expect(await placeComment({ pending: null, version: 7 }, () => ({ index: 2, length: 3 }))).toEqual({ version: 7, index: 2, length: 3 });
  });

  it('reads the selection after the wait: an edit of someone else arriving meanwhile moves it, and the version with it', async () => {
    // The person typed (pending at version 3), selected text at 10..15 and pressed Comment.
    const session: { pending: unknown; version: number } = { pending: { ops: [{ insert: 'x' }] }, version: 3 };
    let selection: TextRange | null = { index: 10, length: 5 };
    const placed = placeComment(session, () => selection, { pollMs: 2 });
    await tick(10);
    // Their edit is confirmed (version 4), then someone's insert of 3 characters before the selection arrives (version 5).
    session.version = 5;
    selection = { index: 13, length: 5 };
    session.pending = null;
    expect(await placed).toEqual({ version: 5, index: 13, length: 5 });
  });

  it('refuses, saying why, when the selected text was deleted or the edits stay unsaved', async () => {
    await expect(placeComment({ pending: null, version: 1 }, () => null)).rejects.toThrow('The text you selected was deleted; select some text again.');
    await expect(placeComment({ pending: {}, version: 1 }, () => ({ index: 0, length: 1 }), { timeoutMs: 20, pollMs: 5 })).rejects.toThrow(/not saved yet/);
  });
});
