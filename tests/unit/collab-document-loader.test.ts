/** Rebuilding documents from snapshots and ops (lib/collab/SPEC.md, S8, S1). */
import { describe, expect, it } from 'vitest';
import { documentAt, loadDocument, replay } from '../../lib/collab/document-loader.ts';
import { createMemoryOpStore } from '../../lib/collab/memory/memory-op-store.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { DOC, prunedStore, setup, submission } from '../support/collab-fakes.ts';

const content = async (result: Awaited<ReturnType<typeof documentAt>>) => (result.kind === 'found' ? result.state.content.ops : result.code);

describe('document loader', () => {
  it('[S8] documentAt every version equals the replay of the log, whichever snapshot is nearest', async () => {
    const store = createMemoryOpStore({ keepHeadContent: false });
    const { sequencer } = await setup('\n', { store, snapshotEvery: 2 });
    for (let v = 1; v <= 5; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    const zero = (await store.latestSnapshotAtOrBelow(DOC, 0))!;
    const log = await store.opsAfter(DOC, 0);
    for (let v = 0; v <= 5; v++) {
      expect(await content(await documentAt(store, DOC, v))).toEqual(replay(zero, log.slice(0, v)).content.ops);
    }
    const at3 = await documentAt(store, DOC, 3);
    expect(at3.kind === 'found' && at3.state.createdAt.getTime()).toBe(log[2]!.createdAt.getTime());
    expect((await loadDocument(store, DOC))?.content.ops).toEqual([{ insert: '54321\n' }]);
  });

  it('[S8] documentAt refuses unknown documents, versions past head, bad versions and pruned history', async () => {
    const { store, sequencer } = await setup('\n');
    for (let v = 1; v <= 3; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    expect(await content(await documentAt(store, 'nope', 0))).toBe('NOT_FOUND');
    expect(await content(await documentAt(store, DOC, 4))).toBe('VERSION_AHEAD');
    expect(await content(await documentAt(store, DOC, -1))).toBe('BAD_USER_INPUT');
    expect(await content(await documentAt(prunedStore(store, 2), DOC, 1))).toBe('VERSION_TOO_OLD');
    expect(await loadDocument(store, 'nope')).toBeNull();
  });

  it('[S1] replay throws on a gap or an op that does not apply (a corrupt log is a bug, not an answer)', async () => {
    const { store, sequencer } = await setup('\n');
    await sequencer.submit(submission(0, 1, new Delta().insert('1')));
    await sequencer.submit(submission(1, 2, new Delta().insert('2')));
    const zero = (await store.latestSnapshotAtOrBelow(DOC, 0))!;
    const [first, second] = await store.opsAfter(DOC, 0);
    expect(() => replay(zero, [second!])).toThrow(/expected version 1/);
    expect(() => replay(zero, [{ ...first!, delta: new Delta().retain(5).insert('x') }])).toThrow(/does not apply/);
  });
});
