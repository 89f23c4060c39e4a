/** The sequencer, rule by rule (lib/collab/SPEC.md, S1–S10). */
import { describe, expect, it } from 'vitest';
import { createMemoryOpStore } from '../../lib/collab/memory/memory-op-store.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createSequencer } from '../../lib/collab/sequencer.ts';
import { loadDocument } from '../../lib/collab/document-loader.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { DOC, interceptAppends, prunedStore, setup, submission } from '../support/collab-fakes.ts';

const text = async (store: Parameters<typeof loadDocument>[0]) => (await loadDocument(store, DOC))?.content.ops;

describe('sequencer', () => {
  it('[S1] versions count up from 1 with no gap, and the head is the replay of the log', async () => {
    const { store, sequencer } = await setup('ab\n');
    for (let seq = 1; seq <= 4; seq++) {
      const result = await sequencer.submit(submission(seq - 1, seq, new Delta().insert(`${seq}`)));
      expect(result).toMatchObject({ kind: 'applied', version: seq });
    }
    expect((await store.opsAfter(DOC, 0)).map((op) => op.version)).toEqual([1, 2, 3, 4]);
    expect(await text(store)).toEqual([{ insert: '4321ab\n' }]);
  });

  it('[S3] an op made at an old baseVersion is transformed over the ops after it; committed inserts win ties', async () => {
    const { store, sequencer } = await setup('ab\n');
    await sequencer.submit(submission(0, 1, new Delta().retain(1).insert('X'), 'a'));
    const late = await sequencer.submit(submission(0, 1, new Delta().retain(1).insert('Y').delete(1), 'b'));
    expect(late).toEqual({ kind: 'applied', version: 2, delta: new Delta().retain(2).insert('Y').delete(1) });
    expect(await text(store)).toEqual([{ insert: 'aXY\n' }]);
  });

  it('[S2] a resubmission answers duplicate with the first answer, whatever it now carries; nothing is stored or published', async () => {
    const { store, sequencer, published } = await setup();
    const first = await sequencer.submit(submission(0, 1, new Delta().insert('A')));
    await sequencer.submit(submission(1, 1, new Delta().insert('B'), 'b'));
    const again = await sequencer.submit(submission(2, 1, new Delta().insert('changed')));
    expect(first.kind).toBe('applied');
    expect(again).toEqual({ ...first, kind: 'duplicate' });
    expect((await store.head(DOC))?.version).toBe(2);
    expect(published.map((op) => op.version)).toEqual([1, 2]);
  });

  it('[S2] the same (clientId, clientSeq) racing through two sequencers is applied once', async () => {
    const { store, broadcaster, sequencer } = await setup();
    const other = createSequencer({ store, broadcaster });
    const op = new Delta().insert('once ');
    const results = await Promise.all([sequencer.submit(submission(0, 1, op)), other.submit(submission(0, 1, op))]);
    expect(results.map((r) => r.kind).sort()).toEqual(['applied', 'duplicate']);
    expect(results[0]).toMatchObject({ version: 1 });
    expect(results[1]).toMatchObject({ version: 1 });
    expect(await store.opsAfter(DOC, 0)).toHaveLength(1);
  });

  it('[S2][S6] many clients racing through several sequencers all land, once each, gapless', async () => {
    const { store, broadcaster, sequencer } = await setup('x\n');
    const sequencers = [sequencer, createSequencer({ store, broadcaster }), createSequencer({ store, broadcaster })];
    const results = await Promise.all(
      Array.from({ length: 9 }, (_, i) => sequencers[i % 3]!.submit(submission(0, 1, new Delta().insert(`${i}`), `c${i}`))),
    );
    expect(results.every((r) => r.kind === 'applied')).toBe(true);
    expect((await store.opsAfter(DOC, 0)).map((op) => op.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await loadDocument(store, DOC))?.content.length()).toBe(11);
  });

  it('[S4] baseVersion past head is VERSION_AHEAD; unknown document is NOT_FOUND', async () => {
    const { sequencer } = await setup();
    expect(await sequencer.submit(submission(1, 1, new Delta().insert('x')))).toMatchObject({ kind: 'rejected', code: 'VERSION_AHEAD' });
    expect(await sequencer.submit({ ...submission(0, 1, new Delta().insert('x')), documentId: 'nope' })).toMatchObject({
      kind: 'rejected',
      code: 'NOT_FOUND',
    });
  });

  it('[S4] malformed baseVersion, clientSeq or clientId is BAD_USER_INPUT', async () => {
    const { sequencer } = await setup();
    const op = new Delta().insert('x');
    for (const bad of [submission(-1, 1, op), submission(0.5, 1, op), submission(0, 0, op), submission(0, 1, op, '')]) {
      expect(await sequencer.submit(bad)).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    }
  });

  it('[S4] ops after baseVersion that are no longer stored give VERSION_TOO_OLD', async () => {
    const { store, sequencer, broadcaster } = await setup();
    await sequencer.submit(submission(0, 1, new Delta().insert('1')));
    await sequencer.submit(submission(1, 2, new Delta().insert('2')));
    const pruned = createSequencer({ store: prunedStore(store, 1), broadcaster });
    expect(await pruned.submit(submission(0, 1, new Delta().insert('x'), 'b'))).toMatchObject({ kind: 'rejected', code: 'VERSION_TOO_OLD' });
    expect(await pruned.submit(submission(1, 1, new Delta().insert('x'), 'b'))).toMatchObject({ kind: 'applied', version: 3 });
  });

  it('[S5] an op that does not apply at head is refused with nothing stored or published', async () => {
    const { store, sequencer, published } = await setup('ab\n');
    const pastEnd = await sequencer.submit(submission(0, 1, new Delta().retain(10).insert('x')));
    const dropsNewline = await sequencer.submit(submission(0, 2, new Delta().delete(3)));
    expect(pastEnd).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    expect(dropsNewline).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    expect((await store.head(DOC))?.version).toBe(0);
    expect(published).toEqual([]);
  });

  it('[S5] applicability is judged after transformation: a valid op stays valid, one past its base\'s end stays refused', async () => {
    const { sequencer } = await setup('abc\n');
    await sequencer.submit(submission(0, 1, new Delta().delete(3), 'a'));
    // Made at version 0 after "abc"; the concurrent delete shrinks it to a bare insert...
    expect(await sequencer.submit(submission(0, 1, new Delta().retain(3).insert('!'), 'b'))).toMatchObject({ kind: 'applied' });
    // ...but a retain past the old end was never valid and stays invalid.
    expect(await sequencer.submit(submission(0, 2, new Delta().retain(5).insert('!'), 'b'))).toMatchObject({
      kind: 'rejected',
      code: 'BAD_USER_INPUT',
    });
  });

  it('[S6] when another writer wins the version, the op is re-transformed and appended at the next one', async () => {
    const inner = createMemoryOpStore();
    const broadcaster = createMemoryBroadcaster();
    const rival = createSequencer({ store: inner, broadcaster });
    const store = interceptAppends(inner, async (call) => {
      // Only on our first attempt: the rival commits between our head read and our append.
      if (call === 1) await rival.submit(submission(0, 1, new Delta().insert('R'), 'rival'));
    });
    const { sequencer } = await setup('ab\n', { store, broadcaster });
    const result = await sequencer.submit(submission(0, 1, new Delta().insert('L')));
    expect(result).toEqual({ kind: 'applied', version: 2, delta: new Delta().retain(1).insert('L') });
    expect(await text(inner)).toEqual([{ insert: 'RLab\n' }]);
  });

  it('[S6] after maxRetries + 1 lost appends the answer is CONFLICT_RETRIES_EXHAUSTED and nothing is stored', async () => {
    const inner = createMemoryOpStore();
    const broadcaster = createMemoryBroadcaster();
    const rival = createSequencer({ store: inner, broadcaster });
    let seq = 0;
    const store = interceptAppends(inner, async () => {
      const head = (await inner.head(DOC))!.version;
      await rival.submit(submission(head, ++seq, new Delta().insert('r'), 'rival'));
    });
    const { sequencer } = await setup('ab\n', { store, broadcaster, maxRetries: 2 });
    const result = await sequencer.submit(submission(0, 1, new Delta().insert('L')));
    expect(result).toMatchObject({ kind: 'rejected', code: 'CONFLICT_RETRIES_EXHAUSTED' });
    expect(store.appends).toBe(3);
    expect(await inner.findByClientSeq(DOC, 'a', 1)).toBeNull();
  });

  it('[S7] each applied op is published once, after it is durable; duplicates and rejections publish nothing', async () => {
    const store = createMemoryOpStore();
    const inner = createMemoryBroadcaster();
    const seenDurable: boolean[] = [];
    const broadcaster = {
      ...inner,
      async publish(documentId: string, op: AppliedOp) {
        seenDurable.push((await store.findByClientSeq(documentId, op.clientId, op.clientSeq)) !== null);
        await inner.publish(documentId, op);
      },
    };
    const { sequencer, published } = await setup('ab\n', { store, broadcaster });
    await sequencer.submit(submission(0, 1, new Delta().insert('1')));
    await sequencer.submit(submission(0, 1, new Delta().insert('1')));
    await sequencer.submit(submission(9, 2, new Delta().insert('2')));
    await sequencer.submit(submission(1, 2, new Delta().insert('2')));
    expect(published.map((op) => [op.version, op.clientSeq])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(seenDurable).toEqual([true, true]);
  });

  it('[S7] a publish that fails after the commit still answers applied, reports the error, and the op stays durable', async () => {
    const store = createMemoryOpStore();
    const failures: Array<[string, number]> = [];
    const broadcaster = {
      ...createMemoryBroadcaster(),
      async publish() {
        throw new Error('redis down');
      },
    };
    const { sequencer } = await setup('ab\n', {
      store,
      broadcaster,
      onAfterCommitError: (error, op) => failures.push([(error as Error).message, op.version]),
    });
    expect(await sequencer.submit(submission(0, 1, new Delta().insert('1')))).toMatchObject({ kind: 'applied', version: 1 });
    expect(failures).toEqual([['redis down', 1]]);
    expect((await store.findByClientSeq(DOC, 'a', 1))?.version).toBe(1);
    expect(await sequencer.submit(submission(0, 1, new Delta().insert('1')))).toMatchObject({ kind: 'duplicate', version: 1 });
  });

  it('[S8] snapshots are saved at multiples of snapshotEvery, and head then reads snapshot + ops', async () => {
    const store = createMemoryOpStore({ keepHeadContent: false });
    const { sequencer } = await setup('\n', { store, snapshotEvery: 3 });
    for (let v = 1; v <= 7; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    expect((await store.latestSnapshotAtOrBelow(DOC, 7))?.version).toBe(6);
    expect((await store.latestSnapshotAtOrBelow(DOC, 5))?.content.ops).toEqual([{ insert: '321\n' }]);
    const head = await store.head(DOC);
    expect([head?.snapshot.version, head?.ops.length]).toEqual([6, 1]);
    expect(await text(store)).toEqual([{ insert: '7654321\n' }]);
  });

  it('[S9] createdAt and authorId come from the clock and the submission', async () => {
    const { store, sequencer } = await setup('\n', { clock: () => new Date('2030-05-06T07:08:09.000Z') });
    await sequencer.submit(submission(0, 1, new Delta().insert('x')));
    const [op] = await store.opsAfter(DOC, 0);
    expect([op?.createdAt.toISOString(), op?.authorId]).toEqual(['2030-05-06T07:08:09.000Z', 'user-a']);
  });

  it('[S10] createDocument refuses an existing id and content that is not a document', async () => {
    const { sequencer } = await setup();
    expect(await sequencer.createDocument(DOC)).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    expect(await sequencer.createDocument('d2', new Delta().insert('no newline'))).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    expect(await sequencer.createDocument('d3')).toEqual({ kind: 'created', version: 0 });
  });
});
