/**
 * In-memory `Broadcaster` for one process. Delivery is synchronous inside `publish`, to a copy
 * of the subscriber list, so a listener that subscribes or unsubscribes while being called does
 * not disturb the current delivery; that keeps the simulation deterministic.
 */
import type { Broadcaster, OpListener, Unsubscribe } from '../broadcaster.ts';
import type { AppliedOp } from '../types.ts';

export interface MemoryBroadcasterOptions {
  /** Called when a listener throws or rejects; defaults to ignoring it [B5]. */
  readonly onListenerError?: (error: unknown, documentId: string, op: AppliedOp) => void;
}

/** Creates an in-memory broadcaster with no subscribers. */
export function createMemoryBroadcaster(options: MemoryBroadcasterOptions = {}): Broadcaster {
  const listeners = new Map<string, Set<{ readonly listener: OpListener }>>();
  const report = options.onListenerError ?? (() => undefined);

  return {
    async publish(documentId: string, op: AppliedOp): Promise<void> {
      const subscribers = listeners.get(documentId);
      if (!subscribers) return;
      for (const entry of [...subscribers]) {
        // An entry removed by an earlier listener in this loop must not be called [B4].
        if (!subscribers.has(entry)) continue;
        try {
          const result = entry.listener(op);
          if (result instanceof Promise) result.catch((error: unknown) => report(error, documentId, op));
        } catch (error) {
          report(error, documentId, op);
        }
      }
    },

    async subscribe(documentId: string, listener: OpListener): Promise<Unsubscribe> {
      const entry = { listener };
      let subscribers = listeners.get(documentId);
      if (!subscribers) {
        subscribers = new Set();
        listeners.set(documentId, subscribers);
      }
      subscribers.add(entry);
      return async () => {
        const current = listeners.get(documentId);
        if (!current) return;
        current.delete(entry);
        if (current.size === 0) listeners.delete(documentId);
      };
    },
  };
}
