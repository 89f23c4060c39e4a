/**
 * The zero-configuration database: PGlite with its files under `<dataDir>/pglite`, served over
 * the PostgreSQL wire protocol (./pglite-server.ts) so the rest of Verso — the migration runner,
 * Prisma, `pg` — connects to it with a connection string like to any PostgreSQL.
 *
 * One process at a time may own the folder (PGlite has no locking of its own and two writers
 * would corrupt it): `<dataDir>/pglite.lock` holds the owner's pid.
 *
 * The files hold everything (accounts, sessions' hashes, documents), so other local users may
 * not read them whatever DATA_DIR's own mode: the `pglite` folder is made 0700 (even when it
 * already existed, so nothing inside can be reached by others), its files 0600 at start (after
 * PGlite's initdb, whose image is 0666) and again at close, and while the database is open the
 * process's umask is 077, so files created meanwhile (new relations, WAL segments) are 0600.
 */
import { chmod, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { servePglite, type PgliteWireServer } from './pglite-server.ts';

/** The embedded database could not start; the message is one line meant for a person. */
export class EmbeddedDatabaseError extends Error {
  override readonly name = 'EmbeddedDatabaseError';
}

/** A running embedded PostgreSQL. */
export interface EmbeddedPostgres {
  /** Connection string (unix socket in a private temporary folder). */
  readonly url: string;
  /** Absolute path of the data folder. */
  readonly dataPath: string;
  readonly server: PgliteWireServer;
  /** Closes connections, flushes and closes PGlite, releases the folder. */
  close(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lockFolder(lockPath: string, dataPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new EmbeddedDatabaseError(
          `the embedded database in ${dataPath} is in use by process ${owner}; stop it first (several instances need PostgreSQL and Redis: set DATABASE_URL and REDIS_URL).`,
        );
      }
      // The owner died without cleaning up: the folder is ours.
      await rm(lockPath, { force: true });
    }
  }
  throw new EmbeddedDatabaseError(`could not lock ${lockPath}.`);
}

/** Owner-only modes for a folder tree: folders 0700, files 0600 (symbolic links are left alone). */
export async function restrictToOwner(folder: string): Promise<void> {
  await chmod(folder, 0o700);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await restrictToOwner(path);
    else if (entry.isFile()) await chmod(path, 0o600);
  }
}

/** Files this process creates from now on are owner-only; returns a function that restores the previous umask. */
function ownerOnlyUmask(): () => void {
  const previous = process.umask(0o077);
  return () => {
    process.umask(previous);
  };
}

/**
 * Opens (creating on first use) the database under `<dataDir>/pglite` and serves it.
 * @throws EmbeddedDatabaseError when another live process owns the folder.
 */
export async function startEmbeddedPostgres(dataDir: string, onError: (error: unknown) => void = () => {}): Promise<EmbeddedPostgres> {
  const root = resolve(dataDir);
  const dataPath = join(root, 'pglite');
  await mkdir(root, { recursive: true, mode: 0o700 });
  const unlock = await lockFolder(join(root, 'pglite.lock'), dataPath);
  let db: PGlite;
  let server: PgliteWireServer;
  let restoreUmask = () => {};
  try {
    restoreUmask = ownerOnlyUmask();
    await mkdir(dataPath, { recursive: true, mode: 0o700 });
    await restrictToOwner(dataPath);
    db = await PGlite.create(dataPath);
    // A new database's files come out of PGlite's initdb image as 0666, whatever the umask.
    await restrictToOwner(dataPath);
    server = await servePglite(db, onError);
  } catch (error) {
    restoreUmask();
    await unlock();
    throw error;
  }
  let closing: Promise<void> | null = null;
  return {
    url: server.url,
    dataPath,
    server,
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await db.close();
        // A few files PGlite rewrites with modes of its own (pg_internal.init) while running:
        // unreachable behind the 0700 folder meanwhile, owner-only again at rest.
        await restrictToOwner(dataPath).catch(onError);
        restoreUmask();
        await unlock();
      })()),
  };
}
