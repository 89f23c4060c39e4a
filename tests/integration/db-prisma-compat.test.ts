// Checks the offline tooling against Prisma's own schema engine (the CLI's exact build, run as
// WebAssembly): the runner's history is what `prisma migrate deploy/status` expect, and the
// committed migrations produce exactly the schema in prisma/schema.prisma.
import { randomBytes } from 'node:crypto';
import { appendFile, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { dropDatabase, ensureDatabase, migrate } from '../../lib/migrator/migrate.ts';
import { withDatabase } from '../../lib/migrator/connection.ts';
import {
  diffMigrationsToSchema,
  engineVersion,
  migrationList,
  NO_FILTERS,
  withSchemaEngine,
} from '../../lib/migrator/engine.ts';
import { DEFAULT_MIGRATIONS_DIR, readMigrations } from '../../lib/migrator/files.ts';

const SERVER = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SCHEMA_FILE = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshDatabase(): Promise<string> {
  const url = withDatabase(SERVER, `verso_test_mig_${randomBytes(4).toString('hex')}`);
  await ensureDatabase(url);
  cleanups.push(() => dropDatabase(url));
  return url;
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

const tableShape = (url: string) =>
  query(url, `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
                FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`);
const historyShape = (url: string) =>
  query(url, `SELECT migration_name, checksum, logs, rolled_back_at, applied_steps_count, finished_at IS NOT NULL AS finished
                FROM _prisma_migrations ORDER BY migration_name`);

/** `prisma migrate deploy` on `url`, through the engine. */
async function engineDeploy(url: string, migrationsDir = DEFAULT_MIGRATIONS_DIR): Promise<string[]> {
  const schema = await readFile(SCHEMA_FILE, 'utf8');
  const out = await withSchemaEngine({ serverUrl: SERVER, schema, mainDatabaseUrl: url }, async (engine) =>
    engine.applyMigrations({ migrationsList: await migrationList(migrationsDir), filters: NO_FILTERS }),
  );
  return out.appliedMigrationNames;
}

/** `prisma migrate status` on `url`, through the engine. */
async function engineStatus(url: string, migrationsDir = DEFAULT_MIGRATIONS_DIR) {
  const schema = await readFile(SCHEMA_FILE, 'utf8');
  return withSchemaEngine({ serverUrl: SERVER, schema, mainDatabaseUrl: url }, async (engine) =>
    engine.diagnoseMigrationHistory({
      migrationsList: await migrationList(migrationsDir),
      optInToShadowDatabase: false,
      filters: NO_FILTERS,
    }),
  );
}

describe('compatibility with Prisma Migrate', () => {
  it('drives the schema engine build of the installed prisma CLI', async () => {
    const require = createRequire(import.meta.url);
    const { enginesVersion } = require('@prisma/engines-version') as { enginesVersion: string };
    expect(await engineVersion()).toBe(enginesVersion);
  });

  it('records the same _prisma_migrations table and rows as the engine', async () => {
    const byEngine = await freshDatabase();
    const byRunner = await freshDatabase();
    expect(await engineDeploy(byEngine)).toEqual((await readMigrations()).map((m) => m.name));
    await migrate(byRunner);
    expect(await tableShape(byRunner)).toEqual(await tableShape(byEngine));
    expect(await historyShape(byRunner)).toEqual(await historyShape(byEngine));
  });

  it('each tool sees the other one\'s database as up to date', async () => {
    const byEngine = await freshDatabase();
    const byRunner = await freshDatabase();
    await engineDeploy(byEngine);
    await migrate(byRunner);
    expect(await migrate(byEngine)).toEqual({ applied: [] });
    expect(await engineDeploy(byRunner)).toEqual([]);
    expect(await engineStatus(byRunner)).toMatchObject({
      hasMigrationsTable: true,
      history: null,
      failedMigrationNames: [],
      editedMigrationNames: [],
    });
  });

  it('the engine flags an edited migration that the runner refuses', async () => {
    const url = await freshDatabase();
    await migrate(url);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'verso-migrations-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    const [first] = await readMigrations(dir);
    await appendFile(path.join(dir, first!.name, 'migration.sql'), '\n-- edited\n');
    expect((await engineStatus(url, dir)).editedMigrationNames).toEqual([first!.name]);
    await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(/was modified after it was applied/);
  });
});

describe('migrations match prisma/schema.prisma', () => {
  it('replaying prisma/migrations yields exactly the schema (no drift)', async () => {
    const schema = await readFile(SCHEMA_FILE, 'utf8');
    const drift = await diffMigrationsToSchema({ serverUrl: SERVER, migrationsDir: DEFAULT_MIGRATIONS_DIR, schema });
    expect(drift, 'run `npm run db:migration:new -- <name>` to capture schema changes').toBeNull();
  });

  it('a schema change shows up as the SQL a new migration needs', async () => {
    const schema = (await readFile(SCHEMA_FILE, 'utf8')).replace(
      /model Document \{\n/,
      'model Document {\n  pinned Boolean @default(false)\n',
    );
    const drift = await diffMigrationsToSchema({ serverUrl: SERVER, migrationsDir: DEFAULT_MIGRATIONS_DIR, schema });
    expect(drift).toContain('ALTER TABLE "documents" ADD COLUMN     "pinned" BOOLEAN NOT NULL DEFAULT false;');
  });

  it('leaves no shadow databases behind', async () => {
    const leftovers = await query<{ datname: string }>(
      SERVER,
      `SELECT datname FROM pg_database WHERE datname LIKE 'verso_shadow_%' OR datname LIKE 'prisma_migrate_shadow_db_%'`,
    );
    expect(leftovers).toEqual([]);
  });
});
