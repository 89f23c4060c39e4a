/**
 * What one WebSocket connection was found allowed to do on the documents it writes to, so a
 * stream of `submitOperation` calls (one per keystroke batch) does not query PostgreSQL for the
 * viewer's grant on every op (issue 8).
 *
 * Soundness: only grants read from the database are kept, never refusals (a refusal is always
 * re-read, so a new share takes effect at once). An entry is dropped when access to its document
 * changes (the same per-document access channel every instance's live streams listen to: removal,
 * demotion, trash), when the Redis subscriber reconnects (such a message may have been lost), and
 * in any case after `ttlMs`. The access channel is subscribed to *before* the grant is read, and
 * a grant read while a change arrived is not kept, so a change cannot slip between the read and
 * the subscription. Ending the credential closes the whole connection (lib/auth/revocation.ts).
 *
 * Refreshed by the access-recheck rounds (graphql/access-recheck.ts, issue 16): a round that read
 * the same grant for a document this connection follows extends the kept grant to the round's
 * read time + `ttlMs`, as a read of its own would, so a slow typist on a followed document costs
 * no grant read per op; a round that read another grant (or none) drops it. A round never keeps a
 * grant that is not kept already (dropped by an access change, or never read).
 *
 * Never waits on Redis (issue 14): a read whose access channel is not confirmed yet (Redis slow
 * or away: the SUBSCRIBE may be queued until it is back) goes to the database and is not kept,
 * and nothing is kept while pub/sub is unavailable, since no change could reach us then.
 */
import type { DocumentGrant } from '../lib/auth/permissions.ts';
import type { AccessEvents } from '../lib/pubsub/access-events.ts';

/** A grant as loadDocumentGrant reads it: the document row and the viewer's grant on it. */
export interface CachedGrant<Row> {
  readonly document: Row;
  readonly grant: DocumentGrant;
}

export interface GrantCache<Row> {
  /** The kept grant for the document, or null (unknown, expired or invalidated). */
  get(documentId: string): CachedGrant<Row> | null;
  /**
   * Reads the grant with `load` and keeps it when it is positive and no access change for the
   * document arrived meanwhile. Answers what `load` answered.
   */
  load(documentId: string, load: () => Promise<CachedGrant<Row> | null>): Promise<CachedGrant<Row> | null>;
  /**
   * A recheck round read `grant` for the document at `readAt` (before its query): the same grant
   * as the kept one extends it to `readAt + ttlMs`; another one (or null) drops it.
   */
  confirm(documentId: string, grant: DocumentGrant | null, readAt: number): void;
  /** Forgets everything and stops listening. */
  dispose(): void;
}

const sameGrant = (a: DocumentGrant, b: DocumentGrant) => a.kind === b.kind && a.role === b.role && a.deleted === b.deleted;

export interface GrantCacheOptions {
  readonly accessEvents: AccessEvents;
  /** Registers a callback for "the Redis subscriber is back"; answers how to unregister. */
  readonly onResubscribed: (callback: () => void) => () => void;
  /** Whether access changes can reach this process now (Redis up); default always. */
  readonly available?: () => boolean;
  /** How long a grant is trusted without a re-read; default 10 s. */
  readonly ttlMs?: number;
  /** Documents remembered per connection (least recently used go first); default 16. */
  readonly maxDocuments?: number;
  readonly now?: () => number;
}

interface Entry<Row> {
  /** Counts access changes seen for the document; a read that saw it move is not kept. */
  changes: number;
  grant: CachedGrant<Row> | null;
  expiresAt: number;
  stop: Promise<() => void>;
}

/** Creates an empty cache for one connection. */
export function createGrantCache<Row>(options: GrantCacheOptions): GrantCache<Row> {
  const ttlMs = options.ttlMs ?? 10_000;
  const maxDocuments = options.maxDocuments ?? 16;
  const now = options.now ?? Date.now;
  const available = options.available ?? (() => true);
  const entries = new Map<string, Entry<Row>>();
  let disposed = false;

  const forget = (documentId: string) => {
    const entry = entries.get(documentId);
    if (!entry) return;
    entries.delete(documentId);
    void entry.stop.then((stop) => stop()).catch(() => {});
  };
  const stopResubscribed = options.onResubscribed(() => {
    for (const entry of entries.values()) {
      entry.changes += 1;
      entry.grant = null;
    }
  });

  const watch = (documentId: string): Entry<Row> => {
    const found = entries.get(documentId);
    if (found) {
      // Most recently used last, so eviction takes the oldest.
      entries.delete(documentId);
      entries.set(documentId, found);
      return found;
    }
    const entry: Entry<Row> = { changes: 0, grant: null, expiresAt: 0, stop: Promise.resolve(() => {}) };
    entry.stop = options.accessEvents.subscribe(documentId, () => {
      entry.changes += 1;
      entry.grant = null;
    });
    entry.stop.catch(() => {
      if (entries.get(documentId) === entry) entries.delete(documentId);
    });
    entries.set(documentId, entry);
    if (entries.size > maxDocuments) forget(entries.keys().next().value as string);
    return entry;
  };

  return {
    get(documentId) {
      const entry = entries.get(documentId);
      if (!entry?.grant || entry.expiresAt <= now()) return null;
      return entry.grant;
    },
    async load(documentId, load) {
      if (disposed) return load();
      const entry = watch(documentId);
      // Listening first: a change published while we read is counted, and the read not kept.
      // A channel not confirmed by the next turn (or failed), or pub/sub unavailable: the read
      // is not kept, so every call reads until it is.
      const listening = await Promise.race([entry.stop.then(() => true, () => false), nextTurn()]);
      const keep = listening && available();
      const before = entry.changes;
      const grant = await load();
      if (keep && grant !== null && entry.changes === before && entries.get(documentId) === entry && !disposed) {
        entry.grant = grant;
        entry.expiresAt = now() + ttlMs;
      }
      return grant;
    },
    confirm(documentId, grant, readAt) {
      const entry = entries.get(documentId);
      if (!entry?.grant || disposed) return;
      if (grant === null || !sameGrant(grant, entry.grant.grant)) {
        entry.changes += 1;
        entry.grant = null;
        return;
      }
      if (available()) entry.expiresAt = Math.max(entry.expiresAt, readAt + ttlMs);
    },
    dispose() {
      disposed = true;
      stopResubscribed();
      for (const documentId of [...entries.keys()]) forget(documentId);
    },
  };
}

/** Resolves false on the next turn of the event loop: what has not settled by then is not waited for. */
function nextTurn(): Promise<false> {
  return new Promise((resolve) => setImmediate(resolve, false));
}
