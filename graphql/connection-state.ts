/**
 * What one graphql-ws connection owns beyond its subscriptions: the presence entries it
 * announced (refreshed while the connection lives, so an idle reader does not vanish from others'
 * screens, and removed with a `left` event when it closes), the grants it was found to have
 * (graphql/grant-cache.ts) and its per-connection rate limit buckets.
 */
import type { WebSocket } from 'ws';
import { createInProcessRateLimiter } from '../lib/rate-limit/in-process-rate-limiter.ts';
import { instrumentRateLimiter } from '../lib/metrics/metrics.ts';
import type { DocumentRow } from '../lib/documents/types.ts';
import type { ConnectionState, Services } from './context.ts';
import { createGrantCache } from './grant-cache.ts';

export interface OwnedConnectionState extends ConnectionState {
  /** Removes this connection's presence entries (announcing `left`) and stops refreshing them. */
  dispose(): Promise<void>;
}

export function createConnectionState(services: Services, connectionId: string, socket: WebSocket): OwnedConnectionState {
  const refreshEveryMs = Math.max(100, Math.floor(services.config.presenceTtlMs / 3));
  const presence: ConnectionState['presence'] = new Map();
  const timer = setInterval(() => {
    for (const entry of presence.values()) {
      void services.presence.update(entry.documentId, entry).catch(() => {});
    }
  }, refreshEveryMs);
  timer.unref();
  const grants = createGrantCache<DocumentRow>({
    accessEvents: services.accessEvents,
    onResubscribed: (callback) => services.pubsub.onResubscribed(callback),
    available: () => services.pubsub.available(),
    // As long as live streams go without a recheck (ACCESS_RECHECK_MS): the same bound on how long
    // a lost access message can matter, and fewer grant reads for people who type slowly.
    ttlMs: services.config.accessRecheckMs,
  });
  return {
    grants,
    localLimits: instrumentRateLimiter(createInProcessRateLimiter(), services.metrics),
    connectionId,
    presence,
    bufferedAmount: () => socket.bufferedAmount,
    close: (code, reason) => socket.close(code, reason),
    async dispose() {
      clearInterval(timer);
      grants.dispose();
      const entries = [...presence.values()];
      presence.clear();
      await Promise.allSettled(entries.map((e) => services.presence.leave(e.documentId, e.userId, e.clientId)));
    },
  };
}
