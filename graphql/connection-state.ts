/**
 * What one graphql-ws connection owns beyond its subscriptions: the presence entries it
 * announced. They are refreshed while the connection lives (so an idle reader does not vanish
 * from others' screens) and removed, with a `left` event, when it closes.
 */
import type { WebSocket } from 'ws';
import type { ConnectionState, Services } from './context.ts';

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
  return {
    connectionId,
    presence,
    bufferedAmount: () => socket.bufferedAmount,
    close: (code, reason) => socket.close(code, reason),
    async dispose() {
      clearInterval(timer);
      const entries = [...presence.values()];
      presence.clear();
      await Promise.allSettled(entries.map((e) => services.presence.leave(e.documentId, e.clientId)));
    },
  };
}
