/**
 * "Who may see this document changed": published after a collaborator is removed or demoted, or
 * the document goes to the trash, so live subscriptions on every instance re-check access at
 * once instead of polling. Carries no data; listeners re-read the database.
 */
import { createPubSubEngine, type PubSubConnections } from './connections.ts';

export interface AccessEvents {
  /**
   * Tells every instance that access to `documentId` changed. Best effort, never fails: the
   * change is already committed, and a message lost to a Redis outage is made up for by the
   * periodic recheck of live streams (graphql/access-recheck.ts) and the grant cache's TTL.
   */
  publish(documentId: string): Promise<void>;
  /** Calls `listener` whenever access to `documentId` changed. */
  subscribe(documentId: string, listener: () => void): Promise<() => void>;
}

export function createAccessEvents(connections: PubSubConnections, prefix: string): AccessEvents {
  const pubsub = createPubSubEngine(connections);
  const channel = (documentId: string) => `${prefix}doc:${documentId}:access`;
  return {
    publish: (documentId) => pubsub.publish(channel(documentId), 1).catch(() => {}),
    async subscribe(documentId, listener) {
      const id = await pubsub.subscribe(channel(documentId), () => listener());
      let done = false;
      return () => {
        if (!done) pubsub.unsubscribe(id);
        done = true;
      };
    },
  };
}
