/**
 * The browser's store of OfflineSnapshots: IndexedDB (through `idb`), one record per user and
 * document, keyed `[userId, documentId]`, so another account on the same browser never reads
 * them. Holds document text and ids only, never a credential. Every call fails soft (private
 * windows and full disks refuse IndexedDB): edits then live only as long as the tab.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { recallIdentity, rememberIdentity } from './offline-identity.ts';
import { isOfflineSnapshot, type OfflineSnapshot } from './offline-snapshot.ts';
import { forgetKeptPages } from './offline-worker.ts';

const DB_NAME = 'verso-offline';
const STORE = 'unsent';

interface Row {
  readonly userId: string;
  readonly documentId: string;
  readonly snapshot: OfflineSnapshot;
}

let db: Promise<IDBPDatabase> | null = null;
function database(): Promise<IDBPDatabase> {
  db ??= openDB(DB_NAME, 1, {
    upgrade(d) {
      const store = d.createObjectStore(STORE, { keyPath: ['userId', 'documentId'] });
      store.createIndex('byUser', 'userId');
    },
  });
  return db;
}

/** The stored snapshot of `userId`'s edits to `documentId`, or null. */
export async function loadSnapshot(userId: string, documentId: string): Promise<OfflineSnapshot | null> {
  try {
    const row = (await (await database()).get(STORE, [userId, documentId])) as Row | undefined;
    return row && isOfflineSnapshot(row.snapshot) && row.snapshot.documentId === documentId ? row.snapshot : null;
  } catch {
    return null;
  }
}

/**
 * Stores (or, with null, removes) `userId`'s snapshot of one document; resolves once the
 * transaction has committed (not merely once the request succeeded), since the editor sends an
 * op only after its snapshot is stored (CollabSession's onPendingChange).
 */
export async function saveSnapshot(userId: string, documentId: string, snapshot: OfflineSnapshot | null): Promise<void> {
  try {
    const tx = (await database()).transaction(STORE, 'readwrite');
    const write = snapshot === null ? tx.store.delete([userId, documentId]) : tx.store.put({ userId, documentId, snapshot } satisfies Row);
    await Promise.all([write, tx.done]);
  } catch {
    // Storage refused: the edits stay in the tab only.
  }
}

/** How many of `userId`'s edits are stored unsent, over all documents. */
export async function unsentEditCount(userId: string): Promise<number> {
  try {
    const rows = (await (await database()).getAllFromIndex(STORE, 'byUser', userId)) as Row[];
    return rows.reduce((sum, row) => sum + (isOfflineSnapshot(row.snapshot) ? row.snapshot.edits : 0), 0);
  } catch {
    return 0;
  }
}

/** Forgets everything stored for `userId` (at sign-out). */
export async function clearSnapshots(userId: string): Promise<void> {
  try {
    const d = await database();
    const tx = d.transaction(STORE, 'readwrite');
    for (const key of await tx.store.index('byUser').getAllKeys(userId)) await tx.store.delete(key);
    await tx.done;
  } catch {
    // Nothing stored, or storage unavailable.
  }
}

/**
 * Everything this browser keeps for `userId` to work offline, forgotten at sign-out: the unsent
 * edits, the remembered identity (lib/api-client/offline-identity.ts) and the pages the service
 * worker kept.
 */
export async function clearOfflineData(userId: string): Promise<void> {
  await clearSnapshots(userId);
  if (recallIdentity()?.id === userId) rememberIdentity(null);
  await forgetKeptPages();
}
