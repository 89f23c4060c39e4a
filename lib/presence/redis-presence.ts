/**
 * Presence in Redis (the {@link Presence} port is ./presence.ts): entries live in one Redis hash
 * per document with an expiry time each, events travel on `<prefix>doc:<documentId>:presence`,
 * and nothing of it touches PostgreSQL.
 *
 * Entries are fields `userId:clientId` of the hash: one person's entries can only be written by
 * calls made as that person (issue 21 item 1).
 *
 * Every instance that has presence subscribers on a document sweeps expired entries of that
 * document, and the one whose atomic sweep removed an entry announces it, so `left` is sent once.
 */
import type { Redis } from 'ioredis';
import { createPubSubEngine, type PubSubConnections } from '../pubsub/connections.ts';
import { parsePresenceField, presenceEvents, presenceField, type Presence, type PresenceEntry, type PresenceEvent, type PresenceSelection } from './presence.ts';

export interface PresenceOptions {
  /** Command connection (hash reads and writes). */
  readonly redis: Redis;
  readonly connections: PubSubConnections;
  readonly prefix: string;
  /** How long an entry lives without a refresh; default 30 s. */
  readonly ttlMs?: number;
  /** How often subscribed instances sweep; default ttl / 3. */
  readonly sweepEveryMs?: number;
  readonly now?: () => number;
}

interface StoredEntry {
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
  end
end
return removed`;

// KEYS[1] = hash; ARGV = field, entry JSON, now, hash ttl, user prefix, max live entries of the
// user (0: no cap). 1 when written, 0 when the field is new and the user already holds the max.
const UPDATE = `
local max = tonumber(ARGV[6])
if max > 0 and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  local held = 0
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, #ARGV[5]) == ARGV[5] then
      local ok, entry = pcall(cjson.decode, all[i + 1])
      if ok and entry.e >= tonumber(ARGV[3]) then held = held + 1 end
    end
  end
  if held >= max then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

// KEYS[1] = hash; ARGV = user prefix, 'presence' or 'selection'. Removes the user's entries, or
// sets their selections to null; returns the fields changed (each once, whoever else runs it).
const WITHDRAW = `
local changed = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, #ARGV[1]) == ARGV[1] then
    if ARGV[2] == 'presence' then
      redis.call('HDEL', KEYS[1], all[i])
      table.insert(changed, all[i])
    else
      local ok, entry = pcall(cjson.decode, all[i + 1])
      if ok and entry.s ~= cjson.null then
        entry.s = cjson.null
        redis.call('HSET', KEYS[1], all[i], cjson.encode(entry))
        table.insert(changed, all[i])
      end
    end
  end
end
return changed`;

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
  const left = (documentId: string, field: string) => publish({ documentId, ...parsePresenceField(field), selection: null, left: true });

  const presence: Presence = {
    async update(documentId, entry, updateOptions = {}) {
      const at = now();
      const stored: StoredEntry = { s: entry.selection, e: at + ttlMs };
      // The hash itself outlives its newest entry a little, so an abandoned document's presence
      // disappears from Redis even if no instance ever sweeps it.
      const written = await redis.eval(
        UPDATE,
        1,
        hashKey(documentId),
        presenceField(entry.userId, entry.clientId),
        JSON.stringify(stored),
        String(at),
        String(ttlMs * 2),
        presenceField(entry.userId, ''),
        String(updateOptions.maxPerUser ?? 0),
      );
      if (written !== 1) return 'full';
      await publish({ documentId, ...entry, left: false });
      return 'updated';
    },

    async leave(documentId, userId, clientId) {
      const removed = await redis.hdel(hashKey(documentId), presenceField(userId, clientId));
      if (removed === 1) await publish({ documentId, userId, clientId, selection: null, left: true });
    },

    async withdraw(documentId, userId, what) {
      const changed = (await redis.eval(WITHDRAW, 1, hashKey(documentId), presenceField(userId, ''), what)) as string[];
      for (const field of changed) {
        if (what === 'presence') await left(documentId, field);
        else await publish({ documentId, ...parsePresenceField(field), selection: null, left: false });
      }
      return changed.length;
    },

    async list(documentId) {
      const all = await redis.hgetall(hashKey(documentId));
      const at = now();
      const entries: PresenceEntry[] = [];
      for (const [field, raw] of Object.entries(all)) {
        const stored = JSON.parse(raw) as StoredEntry;
        // A field without `:` is an older instance's entry (keyed by clientId alone): not listed.
        if (stored.e >= at && field.includes(':')) entries.push({ ...parsePresenceField(field), selection: stored.s });
      }
      return entries;
    },

    subscribe: (documentId, listener) => events.subscribe(documentId, listener),

    async sweep(documentId) {
      const removed = (await redis.eval(SWEEP, 1, hashKey(documentId), String(now()))) as string[];
      for (const field of removed) await left(documentId, field);
      return removed.length;
    },

    close: () => events.close(),
  };
  return presence;
}
