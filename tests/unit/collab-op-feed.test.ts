/** The op feed behind `documentOperations` (lib/collab/SPEC.md, F1–F4). */
import { describe, expect, it } from 'vitest';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { HistoryGoneError, openOpFeed } from '../../lib/collab/op-feed.ts';
import type { OpStore } from '../../lib/collab/op-store.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { DOC, lossyBroadcaster, prunedStore, setup, submission } from '../support/collab-fakes.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function feedFrom(options: { store: OpStore; broadcaster: Parameters<typeof openOpFeed>[0]['broadcaster'] }, fromVersion: number) {
  const delivered: number[] = [];
  const errors: unknown[] = [];
  const feed = await openOpFeed({
    ...options,
    documentId: DOC,
    fromVersion,
    pageSize: 2,
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
