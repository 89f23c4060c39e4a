/**
 * Per-process coalescing of one document's live ops into batches (rules FB1–FB4 and FB9 in ./SPEC.md),
 * in front of the Broadcaster port. This is what makes fan-out to many editors of one document
 * cheap: instead of every subscriber holding its own broadcaster subscription and getting one
 * event per op, a process holds ONE broadcaster subscription per document, collects what arrives,
 * and hands every listener the same frozen array per flush. graphql/shared-execution.ts keys its
 * shared execution on that array, so a flush is executed once per selection set per instance
 * and sent as one graphql-ws message per subscriber, whatever the number of ops in it.
 *
 * Spacing (Nagle-like): the first op after a quiet period is flushed on the next macrotask
 * (`setImmediate`), so ops that arrive together — one Redis read, one committed group — share a
 * batch and a lone keystroke is not delayed; while ops keep coming, flushes of one document are
 * spaced at least `windowMs` apart, and what arrives in between waits for the next flush.
 * A flush costs the process one message (one socket write) per listener, so with many listeners
 * the spacing grows until the document's flushes cost at most `messagesPerSecond` messages a
 * second [FB9]: under load each subscriber gets fewer, larger batches.
 *
 * The batcher does not order, de-duplicate or fill gaps: a batch holds ops in arrival order.
 * The op feed (`openOpFeed` with `batches`) does that per subscriber, and passes a batch through
 * untouched in the common case where it is exactly the next versions.
 */
import type { Broadcaster, Unsubscribe } from './broadcaster.ts';
import type { AppliedOp } from './types.ts';

/** Receives one flush: 1..n ops of one document, in arrival order. Shared by every listener: never mutate it. */
export type BatchListener = (batch: readonly AppliedOp[]) => void;

/** A source of op batches per document: what the op feed's batch mode subscribes to. */
export interface OpBatchSource {
  /**
   * Starts delivering batches of `documentId` to `listener`. Once the returned promise resolves,
   * every op the broadcaster delivers to this process afterwards reaches the listener in a batch
   * [FB1]; a batch may also hold ops that arrived shortly before (the op feed skips repeats).
   */
  subscribe(documentId: string, listener: BatchListener): Promise<Unsubscribe>;
}

/** The timers the batcher uses; injected so tests can drive time. */
export interface BatcherTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setImmediate(callback: () => void): unknown;
  clearImmediate(handle: unknown): void;
}

export interface OpBatcherOptions {
  readonly broadcaster: Broadcaster;
  /** Minimum time between two flushes of one document, in ms; 0 flushes on every tick [FB3]. */
  readonly windowMs: number;
  /**
   * Messages a second one document's flushes may cost this process (one per listener per flush):
   * past `messagesPerSecond × windowMs / 1000` listeners the spacing grows to listeners ÷
   * messagesPerSecond seconds, up to `maxWindowMs` [FB9]. Default Infinity: always `windowMs`.
   */
  readonly messagesPerSecond?: number;
  /** The most FB9 may stretch the spacing to, in ms (default 50; never below `windowMs`). */
  readonly maxWindowMs?: number;
  readonly timers?: BatcherTimers;
  /** Called once per flush before the listeners (e.g. to record fan-out lag); failures are ignored. */
  readonly onFlush?: (documentId: string, batch: readonly AppliedOp[]) => void;
}

export interface OpBatcher extends OpBatchSource {
  /** Documents with an open broadcaster subscription in this process (for tests and metrics). */
  readonly documents: number;
}

const realTimers: BatcherTimers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  setImmediate: (callback) => setImmediate(callback),
  clearImmediate: (handle) => clearImmediate(handle as ReturnType<typeof setImmediate>),
};

/** One document's shared state: its broadcaster subscription, listeners and pending ops. */
interface Channel {
  readonly listeners: Set<{ readonly listener: BatchListener }>;
  /** Resolves once the broadcaster subscription is active. */
  readonly ready: Promise<Unsubscribe>;
  pending: AppliedOp[];
  /** When the last flush happened (timers.now()); -Infinity before the first. */
  lastFlushAt: number;
  /** The scheduled flush, if any, and how it was scheduled. */
  scheduled: { readonly kind: 'immediate' | 'timeout'; readonly handle: unknown } | null;
}

/** Creates a batcher over `broadcaster`; one broadcaster subscription per document with listeners [FB2]. */
export function createOpBatcher(options: OpBatcherOptions): OpBatcher {
  const { broadcaster, onFlush } = options;
  const timers = options.timers ?? realTimers;
  const windowMs = Math.max(0, options.windowMs);
  if (!Number.isFinite(windowMs)) throw new Error(`windowMs must be a finite number, got ${options.windowMs}`);
  const messagesPerSecond = options.messagesPerSecond ?? Number.POSITIVE_INFINITY;
  if (!(messagesPerSecond > 0)) throw new Error(`messagesPerSecond must be > 0, got ${options.messagesPerSecond}`);
  const maxWindowMs = Math.max(windowMs, options.maxWindowMs ?? 50);
  /** The spacing of a document's flushes with `listeners` listeners [FB3, FB9]. */
  const spacing = (listeners: number): number => Math.min(maxWindowMs, Math.max(windowMs, (listeners * 1000) / messagesPerSecond));
  const channels = new Map<string, Channel>();

  const flush = (documentId: string, channel: Channel): void => {
    channel.scheduled = null;
    if (channel.pending.length === 0) return;
    const batch = Object.freeze(channel.pending);
    channel.pending = [];
    channel.lastFlushAt = timers.now();
    try {
      onFlush?.(documentId, batch);
    } catch {
      // Instrumentation must not stop delivery.
    }
    for (const entry of [...channel.listeners]) {
      // A listener removed by an earlier one in this loop is not called.
      if (!channel.listeners.has(entry)) continue;
      try {
        entry.listener(batch);
      } catch {
        // A listener's failure is its own; the others still get the batch.
      }
    }
  };

  const schedule = (documentId: string, channel: Channel): void => {
    if (channel.scheduled) return;
    const wait = channel.lastFlushAt + spacing(channel.listeners.size) - timers.now();
    // Quiet for a window (or window 0): flush on the next macrotask, so everything arriving in
    // this one (one socket read, one committed group) shares the batch [FB3].
    if (wait <= 0) channel.scheduled = { kind: 'immediate', handle: timers.setImmediate(() => flush(documentId, channel)) };
    else channel.scheduled = { kind: 'timeout', handle: timers.setTimeout(() => flush(documentId, channel), wait) };
  };

  const cancel = (channel: Channel): void => {
    const s = channel.scheduled;
    if (!s) return;
    if (s.kind === 'immediate') timers.clearImmediate(s.handle);
    else timers.clearTimeout(s.handle);
    channel.scheduled = null;
  };

  const open = (documentId: string): Channel => {
    let channel: Channel;
    const ready = broadcaster.subscribe(documentId, (op) => {
      if (channels.get(documentId) !== channel || channel.listeners.size === 0) return;
      channel.pending.push(op);
      schedule(documentId, channel);
    });
    channel = { listeners: new Set(), ready, pending: [], lastFlushAt: Number.NEGATIVE_INFINITY, scheduled: null };
    channels.set(documentId, channel);
    // A failed subscribe must not leave a dead channel behind for later subscribers.
    ready.catch(() => {
      if (channels.get(documentId) === channel) channels.delete(documentId);
    });
    return channel;
  };

  return {
    get documents() {
      return channels.size;
    },
    async subscribe(documentId: string, listener: BatchListener): Promise<Unsubscribe> {
      const channel = channels.get(documentId) ?? open(documentId);
      const entry = { listener };
      channel.listeners.add(entry);
      try {
        await channel.ready;
      } catch (error) {
        channel.listeners.delete(entry);
        throw error;
      }
      let done = false;
      return async () => {
        if (done) return;
        done = true;
        channel.listeners.delete(entry);
        if (channel.listeners.size > 0 || channels.get(documentId) !== channel) return;
        // The last listener left: drop the channel now (a new subscriber opens a fresh one) and
        // end its broadcaster subscription [FB2].
        channels.delete(documentId);
        cancel(channel);
        channel.pending = [];
        const unsubscribe = await channel.ready;
        await unsubscribe();
      };
    },
  };
}
