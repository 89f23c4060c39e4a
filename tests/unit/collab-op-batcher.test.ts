/** The per-process batcher behind `documentOperationBatches` (lib/collab/SPEC.md, FB1–FB4). */
import { describe, expect, it } from 'vitest';
import type { Broadcaster } from '../../lib/collab/broadcaster.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { ConfigError, loadConfig } from '../../lib/config.ts';
import { createOpBatcher, type BatcherTimers } from '../../lib/collab/op-batcher.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { DOC } from '../support/collab-fakes.ts';

const op = (version: number, documentId = DOC): AppliedOp => ({
  documentId,
  version,
  delta: new Delta().insert(`${version}`),
  authorId: 'user-a',
  clientId: 'a',
  clientSeq: version,
  createdAt: new Date(0),
});

/**
 * Hand-driven time: `tick()` runs the immediates queued so far (one macrotask), `advance(ms)`
 * moves the clock and fires due timeouts (each followed by the immediates it queued).
 */
function manualTimers() {
  let now = 0;
  let nextId = 1;
  const immediates = new Map<number, () => void>();
  const timeouts = new Map<number, { at: number; callback: () => void }>();
  const timers: BatcherTimers = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId++;
      timeouts.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout: (handle) => void timeouts.delete(handle as number),
    setImmediate: (callback) => {
      const id = nextId++;
      immediates.set(id, callback);
      return id;
    },
    clearImmediate: (handle) => void immediates.delete(handle as number),
  };
  const tick = () => {
    const due = [...immediates.entries()];
    immediates.clear();
    for (const [, callback] of due) callback();
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const next = [...timeouts.entries()].filter(([, t]) => t.at <= until).sort((x, y) => x[1].at - y[1].at)[0];
      if (!next) break;
      timeouts.delete(next[0]);
      now = next[1].at;
      next[1].callback();
      tick();
    }
    now = until;
  };
  return { timers, tick, advance, pending: () => immediates.size + timeouts.size };
}

/** A broadcaster that counts its live subscriptions. */
function countingBroadcaster(inner: Broadcaster = createMemoryBroadcaster()) {
  const counts = { subscribes: 0, active: 0 };
  const broadcaster: Broadcaster = {
    publish: (documentId, o) => inner.publish(documentId, o),
    async subscribe(documentId, listener) {
      counts.subscribes += 1;
      counts.active += 1;
      const unsubscribe = await inner.subscribe(documentId, listener);
      return async () => {
        counts.active -= 1;
        await unsubscribe();
      };
    },
  };
  return { broadcaster, counts };
}

const versions = (batches: ReadonlyArray<readonly AppliedOp[]>) => batches.map((b) => b.map((o) => o.version));

describe('createOpBatcher', () => {
  it('[FB1][FB4] ops arriving in one macrotask reach every listener as ONE frozen array, the same object for all', async () => {
    const { timers, tick } = manualTimers();
    const broadcaster = createMemoryBroadcaster();
    const batcher = createOpBatcher({ broadcaster, windowMs: 20, timers });
    const received: Array<Array<readonly AppliedOp[]>> = [[], [], []];
    for (const list of received) await batcher.subscribe(DOC, (batch) => void list.push(batch));
    for (let v = 1; v <= 4; v++) await broadcaster.publish(DOC, op(v));
    expect(received[0]).toEqual([]); // nothing before the macrotask ends
    tick();
    expect(versions(received[0]!)).toEqual([[1, 2, 3, 4]]);
    expect(received[1]![0]).toBe(received[0]![0]);
    expect(received[2]![0]).toBe(received[0]![0]);
    expect(Object.isFrozen(received[0]![0])).toBe(true);
  });

  it('[FB1] a batch holds only its document, in arrival order', async () => {
    const { timers, tick } = manualTimers();
    const broadcaster = createMemoryBroadcaster();
    const batcher = createOpBatcher({ broadcaster, windowMs: 0, timers });
    const a: Array<readonly AppliedOp[]> = [];
    const b: Array<readonly AppliedOp[]> = [];
    await batcher.subscribe('doc-a', (batch) => void a.push(batch));
    await batcher.subscribe('doc-b', (batch) => void b.push(batch));
    await broadcaster.publish('doc-a', op(2, 'doc-a'));
    await broadcaster.publish('doc-b', op(1, 'doc-b'));
    await broadcaster.publish('doc-a', op(1, 'doc-a'));
    tick();
    expect(versions(a)).toEqual([[2, 1]]);
    expect(versions(b)).toEqual([[1]]);
  });

  it('[FB3] first op after a quiet window flushes on the next tick; later ones wait until the window has passed', async () => {
    const { timers, tick, advance } = manualTimers();
    const broadcaster = createMemoryBroadcaster();
    const batcher = createOpBatcher({ broadcaster, windowMs: 20, timers });
    const flushes: Array<{ at: number; versions: number[] }> = [];
    await batcher.subscribe(DOC, (batch) => void flushes.push({ at: timers.now(), versions: batch.map((o) => o.version) }));

    await broadcaster.publish(DOC, op(1));
    tick();
    expect(flushes).toEqual([{ at: 0, versions: [1] }]); // not delayed

    advance(5);
    await broadcaster.publish(DOC, op(2));
    tick();
    advance(3);
    await broadcaster.publish(DOC, op(3));
    tick();
    expect(flushes).toHaveLength(1); // held: the window since the last flush has not passed
    advance(12);
    expect(flushes[1]).toEqual({ at: 20, versions: [2, 3] });

    // Steady high rate: one flush per window, never closer together.
    for (let t = 0; t < 100; t += 2) {
      await broadcaster.publish(DOC, op(4 + t / 2));
      tick();
      advance(2);
    }
    advance(40);
    const gaps = flushes.slice(1).map((f, i) => f.at - flushes[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
    expect(flushes.flatMap((f) => f.versions)).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));

    // Quiet for longer than the window: the next op goes out at once again.
    advance(100);
    const before = flushes.length;
    await broadcaster.publish(DOC, op(54));
    tick();
    expect(flushes.length).toBe(before + 1);
    expect(flushes.at(-1)!.at).toBe(timers.now());
  });

  it('[FB3] windowMs 0 flushes on every tick', async () => {
    const { timers, tick } = manualTimers();
    const broadcaster = createMemoryBroadcaster();
    const batcher = createOpBatcher({ broadcaster, windowMs: 0, timers });
    const batches: Array<readonly AppliedOp[]> = [];
    await batcher.subscribe(DOC, (batch) => void batches.push(batch));
    await broadcaster.publish(DOC, op(1));
    await broadcaster.publish(DOC, op(2));
    tick();
    await broadcaster.publish(DOC, op(3));
    tick();
    expect(versions(batches)).toEqual([[1, 2], [3]]);
  });

  it('[FB2] one broadcaster subscription per document, whatever the listeners; it ends with the last one', async () => {
    const { timers, tick, advance, pending } = manualTimers();
    const { broadcaster, counts } = countingBroadcaster();
    const batcher = createOpBatcher({ broadcaster, windowMs: 20, timers });
    const got: number[][] = [[], [], []];
    const stops = await Promise.all(got.map((list) => batcher.subscribe(DOC, (batch) => void list.push(...batch.map((o) => o.version)))));
    expect(counts).toEqual({ subscribes: 1, active: 1 });
    expect(batcher.documents).toBe(1);

    await broadcaster.publish(DOC, op(1));
    tick();
    await stops[0]!();
    await broadcaster.publish(DOC, op(2));
    advance(20);
    expect(got).toEqual([[1], [1, 2], [1, 2]]); // [FB2] not called after its unsubscribe resolved
    expect(counts.active).toBe(1);

    await broadcaster.publish(DOC, op(3)); // pending when the last listeners leave: dropped
    await stops[1]!();
    await stops[2]!();
    expect(counts.active).toBe(0);
    expect(batcher.documents).toBe(0);
    expect(pending()).toBe(0); // the scheduled flush was cancelled
    tick();
    expect(got[2]).toEqual([1, 2]);

    // A new listener opens a fresh subscription.
    const again: number[] = [];
    await batcher.subscribe(DOC, (batch) => void again.push(...batch.map((o) => o.version)));
    expect(counts).toEqual({ subscribes: 2, active: 1 });
    await broadcaster.publish(DOC, op(4));
    tick();
    expect(again).toEqual([4]);
  });

  it('[FB2] a listener that throws affects neither the others nor later flushes', async () => {
    const { timers, tick, advance } = manualTimers();
    const broadcaster = createMemoryBroadcaster();
    const batcher = createOpBatcher({ broadcaster, windowMs: 20, timers });
    const got: number[] = [];
    await batcher.subscribe(DOC, () => {
      throw new Error('listener bug');
    });
    await batcher.subscribe(DOC, (batch) => void got.push(...batch.map((o) => o.version)));
    await broadcaster.publish(DOC, op(1));
    tick();
    await broadcaster.publish(DOC, op(2));
    advance(20);
    expect(got).toEqual([1, 2]);
  });

  it('runs on real timers: a burst arriving together is one batch', async () => {
    const broadcaster = createMemoryBroadcaster();
    const batcher = createOpBatcher({ broadcaster, windowMs: 20 });
    const batches: Array<readonly AppliedOp[]> = [];
    const stop = await batcher.subscribe(DOC, (batch) => void batches.push(batch));
    await Promise.all([1, 2, 3].map((v) => broadcaster.publish(DOC, op(v))));
    await new Promise((resolve) => setImmediate(resolve));
    expect(versions(batches)).toEqual([[1, 2, 3]]);
    await stop();
  });
});

describe('spacing under load [FB9]', () => {
  /** Flush times of a document with `listeners` listeners while an op arrives every ms for `ms` ms. */
  async function flushTimes(listeners: number, options: { messagesPerSecond?: number; maxWindowMs?: number }, ms = 1000) {
    const { timers, tick, advance } = manualTimers();
    const broadcaster = createMemoryBroadcaster();
    const batcher = createOpBatcher({ broadcaster, windowMs: 20, timers, ...options });
    const at: number[] = [];
    const seen: number[] = [];
    await batcher.subscribe(DOC, (batch) => void (at.push(timers.now()), seen.push(...batch.map((o) => o.version))));
    for (let i = 1; i < listeners; i++) await batcher.subscribe(DOC, () => {});
    for (let v = 1; v <= ms; v++) {
      await broadcaster.publish(DOC, op(v));
      tick();
      advance(1);
    }
    advance(200);
    expect(seen).toEqual(Array.from({ length: ms }, (_, i) => i + 1)); // [FB1] every op, once, in order
    return at;
  }
  const gaps = (at: number[]) => at.slice(1).map((t, i) => t - at[i]!);

  it('[FB9] keeps windowMs while listeners × flushes per second stay within messagesPerSecond', async () => {
    // 100 listeners × 50 flushes/s = 5,000 messages/s: within the budget.
    const at = await flushTimes(100, { messagesPerSecond: 5000 });
    expect(Math.min(...gaps(at))).toBe(20);
    expect(at.length).toBeGreaterThanOrEqual(49);
  });

  it('[FB9] spaces flushes listeners ÷ messagesPerSecond apart past the budget, so the messages a second stay within it', async () => {
    const at = await flushTimes(250, { messagesPerSecond: 5000 });
    expect(Math.min(...gaps(at))).toBe(50);
    expect(at.length).toBeLessThanOrEqual(21); // 20 a second after the first: 250 × 20 = 5,000 messages
  });

  it('[FB9] never spaces flushes more than maxWindowMs apart, and without messagesPerSecond keeps windowMs', async () => {
    expect(Math.max(...gaps(await flushTimes(2000, { messagesPerSecond: 5000, maxWindowMs: 100 })))).toBe(100);
    expect(Math.max(...gaps(await flushTimes(2000, {})))).toBe(20);
  });

  it('[FB9][FB3] the first op after a quiet spell still goes out on the next tick, however many listeners', async () => {
    const { timers, tick, advance } = manualTimers();
    const broadcaster = createMemoryBroadcaster();
    const batcher = createOpBatcher({ broadcaster, windowMs: 20, messagesPerSecond: 1000, maxWindowMs: 100, timers });
    const at: number[] = [];
    await batcher.subscribe(DOC, () => void at.push(timers.now()));
    for (let i = 1; i < 100; i++) await batcher.subscribe(DOC, () => {});
    await broadcaster.publish(DOC, op(1));
    tick();
    await broadcaster.publish(DOC, op(2));
    tick();
    advance(99);
    expect(at).toEqual([0]); // the second waits for the 100 ms spacing
    advance(1);
    expect(at).toEqual([0, 100]);
    advance(500);
    await broadcaster.publish(DOC, op(3));
    tick();
    expect(at).toEqual([0, 100, 600]);
  });
});

describe('OPS_BATCH_MESSAGES_PER_SECOND, OPS_BATCH_MAX_WINDOW_MS', () => {
  it('default to 2,500 messages a second and 50 ms; 0 turns the limit off; bad values are refused', () => {
    expect(loadConfig({})).toMatchObject({ opsBatchMessagesPerSecond: 2500, opsBatchMaxWindowMs: 50 });
    expect(loadConfig({ OPS_BATCH_MESSAGES_PER_SECOND: '0', OPS_BATCH_MAX_WINDOW_MS: '250' })).toMatchObject({ opsBatchMessagesPerSecond: 0, opsBatchMaxWindowMs: 250 });
    for (const bad of ['', '-1', '2.5', 'many']) expect(() => loadConfig({ OPS_BATCH_MESSAGES_PER_SECOND: bad })).toThrow(ConfigError);
    for (const bad of ['', '-1', '2.5', '5000']) expect(() => loadConfig({ OPS_BATCH_MAX_WINDOW_MS: bad })).toThrow(ConfigError);
  });
});

describe('OPS_BATCH_WINDOW_MS', () => {
  it('defaults to 20 ms, accepts 0 (flush every tick), refuses anything but whole milliseconds up to 1000', () => {
    expect(loadConfig({}).opsBatchWindowMs).toBe(20);
    expect(loadConfig({ OPS_BATCH_WINDOW_MS: '0' }).opsBatchWindowMs).toBe(0);
    expect(loadConfig({ OPS_BATCH_WINDOW_MS: '50' }).opsBatchWindowMs).toBe(50);
    for (const bad of ['', '-1', '2.5', 'soon', '5000']) expect(() => loadConfig({ OPS_BATCH_WINDOW_MS: bad })).toThrow(ConfigError);
  });
});
