/**
 * Presence: who has a document open and where their selection is. Ephemeral by design: entries
 * live in one Redis hash per document with an expiry time each, events travel on
 * `<prefix>doc:<documentId>:presence`, and nothing of it touches PostgreSQL.
 *
 * An entry disappears, with a `left` event, when its connection closes (the instance calls
 * `leave`), or when nobody refreshes it within the TTL (its instance died): every instance that
 * has presence subscribers on a document sweeps expired entries of that document, and the one
 * whose atomic sweep removed an entry announces it, so `left` is sent once.
 */
import type { Redis } from 'ioredis';
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import { createPubSubEngine, type RedisPubSubConnections } from './redis-connections.ts';

/** A selection at a version: receivers transform it through the ops after `version`. */
export interface PresenceSelection {
  readonly index: number;
  readonly length: number;
  readonly version: number;
}

export interface PresenceEntry {
  readonly userId: string;
  readonly clientId: string;
  readonly selection: PresenceSelection | null;
}

export interface PresenceEvent extends PresenceEntry {
  readonly documentId: string;
  readonly left: boolean;
}

/**
 * An entry is identified by (user, clientId) and belongs to that user: while it is live, nobody
 * else can refresh, move or remove it, and no one else may announce the same clientId on that
 * document (so receivers, which key carets by clientId, never mix two people up).
 */
export interface Presence {
  /**
   * Announces or refreshes a client's presence and publishes it. Answers `taken` (and changes
   * nothing) when another user holds a live entry with that clientId on the document.
   */
  update(documentId: string, entry: PresenceEntry): Promise<'updated' | 'taken'>;
  /** Removes `userId`'s entry for `clientId`; publishes `left` when there was one. Another user's entry is left alone. */
  leave(documentId: string, userId: string, clientId: string): Promise<void>;
  /** The live entries of a document. */
  list(documentId: string): Promise<PresenceEntry[]>;
  /**
   * Delivers the document's presence events; while any listener of this process is subscribed,
   * expired entries are swept (and announced as `left`) every `sweepEveryMs`.
   */
  subscribe(documentId: string, listener: (event: PresenceEvent) => void): Promise<() => Promise<void>>;
  /** Removes expired entries now and announces each as `left`; returns how many. */
  sweep(documentId: string): Promise<number>;
  close(): void;
}

export interface PresenceOptions {
  /** Command connection (hash reads and writes). */
  readonly redis: Redis;
  readonly connections: RedisPubSubConnections;
  readonly prefix: string;
  /** How long an entry lives without a refresh; default 30 s. */
  readonly ttlMs?: number;
  /** How often subscribed instances sweep; default ttl / 3. */
  readonly sweepEveryMs?: number;
  readonly now?: () => number;
}

interface StoredEntry {
  readonly u: string;
  readonly s: PresenceSelection | null;
  /** Expiry, ms since the epoch. */
  readonly e: number;
}

// Removes fields whose expiry has passed and returns them, atomically, so that of several
// instances sweeping at once exactly one announces each `left`.
const SWEEP = `
local removed = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local ok, entry = pcall(cjson.decode, all[i + 1])
  if (not ok) or entry.e < tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[1], all[i])
    table.insert(removed, all[i])
    table.insert(removed, all[i + 1])
  end
end
return removed`;

// KEYS[1] = hash; ARGV = clientId, userId, entry JSON, now, hash ttl. 0 when another user holds a
// live entry with this clientId (it is theirs), 1 when written.
const UPDATE = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local ok, entry = pcall(cjson.decode, raw)
  if ok and entry.u ~= ARGV[2] and entry.e >= tonumber(ARGV[4]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

// KEYS[1] = hash; ARGV = clientId, userId. Removes the entry only when it is userId's; returns it.
const LEAVE = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local ok, entry = pcall(cjson.decode, raw)
if ok and entry.u ~= ARGV[2] then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
return raw`;

export function createRedisPresence(options: PresenceOptions): Presence {
  const { redis, prefix } = options;
  const ttlMs = options.ttlMs ?? 30_000;
  const sweepEveryMs = options.sweepEveryMs ?? Math.max(100, Math.floor(ttlMs / 3));
  const now = options.now ?? Date.now;
  const pubsub = createPubSubEngine(options.connections);
  const hashKey = (documentId: string) => `${prefix}presence:${documentId}`;
  const channel = (documentId: string) => `${prefix}doc:${documentId}:presence`;
  const publish = (event: PresenceEvent) => pubsub.publish(channel(event.documentId), event);
  const events = presenceEvents(pubsub, channel, (documentId) => presence.sweep(documentId), sweepEveryMs);

  const presence: Presence = {
    async update(documentId, entry) {
      const at = now();
      const stored: StoredEntry = { u: entry.userId, s: entry.selection, e: at + ttlMs };
      // The hash itself outlives its newest entry a little, so an abandoned document's presence
      // disappears from Redis even if no instance ever sweeps it.
      const written = await redis.eval(UPDATE, 1, hashKey(documentId), entry.clientId, entry.userId, JSON.stringify(stored), String(at), String(ttlMs * 2));
      if (written !== 1) return 'taken';
      await publish({ documentId, ...entry, left: false });
      return 'updated';
    },

    async leave(documentId, userId, clientId) {
      const raw = (await redis.eval(LEAVE, 1, hashKey(documentId), clientId, userId)) as string | null;
      if (raw === null) return;
      await publish({ documentId, userId, clientId, selection: null, left: true });
    },

    async list(documentId) {
      const all = await redis.hgetall(hashKey(documentId));
      const at = now();
      const entries: PresenceEntry[] = [];
      for (const [clientId, raw] of Object.entries(all)) {
        const stored = JSON.parse(raw) as StoredEntry;
        if (stored.e >= at) entries.push({ userId: stored.u, clientId, selection: stored.s });
      }
      return entries;
    },

    subscribe: (documentId, listener) => events.subscribe(documentId, listener),

    async sweep(documentId) {
      const removed = (await redis.eval(SWEEP, 1, hashKey(documentId), String(now()))) as string[];
      for (let i = 0; i + 1 < removed.length; i += 2) {
        const clientId = removed[i] as string;
        let userId = '';
        try {
          userId = (JSON.parse(removed[i + 1] as string) as StoredEntry).u;
        } catch {
          continue; // a malformed entry is dropped silently: there is nobody to announce
        }
        await publish({ documentId, userId, clientId, selection: null, left: true });
      }
      return removed.length / 2;
    },

    close: () => events.close(),
  };
  return presence;
}

/**
 * The listening side shared by every Presence implementation: events on the document's channel,
 * and while a document has listeners in this process, a periodic sweep of its expired entries.
 */
export function presenceEvents(
  pubsub: RedisPubSub,
  channel: (documentId: string) => string,
  sweep: (documentId: string) => Promise<number>,
  sweepEveryMs: number,
): { subscribe: Presence['subscribe']; close(): void } {
  const sweepers = new Map<string, { count: number; timer: NodeJS.Timeout }>();
  return {
    async subscribe(documentId, listener) {
      const id = await pubsub.subscribe(channel(documentId), (event: PresenceEvent) => {
        try {
          listener(event);
        } catch {
          // one listener's failure is its own
        }
      });
      const sweeper = sweepers.get(documentId);
      if (sweeper) sweeper.count += 1;
      else {
        const timer = setInterval(() => void sweep(documentId).catch(() => {}), sweepEveryMs);
        timer.unref();
        sweepers.set(documentId, { count: 1, timer });
      }
      let done = false;
      return async () => {
        if (done) return;
        done = true;
        pubsub.unsubscribe(id);
        const current = sweepers.get(documentId);
        if (current && --current.count === 0) {
          clearInterval(current.timer);
          sweepers.delete(documentId);
        }
      };
    },
    close() {
      for (const { timer } of sweepers.values()) clearInterval(timer);
      sweepers.clear();
    },
  };
}
