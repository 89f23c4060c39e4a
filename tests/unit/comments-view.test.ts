/**
 * The editor's thread list (lib/api-client/comments-view.ts, issue 17): a thread is listed as
 * deleted only when its text is gone, not while its anchor is ahead of the editor.
 */
import { describe, expect, it } from 'vitest';
import { threadsInDocumentOrder } from '../../lib/api-client/comments-view.ts';
import { AnchorTracker } from '../../lib/ot/anchor-tracker.ts';
import { Delta } from '../../lib/ot/operation.ts';

const thread = (id: string, createdAt: string) => ({ id, createdAt });

describe('threadsInDocumentOrder', () => {
  it('a thread answered at a version the editor has not reached is catching up, not deleted, until the op arrives', () => {
    // The editor is at version 4; Bob typed (version 5) and Ann commented right after: her anchor is at 5.
    const tracker = new AnchorTracker<string>(4);
    tracker.set('old', { range: { index: 0, length: 3 }, version: 4 });
    tracker.set('ann', { range: { index: 6, length: 4 }, version: 5 });
    const before = threadsInDocumentOrder([thread('ann', '2026-12-07T02:00:01Z'), thread('old', '2026-12-07T01:00:00Z')], tracker.local(null));
    expect(before.map((t) => [t.thread.id, t.place.kind, t.range])).toEqual([
      ['old', 'placed', { index: 0, length: 3 }],
      ['ann', 'catching-up', null],
    ]);
    tracker.applied({ version: 5, delta: new Delta().insert('ab') });
    const after = threadsInDocumentOrder([thread('ann', '2026-12-07T02:00:01Z'), thread('old', '2026-12-07T01:00:00Z')], tracker.local(null));
    expect(after.map((t) => [t.thread.id, t.place.kind, t.range])).toEqual([
      ['old', 'placed', { index: 2, length: 3 }],
      ['ann', 'placed', { index: 6, length: 4 }],
    ]);
  });

  it('lists threads whose text was deleted as deleted, after the placed ones and those catching up, oldest first', () => {
    const ranges = new Map([
      ['b', { index: 9, length: 1 }],
      ['gone-late', null],
      ['a', { index: 2, length: 5 }],
      ['gone-early', null],
    ]);
    const list = threadsInDocumentOrder(
      [thread('gone-late', '2026-12-07T03:00:00Z'), thread('b', '2026-12-07T00:00:00Z'), thread('waiting', '2026-12-07T04:00:00Z'), thread('a', '2026-12-07T05:00:00Z'), thread('gone-early', '2026-12-07T01:00:00Z')],
      ranges,
    );
    expect(list.map((t) => [t.thread.id, t.place.kind])).toEqual([
      ['a', 'placed'],
      ['b', 'placed'],
      ['waiting', 'catching-up'],
      ['gone-early', 'deleted'],
      ['gone-late', 'deleted'],
    ]);
  });
});
