/**
 * Presence kept in this process, for a single instance without Redis: the same contract as
 * lib/pubsub/presence.ts (entries with an expiry each, `left` announced once on leave or expiry,
 * expired entries swept while someone listens), with the entries in a Map and the events on the
 * same channels of the in-process pub/sub, so listeners see exactly what they see with Redis.
 */
import { presenceEvents, type Presence, type PresenceEntry, type PresenceEvent, type PresenceSelection } from '../pubsub/presence.ts';
import { createPubSubEngine, type RedisPubSubConnections } from '../pubsub/redis-connections.ts';

export interface LocalPresenceOptions {
  readonly connections: RedisPubSubConnections;
  readonly prefix: string;
  /** How long an entry lives without a refresh; default 30 s. */
  readonly ttlMs?: number;
  /** How often the sweep runs while a document has listeners; default ttl / 3. */
  readonly sweepEveryMs?: number;
  readonly now?: () => number;
}

interface Stored {
  readonly userId: string;
  readonly selection: PresenceSelection | null;
  readonly expiresAt: number;
}

/** An in-process {@link Presence}. */
export function createLocalPresence(options: LocalPresenceOptions): Presence {
  const ttlMs = options.ttlMs ?? 30_000;
  const sweepEveryMs = options.sweepEveryMs ?? Math.max(100, Math.floor(ttlMs / 3));
  const now = options.now ?? Date.now;
  const pubsub = createPubSubEngine(options.connections);
  const channel = (documentId: string) => `${options.prefix}doc:${documentId}:presence`;
  const documents = new Map<string, Map<string, Stored>>();
  const publish = (event: PresenceEvent) => pubsub.publish(channel(event.documentId), event);
  const events = presenceEvents(pubsub, channel, (documentId) => presence.sweep(documentId), sweepEveryMs);

  /** Removes and returns the expired entries of a document (the Map is the one writer: no race). */
  const takeExpired = (documentId: string): Array<[string, Stored]> => {
    const entries = documents.get(documentId);
    if (!entries) return [];
    const at = now();
    const expired = [...entries].filter(([, stored]) => stored.expiresAt < at);
    for (const [clientId] of expired) entries.delete(clientId);
    if (entries.size === 0) documents.delete(documentId);
    return expired;
  };

  const presence: Presence = {
    async update(documentId, entry) {
      let entries = documents.get(documentId);
      if (!entries) documents.set(documentId, (entries = new Map()));
      const at = now();
      const held = entries.get(entry.clientId);
      if (held && held.userId !== entry.userId && held.expiresAt >= at) return 'taken';
      entries.set(entry.clientId, { userId: entry.userId, selection: entry.selection, expiresAt: at + ttlMs });
      await publish({ documentId, ...entry, left: false });
      return 'updated';
    },

    async leave(documentId, userId, clientId) {
      const entries = documents.get(documentId);
      const stored = entries?.get(clientId);
      if (!entries || !stored || stored.userId !== userId) return;
      entries.delete(clientId);
      if (entries.size === 0) documents.delete(documentId);
      await publish({ documentId, userId: stored.userId, clientId, selection: null, left: true });
    },

    async list(documentId) {
      const at = now();
      const live: PresenceEntry[] = [];
      for (const [clientId, stored] of documents.get(documentId) ?? []) {
        if (stored.expiresAt >= at) live.push({ userId: stored.userId, clientId, selection: stored.selection });
      }
      return live;
    },

    subscribe: (documentId, listener) => events.subscribe(documentId, listener),

    async sweep(documentId) {
      const expired = takeExpired(documentId);
      for (const [clientId, stored] of expired) {
        await publish({ documentId, userId: stored.userId, clientId, selection: null, left: true });
      }
      return expired.length;
    },

    close: () => events.close(),
  };
  return presence;
}
