/**
 * lib/collab/batching-sequencer.ts: the sequencer rules (S1–S8) hold when submissions of one
 * document are grouped; concurrent submissions of one process are batched (fewer appends than
 * ops) and never race each other; racing batching and plain sequencers converge on one gapless log.
 */
import { describe, expect, it } from 'vitest';
import { createBatchingSequencer, type BatchAppender } from '../../lib/collab/batching-sequencer.ts';
import { loadDocument, replay } from '../../lib/collab/document-loader.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createMemoryOpStore } from '../../lib/collab/memory/memory-op-store.ts';
import type { AppendResult, OpStore } from '../../lib/collab/op-store.ts';
import { createSequencer } from '../../lib/collab/sequencer.ts';
import type { AppliedOp, SubmitResult } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { seededRandom, randomOp } from '../../lib/ot/random-op.ts';
import { DOC, interceptAppends, prunedStore, steppingClock, submission } from '../support/collab-fakes.ts';

/** A memory store with a counted `appendBatch` built from single appends (same answer shape). */
function batchingMemoryStore(inner: OpStore = createMemoryOpStore()): OpStore & BatchAppender & { batches: number[] } {
  const store = {
    ...inner,
    batches: [] as number[],
    async appendBatch(documentId: string, expected: number, ops: readonly AppliedOp[], contents: readonly Delta[]) {
      store.batches.push(ops.length);
      const results: AppendResult[] = [];
      for (const [i, op] of ops.entries()) {
        const broken: boolean = results.length > 0 && results[results.length - 1]!.kind !== 'appended';
        results.push(broken ? ({ kind: 'conflict' } as const) : await inner.append(documentId, expected + i, op, contents[i]!));
      }
      return results;
    },
  };
  return store;
}

/** A memory store whose `appendLocked` holds a per-document mutex while the batch is read and appended. */
function lockingMemoryStore(inner: OpStore = createMemoryOpStore()): OpStore & BatchAppender & { locked: number } {
  let tail: Promise<void> = Promise.resolve();
  const store = {
    ...inner,
    locked: 0,
    async appendLocked(documentId: string, prepare: Parameters<NonNullable<BatchAppender['appendLocked']>>[1]) {
      const previous = tail;
      let release!: () => void;
      tail = new Promise<void>((resolve) => (release = resolve));
      await previous;
      try {
        store.locked++;
        const head = await inner.head(documentId);
        const { ops, contents } = await prepare({
          findByClientSeqs: (keys) => Promise.all(keys.map((k) => inner.findByClientSeq(documentId, k.clientId, k.clientSeq))),
          headVersion: async () => head?.version ?? null,
          opsAfter: (after, upTo) => inner.opsAfter(documentId, after, upTo - after),
          content: async () => replay(head!.snapshot, head!.ops).content,
        });
        if (!head) return false;
        for (const [i, op] of ops.entries()) {
          const result = await inner.append(documentId, op.version - 1, op, contents[i]!);
          if (result.kind !== 'appended') throw new Error(`locked append lost version ${op.version}: a bug`);
        }
        return true;
      } finally {
        release();
      }
    },
  };
  return store;
}

async function setup(text = 'Hello\n', store: OpStore & Partial<BatchAppender> = batchingMemoryStore(), options: { maxRetries?: number; snapshotEvery?: number } = {}) {
  const broadcaster = createMemoryBroadcaster();
  const published: AppliedOp[] = [];
  await broadcaster.subscribe(DOC, (op) => void published.push(op));
  const sequencer = createBatchingSequencer({ store, broadcaster, clock: steppingClock(), ...options });
  expect(await sequencer.createDocument(DOC, new Delta().insert(text))).toEqual({ kind: 'created', version: 0 });
  return { store, broadcaster, sequencer, published };
}

const text = async (store: OpStore) => (await loadDocument(store, DOC))?.content.ops;

describe('batching sequencer', () => {
  it('[S1][S3] concurrent submissions are batched, transformed over the stored ops and the earlier ones of their batch, gapless', async () => {
    const store = batchingMemoryStore();
    const { sequencer, published } = await setup('ab\n', store);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => sequencer.submit(submission(0, 1, new Delta().retain(1).insert(`${i % 10}`), `c${i}`))));
    expect(results.map((r) => r.kind)).toEqual(Array.from({ length: 12 }, () => 'applied'));
    expect(results.map((r) => (r as { version: number }).version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // The first went alone; the others queued behind it and went together.
    expect(store.batches.length).toBeLessThan(12);
    expect(store.batches.reduce((a, b) => a + b, 0)).toBe(12);
    // Ops ordered first win ties: every later insert at the same place lands after the earlier ones.
    expect(await text(store)).toEqual([{ insert: 'a012345678901b\n' }]);
    expect(published.map((op) => op.version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // Each answer is the op as stored at its version [S3].
    const stored = await store.opsAfter(DOC, 0);
    results.forEach((r, i) => expect((r as { delta: Delta }).delta.ops).toEqual(stored[i]!.delta.ops));
  });

  it('[S2] a resubmission, in a later batch or in the same one, answers duplicate with the first answer; nothing more is stored or published', async () => {
    const { store, sequencer, published } = await setup();
    const first = await sequencer.submit(submission(0, 1, new Delta().insert('A')));
    const again = await sequencer.submit(submission(1, 1, new Delta().insert('changed')));
    expect(again).toEqual({ ...first, kind: 'duplicate' });
    const [x, y, z] = await Promise.all([
      sequencer.submit(submission(1, 1, new Delta().insert('B'), 'b')),
      sequencer.submit(submission(1, 1, new Delta().insert('B'), 'b')),
      sequencer.submit(submission(1, 1, new Delta().insert('B'), 'b')),
    ]);
    expect(x).toMatchObject({ kind: 'applied', version: 2 });
    expect(y).toEqual({ ...x, kind: 'duplicate' });
    expect(z).toEqual({ ...x, kind: 'duplicate' });
    expect((await store.head(DOC))?.version).toBe(2);
    expect(published.map((op) => op.version)).toEqual([1, 2]);
  });

  it('[S2][S6] the same (clientId, clientSeq) racing through a batching and a plain sequencer is applied once', async () => {
    const { store, broadcaster, sequencer } = await setup();
    const plain = createSequencer({ store, broadcaster });
    const op = new Delta().insert('once ');
    const results = await Promise.all([sequencer.submit(submission(0, 1, op)), plain.submit(submission(0, 1, op))]);
    expect(results.map((r) => r.kind).sort()).toEqual(['applied', 'duplicate']);
    expect(await store.opsAfter(DOC, 0)).toHaveLength(1);
  });

  it('[S4] VERSION_AHEAD, NOT_FOUND, BAD_USER_INPUT and VERSION_TOO_OLD, each for its own submission of a batch', async () => {
    const { store, broadcaster, sequencer } = await setup();
    await sequencer.submit(submission(0, 1, new Delta().insert('1')));
    await sequencer.submit(submission(1, 2, new Delta().insert('2')));
    const [ahead, fine, missing, bad] = await Promise.all([
      sequencer.submit(submission(5, 3, new Delta().insert('x'))),
      sequencer.submit(submission(2, 1, new Delta().insert('y'), 'b')),
      sequencer.submit({ ...submission(0, 1, new Delta().insert('x'), 'c'), documentId: 'nope' }),
      sequencer.submit(submission(0, 0, new Delta().insert('x'), 'd')),
    ]);
    expect(ahead).toMatchObject({ kind: 'rejected', code: 'VERSION_AHEAD' });
    expect(fine).toMatchObject({ kind: 'applied', version: 3 });
    expect(missing).toMatchObject({ kind: 'rejected', code: 'NOT_FOUND' });
    expect(bad).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    const pruned = createBatchingSequencer({ store: prunedStore(store, 1), broadcaster });
    const [old, recent] = await Promise.all([
      pruned.submit(submission(0, 1, new Delta().insert('x'), 'e')),
      pruned.submit(submission(1, 1, new Delta().insert('x'), 'f')),
    ]);
    expect(old).toMatchObject({ kind: 'rejected', code: 'VERSION_TOO_OLD' });
    expect(recent).toMatchObject({ kind: 'applied', version: 4 });
  });

  it('[S5] an op that does not apply is refused alone; the rest of its batch is applied', async () => {
    const { store, sequencer, published } = await setup('ab\n');
    const [good, pastEnd, good2] = await Promise.all([
      sequencer.submit(submission(0, 1, new Delta().insert('x'), 'a')),
      sequencer.submit(submission(0, 1, new Delta().retain(10).insert('x'), 'b')),
      sequencer.submit(submission(0, 1, new Delta().insert('y'), 'c')),
    ]);
    expect(good).toMatchObject({ kind: 'applied', version: 1 });
    expect(pastEnd).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    expect(good2).toMatchObject({ kind: 'applied', version: 2 });
    expect(await text(store)).toEqual([{ insert: 'xyab\n' }]);
    expect(published).toHaveLength(2);
  });

  it('[S6] a batch that loses its version to another writer is re-examined and lands at the next versions; bounded by maxRetries', async () => {
    const inner = createMemoryOpStore();
    const broadcaster = createMemoryBroadcaster();
    const rival = createSequencer({ store: inner, broadcaster });
    const store = interceptAppends(inner, async (call) => {
      if (call === 1) await rival.submit(submission(0, 1, new Delta().insert('R'), 'rival'));
    });
    const { sequencer } = await setup('ab\n', store);
    expect(await sequencer.submit(submission(0, 1, new Delta().insert('L')))).toEqual({ kind: 'applied', version: 2, delta: new Delta().retain(1).insert('L') });

    let seq = 0;
    const hostile = interceptAppends(inner, async () => {
      const head = (await inner.head(DOC))!.version;
      await rival.submit(submission(head, ++seq + 10, new Delta().insert('r'), 'rival'));
    });
    const bounded = createBatchingSequencer({ store: hostile, broadcaster, maxRetries: 2 });
    expect(await bounded.submit(submission(2, 1, new Delta().insert('Z'), 'z'))).toMatchObject({ kind: 'rejected', code: 'CONFLICT_RETRIES_EXHAUSTED' });
    expect(hostile.appends).toBe(3);
    expect(await inner.findByClientSeq(DOC, 'z', 1)).toBeNull();
  });

  it('[S8] snapshots are saved at versions divisible by snapshotEvery, with the content at that version', async () => {
    const store = batchingMemoryStore();
    const { sequencer } = await setup('\n', store, { snapshotEvery: 3 });
    await Promise.all(Array.from({ length: 7 }, (_, i) => sequencer.submit(submission(0, 1, new Delta().insert(`${i}`), `c${i}`))));
    await sequencer.settle!(); // snapshots are saved after the answers
    const six = await store.latestSnapshotAtOrBelow(DOC, 7);
    expect(six?.version).toBe(6);
    const zero = (await store.latestSnapshotAtOrBelow(DOC, 0))!;
    expect(six?.content.ops).toEqual(replay(zero, (await store.opsAfter(DOC, 0)).slice(0, 6)).content.ops);
  });

  it('[S1][S2][S3] under the document lock: three batching sequencers never lose a version; answers equal the log', async () => {
    const inner = createMemoryOpStore();
    const store = lockingMemoryStore(inner);
    const { broadcaster, sequencer } = await setup('ab\n', store);
    const other = createBatchingSequencer({ store, broadcaster });
    const third = createBatchingSequencer({ store, broadcaster, maxRetries: 0 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => [sequencer, other, third][i % 3]!.submit(submission(0, 1, new Delta().retain(1).insert(`${i % 10}`), `c${i}`))),
    );
    expect(results.every((r) => r.kind === 'applied')).toBe(true);
    const log = await inner.opsAfter(DOC, 0);
    expect(log.map((o) => o.version)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    results.forEach((r, i) => {
      const stored = log.find((o) => o.clientId === `c${i}`)!;
      expect(stored.version).toBe((r as { version: number }).version);
      expect(stored.delta.ops).toEqual((r as { delta: Delta }).delta.ops);
    });
    // Fewer locked batches than submissions through the batching sequencers: they were grouped.
    expect(store.locked).toBeLessThan(20);
    const again = await Promise.all([sequencer.submit(submission(0, 1, new Delta().insert('z'), 'c0')), other.submit({ ...submission(0, 1, new Delta().insert('q'), 'x'), documentId: 'nope' })]);
    expect(again[0]).toMatchObject({ kind: 'duplicate', version: (results[0] as { version: number }).version });
    expect(again[1]).toMatchObject({ kind: 'rejected', code: 'NOT_FOUND' });
  });

  it('racing batching and plain sequencers, 24 clients typing at stale versions: every op applied once, gapless, answers equal the log', async () => {
    const inner = createMemoryOpStore();
    const store = batchingMemoryStore(inner);
    const { broadcaster, sequencer } = await setup('Start\n', store, { maxRetries: 50 });
    // Generous retry bounds: this is about convergence under races (S6's bound is tested above).
    const servers = [sequencer, createBatchingSequencer({ store, broadcaster, maxRetries: 50 }), createSequencer({ store, broadcaster, maxRetries: 50 })];
    const random = seededRandom(8);
    const answers: Array<{ clientId: string; clientSeq: number; result: SubmitResult }> = [];
    await Promise.all(
      Array.from({ length: 24 }, async (_, c) => {
        for (let seq = 1; seq <= 5; seq++) {
          // A stale base: up to two versions behind the head, and the document as it was then.
          const at = Math.max(0, (await inner.head(DOC))!.version - Math.floor(random() * 3));
          const state = replay((await inner.latestSnapshotAtOrBelow(DOC, 0))!, (await inner.opsAfter(DOC, 0)).slice(0, at));
          const op = randomOp(state.content, random, { maxEdits: 2 });
          const result = await servers[c % 3]!.submit({ documentId: DOC, baseVersion: at, clientId: `c${c}`, clientSeq: seq, delta: op, authorId: null });
          answers.push({ clientId: `c${c}`, clientSeq: seq, result });
        }
      }),
    );
    const log = await inner.opsAfter(DOC, 0);
    expect(log.map((o) => o.version)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
    expect(answers.filter((a) => !(a.result.kind === 'applied' || (a.result.kind === 'rejected' && a.result.code === 'BAD_USER_INPUT')))).toEqual([]);
    for (const a of answers) {
      const stored = log.filter((o) => o.clientId === a.clientId && o.clientSeq === a.clientSeq);
      if (a.result.kind === 'applied') {
        expect(stored).toHaveLength(1);
        expect(stored[0]!.version).toBe(a.result.version);
        expect(stored[0]!.delta.ops).toEqual(a.result.delta.ops);
      } else {
        expect(stored).toHaveLength(0);
      }
    }
    expect(answers.filter((a) => a.result.kind === 'applied').length).toBeGreaterThan(100);
    expect(store.batches.some((n) => n > 1)).toBe(true);
  });
});
