import pg from 'pg';
import { toUnreachableError } from './errors.ts';

/** How long to wait for PostgreSQL to accept a connection before calling it unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens one `pg.Client` on `databaseUrl`, turning "cannot reach / cannot log in / no such
 * database" into a one-line {@link DatabaseUnreachableError}. The caller must `end()` it.
 */
export async function connectClient(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A dropped connection also rejects the pending query; without a listener the 'error' event
  // would crash the process instead.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw toUnreachableError(error, databaseUrl) ?? error;
  }
  return client;
}

/** Quotes a PostgreSQL identifier (database names cannot be bound as parameters). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The database named by a URL's path, and the same server's `postgres` maintenance URL. */
function splitDatabaseUrl(databaseUrl: string): { name: string; adminUrl: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL names no database: ${url.origin}`);
  url.pathname = '/postgres';
  return { name, adminUrl: url.toString() };
}

/**
 * Creates the database named by `databaseUrl` if it does not exist yet, connecting to the same
 * server's `postgres` database. Safe when several processes call it at once.
 *
 * @returns whether this call created it.
 * @throws DatabaseUnreachableError when the server cannot be reached.
 */
export async function ensureDatabase(databaseUrl: string): Promise<{ created: boolean }> {
  const { name, adminUrl } = splitDatabaseUrl(databaseUrl);
  const admin = await connectClient(adminUrl);
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return { created: false };
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return { created: true };
    } catch (error) {
      // Lost a race with another process creating it: 42P04 duplicate_database, or 23505 from
      // the pg_database unique index when both passed the check above.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return { created: false };
      throw error;
    }
  } finally {
    await admin.end();
  }
}

/**
 * Drops the database named by `databaseUrl` if it exists, ending its open connections first
 * (`WITH (FORCE)`, PostgreSQL 13+). Meant for tests and throwaway shadow databases.
 */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { name, adminUrl } = splitDatabaseUrl(databaseUrl);
  const admin = await connectClient(adminUrl);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** `databaseUrl` with its database name replaced by `name` (same server and credentials). */
export function withDatabase(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}
