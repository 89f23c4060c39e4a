/**
 * A gapless, ordered op stream for one subscriber: the stored ops after `fromVersion` first,
 * then live ones from the broadcaster [F1–F4]. This is the logic behind the
 * `documentOperations(documentId, fromVersion)` subscription.
 *
 * The race it closes: an op may be committed before we subscribe but published after, or be
 * published while we are still reading the store, or never arrive because the broadcaster lost
 * it. So we subscribe first (holding live ops), then read the store, and deliver strictly by
 * version: an op is delivered only when it is `last + 1`; anything older is a repeat, anything
 * newer waits, and a wait that the held ops cannot fill is refilled from the store (every
 * published op was committed first [S7], so the store has everything below it).
 */
import type { Broadcaster, Unsubscribe } from './broadcaster.ts';
import type { OpStore } from './op-store.ts';
import type { AppliedOp } from './types.ts';

export interface OpFeedOptions {
  readonly store: OpStore;
  readonly broadcaster: Broadcaster;
  readonly documentId: string;
  /** Deliver ops with version > fromVersion. */
  readonly fromVersion: number;
  /** Called once per op, versions fromVersion + 1, + 2, … with no gaps and no repeats [F1]. */
  readonly deliver: (op: AppliedOp) => void;
  /**
   * Called when the store fails or history after `fromVersion` is gone; the feed is closed
   * then, and the subscriber should reconnect (or reload when history is gone).
   */
  readonly onError?: (error: unknown) => void;
  /** Ops read from the store per query; default 500. */
  readonly pageSize?: number;
}

export interface OpFeed {
  /** The version of the last op delivered (fromVersion before the first). */
  readonly version: number;
  /** Stops delivery; after it resolves `deliver` is not called again [F4]. */
  close(): Promise<void>;
  /**
   * Reads the store for ops after the last delivered one [F5]: call it when the broadcaster may
   * have lost messages with no later op to reveal the gap (its connection dropped and came back).
   */
  refill(): void;
}

/** Thrown into `onError` when the store no longer has the ops a feed needs. */
export class HistoryGoneError extends Error {
  constructor(readonly documentId: string, readonly afterVersion: number) {
    super(`History of ${documentId} after version ${afterVersion} is no longer available; reload the document.`);
    this.name = 'HistoryGoneError';
  }
}

/** Opens a feed; it resolves once live ops are being captured and the catch-up has started. */
export async function openOpFeed(options: OpFeedOptions): Promise<OpFeed> {
  const { store, broadcaster, documentId, deliver } = options;
  const pageSize = options.pageSize ?? 500;
  let last = options.fromVersion;
  let closed = false;
  let running = true; // the initial catch-up counts as running, so live ops are only held [F2]
  let again = false;
  let refillRequested = false;
  const held = new Map<number, AppliedOp>();

  const deliverInOrder = (op: AppliedOp): void => {
    if (closed || op.version !== last + 1) return;
    last = op.version;
    deliver(op);
  };

  const drainHeld = (): void => {
    for (let op = held.get(last + 1); op && !closed; op = held.get(last + 1)) {
      held.delete(op.version);
      deliverInOrder(op);
    }
    for (const version of held.keys()) if (version <= last) held.delete(version);
  };

  const refill = async (): Promise<void> => {
    for (;;) {
      const ops = await store.opsAfter(documentId, last, pageSize);
      if (closed) return;
      for (const op of ops) {
        if (op.version > last + 1) throw new HistoryGoneError(documentId, last);
        deliverInOrder(op);
      }
      drainHeld();
      if (ops.length < pageSize) return;
    }
  };

  const run = async (refillFirst: boolean): Promise<void> => {
    try {
      let mustRefill = refillFirst;
      do {
        again = false;
        mustRefill ||= refillRequested;
        refillRequested = false;
        drainHeld();
        // A held op above last + 1 means the ops between were committed; fetch them [F3].
        if (mustRefill || held.size > 0) await refill();
        mustRefill = false;
      } while (again && !closed);
    } catch (error) {
      closed = true;
      held.clear();
      await unsubscribe().catch(() => undefined); // the error below is the one worth reporting
      options.onError?.(error);
    } finally {
      running = false;
    }
  };

  const unsubscribe: Unsubscribe = await broadcaster.subscribe(documentId, (op) => {
    if (closed || op.version <= last) return;
    held.set(op.version, op);
    if (running) again = true;
    else {
      running = true;
      void run(false);
    }
  });
  void run(true);

  return {
    get version() {
      return last;
    },
    refill() {
      if (closed) return;
      refillRequested = true;
      if (running) again = true;
      else {
        running = true;
        void run(false);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      held.clear();
      await unsubscribe();
    },
  };
}
