/** The sequencer, rule by rule (lib/collab/SPEC.md, S1–S10, O1–O6). */
import { describe, expect, it } from 'vitest';
import { createMemoryOpStore } from '../../lib/collab/memory/memory-op-store.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createSequencer, PIPELINE_AFTER_CALM_COMMITS } from '../../lib/collab/sequencer.ts';
import { CommitDataError } from '../../lib/collab/op-store.ts';
import { loadDocument } from '../../lib/collab/document-loader.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { DOC, interceptCommits, prunedStore, setup, steppingClock, submission } from '../support/collab-fakes.ts';

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
    const pruned = createSequencer({ store: prunedStore(store, 1), broadcaster, follow: null });
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

  it('[S6][P9] when another writer commits first, the batch is planned again on the stored head and lands after it', async () => {
    const inner = createMemoryOpStore();
    const broadcaster = createMemoryBroadcaster();
    // The rival does not hear our commits and we do not hear its: both plan on stale heads.
    const rival = createSequencer({ store: inner, broadcaster, follow: null });
    const store = interceptCommits(inner, async (call) => {
      // On our second commit (the first is the warm-up): the rival commits between our plan and our commit.
      if (call === 2) await rival.submit(submission(1, 1, new Delta().insert('R'), 'rival'));
    });
    const { sequencer } = await setup('ab\n', { store, broadcaster, follow: null });
    await sequencer.submit(submission(0, 1, new Delta().insert('0'), 'warm')); // known head at v1
    const result = await sequencer.submit(submission(1, 1, new Delta().insert('L')));
    expect(result).toEqual({ kind: 'applied', version: 3, delta: new Delta().retain(1).insert('L') });
    expect(await text(inner)).toEqual([{ insert: 'RL0ab\n' }]);
  });

  it('[K3] another instance\'s ops heard out of order are held until the gap fills: the known head reaches them and the next commit needs no replan', async () => {
    const inner = createMemoryOpStore();
    const broadcaster = createMemoryBroadcaster();
    let replans = 0;
    const store = { ...inner, commit: (request: Parameters<typeof inner.commit>[0]) => inner.commit({ ...request, replan: (fresh) => (replans++, request.replan(fresh)) }) };
    // Our follow channel: the test hands it the rival's ops in the order it likes.
    let hear: ((op: AppliedOp) => void) | null = null;
    const follow = { subscribe: async (_documentId: string, listener: (op: AppliedOp) => void) => ((hear = listener), async () => {}) };
    const { sequencer } = await setup('ab\n', { store, broadcaster, follow });
    await sequencer.submit(submission(0, 1, new Delta().insert('0'), 'warm')); // known head at v1, following
    const rival = createSequencer({ store: inner, broadcaster, follow: null, clock: steppingClock() });
    await rival.submit(submission(1, 1, new Delta().insert('R'), 'rival'));
    await rival.submit(submission(2, 2, new Delta().insert('S'), 'rival'));
    const [v2, v3] = await inner.opsAfter(DOC, 1);
    hear!(v3!); // heard first: ahead of the head's next version
    hear!(v2!);
    // Made at v1, before the rival's ops: planned on the head the follow channel brought (v3), not on a stale one.
    expect(await sequencer.submit(submission(1, 1, new Delta().insert('L')))).toMatchObject({ kind: 'applied', version: 4 });
    expect(replans).toBe(0);
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
    await sequencer.settle();
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
    await sequencer.settle();
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
  it('[S3][K1][P8] an op made further behind than the known tail reaches is planned on a head loaded with the ops after its base', async () => {
    const { store, sequencer } = await setup('x\n');
    await Promise.all(Array.from({ length: 300 }, (_, i) => sequencer.submit(submission(0, 1, new Delta().insert('a'), `c${i}`))));
    const late = await sequencer.submit(submission(5, 1, new Delta().retain(6).insert('!'), 'late'));
    expect(late).toMatchObject({ kind: 'applied', version: 301 });
    expect((await loadDocument(store, DOC))?.content.length()).toBe(302 + 1);
  });

  it('[S1][S3] concurrent submissions are batched, transformed over the stored ops and the earlier ones of their batch, gapless', async () => {
    const inner = createMemoryOpStore();
    const store = interceptCommits(inner, () => {});
    const { sequencer } = await setup('x\n', { store });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => sequencer.submit(submission(0, 1, new Delta().retain(1).insert(`${i % 10}`), `c${i}`))));
    expect(results.map((r) => r.kind === 'applied' && r.version).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(store.commits).toBeLessThan(12);
    const log = await inner.opsAfter(DOC, 0);
    expect(log.map((op) => op.version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect((await loadDocument(inner, DOC))?.content.length()).toBe(14);
  });

  it('[S2] a resubmission in the same batch answers duplicate with the first answer; nothing more is stored', async () => {
    const { store, sequencer, published } = await setup();
    await sequencer.submit(submission(0, 1, new Delta().insert('A')));
    const same = await Promise.all([1, 2, 3].map(() => sequencer.submit(submission(1, 1, new Delta().insert('B'), 'b'))));
    expect(same.map((r) => r.kind === 'rejected' ? r.code : r.version)).toEqual([2, 2, 2]);
    expect((await store.opsAfter(DOC, 0)).map((op) => op.clientId)).toEqual(['a', 'b']);
    await sequencer.settle();
    expect(published.map((op) => op.version)).toEqual([1, 2]);
  });

  it('[S4][S5] each refusal is for its own submission of a batch; the rest of the batch is applied', async () => {
    const { store, sequencer } = await setup('ab\n');
    const results = await Promise.all([
      sequencer.submit(submission(0, 1, new Delta().insert('x'), 'a')),
      sequencer.submit(submission(0, 1, new Delta().retain(10).insert('x'), 'b')),
      sequencer.submit(submission(5, 1, new Delta().insert('y'), 'c')),
      sequencer.submit(submission(0, 1, new Delta().insert('y'), 'd')),
    ]);
    expect(results.map((r) => (r.kind === 'rejected' ? r.code : r.kind))).toEqual(['applied', 'BAD_USER_INPUT', 'VERSION_AHEAD', 'applied']);
    expect((await store.opsAfter(DOC, 0)).map((op) => op.clientId)).toEqual(['a', 'd']);
  });

  it('[S8] snapshots are saved at versions divisible by snapshotEvery with the content at that version, also inside a batch', async () => {
    const store = createMemoryOpStore({ keepHeadContent: false });
    const { sequencer } = await setup('\n', { store, snapshotEvery: 3 });
    await Promise.all(Array.from({ length: 7 }, (_, i) => sequencer.submit(submission(0, 1, new Delta().insert(`${i}`), `c${i}`))));
    await sequencer.settle();
    const log = await store.opsAfter(DOC, 0);
    for (const v of [3, 6]) {
      const snapshot = await store.latestSnapshotAtOrBelow(DOC, v);
      expect(snapshot?.version).toBe(v);
      const replayed = log.slice(0, v).reduce((doc, op) => doc.compose(op.delta), new Delta().insert('\n'));
      expect(snapshot?.content.ops).toEqual(replayed.ops);
    }
  });

  it('[S1][S2][S3] three sequencers on one store, 30 clients at stale versions: every op once, gapless, answers equal the log', async () => {
    const { store, broadcaster, sequencer } = await setup('x\n');
    const lossy = { subscribe: async () => async () => {} }; // the third hears nothing: its head is always stale
    const servers = [sequencer, createSequencer({ store, broadcaster }), createSequencer({ store, broadcaster, follow: lossy, clock: steppingClock() })];
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => servers[i % 3]!.submit(submission(0, 1, new Delta().retain(1).insert(`${i % 10}`), `c${i}`))),
    );
    const log = await store.opsAfter(DOC, 0);
    expect(log.map((op) => op.version)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    results.forEach((r, i) => {
      expect(r.kind).toBe('applied');
      const op = log.find((o) => o.clientId === `c${i}`)!;
      expect(r.kind === 'applied' && [r.version, r.delta.ops]).toEqual([op.version, op.delta.ops]);
    });
  });
});

describe('sequencer under overload', () => {
  /** A memory store whose commits wait until `release()`; `running` counts commits in progress. */
  function gatedStore() {
    const inner = createMemoryOpStore();
    let open!: () => void;
    let gate = new Promise<void>((resolve) => (open = resolve));
    const state = { running: 0, most: 0, commits: 0 };
    const store = {
      ...inner,
      async commit(...args: Parameters<typeof inner.commit>) {
        state.commits++;
        state.running++;
        state.most = Math.max(state.most, state.running);
        await gate;
        state.running--;
        return inner.commit(...args);
      },
    };
    const release = () => {
      open();
      gate = new Promise<void>((resolve) => (open = resolve));
    };
    return { inner, store, state, release, releaseAll: () => ((gate = Promise.resolve()), open()) };
  }
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('[O1] beyond maxQueued submissions waiting, a new one is answered RATE_LIMITED at once with retryAfterSeconds; nothing of it is stored', async () => {
    const gated = gatedStore();
    const { sequencer } = await setup('ab\n', { store: gated.store, limits: { maxQueued: 2, maxConcurrentBatches: 1 } });
    const first = sequencer.submit(submission(0, 1, new Delta().insert('1'), 'a')); // in the batch, not queued
    await flush();
    const queued = [sequencer.submit(submission(0, 1, new Delta().insert('2'), 'b')), sequencer.submit(submission(0, 1, new Delta().insert('3'), 'c'))];
    const refused = await sequencer.submit(submission(0, 1, new Delta().insert('4'), 'd'));
    expect(refused).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED' });
    expect(refused.kind === 'rejected' && refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    gated.releaseAll();
    expect((await Promise.all([first, ...queued])).map((r) => r.kind)).toEqual(['applied', 'applied', 'applied']);
    expect(await gated.inner.findByClientSeq(DOC, 'd', 1)).toBeNull();
  });

  it('[O2] a submission that waited in its queue past deadlineMs is answered RATE_LIMITED unprocessed', async () => {
    const gated = gatedStore();
    let now = 0;
    const { sequencer } = await setup('ab\n', { store: gated.store, monotonic: () => now, limits: { deadlineMs: 1000, maxConcurrentBatches: 1 } });
    const first = sequencer.submit(submission(0, 1, new Delta().insert('1'), 'a'));
    await flush();
    const late = sequencer.submit(submission(0, 1, new Delta().insert('2'), 'b'));
    now += 1500; // the client has nearly given up on it
    const fresh = sequencer.submit(submission(0, 1, new Delta().insert('3'), 'c'));
    gated.releaseAll();
    expect(await first).toMatchObject({ kind: 'applied', version: 1 });
    expect(await late).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED' });
    expect(await fresh).toMatchObject({ kind: 'applied', version: 2 });
    expect(await gated.inner.findByClientSeq(DOC, 'b', 1)).toBeNull();
  });

  /** A submission of `author` (default clientId-derived authors are one per client). */
  const by = (author: string, input: ReturnType<typeof submission>) => ({ ...input, authorId: author });

  it('[O5] a submission whose author\'s queued ops would keep it waiting longer than maxWaitMs is refused RATE_LIMITED at once (retry after 1 s); nothing of it is stored', async () => {
    const gated = gatedStore();
    let now = 0;
    // The hard bound alone (earlyRefusal: 1); early refusals have a test of their own.
    const { sequencer } = await setup('ab\n', { store: gated.store, monotonic: () => now, limits: { maxWaitMs: 250, earlyRefusal: 1, minQueuePerAuthor: 0, maxConcurrentBatches: 1 } });
    const burst = (clientId: string) => sequencer.submit(by('user-burst', submission(0, 1, new Delta().insert(clientId), clientId)));
    const first = burst('a'); // a batch of one
    await flush();
    const second = [burst('b'), burst('c')];
    now += 100; // the first batch took 100 ms for one submission
    gated.release();
    expect(await first).toMatchObject({ kind: 'applied' });
    await flush(); // [b, c] is the batch committing now
    const admitted = [burst('d'), burst('e')];
    const refused = await burst('f'); // 2 of its own ahead: 3 × 100 ms > 250 ms
    expect(refused).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(refused.kind === 'rejected' && refused.message).toMatch(/2 of your ops for this document are waiting\); nothing was stored/);
    gated.releaseAll();
    expect((await Promise.all([...second, ...admitted])).map((r) => r.kind)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(await gated.inner.findByClientSeq(DOC, 'f', 1)).toBeNull();
  });

  it('[O5] past earlyRefusal × maxWaitMs a submission is refused by chance, growing linearly to certain at maxWaitMs: a filling document sheds a few editors at a time', async () => {
    const gated = gatedStore();
    let now = 0;
    const draws = [0.43, 0.45, 0.93];
    const reasons: string[] = [];
    const { sequencer } = await setup('ab\n', {
      store: gated.store,
      monotonic: () => now,
      random: () => draws.shift() ?? 0,
      onOverload: (reason) => void reasons.push(reason),
      limits: { maxWaitMs: 250, earlyRefusal: 0.5, minQueuePerAuthor: 0, maxConcurrentBatches: 1 },
    });
    const burst = (clientId: string) => sequencer.submit(by('user-burst', submission(0, 1, new Delta().insert(clientId), clientId)));
    const queued = (answer: Promise<unknown>) => Promise.race([answer, flush().then(() => 'queued')]);
    const first = burst('a');
    await flush();
    const second = burst('b');
    now += 60; // 60 ms per submission
    gated.release();
    await first;
    await flush(); // [b] commits; the queue is empty
    const admitted = [burst('c1'), burst('c2')]; // under half the bound: admitted without a draw
    // Two ahead: 180 ms, past 125 ms (half of 250): refused with chance (180 − 125) ÷ 125 = 0.44.
    expect(await queued(burst('d'))).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 }); // drew 0.43
    const lucky = burst('e'); // drew 0.45: admitted
    expect(await queued(lucky)).toBe('queued');
    const luckier = burst('f'); // three ahead: 240 ms, chance 0.92; drew 0.93: admitted
    expect(await queued(luckier)).toBe('queued');
    admitted.push(lucky, luckier);
    // Four ahead: 300 ms, past maxWaitMs: refused, no draw made.
    expect(await burst('g')).toMatchObject({ code: 'RATE_LIMITED' });
    expect(draws).toEqual([]);
    expect(reasons).toEqual(['document-filling', 'document-busy']); // verso_submit_overload_total{reason}
    gated.releaseAll();
    expect((await Promise.all([second, ...admitted])).map((r) => r.kind)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
  });

  it('[O5] early refusals fall only on authors with two or more queued and at least their share of the queue: another editor at the same expected wait is refused only past maxWaitMs', async () => {
    const gated = gatedStore();
    let now = 0;
    const { sequencer } = await setup('ab\n', {
      store: gated.store,
      monotonic: () => now,
      random: () => 0, // every early draw refuses
      limits: { maxWaitMs: 250, earlyRefusal: 0.5, minQueuePerAuthor: 0, maxConcurrentBatches: 1 },
    });
    const as = (author: string, clientId: string) => sequencer.submit(by(author, submission(0, 1, new Delta().insert(clientId), clientId)));
    const first = as('user-f', 'a');
    await flush();
    const second = as('user-f', 'b');
    now += 60; // 60 ms per submission
    gated.release();
    await first;
    await flush(); // [b] commits; the queue is empty
    const queued = [as('user-f', 'f1'), as('user-f', 'f2'), as('user-h', 'h0')];
    // f3: 2 of its author's queued, 2 of the 3 queued: 3 ahead in turn, 240 ms, in the early band (125–250 ms): refused.
    expect(await as('user-f', 'f3')).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    // h1: one of its author's queued: 3 ahead in turn too, 240 ms, but under the bound: admitted.
    const other = as('user-h', 'h1');
    expect(await Promise.race([other, flush().then(() => 'queued')])).toBe('queued');
    gated.releaseAll();
    expect((await Promise.all([second, ...queued, other])).map((r) => r.kind)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
  });

  it('[O5][O6] while one author\'s backlog is refused, another author with few queued is admitted, and the batch takes it in turn before the backlog\'s rest', async () => {
    const gated = gatedStore();
    let now = 0;
    // The hard bound alone (earlyRefusal: 1); early refusals have a test of their own.
    const { sequencer, store } = await setup('ab\n', { store: gated.store, monotonic: () => now, limits: { maxWaitMs: 250, earlyRefusal: 1, minQueuePerAuthor: 0, maxConcurrentBatches: 1 } });
    const flood = (clientId: string) => sequencer.submit(by('user-flood', submission(0, 1, new Delta().insert('F'), clientId)));
    const first = flood('f0');
    await flush();
    now += 100; // 100 ms per submission
    const backlog = [flood('f1'), flood('f2')];
    gated.release();
    await first;
    await flush(); // [f1, f2] commits
    backlog.push(flood('f3'), flood('f4'));
    expect(await flood('f5')).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED', retryAfterSeconds: 1 }); // the flooder: 3 of its own ahead
    // The whole queue would refuse anyone (3 × 100 ms > 250 ms), but in turn only f3 comes before her op: 2 × 100 ms.
    const honest = sequencer.submit(by('user-honest', submission(0, 1, new Delta().insert('H'), 'h1')));
    expect(await Promise.race([honest, flush().then(() => 'queued')])).toBe('queued');
    gated.releaseAll();
    expect((await Promise.all([...backlog, honest])).map((r) => r.kind)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect((await store.opsAfter(DOC, 0)).map((op) => op.clientId)).toEqual(['f0', 'f1', 'f2', 'f3', 'h1', 'f4']);
  });

  it('[O6] a batch takes queued submissions one author at a time in turn: a backlog of one author delays another\'s op by at most one of theirs per turn', async () => {
    const gated = gatedStore();
    const { sequencer, store } = await setup('ab\n', { store: gated.store, maxBatch: 2, limits: { maxWaitMs: 0, maxConcurrentBatches: 1 } });
    const all = [sequencer.submit(submission(0, 1, new Delta().insert('x'), 'lead'))];
    await flush(); // the lead's batch commits; everything below queues
    for (let i = 1; i <= 6; i++) all.push(sequencer.submit(by('user-flood', submission(0, 1, new Delta().insert('F'), `f${i}`))));
    const second = sequencer.submit(by('user-b', submission(0, 1, new Delta().insert('B'), 'b1')));
    const third = sequencer.submit(by('user-c', submission(0, 1, new Delta().insert('C'), 'c1')));
    gated.release();
    await all[0];
    await flush(); // the next batch (two submissions) commits
    gated.release();
    // b1 came in the first batch after the lead's, beside the flood's oldest; c1 in the next.
    expect(await second).toMatchObject({ kind: 'applied', version: 3 });
    gated.releaseAll();
    expect(await third).toMatchObject({ kind: 'applied', version: 4 });
    await Promise.all(all);
    // Each author's own submissions keep their order.
    expect((await store.opsAfter(DOC, 0)).map((op) => op.clientId)).toEqual(['lead', 'f1', 'b1', 'c1', 'f2', 'f3', 'f4', 'f5', 'f6']);
  });

  /** A document whose last commit took 2 s for one submission (maxWaitMs 250), with a second submission committing (`busy`) behind a gated store. */
  async function slowDocument(limits: { minQueuePerAuthor: number; minQueuePerDocument?: number }) {
    const gated = gatedStore();
    let now = 0;
    const { sequencer } = await setup('ab\n', { store: gated.store, monotonic: () => now, limits: { maxWaitMs: 250, maxConcurrentBatches: 1, ...limits } });
    const first = sequencer.submit(submission(0, 1, new Delta().insert('1'), 'a'));
    await flush();
    const busy = sequencer.submit(submission(0, 1, new Delta().insert('2'), 'b')); // keeps the document busy
    now += 2000; // a slow commit: 2 s for one submission
    gated.release();
    await first;
    await flush(); // [b] is committing
    return { sequencer, gated, busy };
  }

  it('[O5] a document\'s queue always admits minQueuePerAuthor submissions of an author, however slow its commits: a small team\'s burst is never refused', async () => {
    const { sequencer, gated, busy } = await slowDocument({ minQueuePerAuthor: 3 });
    const tab = (clientId: string) => sequencer.submit(by('user-team', submission(0, 1, new Delta().insert(clientId), clientId)));
    const burst = ['c', 'd', 'e'].map(tab); // 0, 1, 2 of its own ahead: admitted
    const fourth = await tab('f'); // 3 of its own ahead and 8 s expected
    expect(fourth).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    // Another author, with fewer than minQueuePerAuthor of its own queued, is admitted.
    const other = sequencer.submit(by('user-other', submission(0, 1, new Delta().insert('g'), 'g')));
    gated.releaseAll();
    expect((await Promise.all([busy, ...burst, other])).map((r) => r.kind)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
  });

  it('[O5] many people with one op each: past minQueuePerDocument queued, a newcomer whose turn would come too late is refused; before it, everyone is admitted', async () => {
    const { sequencer, gated, busy } = await slowDocument({ minQueuePerAuthor: 32, minQueuePerDocument: 3 });
    const person = (n: number) => sequencer.submit(by(`user-${n}`, submission(0, 1, new Delta().insert(String(n)), `p${n}`)));
    const admitted = [0, 1, 2].map(person); // one each, fewer than minQueuePerDocument queued: admitted however slow
    const late = await person(3); // 3 queued by 3 people; its turn would come after 8 s
    expect(late).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(late.kind === 'rejected' && late.message).toMatch(/3 ops from 3 people are waiting for this document/);
    gated.releaseAll();
    expect((await Promise.all([busy, ...admitted])).map((r) => r.kind)).toEqual(['applied', 'applied', 'applied', 'applied']);
  });

  it('[O5] after a stall, fast batches bring the estimate back down and the document admits again within a few batches', async () => {
    const gated = gatedStore();
    let now = 0;
    const { sequencer } = await setup('ab\n', { store: gated.store, monotonic: () => now, limits: { maxWaitMs: 250, earlyRefusal: 1, minQueuePerAuthor: 0, maxConcurrentBatches: 1 } });
    const stalled = sequencer.submit(submission(0, 1, new Delta().insert('s'), 's'));
    await flush();
    const all = [stalled, sequencer.submit(submission(0, 1, new Delta().insert('w'), 'w'))]; // keeps the document busy
    now += 5000; // a five-second stall of the store: 5,000 ms for one submission
    gated.release();
    await stalled;
    let admittedAt = -1;
    for (let round = 0; round < 12 && admittedAt < 0; round++) {
      await flush(); // the next batch is committing (fast from now on: the clock stands still)
      all.push(sequencer.submit(submission(0, 1, new Delta().insert('a'), `a${round}`))); // nothing ahead: always admitted
      const second = sequencer.submit(submission(0, 1, new Delta().insert('b'), `b${round}`)); // one ahead
      const answer = await Promise.race([second, flush().then(() => 'queued' as const)]);
      if (answer === 'queued') {
        admittedAt = round;
        all.push(second);
      } else expect(answer).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
      gated.release();
    }
    gated.releaseAll();
    expect((await Promise.all(all)).every((r) => r.kind === 'applied')).toBe(true);
    expect(admittedAt).toBeGreaterThanOrEqual(1); // the stall's estimate did refuse at first
    expect(admittedAt).toBeLessThanOrEqual(8); // and halving per fast batch brought it back
  });

  it('[O5] time a document\'s queued submissions wait between its batches (a batch slot taken, a busy event loop) counts in its estimate', async () => {
    const gated = gatedStore();
    let now = 0;
    const { sequencer } = await setup('ab\n', { store: gated.store, monotonic: () => now, limits: { maxWaitMs: 250, minQueuePerAuthor: 0, maxConcurrentBatches: 1 } });
    await sequencer.createDocument('d2');
    const mine = (seq: number, text: string) => sequencer.submit(by('u', submission(0, seq, new Delta().insert(text), 'u')));
    const all = [mine(1, 'a')]; // doc-1's first batch, committing
    await flush();
    all.push(sequencer.submit({ ...submission(0, 1, new Delta().insert('x'), 'other'), documentId: 'd2' })); // waits for the one slot
    all.push(mine(2, 'b')); // queued behind doc-1's first batch
    gated.release(); // doc-1's first batch ends (instantly) with b queued; d2 takes the slot
    await flush();
    now += 5000; // b waits five seconds for the slot, though every commit is instant
    gated.release(); // d2's commit; then b's batch starts
    await flush();
    all.push(mine(3, 'c')); // keeps doc-1 busy behind b
    gated.release(); // b's batch ends at 5,000 ms: 5,000 ms for one submission, counted from the first batch's end
    await flush();
    all.push(mine(4, 'd')); // c is in a batch; d is queued with nothing ahead: admitted
    const refused = await Promise.race([mine(5, 'e'), flush().then(() => 'queued' as const)]); // one ahead at ~2,500 ms each
    expect(refused).toMatchObject({ kind: 'rejected', code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    gated.releaseAll();
    expect((await Promise.all(all)).map((r) => r.kind)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
  });

  it('[O3] at most maxConcurrentBatches batches commit at once across documents; the others wait their turn and all land', async () => {
    const gated = gatedStore();
    const { sequencer } = await setup('ab\n', { store: gated.store, limits: { maxConcurrentBatches: 2 } });
    for (const d of ['d2', 'd3', 'd4']) await sequencer.createDocument(d);
    const work = ['doc-1', 'd2', 'd3', 'd4'].map((documentId, i) => sequencer.submit({ ...submission(0, 1, new Delta().insert(`${i}`)), documentId }));
    for (let i = 0; i < 5; i++) await flush();
    expect(gated.state.running).toBe(2);
    gated.releaseAll();
    expect((await Promise.all(work)).map((r) => r.kind)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(gated.state.most).toBe(2);
  });

  it('[O4] a resend while its original is queued or committing gets the original\'s answer and costs no commit of its own', async () => {
    const gated = gatedStore();
    const { sequencer } = await setup('ab\n', { store: gated.store, limits: { maxConcurrentBatches: 1 } });
    const original = sequencer.submit(submission(0, 1, new Delta().insert('1')));
    await flush();
    const resends = [sequencer.submit(submission(0, 1, new Delta().insert('1'))), sequencer.submit(submission(0, 1, new Delta().insert('1')))];
    gated.releaseAll();
    const answers = await Promise.all([original, ...resends]);
    expect(answers).toEqual([answers[0], answers[0], answers[0]]);
    expect(answers[0]).toMatchObject({ kind: 'applied', version: 1 });
    expect(gated.state.commits).toBe(1);
    // Once answered, a resend is answered from the known head's tail: still no commit.
    expect(await sequencer.submit(submission(0, 1, new Delta().insert('1')))).toMatchObject({ kind: 'duplicate', version: 1 });
    expect(gated.state.commits).toBe(1);
  });
});

describe('sequencer: hostile submissions (issue 14)', () => {
  it('[S12] a batch the store refuses for one submission\'s data is halved until it stands alone: it is BAD_USER_INPUT, the other six commit in order', async () => {
    const memory = createMemoryOpStore();
    // Refuses, like PostgreSQL's 22P05, any commit holding an op whose text has a NUL.
    const store = {
      ...memory,
      commit: async (request: Parameters<typeof memory.commit>[0]) => {
        if (request.planned.ops.some((op) => op.delta.ops.some((o) => typeof o.insert === 'string' && o.insert.includes('\u0000')))) {
          throw new CommitDataError('22P05', 'unsupported Unicode escape sequence');
        }
        return memory.commit(request);
      },
    };
    const { sequencer } = await setup('ab\n', { store });
    const results = await Promise.all(['lead', 'c1', 'c2', 'c3', 'poison', 'c4', 'c5', 'c6'].map((id) => sequencer.submit(submission(0, 1, new Delta().insert(id === 'poison' ? 'p\u0000' : id[1] ?? 'L'), id))));
    expect(results[4]).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    expect(results.filter((r) => r.kind === 'applied').map((r) => r.kind === 'applied' && r.version).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await memory.opsAfter(DOC, 0)).map((op) => op.clientId)).toEqual(['lead', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
  });

  it('[PL7][O4] another user\'s submission with a key in flight is not tied to it: it is refused, the owner\'s is applied', async () => {
    const { sequencer, store } = await setup('ab\n');
    const owner = submission(0, 1, new Delta().insert('O'), 'shared');
    const squatter = { ...submission(0, 1, new Delta().insert('S'), 'shared'), authorId: 'user-mallory' };
    const [first, second, third] = await Promise.all([sequencer.submit(submission(0, 1, new Delta().insert('x'), 'lead')), sequencer.submit(owner), sequencer.submit(squatter)]);
    expect(first).toMatchObject({ kind: 'applied' });
    expect(second).toMatchObject({ kind: 'applied', version: 2 });
    expect(third).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    expect((await store.opsAfter(DOC, 0)).map((op) => op.authorId)).toEqual(['user-lead', 'user-shared']);
  });
});

describe('sequencer: pipelined commits (issue 16)', () => {
  /**
   * A memory store whose commits wait until released one by one (oldest first) or failed;
   * `requests` records what each commit was asked, `landed` whether the store wrote that very plan.
   * With `answerLate`, a held commit is written at once and only its answer waits for release
   * (as when the database commits in order but answers on two connections in either order).
   */
  function heldStore() {
    const inner = createMemoryOpStore();
    const held: Array<{ go: () => void; fail: (error: Error) => void }> = [];
    const state = { hold: false, answerLate: false, running: 0, most: 0, requests: [] as Parameters<typeof inner.commit>[0][], landed: [] as boolean[] };
    const store = {
      ...inner,
      async commit(request: Parameters<typeof inner.commit>[0]) {
        if (!state.hold) return inner.commit(request);
        state.requests.push(request);
        state.running++;
        state.most = Math.max(state.most, state.running);
        try {
          const written = state.answerLate ? await inner.commit(request) : null;
          await new Promise<void>((go, fail) => held.push({ go, fail }));
          const result = written ?? (await inner.commit(request));
          state.landed.push(result.kind === 'committed' && result.plan === request.planned);
          return result;
        } finally {
          state.running--;
        }
      },
    };
    return { inner, store, state, held };
  }
  const turns = async (n = 5) => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  /**
   * A document pipelines once PIPELINE_AFTER_CALM_COMMITS commits in a row stored their plans as
   * sent: 'w' types that many (text 'ab\n' becomes 'abwwww\n'); then commits are held.
   */
  async function calmed(held: ReturnType<typeof heldStore>, sequencer: ReturnType<typeof createSequencer>) {
    for (let seq = 1; seq <= PIPELINE_AFTER_CALM_COMMITS; seq++) {
      expect(await sequencer.submit(submission(seq - 1, seq, new Delta().retain(2).insert('w'), 'w'))).toMatchObject({ kind: 'applied' });
    }
    held.state.hold = true;
    return PIPELINE_AFTER_CALM_COMMITS;
  }

  it('[S13][P11] while a batch commits, the document\'s next batch is planned on its next and sent; it lands right after it, as planned', async () => {
    const held = heldStore();
    const { sequencer, published } = await setup('ab\n', { store: held.store });
    const v = await calmed(held, sequencer);
    const first = sequencer.submit(submission(v, 1, new Delta().insert('1'), 'a'));
    await turns();
    const second = sequencer.submit(submission(v, 1, new Delta().insert('2'), 'b'));
    await turns();
    // Both commits are in flight; the second was planned on the first's uncommitted next.
    expect(held.state.running).toBe(2);
    const [r1, r2] = held.state.requests;
    expect(r2!.planned.head).toBe(r1!.planned.next);
    expect(r2!.stored?.version).toBe(v);
    expect(r2!.predecessorHead).toBe(r1!.planned.head);
    for (const h of held.held.splice(0)) h.go();
    expect(await first).toMatchObject({ kind: 'applied', version: v + 1 });
    expect(await second).toMatchObject({ kind: 'applied', version: v + 2 });
    expect(held.state.landed).toEqual([true, true]);
    await sequencer.settle();
    expect(published.map((op) => op.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await text(held.inner)).toEqual([{ insert: '12abwwww\n' }]);
  });

  it('[S7][S13] pipelined commits are published in version order, even when the successor\'s answer comes back first', async () => {
    const held = heldStore();
    const { sequencer, published } = await setup('ab\n', { store: held.store });
    const v = await calmed(held, sequencer);
    held.state.answerLate = true;
    const first = sequencer.submit(submission(v, 1, new Delta().insert('1'), 'a'));
    await turns();
    const second = sequencer.submit(submission(v, 1, new Delta().insert('2'), 'b'));
    await turns();
    expect(held.state.running).toBe(2);
    // Both are stored, v + 1 then v + 2; the database answers the second first.
    held.held[1]!.go();
    expect(await second).toMatchObject({ kind: 'applied', version: v + 2 });
    await turns();
    held.held[0]!.go();
    expect(await first).toMatchObject({ kind: 'applied', version: v + 1 });
    await sequencer.settle();
    expect(held.state.landed).toEqual([true, true]);
    expect(published.map((op) => op.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('[S7] a predecessor whose answer hangs holds its successor\'s publishing back for publishWaitMs at most', async () => {
    const held = heldStore();
    const { sequencer, published } = await setup('ab\n', { store: held.store, publishWaitMs: 250 });
    const v = await calmed(held, sequencer);
    held.state.answerLate = true;
    void sequencer.submit(submission(v, 1, new Delta().insert('1'), 'a')); // stored; its answer never comes
    await turns();
    const second = sequencer.submit(submission(v, 1, new Delta().insert('2'), 'b'));
    await turns();
    held.held[1]!.go();
    expect(await second).toMatchObject({ kind: 'applied', version: v + 2 });
    await turns();
    expect(published.map((op) => op.version)).toEqual([1, 2, 3, 4]); // held behind the hung answer
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(published.map((op) => op.version)).toEqual([1, 2, 3, 4, 6]); // v5 reaches subscribers by refill (F3)
    held.held[0]!.go();
    await sequencer.settle();
    expect(published.map((op) => op.version)).toEqual([1, 2, 3, 4, 6, 5]);
  });

  it('[S13] at most pipelineDepth batches of a document commit at once, one planning at a time; depth 1 is one batch at a time', async () => {
    for (const depth of [1, 2, 3]) {
      const held = heldStore();
      const { sequencer } = await setup('ab\n', { store: held.store, pipelineDepth: depth });
      const v = await calmed(held, sequencer);
      const answers: Promise<unknown>[] = [];
      for (const id of ['a', 'b', 'c', 'd', 'e']) {
        answers.push(sequencer.submit(submission(v, 1, new Delta().insert(id), id)));
        await turns();
      }
      expect(held.state.running).toBe(depth);
      while (held.held.length > 0) {
        held.held.shift()!.go();
        await turns();
      }
      await Promise.all(answers);
      expect(held.state.most).toBe(depth);
      expect((await held.inner.opsAfter(DOC, v)).map((op) => op.version)).toEqual([5, 6, 7, 8, 9]);
    }
  });

  it('[S13][P11] a predecessor whose commit fails leaves its successor planned on a head never stored: the successor is planned again on the stored head and lands; the predecessor\'s submission throws', async () => {
    const held = heldStore();
    const { sequencer } = await setup('ab\n', { store: held.store });
    const v = await calmed(held, sequencer);
    const first = sequencer.submit(submission(v, 1, new Delta().insert('1'), 'a'));
    await turns();
    const second = sequencer.submit(submission(v, 1, new Delta().insert('2'), 'b'));
    await turns();
    expect(held.state.running).toBe(2);
    held.held.shift()!.fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    held.held.shift()!.go();
    expect(await second).toMatchObject({ kind: 'applied', version: v + 1 });
    expect(held.state.landed).toEqual([false]);
    expect((await held.inner.opsAfter(DOC, v)).map((op) => op.clientId)).toEqual(['b']);
    // The client resends the failed op: it lands after.
    const resend = sequencer.submit(submission(v, 1, new Delta().insert('1'), 'a'));
    await turns();
    held.held.shift()!.go();
    expect(await resend).toMatchObject({ kind: 'applied', version: v + 2 });
    expect(await text(held.inner)).toEqual([{ insert: '21abwwww\n' }]);
  });

  it('[S13][P11][S6] a predecessor that loses to another instance commits another plan; its successor is planned again too, after it; every op once, gapless', async () => {
    const held = heldStore();
    const { sequencer, broadcaster } = await setup('ab\n', { store: held.store });
    const other = createSequencer({ store: held.inner, broadcaster, follow: null, clock: steppingClock() });
    const v = await calmed(held, sequencer);
    const first = sequencer.submit(submission(v, 1, new Delta().insert('1'), 'a'));
    await turns();
    const second = sequencer.submit(submission(v, 1, new Delta().insert('2'), 'b'));
    await turns();
    expect(held.state.running).toBe(2);
    expect(await other.submit(submission(v, 1, new Delta().insert('X'), 'x'))).toMatchObject({ kind: 'applied', version: v + 1 });
    for (const h of held.held.splice(0)) h.go();
    expect(await first).toMatchObject({ kind: 'applied', version: v + 2 });
    expect(await second).toMatchObject({ kind: 'applied', version: v + 3 });
    expect(held.state.landed).toEqual([false, false]);
    expect((await held.inner.opsAfter(DOC, v)).map((op) => op.clientId)).toEqual(['x', 'a', 'b']);
    const head = await loadDocument(held.inner, DOC);
    expect(head?.content.length()).toBe('abwwww\n'.length + 3);
  });

  it('[S13] a document pipelines only after PIPELINE_AFTER_CALM_COMMITS commits in a row stored their plans as sent, none heard from another instance', async () => {
    const held = heldStore();
    const { sequencer, broadcaster } = await setup('ab\n', { store: held.store });
    held.state.hold = true;
    // Fresh: one batch at a time.
    const first = sequencer.submit(submission(0, 1, new Delta().insert('1'), 'a'));
    await turns();
    const second = sequencer.submit(submission(0, 1, new Delta().insert('2'), 'b'));
    await turns();
    expect(held.state.running).toBe(1);
    while (held.held.length > 0) {
      held.held.shift()!.go();
      await turns();
    }
    await Promise.all([first, second]);
    held.state.hold = false;
    for (let seq = 1; seq <= PIPELINE_AFTER_CALM_COMMITS; seq++) await sequencer.submit(submission(2 + seq - 1, seq, new Delta().insert('w'), 'w'));
    // Another instance's op heard: calm again from zero, so one batch at a time.
    const other = createSequencer({ store: held.inner, broadcaster, follow: null, clock: steppingClock() });
    const head = (await held.inner.head(DOC))!.version;
    await other.submit(submission(head, 1, new Delta().insert('X'), 'x'));
    held.state.hold = true;
    const third = sequencer.submit(submission(head + 1, 1, new Delta().insert('3'), 'c'));
    await turns();
    const fourth = sequencer.submit(submission(head + 1, 1, new Delta().insert('4'), 'd'));
    await turns();
    expect(held.state.running).toBe(1);
    while (held.held.length > 0) {
      held.held.shift()!.go();
      await turns();
    }
    expect((await Promise.all([third, fourth])).map((r) => r.kind)).toEqual(['applied', 'applied']);
  });
});
