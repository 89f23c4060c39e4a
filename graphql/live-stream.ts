/**
 * Turns a push source (op feed, presence events) into the async iterator a GraphQL subscription
 * returns, with the protections every live stream needs:
 * - backpressure: a WebSocket whose unsent bytes pass `maxBufferedBytes`, or a consumer that
 *   lets `maxQueued` events pile up, is closed with 4008 — the client reconnects and resumes from
 *   its last version, so nothing is lost and server memory stays bounded;
 * - access: when `recheck` says the viewer lost access, the stream sends one error event
 *   (FORBIDDEN/NOT_FOUND) and ends.
 */
import type { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.ts';

/** Close code for a consumer too slow to keep up: reconnect and resume from the last version. */
export const CLOSE_SLOW_CONSUMER = 4008;
export const DEFAULT_MAX_QUEUED = 10_000;

/** An event of a live stream, or the error that ends it. */
export type StreamItem<T> = { readonly value: T } | { readonly error: GraphQLError };

export interface LiveStreamSource<T> {
  /** Starts pushing; returns how to stop. `fail` ends the stream with an error event. */
  start(push: (value: T) => void, fail: (error: GraphQLError) => void): Promise<() => Promise<void> | void>;
}

export interface LiveStreamOptions {
  readonly maxBufferedBytes?: number;
  readonly maxQueued?: number;
}

export function liveStream<T>(ctx: GraphQLContext, source: LiveStreamSource<T>, options: LiveStreamOptions = {}): AsyncIterableIterator<StreamItem<T>> {
  const maxBuffered = options.maxBufferedBytes ?? ctx.services.config.wsMaxBufferedBytes;
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  const queue: Array<StreamItem<T>> = [];
  let waiting: ((result: IteratorResult<StreamItem<T>>) => void) | null = null;
  let finished = false;
  let stop: (() => Promise<void> | void) | null = null;
  let stopRequested = false;

  const end = async () => {
    if (finished) return;
    finished = true;
    queue.length = 0;
    waiting?.({ value: undefined, done: true });
    waiting = null;
    stopRequested = true;
    await stop?.();
  };

  const enqueue = (item: StreamItem<T>) => {
    if (finished) return;
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ value: item, done: false });
      return;
    }
    queue.push(item);
  };

  const push = (value: T) => {
    if (finished) return;
    const connection = ctx.connection;
    if (queue.length >= maxQueued || (connection && connection.bufferedAmount() > maxBuffered)) {
      ctx.logger.warn({ queued: queue.length }, 'closing a slow consumer');
      connection?.close(CLOSE_SLOW_CONSUMER, 'Too slow to keep up: reconnect and resume from your last version');
      void end();
      return;
    }
    enqueue({ value });
  };

  let errorSent = false;
  const fail = (error: GraphQLError) => {
    if (finished || errorSent) return;
    errorSent = true;
    enqueue({ error });
  };

  const started = source.start(push, fail).then((s) => {
    stop = s;
    if (stopRequested) return s();
  });

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<StreamItem<T>>> {
      await started;
      const item = queue.shift();
      if (item) {
        // The error event is the stream's last: end it once the error has been handed out.
        if ('error' in item) void end();
        return { value: item, done: false };
      }
      if (finished) return { value: undefined, done: true };
      return new Promise((resolve) => {
        waiting = (result) => {
          if (!result.done && 'error' in result.value) void end();
          resolve(result);
        };
      });
    },
    async return(): Promise<IteratorResult<StreamItem<T>>> {
      await end();
      return { value: undefined, done: true };
    },
    async throw(error: unknown): Promise<IteratorResult<StreamItem<T>>> {
      await end();
      throw error;
    },
  };
}

/** Unwraps a stream item in a subscription's `resolve`: an error item becomes the field error. */
export function unwrapItem<T>(item: StreamItem<T>): T {
  if ('error' in item) throw item.error;
  return item.value;
}
