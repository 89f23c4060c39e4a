/**
 * A gapless, ordered op stream for one subscriber: the stored ops after `fromVersion` first,
 * then live ones from the broadcaster [F1–F5]. This is the logic behind the
 * `documentOperations(documentId, fromVersion)` subscription (op by op) and, in batch mode
 * (live ops from an OpBatcher, delivered 1..n at a time [FB5–FB8]), behind
 * `documentOperationBatches`.
 *
 * The race it closes: an op may be committed before we subscribe but published after, or be
 * published while we are still reading the store, or never arrive because the broadcaster lost
 * it. So we subscribe first (holding live ops), then read the store, and deliver strictly by
 * version: an op is delivered only when it is `last + 1`; anything older is a repeat, anything
 * newer waits, and a wait that the held ops cannot fill is refilled from the store (every
 * published op was committed first [S7], so the store has everything below it).
 */
import type { Broadcaster, Unsubscribe } from './broadcaster.ts';
import type { OpBatchSource } from './op-batcher.ts';
import type { OpStore } from './op-store.ts';
import type { AppliedOp } from './types.ts';

interface OpFeedCommonOptions {
  readonly store: OpStore;
  readonly documentId: string;
  /** Deliver ops with version > fromVersion. */
  readonly fromVersion: number;
  /**
   * Called when the store fails or history after `fromVersion` is gone; the feed is closed
   * then, and the subscriber should reconnect (or reload when history is gone).
   */
  readonly onError?: (error: unknown) => void;
  /** Ops read from the store per query; default 500. */
  readonly pageSize?: number;
  /**
   * How long a gap (a live op beyond the next expected version) may wait for the missing ops to
   * arrive live before they are read from the store [F3]; default {@link GAP_WAIT_MS}.
   */
  readonly gapWaitMs?: number;
}

/**
 * Ops of a document committed by two instances reach the broadcaster in the order the instances
 * publish them, which under load is often not commit order: a feed that read the store at every
 * such gap made one read per subscriber per gap (20 subscribers of a hot document on an
 * instance: 20 reads for one reordered pair), and the reads, queued behind each other, delayed
 * delivery by seconds. The missing op almost always arrives within milliseconds.
 */
export const GAP_WAIT_MS = 50;

/** One op per call: the `documentOperations` subscription. */
export interface OpFeedOptions extends OpFeedCommonOptions {
  readonly broadcaster: Broadcaster;
  /** Called once per op, versions fromVersion + 1, + 2, … with no gaps and no repeats [F1]. */
  readonly deliver: (op: AppliedOp) => void;
}

/** Batches of consecutive ops: the `documentOperationBatches` subscription [FB5–FB8]. */
export interface OpBatchFeedOptions extends OpFeedCommonOptions {
  /** Live ops in batches, shared by every feed of the document in this process (an OpBatcher). */
  readonly batches: OpBatchSource;
  /**
   * Called with 1..n ops per call; taken together the calls give versions fromVersion + 1, + 2, …
   * with no gaps and no repeats [F1, FB5]. A live batch that is exactly the next versions is
   * passed through as the very array the source gave (shared with other feeds) [FB6]: never
   * mutate it.
   */
  readonly deliverBatch: (ops: readonly AppliedOp[]) => void;
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

/**
 * Opens a feed; it resolves once live ops are being captured and the catch-up has started.
 * With `broadcaster` and `deliver` it delivers op by op; with `batches` and `deliverBatch`, in
 * batches of consecutive ops [FB5–FB8].
 */
export async function openOpFeed(options: OpFeedOptions | OpBatchFeedOptions): Promise<OpFeed> {
  const { store, documentId } = options;
  const pageSize = options.pageSize ?? 500;
  const gapWaitMs = options.gapWaitMs ?? GAP_WAIT_MS;
  let last = options.fromVersion;
  let closed = false;
  let running = true; // the initial catch-up counts as running, so live ops are only held [F2]
  let again = false;
  let refillRequested = false;
  const held = new Map<number, AppliedOp>();

  // Batch mode collects what one drain or one store page delivers and hands it out as one batch
  // [FB7]; per-op mode hands each op out at once.
  const batchMode = 'deliverBatch' in options;
  let outgoing: AppliedOp[] = [];
  const flushOutgoing = (): void => {
    if (outgoing.length === 0) return;
    const batch = outgoing;
    outgoing = [];
    if (!closed) (options as OpBatchFeedOptions).deliverBatch(batch);
  };

  const deliverInOrder = (op: AppliedOp): void => {
    if (closed || op.version !== last + 1) return;
    last = op.version;
    if (batchMode) outgoing.push(op);
    else (options as OpFeedOptions).deliver(op);
  };

  const drainHeld = (): void => {
    for (let op = held.get(last + 1); op && !closed; op = held.get(last + 1)) {
      held.delete(op.version);
      deliverInOrder(op);
    }
    for (const version of held.keys()) if (version <= last) held.delete(version);
    flushOutgoing();
  };

  const refill = async (): Promise<void> => {
    for (;;) {
      const ops = await store.opsAfter(documentId, last, pageSize);
      if (closed) return;
      for (const op of ops) {
        if (op.version > last + 1) {
          flushOutgoing(); // what came before the hole is still in order
          throw new HistoryGoneError(documentId, last);
        }
        deliverInOrder(op);
      }
      drainHeld(); // flushes this page (and the held ops it joined up with) as one batch
      if (ops.length < pageSize) return;
    }
  };

  // While a gap waits for its missing ops to arrive live [F3]: called when they have.
  let gapWaiter: (() => void) | null = null;
  const gapFilled = (): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        gapWaiter = null;
        resolve();
      }, gapWaitMs);
      gapWaiter = () => {
        clearTimeout(timer);
        gapWaiter = null;
        resolve();
      };
    });
  const heard = (): void => {
    if (gapWaiter && held.has(last + 1)) gapWaiter();
  };

  const run = async (refillFirst: boolean): Promise<void> => {
    try {
      let mustRefill = refillFirst;
      do {
        again = false;
        mustRefill ||= refillRequested;
        refillRequested = false;
        drainHeld();
        if (!mustRefill && held.size > 0 && gapWaitMs > 0) {
          // Another instance's op may be just behind the one that came first: a moment for it to arrive live [F3].
          await gapFilled();
          if (closed) return;
          drainHeld();
        }
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

  const hold = (op: AppliedOp): void => {
    if (op.version > last) held.set(op.version, op);
  };

  const wake = (): void => {
    if (running) again = true;
    else {
      running = true;
      void run(false);
    }
  };

  const unsubscribe: Unsubscribe =
    'deliverBatch' in options
      ? await options.batches.subscribe(documentId, (batch) => {
          if (closed || batch.length === 0) return;
          // Fast path: nothing in progress or held, and the batch is exactly last+1..last+k:
          // hand on the shared array itself [FB6].
          if (!running && held.size === 0 && isNext(batch, last)) {
            last = batch[batch.length - 1]!.version;
            options.deliverBatch(batch);
            return;
          }
          const before = held.size;
          for (const op of batch) hold(op);
          if (held.size > before) {
            heard();
            wake();
          }
        })
      : await options.broadcaster.subscribe(documentId, (op) => {
          if (closed || op.version <= last) return;
          held.set(op.version, op);
          heard();
          wake();
        });
  void run(true);

  return {
    get version() {
      return last;
    },
    refill() {
      if (closed) return;
      refillRequested = true;
      wake();
    },
    async close() {
      if (closed) return;
      closed = true;
      held.clear();
      outgoing = [];
      gapWaiter?.();
      await unsubscribe();
    },
  };
}

/** Whether `batch` holds exactly versions last + 1, last + 2, … */
function isNext(batch: readonly AppliedOp[], last: number): boolean {
  for (let i = 0; i < batch.length; i++) if (batch[i]!.version !== last + 1 + i) return false;
  return true;
}
