/** The op feed behind `documentOperations` and, in batch mode, `documentOperationBatches` (lib/collab/SPEC.md, F1–F5, FB5–FB8). */
import { describe, expect, it } from 'vitest';
import type { Broadcaster } from '../../lib/collab/broadcaster.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createOpBatcher, type OpBatchSource } from '../../lib/collab/op-batcher.ts';
import { HistoryGoneError, openOpFeed } from '../../lib/collab/op-feed.ts';
import type { OpStore } from '../../lib/collab/op-store.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { DOC, lossyBroadcaster, prunedStore, setup, submission } from '../support/collab-fakes.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

// Gaps are read from the store at once here (gapWaitMs 0), as these tests are about the refill
// itself; the wait for reordered ops has tests of its own below.
async function feedFrom(options: { store: OpStore; broadcaster: Broadcaster }, fromVersion: number, gapWaitMs = 0) {
  const delivered: number[] = [];
  const errors: unknown[] = [];
  const feed = await openOpFeed({
    ...options,
    documentId: DOC,
    fromVersion,
    pageSize: 2,
    gapWaitMs,
    deliver: (op: AppliedOp) => void delivered.push(op.version),
    onError: (e) => void errors.push(e),
  });
  return { feed, delivered, errors };
}

describe('openOpFeed', () => {
  it('[F1] delivers stored ops after fromVersion, paging, then live ones, in order and once', async () => {
    const { store, broadcaster, sequencer } = await setup();
    for (let v = 1; v <= 5; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    const { delivered, feed } = await feedFrom({ store, broadcaster }, 1);
    await settle();
    await sequencer.submit(submission(5, 6, new Delta().insert('6')));
    await settle();
    expect(delivered).toEqual([2, 3, 4, 5, 6]);
    expect(feed.version).toBe(6);
  });

  it('[F2] ops committed and published while the catch-up reads the store are delivered once, in order', async () => {
    const { store, broadcaster, sequencer } = await setup();
    await sequencer.submit(submission(0, 1, new Delta().insert('1')));
    let raced = false;
    const racyStore: OpStore = {
      ...store,
      async opsAfter(documentId, afterVersion, limit) {
        const ops = await store.opsAfter(documentId, afterVersion, limit);
        if (!raced) {
          raced = true; // these commits happen after our read: the feed sees them only live
          await sequencer.submit(submission(1, 2, new Delta().insert('2')));
          await sequencer.submit(submission(2, 3, new Delta().insert('3')));
        }
        return ops;
      },
    };
    const { delivered } = await feedFrom({ store: racyStore, broadcaster }, 0);
    await settle();
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('[F3] a live op the broadcaster lost is refilled from the store when a later one arrives', async () => {
    const inner = createMemoryBroadcaster();
    const { store, sequencer } = await setup('\n', { broadcaster: lossyBroadcaster(inner, [2, 3]) });
    const { delivered } = await feedFrom({ store, broadcaster: inner }, 0);
    for (let v = 1; v <= 4; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    await settle();
    expect(delivered).toEqual([1, 2, 3, 4]);
  });

  it('[F5] refill() fetches ops the broadcaster lost when no later op reveals the gap', async () => {
    const inner = createMemoryBroadcaster();
    const { store, sequencer } = await setup('\n', { broadcaster: lossyBroadcaster(inner, [2, 3]) });
    const { delivered, feed } = await feedFrom({ store, broadcaster: inner }, 0);
    for (let v = 1; v <= 3; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    await settle();
    expect(delivered).toEqual([1]);
    feed.refill();
    await settle();
    await settle();
    expect(delivered).toEqual([1, 2, 3]);
    feed.refill();
    await settle();
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('[F3] live ops published out of order are delivered in order', async () => {
    const { store, sequencer } = await setup('\n');
    const broadcaster = createMemoryBroadcaster(); // a bus only this test publishes on
    for (let v = 1; v <= 3; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    const ops = await store.opsAfter(DOC, 0);
    // A store that answers nothing yet, so only the out-of-order live ops can fill the feed.
    const fresh = await feedFrom({ store: { ...store, opsAfter: async () => [] }, broadcaster }, 0);
    for (const op of [ops[2]!, ops[0]!, ops[1]!]) await broadcaster.publish(DOC, op);
    await settle();
    expect(fresh.delivered).toEqual([1, 2, 3]);
  });

  it('[F3] an op another instance published just behind a later one arrives within gapWaitMs: delivered in order, no store read', async () => {
    const { store, sequencer } = await setup('\n');
    const broadcaster = createMemoryBroadcaster(); // a bus only this test publishes on
    for (let v = 1; v <= 3; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    const ops = await store.opsAfter(DOC, 0);
    let reads = 0;
    const counting: OpStore = { ...store, opsAfter: async (d, after, limit) => (reads++, after === 0 ? [] : store.opsAfter(d, after, limit)) };
    const fresh = await feedFrom({ store: counting, broadcaster }, 0, 1000);
    await settle();
    expect(reads).toBe(1); // the catch-up
    await broadcaster.publish(DOC, ops[1]!); // version 2 first: a gap
    await broadcaster.publish(DOC, ops[2]!);
    await settle();
    expect(fresh.delivered).toEqual([]);
    await broadcaster.publish(DOC, ops[0]!); // the missing one, well within the wait
    await settle();
    expect(fresh.delivered).toEqual([1, 2, 3]);
    expect(reads).toBe(1);
  });

  it('[F3] an op lost for good is read from the store once gapWaitMs has passed', async () => {
    const inner = createMemoryBroadcaster();
    const { store, sequencer } = await setup('\n', { broadcaster: lossyBroadcaster(inner, [2]) });
    const { delivered } = await feedFrom({ store, broadcaster: inner }, 0, 30);
    for (let v = 1; v <= 3; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    await settle();
    expect(delivered).toEqual([1]); // 3 is held, waiting for 2
    await new Promise((resolve) => setTimeout(resolve, 60));
    await settle();
    expect(delivered).toEqual([1, 2, 3]);
  });

  it('[F4] history gone closes the feed with HistoryGoneError; close stops delivery', async () => {
    const { store, broadcaster, sequencer } = await setup();
    for (let v = 1; v <= 3; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    const gone = await feedFrom({ store: prunedStore(store, 2), broadcaster }, 0);
    await settle();
    expect(gone.delivered).toEqual([]);
    expect(gone.errors[0]).toBeInstanceOf(HistoryGoneError);
    const live = await feedFrom({ store, broadcaster }, 3);
    await live.feed.close();
    await sequencer.submit(submission(3, 4, new Delta().insert('4')));
    await settle();
    expect(live.delivered).toEqual([]);
  });
});

/** A batch-mode feed on `batcher`; records each call's versions and the arrays themselves. */
async function batchFeedFrom(options: { store: OpStore; batches: OpBatchSource }, fromVersion: number, pageSize = 2) {
  const calls: Array<readonly AppliedOp[]> = [];
  const errors: unknown[] = [];
  const feed = await openOpFeed({
    ...options,
    documentId: DOC,
    fromVersion,
    pageSize,
    gapWaitMs: 0,
    deliverBatch: (ops) => void calls.push(ops),
    onError: (e) => void errors.push(e),
  });
  const versions = () => calls.flatMap((b) => b.map((o) => o.version));
  return { feed, calls, errors, versions };
}

/** Waits until the batcher (window 0) and the feed have both had their turns. */
const settleBatches = async () => {
  for (let i = 0; i < 4; i++) await settle();
};

describe('openOpFeed in batch mode', () => {
  it('[FB5] stored ops come as page-sized batches, then live ones; together gapless, ordered, once', async () => {
    const { store, broadcaster, sequencer } = await setup();
    for (let v = 1; v <= 5; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    const batcher = createOpBatcher({ broadcaster, windowMs: 0 });
    const { calls, versions, feed } = await batchFeedFrom({ store, batches: batcher }, 0, 2);
    await settleBatches();
    expect(calls.map((b) => b.length)).toEqual([2, 2, 1]); // one batch per store page [FB7]
    for (let v = 6; v <= 8; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    await settleBatches();
    expect(versions()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(calls.every((b) => b.length > 0)).toBe(true);
    expect(feed.version).toBe(8);
  });

  it('[FB6] a live batch of exactly the next versions is passed through: every feed gets the same array', async () => {
    const { store, broadcaster, sequencer } = await setup();
    const batcher = createOpBatcher({ broadcaster, windowMs: 0 });
    const feeds = await Promise.all([0, 0, 0].map((from) => batchFeedFrom({ store, batches: batcher }, from)));
    await settleBatches();
    // Three ops published in one macrotask: one flush, one array, shared by all three feeds.
    await Promise.all([
      (async () => {
        for (let v = 1; v <= 3; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
      })(),
    ]);
    await settleBatches();
    for (const f of feeds) expect(f.versions()).toEqual([1, 2, 3]);
    const first = feeds[0]!.calls;
    expect(first.length).toBeGreaterThanOrEqual(1);
    for (const f of feeds.slice(1)) {
      expect(f.calls.length).toBe(first.length);
      f.calls.forEach((batch, i) => expect(batch).toBe(first[i]));
    }
  });

  it('[F2][FB7] batches published while the catch-up reads the store are held and de-duplicated', async () => {
    const { store, broadcaster, sequencer } = await setup();
    await sequencer.submit(submission(0, 1, new Delta().insert('1')));
    let raced = false;
    const racyStore: OpStore = {
      ...store,
      async opsAfter(documentId, afterVersion, limit) {
        const ops = await store.opsAfter(documentId, afterVersion, limit);
        if (!raced) {
          raced = true;
          await sequencer.submit(submission(1, 2, new Delta().insert('2')));
          await sequencer.submit(submission(2, 3, new Delta().insert('3')));
          await settleBatches(); // the batch reaches the feed while its catch-up is still running
        }
        return ops;
      },
    };
    const batcher = createOpBatcher({ broadcaster, windowMs: 0 });
    const { versions } = await batchFeedFrom({ store: racyStore, batches: batcher }, 0, 10);
    await settleBatches(); // the racy read's own wait
    await settleBatches();
    expect(versions()).toEqual([1, 2, 3]);
  });

  it('[F3][FB7] a batch after a lost op is refilled from the store; a batch that overlaps what was delivered delivers only the rest', async () => {
    const inner = createMemoryBroadcaster();
    const { store, sequencer } = await setup('\n', { broadcaster: lossyBroadcaster(inner, [2, 3]) });
    const batcher = createOpBatcher({ broadcaster: inner, windowMs: 0 });
    const { versions, calls } = await batchFeedFrom({ store, batches: batcher }, 0);
    for (let v = 1; v <= 4; v++) {
      await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
      await settleBatches();
    }
    expect(versions()).toEqual([1, 2, 3, 4]);
    // A bus only this test publishes on: a batch [3, 4, 5] after 1..4 were delivered gives [5].
    const bus = createMemoryBroadcaster();
    const own = createOpBatcher({ broadcaster: bus, windowMs: 0 });
    await sequencer.submit(submission(4, 5, new Delta().insert('5')));
    const ops = await store.opsAfter(DOC, 0);
    const fed = await batchFeedFrom({ store: { ...store, opsAfter: async (_d, after) => ops.filter((o) => o.version > after && o.version <= 2) }, batches: own }, 0);
    await settleBatches();
    expect(fed.versions()).toEqual([1, 2]);
    for (const o of [ops[2]!, ops[3]!, ops[4]!]) await bus.publish(DOC, o);
    await settleBatches();
    for (const o of [ops[3]!, ops[4]!]) await bus.publish(DOC, o); // repeats only: nothing
    await settleBatches();
    expect(fed.versions()).toEqual([1, 2, 3, 4, 5]);
    expect(calls.every((b) => b.length > 0)).toBe(true);
  });

  it('[F3][FB7] a live batch out of order is delivered in order', async () => {
    const { store, sequencer } = await setup('\n');
    for (let v = 1; v <= 3; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    const ops = await store.opsAfter(DOC, 0);
    const bus = createMemoryBroadcaster();
    const batcher = createOpBatcher({ broadcaster: bus, windowMs: 0 });
    const fresh = await batchFeedFrom({ store: { ...store, opsAfter: async () => [] }, batches: batcher }, 0);
    await settleBatches();
    for (const o of [ops[2]!, ops[0]!, ops[1]!]) await bus.publish(DOC, o);
    await settleBatches();
    expect(fresh.versions()).toEqual([1, 2, 3]);
    expect(fresh.calls).toHaveLength(1); // one drain of the held ops, one batch
  });

  it('[F5] refill() in batch mode fetches what the broadcaster lost', async () => {
    const inner = createMemoryBroadcaster();
    const { store, sequencer } = await setup('\n', { broadcaster: lossyBroadcaster(inner, [2, 3]) });
    const batcher = createOpBatcher({ broadcaster: inner, windowMs: 0 });
    const { versions, feed } = await batchFeedFrom({ store, batches: batcher }, 0);
    for (let v = 1; v <= 3; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    await settleBatches();
    expect(versions()).toEqual([1]);
    feed.refill();
    await settleBatches();
    expect(versions()).toEqual([1, 2, 3]);
  });

  it('[F4][FB8] history gone reports HistoryGoneError; after close nothing more is delivered', async () => {
    const { store, broadcaster, sequencer } = await setup();
    for (let v = 1; v <= 3; v++) await sequencer.submit(submission(v - 1, v, new Delta().insert(`${v}`)));
    const batcher = createOpBatcher({ broadcaster, windowMs: 0 });
    const gone = await batchFeedFrom({ store: prunedStore(store, 2), batches: batcher }, 0);
    await settleBatches();
    expect(gone.versions()).toEqual([]);
    expect(gone.errors[0]).toBeInstanceOf(HistoryGoneError);
    const live = await batchFeedFrom({ store, batches: batcher }, 3);
    await settleBatches();
    await sequencer.submit(submission(3, 4, new Delta().insert('4'))); // in the batcher, not yet flushed
    await live.feed.close();
    await settleBatches();
    expect(live.versions()).toEqual([]);
    expect(batcher.documents).toBe(0); // both feeds gone: the broadcaster subscription ended [FB2]
  });
});
