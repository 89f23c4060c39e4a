import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { connectClient } from './connection.ts';
import { MigrationError } from './errors.ts';
import { readMigrations, scriptMatchesChecksum, type MigrationFile } from './files.ts';

export { ensureDatabase, dropDatabase } from './connection.ts';
export { DatabaseUnreachableError, MigrationError } from './errors.ts';

/**
 * The advisory lock key Prisma's schema engine takes (`SELECT pg_advisory_lock(72707369)`), so
 * this runner and `prisma migrate deploy` never run at the same time against one database.
 */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** Byte for byte the DDL the Prisma schema engine (PostgreSQL flavour) uses for its table. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Receives one human-readable line per migration (and per notable event). */
  log?: (line: string) => void;
  /** Folder in Prisma's layout; defaults to the repository's `prisma/migrations`. */
  migrationsDir?: string;
  /** How long to wait for another migrator's lock before giving up (default 60 s). */
  lockTimeoutMs?: number;
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

/**
 * Applies the pending migrations of `prisma/migrations` to `databaseUrl`, recording them in
 * Prisma's `_prisma_migrations` table exactly as `prisma migrate deploy` would (same table,
 * checksums and lock), so either tool can take over from the other.
 *
 * - Holds PostgreSQL advisory lock {@link PRISMA_MIGRATE_LOCK_KEY} for the whole run: instances
 *   starting together apply each migration once; the later ones find nothing pending.
 * - Each migration runs in one transaction together with its history row: it is either
 *   recorded as finished or not applied at all. A failure is then recorded as a failed row
 *   (with the error in `logs`), as Prisma does, and thrown.
 * - Refuses to run (throws {@link MigrationError}) while the history has a failed migration
 *   or an applied migration whose file changed since.
 *
 * The database must exist (see {@link ensureDatabase}).
 *
 * @returns the names of the migrations applied by this call, in order.
 * @throws DatabaseUnreachableError (one-line message) when PostgreSQL cannot be reached.
 * @throws MigrationError when the history is not safe to continue or a script fails.
 */
export async function migrate(databaseUrl: string, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => {});
  const migrations = await readMigrations(options.migrationsDir);
  const client = await connectClient(databaseUrl);
  try {
    await acquireLock(client, options.lockTimeoutMs ?? 60_000);
    try {
      // Read the history only under the lock: a concurrent migrator may have just applied some.
      const history = await readHistory(client);
      const pending = pendingMigrations(migrations, history, log);
      const applied: string[] = [];
      for (const migration of pending) {
        const started = Date.now();
        await applyOne(client, migration);
        applied.push(migration.name);
        log(`applied ${migration.name} (${Date.now() - started} ms)`);
      }
      return { applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function acquireLock(client: pg.Client, timeoutMs: number): Promise<void> {
  // lock_timeout bounds the wait for the advisory lock; RESET so migration scripts run with the
  // server's default instead.
  await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') {
      throw new MigrationError(
        `Timed out after ${timeoutMs} ms waiting for the migration lock (pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})): ` +
          `another migration is still running; find it with SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = ${PRISMA_MIGRATE_LOCK_KEY}`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

/** Creates `_prisma_migrations` if absent (we hold the lock) and returns its rows. */
async function readHistory(client: pg.Client): Promise<HistoryRow[]> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`);
  if (exists.rows[0]?.t == null) {
    await client.query(CREATE_MIGRATIONS_TABLE);
    return [];
  }
  const result = await client.query<HistoryRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at, started_at, logs
       FROM _prisma_migrations ORDER BY started_at`,
  );
  return result.rows;
}

/** Validates the history against the files and returns the migrations still to apply. */
function pendingMigrations(migrations: MigrationFile[], history: HistoryRow[], log: (line: string) => void): MigrationFile[] {
  const live = history.filter((row) => row.rolled_back_at === null);
  const failed = live.find((row) => row.finished_at === null);
  if (failed) {
    const reason = (failed.logs ?? 'no log recorded').split('\n')[0];
    throw new MigrationError(
      `Migration ${failed.migration_name} failed when applied at ${failed.started_at.toISOString()} (${reason}); ` +
        `repair the database, then mark it rolled back with \`UPDATE _prisma_migrations SET rolled_back_at = now() ` +
        `WHERE migration_name = '${failed.migration_name}' AND finished_at IS NULL\` ` +
        `(or \`prisma migrate resolve --rolled-back ${failed.migration_name}\`) and migrate again`,
    );
  }
  const appliedByName = new Map(live.map((row) => [row.migration_name, row]));
  const local = new Set(migrations.map((m) => m.name));
  for (const row of live) {
    if (!local.has(row.migration_name)) {
      // A newer build may have migrated this database already (rolling deploy): not an error.
      log(`note: ${row.migration_name} is applied in the database but absent from the migrations folder`);
    }
  }
  const pending: MigrationFile[] = [];
  for (const migration of migrations) {
    const row = appliedByName.get(migration.name);
    if (!row) {
      pending.push(migration);
    } else if (!scriptMatchesChecksum(migration.script, row.checksum)) {
      throw new MigrationError(
        `Migration ${migration.name} was modified after it was applied (checksum ${row.checksum.slice(0, 12)}… ` +
          `in _prisma_migrations, ${migration.checksum.slice(0, 12)}… in ${migration.name}/migration.sql); ` +
          `restore the original file and put the change in a new migration (npm run db:migration:new -- <name>)`,
      );
    } else {
      log(`already applied ${migration.name}`);
    }
  }
  return pending;
}

/** Runs one script and its bookkeeping in a single transaction. */
async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 0)`,
      [id, migration.checksum, migration.name],
    );
    // No parameters: the simple query protocol runs the whole multi-statement script.
    await client.query(migration.script);
    await client.query(
      `UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    const message = (error as Error).message;
    // Record the failure as Prisma does, so both tools refuse to continue until someone looks.
    await client
      .query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, now(), 0)`,
        [id, migration.checksum, migration.name, `${message}\n\n(applied by lib/migrator/migrate.ts; the transaction was rolled back)`],
      )
      .catch(() => {});
    throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${message}`, { cause: error });
  }
}
