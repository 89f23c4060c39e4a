// The offline migration runner (lib/migrator/migrate.ts) against the real PostgreSQL. Every test
// migrates a database of its own, created here and dropped afterwards.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DatabaseUnreachableError,
  dropDatabase,
  ensureDatabase,
  migrate,
  MigrationError,
} from '../../lib/migrator/migrate.ts';
import { withDatabase } from '../../lib/migrator/connection.ts';
import { checksumOf, DEFAULT_MIGRATIONS_DIR, readMigrations } from '../../lib/migrator/files.ts';

const SERVER = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<string> {
  const url = withDatabase(SERVER, `verso_test_mig_${randomBytes(4).toString('hex')}`);
  expect(await ensureDatabase(url)).toEqual({ created: true });
  cleanups.push(() => dropDatabase(url));
  return url;
}

/** A copy of the repository's migrations that a test may edit. */
async function migrationsCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'verso-migrations-'));
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

interface Row { migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; logs: string | null }
const history = (url: string) =>
  query<Row>(url, 'SELECT migration_name, checksum, finished_at, applied_steps_count, logs FROM _prisma_migrations ORDER BY started_at');

describe('migrate()', () => {
  it('applies every migration to a fresh database and records it with the sha256 checksum', async () => {
    const url = await freshDatabase();
    const files = await readMigrations();
    expect(files.length).toBeGreaterThan(0);
    const lines: string[] = [];
    const { applied } = await migrate(url, { log: (line) => lines.push(line) });
    expect(applied).toEqual(files.map((f) => f.name));
    expect(lines).toHaveLength(files.length);
    const rows = await history(url);
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(checksumOf(files[i]!.script));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
    }
    const tables = await query<{ t: string }>(url, `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`);
    expect(tables.map((r) => r.t)).toEqual(expect.arrayContaining(['users', 'documents', 'operations', 'snapshots']));
  });

  it('applies nothing when run again', async () => {
    const url = await freshDatabase();
    await migrate(url);
    const lines: string[] = [];
    expect(await migrate(url, { log: (line) => lines.push(line) })).toEqual({ applied: [] });
    expect(lines.every((l) => l.startsWith('already applied '))).toBe(true);
    expect(await history(url)).toHaveLength((await readMigrations()).length);
  });

  it('applies each migration once when two instances start at the same time', async () => {
    const url = await freshDatabase();
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    const appliedTwice = results.flatMap((r) => r.applied);
    expect(appliedTwice.sort()).toEqual((await readMigrations()).map((f) => f.name).sort());
    expect(await history(url)).toHaveLength((await readMigrations()).length);
  });

  it('refuses to continue when an applied migration was modified', async () => {
    const url = await freshDatabase();
    const dir = await migrationsCopy();
    await migrate(url, { migrationsDir: dir });
    const [first] = await readMigrations(dir);
    await appendFile(path.join(dir, first!.name, 'migration.sql'), '\n-- edited later\n');
    const error = await migrate(url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain(`Migration ${first!.name} was modified after it was applied`);
    expect((error as Error).message).not.toContain('\n');
  });

  it('accepts an applied migration whose only change is CRLF line endings', async () => {
    const url = await freshDatabase();
    const dir = await migrationsCopy();
    await migrate(url, { migrationsDir: dir });
    const [first] = await readMigrations(dir);
    await writeFile(path.join(dir, first!.name, 'migration.sql'), first!.script.replaceAll('\n', '\r\n'));
    expect(await migrate(url, { migrationsDir: dir })).toEqual({ applied: [] });
  });

  it('rolls back a failing migration, records it as failed, and refuses to continue until resolved', async () => {
    const url = await freshDatabase();
    const dir = await migrationsCopy();
    const bad = '99999999999999_broken';
    await mkdir(path.join(dir, bad));
    await writeFile(path.join(dir, bad, 'migration.sql'), 'CREATE TABLE "half_done" (id INT);\nSELECT * FROM no_such_table;\n');
    const first = await migrate(url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(MigrationError);
    expect((first as Error).message).toMatch(/^Migration 99999999999999_broken failed and was rolled back: .*no_such_table/);
    // Its transaction was rolled back, and the earlier migrations stay applied.
    expect(await query(url, `SELECT 1 FROM pg_tables WHERE tablename = 'half_done'`)).toHaveLength(0);
    const rows = await history(url);
    expect(rows.at(-1)).toMatchObject({ migration_name: bad, finished_at: null });
    expect(rows.at(-1)!.logs).toContain('no_such_table');

    const again = await migrate(url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(MigrationError);
    expect((again as Error).message).toContain(`Migration ${bad} failed when applied`);
    expect((again as Error).message).toContain('rolled_back_at');

    // Resolving it the documented way lets a fixed migration through.
    await query(url, `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${bad}'`);
    await writeFile(path.join(dir, bad, 'migration.sql'), 'CREATE TABLE "half_done" (id INT);\n');
    expect(await migrate(url, { migrationsDir: dir })).toEqual({ applied: [bad] });
  });

  it('reports an unreachable PostgreSQL with one line naming it and how to start it', async () => {
    const error = await migrate('postgresql://postgres@127.0.0.1:1/verso').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    const message = (error as Error).message;
    expect(message).toMatch(/^PostgreSQL is not reachable at 127\.0\.0\.1:1\/verso \(ECONNREFUSED\)/);
    expect(message).toContain('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start');
    expect(message).not.toContain('\n');
    await expect(ensureDatabase('postgresql://postgres@127.0.0.1:1/verso')).rejects.toBeInstanceOf(DatabaseUnreachableError);
  });

  it('npm run db:migrate prints that one line and no stack trace when PostgreSQL is unreachable', async () => {
    const result = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/db-migrate.ts'], {
      env: { ...process.env, DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/verso' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'PostgreSQL is not reachable at 127.0.0.1:1/postgres (ECONNREFUSED); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    ]);
  });

  it('npm run db:migrate creates the database and prints one line per migration', async () => {
    const url = withDatabase(SERVER, `verso_test_mig_${randomBytes(4).toString('hex')}`);
    cleanups.push(() => dropDatabase(url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/db-migrate.ts'], {
      env: { ...process.env, DATABASE_URL: url },
    });
    const names = (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory());
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^created database /);
    expect(lines.filter((l) => l.startsWith('applied '))).toHaveLength(names.length);
  });
});
