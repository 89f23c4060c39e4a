/**
 * Presence: who has a document open and where their selection is. Ephemeral by design: nothing
 * of it touches PostgreSQL. Implementations: Redis (./redis-presence.ts, across instances) and
 * in-process (./in-process-presence.ts, one instance); both pass tests/support/presence-contract.ts.
 *
 * An entry disappears, with a `left` event, when its connection closes (the instance calls
 * `leave`), when its user loses access to the document (`withdraw`, graphql/presence-access.ts),
 * or when nobody refreshes it within the TTL (its instance died): expired entries are swept while
 * someone listens, and each `left` is announced once.
 */
import type { RedisPubSub } from 'graphql-redis-subscriptions';

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

/** What `update` did: `updated`, or `full` (the user already holds `maxPerUser` other live entries there). */
export type PresenceUpdateOutcome = 'updated' | 'full';

export interface PresenceUpdateOptions {
  /**
   * Refuse (`full`) a new entry when the user already holds this many live entries on the
   * document (the cap for announcements without a connection of their own, i.e. over HTTP).
   */
  readonly maxPerUser?: number;
}

/**
 * An entry is identified by (userId, clientId) and belongs to that user: nobody else can write,
 * refresh or remove it, whatever clientId they send. Two people using the same clientId are two
 * entries; receivers key peers by (user, clientId).
 */
export interface Presence {
  /** Announces or refreshes `entry.userId`'s presence as `entry.clientId` and publishes it. */
  update(documentId: string, entry: PresenceEntry, options?: PresenceUpdateOptions): Promise<PresenceUpdateOutcome>;
  /** Removes `userId`'s entry for `clientId`; publishes `left` when there was one. Another user's entry is left alone. */
  leave(documentId: string, userId: string, clientId: string): Promise<void>;
  /**
   * Access changed: removes every entry of `userId` on the document (with a `left` each), or,
   * with `'selection'`, only takes their selections away (published with selection null).
   * Answers how many entries changed.
   */
  withdraw(documentId: string, userId: string, what: 'presence' | 'selection'): Promise<number>;
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

/**
 * The field (Redis) or map key (in process) of an entry: user ids are cuids, which never contain
 * `:`, so the first `:` separates them and a user's entries share the prefix `userId:`.
 */
export const presenceField = (userId: string, clientId: string) => `${userId}:${clientId}`;

/** The (userId, clientId) of a field made by {@link presenceField}. */
export function parsePresenceField(field: string): { userId: string; clientId: string } {
  const at = field.indexOf(':');
  return { userId: field.slice(0, Math.max(0, at)), clientId: field.slice(at + 1) };
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
