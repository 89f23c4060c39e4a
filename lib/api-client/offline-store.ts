/**
 * The browser's store of OfflineSnapshots: IndexedDB (through `idb`), one record per user,
 * document and editor tab (its clientId), keyed `[userId, documentId, clientId]`, so another
 * account on the same browser never reads them, and one tab never overwrites or deletes another
 * tab's unsent edits of the same document. Holds document text and ids only, never a credential.
 * Every call fails soft (private windows and full disks refuse IndexedDB): edits then live only
 * as long as the tab.
 *
 * Which tab owns a record: the one holding the Web Lock `verso-offline:<clientId>` (held while
 * its editor is open, released by the browser when the tab goes). Opening a document resumes
 * the newest record of that person whose lock is free: the edits of a closed tab, never those of
 * a tab still open.
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
  readonly clientId: string;
  readonly snapshot: OfflineSnapshot;
}

let db: Promise<IDBPDatabase> | null = null;
/** The database once open: writes then start within the call (see saveSnapshot). */
let opened: IDBPDatabase | null = null;
function database(): Promise<IDBPDatabase> {
  db ??= openDB(DB_NAME, 2, {
    async upgrade(d, oldVersion, _newVersion, tx) {
      // Version 1 kept one record per user and document; its records move to their clientId.
      const kept = oldVersion >= 1 ? ((await tx.objectStore(STORE).getAll()) as Array<Omit<Row, 'clientId'>>) : [];
      if (oldVersion >= 1) d.deleteObjectStore(STORE);
      const store = tx.db.createObjectStore(STORE, { keyPath: ['userId', 'documentId', 'clientId'] });
      store.createIndex('byUser', 'userId');
      store.createIndex('byDocument', ['userId', 'documentId']);
      for (const row of kept) if (isOfflineSnapshot(row.snapshot)) await store.put({ ...row, clientId: row.snapshot.clientId } satisfies Row);
    },
    // A newer version of the app opened in another tab needs to upgrade: let it (this tab opens
    // the database again at its next write, and fails soft if its version is now too old).
    blocking() {
      opened?.close();
      opened = null;
      db = null;
    },
  }).then((d) => (opened = d));
  return db;
}

/** Longest opening a document waits for the store (a tab of an older version may block its upgrade). */
const OPEN_WAIT_MS = 2_000;

const lockName = (clientId: string) => `verso-offline:${clientId}`;
const locks = (): LockManager | null => (typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null);

/**
 * Takes the lock of a new editor's record (its fresh clientId, so nobody else holds it) and holds
 * it until the returned function is called or the tab goes. Nothing waits for it: should the lock
 * be taken after all, or Web Locks be missing, the editor goes on without one. Take it before the
 * first write.
 */
export async function holdRecord(clientId: string): Promise<() => void> {
  return (await claimRecord(clientId)) ?? (() => {});
}

/** Takes `clientId`'s lock if nobody holds it: the release function, or null (a tab holds it). */
function claimRecord(clientId: string): Promise<(() => void) | null> {
  const manager = locks();
  if (!manager) return Promise.resolve(() => {});
  return new Promise((resolve) => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    manager
      .request(lockName(clientId), { ifAvailable: true }, (lock) => {
        if (!lock) return resolve(null);
        resolve(release);
        return held;
      })
      .catch(() => resolve(null));
  });
}

/**
 * The newest stored snapshot of `userId`'s edits to `documentId` that no open tab owns, with its
 * record's lock now held by the caller (release it when the editor closes); null when there is none.
 */
export async function claimSnapshot(userId: string, documentId: string): Promise<{ snapshot: OfflineSnapshot; release: () => void } | null> {
  let rows: Row[];
  let waited: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => (waited = setTimeout(() => reject(new Error('the offline store did not open')), OPEN_WAIT_MS)));
    rows = (await Promise.race([database().then((d) => d.getAllFromIndex(STORE, 'byDocument', [userId, documentId])), timeout])) as Row[];
  } catch {
    return null; // blocked or refused: the document opens from the server
  } finally {
    clearTimeout(waited);
  }
  const snapshots = rows
    .filter((row) => isOfflineSnapshot(row.snapshot) && row.snapshot.documentId === documentId && row.snapshot.clientId === row.clientId)
    .map((row) => row.snapshot)
    .sort((a, b) => b.savedAt - a.savedAt);
  for (const snapshot of snapshots) {
    const release = await claimRecord(snapshot.clientId);
    if (release) return { snapshot, release };
  }
  return null;
}

/**
 * Stores (or, with null, removes) the snapshot of `userId`'s edits to one document in the tab
 * whose editor has `clientId` (null: that tab has nothing unconfirmed); resolves once the
 * transaction has committed (not merely once the request succeeded), since the editor sends an
 * op only after its snapshot is stored (CollabSession's onPendingChange).
 *
 * Once the database is open the write starts within this call and is committed at once
 * (`commit()`, not at the end of the page's task): a page being closed runs no further task, so
 * the write CollabSession.flushPending starts from `pagehide` must not wait for one. IndexedDB
 * runs read-write transactions on one store in the order they were created, so overlapping
 * calls land in call order.
 */
export function saveSnapshot(userId: string, documentId: string, clientId: string, snapshot: OfflineSnapshot | null): Promise<void> {
  const write = (d: IDBPDatabase) => {
    const tx = d.transaction(STORE, 'readwrite');
    const request = snapshot === null ? tx.store.delete([userId, documentId, clientId]) : tx.store.put({ userId, documentId, clientId, snapshot } satisfies Row);
    tx.commit();
    return Promise.all([request, tx.done]).then(() => undefined);
  };
  // Storage refused: the edits stay in the tab only.
  const refused = () => undefined;
  try {
    return (opened ? write(opened) : database().then(write)).catch(refused);
  } catch {
    return Promise.resolve();
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
