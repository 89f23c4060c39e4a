// Usage: npm run db:migration:new -- <name> [--draft]
//
// Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the existing
// migrations to prisma/schema.prisma, as `prisma migrate dev --create-only` would: Prisma's own
// schema engine (WebAssembly, the CLI's exact build) replays the migrations on a throwaway
// shadow database and diffs against the schema. Offline; needs only a reachable PostgreSQL.
// One difference: for destructive changes the CLI prepends a comment listing data-loss
// warnings; review such scripts by hand.
// `--draft` writes the file even when the schema has not changed (for hand-written SQL).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MIGRATIONS_DIR, MIGRATION_LOCK_CONTENT, MIGRATION_LOCK_FILE } from '../lib/migrator/files.ts';
import { diffMigrationsToSchema } from '../lib/migrator/engine.ts';
import { DatabaseUnreachableError } from '../lib/migrator/errors.ts';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/verso';
/** What `prisma migrate dev --create-only` writes when the schema has not changed. */
const EMPTY_MIGRATION = '-- This is an empty migration.';
const SCHEMA_FILE = fileURLToPath(new URL('../prisma/schema.prisma', import.meta.url));

/** Prisma's migration directory prefix: UTC `YYYYMMDDHHMMSS`. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const draft = args.includes('--draft');
  const name = args.find((a) => !a.startsWith('--'));
  if (!name || !/^[a-z0-9_]+$/i.test(name)) {
    console.error('usage: npm run db:migration:new -- <name> [--draft]   (name: letters, digits, underscores)');
    return 2;
  }
  const schema = await readFile(SCHEMA_FILE, 'utf8');
  const migrationsDir = DEFAULT_MIGRATIONS_DIR;
  // The wasm engine's createMigration cannot use a shadow database, so this does what it does
  // inside: diff the replayed migrations against the schema and render the script.
  const script = await diffMigrationsToSchema({
    serverUrl: process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL, // only its server is used
    migrationsDir,
    schema,
  });
  if (script === null && !draft) {
    console.log('prisma/schema.prisma matches the migrations: nothing to write (use --draft for an empty migration)');
    return 0;
  }
  // Same layout and contents as the Prisma CLI writes (new directory; lock file rewritten).
  const dir = path.join(migrationsDir, `${timestamp(new Date())}_${name}`);
  await mkdir(migrationsDir, { recursive: true });
  await mkdir(dir); // fails if it exists, like the CLI
  await writeFile(path.join(dir, 'migration.sql'), script ?? EMPTY_MIGRATION, 'utf8');
  await writeFile(path.join(migrationsDir, MIGRATION_LOCK_FILE), MIGRATION_LOCK_CONTENT, 'utf8');
  console.log(`wrote ${path.relative(process.cwd(), path.join(dir, 'migration.sql'))}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // One line for expected failures; the stack only when asked for.
    console.error(error instanceof DatabaseUnreachableError ? error.message : `db:migration:new failed: ${(error as Error).message}`);
    if (process.env['DEBUG'] && !(error instanceof DatabaseUnreachableError)) console.error(error);
    process.exit(1);
  },
);
