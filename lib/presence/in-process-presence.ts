/**
 * Presence kept in this process, for a single instance without Redis: the contract of
 * ./presence.ts as ./redis-presence.ts keeps it (entries with an expiry each, `left` announced once
 * on leave or expiry, expired entries swept while someone listens), with the entries in a Map and
 * the events on the same channels of the in-process pub/sub, so listeners see what they see with Redis.
 */
import { createPubSubEngine, type PubSubConnections } from '../pubsub/connections.ts';
import { parsePresenceField, presenceEvents, presenceField, type Presence, type PresenceEntry, type PresenceEvent, type PresenceSelection } from './presence.ts';

export interface InProcessPresenceOptions {
  readonly connections: PubSubConnections;
  readonly prefix: string;
  /** How long an entry lives without a refresh; default 30 s. */
  readonly ttlMs?: number;
  /** How often the sweep runs while a document has listeners; default ttl / 3. */
  readonly sweepEveryMs?: number;
  readonly now?: () => number;
}

interface Stored {
  readonly selection: PresenceSelection | null;
  readonly expiresAt: number;
}

/** An in-process {@link Presence}; entries keyed by `userId:clientId` as in Redis. */
export function createInProcessPresence(options: InProcessPresenceOptions): Presence {
  const ttlMs = options.ttlMs ?? 30_000;
  const sweepEveryMs = options.sweepEveryMs ?? Math.max(100, Math.floor(ttlMs / 3));
  const now = options.now ?? Date.now;
  const pubsub = createPubSubEngine(options.connections);
  const channel = (documentId: string) => `${options.prefix}doc:${documentId}:presence`;
  const documents = new Map<string, Map<string, Stored>>();
  const publish = (event: PresenceEvent) => pubsub.publish(channel(event.documentId), event);
  const events = presenceEvents(pubsub, channel, (documentId) => presence.sweep(documentId), sweepEveryMs);
  const left = (documentId: string, field: string) => publish({ documentId, ...parsePresenceField(field), selection: null, left: true });

  /** Removes the entries `remove` picks from a document's map (the Map is the one writer: no race). */
  const take = (documentId: string, remove: (field: string, stored: Stored) => boolean): string[] => {
    const entries = documents.get(documentId);
    if (!entries) return [];
    const taken = [...entries].filter(([field, stored]) => remove(field, stored)).map(([field]) => field);
    for (const field of taken) entries.delete(field);
    if (entries.size === 0) documents.delete(documentId);
    return taken;
  };

  const presence: Presence = {
    async update(documentId, entry, updateOptions = {}) {
      let entries = documents.get(documentId);
      if (!entries) documents.set(documentId, (entries = new Map()));
      const at = now();
      const field = presenceField(entry.userId, entry.clientId);
      const mine = presenceField(entry.userId, '');
      const max = updateOptions.maxPerUser ?? 0;
      if (max > 0 && !entries.has(field) && [...entries].filter(([f, stored]) => f.startsWith(mine) && stored.expiresAt >= at).length >= max) {
        return 'full';
      }
      entries.set(field, { selection: entry.selection, expiresAt: at + ttlMs });
      await publish({ documentId, ...entry, left: false });
      return 'updated';
    },

    async leave(documentId, userId, clientId) {
      const field = presenceField(userId, clientId);
      if (take(documentId, (f) => f === field).length > 0) await left(documentId, field);
    },

    async withdraw(documentId, userId, what) {
      const mine = presenceField(userId, '');
      if (what === 'presence') {
        const removed = take(documentId, (field) => field.startsWith(mine));
        for (const field of removed) await left(documentId, field);
        return removed.length;
      }
      const entries = documents.get(documentId) ?? new Map<string, Stored>();
      const changed = [...entries].filter(([field, stored]) => field.startsWith(mine) && stored.selection !== null);
      for (const [field, stored] of changed) entries.set(field, { ...stored, selection: null });
      for (const [field] of changed) await publish({ documentId, ...parsePresenceField(field), selection: null, left: false });
      return changed.length;
    },

    async list(documentId) {
      const at = now();
      const live: PresenceEntry[] = [];
      for (const [field, stored] of documents.get(documentId) ?? []) {
        if (stored.expiresAt >= at) live.push({ ...parsePresenceField(field), selection: stored.selection });
      }
      return live;
    },

    subscribe: (documentId, listener) => events.subscribe(documentId, listener),

    async sweep(documentId) {
      const at = now();
      const expired = take(documentId, (_field, stored) => stored.expiresAt < at);
      for (const field of expired) await left(documentId, field);
      return expired.length;
    },

    close: () => events.close(),
  };
  return presence;
}
