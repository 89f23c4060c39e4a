// Usage: npm run db:migrate   (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/verso)
//
// Creates the database if needed and applies pending prisma/migrations, one line per migration.
// Expected failures (PostgreSQL down, an edited or failed migration) print one line, no stack.
import { DatabaseUnreachableError, ensureDatabase, migrate, MigrationError } from '../lib/migrator/migrate.ts';
import { describeTarget } from '../lib/migrator/errors.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/verso';

try {
  const { created } = await ensureDatabase(databaseUrl);
  if (created) console.log(`created database ${describeTarget(databaseUrl)}`);
  const { applied } = await migrate(databaseUrl, { log: (line) => console.log(line) });
  console.log(applied.length ? `${applied.length} migration(s) applied` : 'database is up to date');
} catch (error) {
  if (error instanceof DatabaseUnreachableError || error instanceof MigrationError) {
    console.error(error.message);
  } else {
    console.error(`db:migrate failed: ${(error as Error).message}`);
    if (process.env['DEBUG']) console.error(error);
  }
  process.exitCode = 1;
}
