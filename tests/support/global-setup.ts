/**
 * Vitest global setup: a database of this run's own (never the one `npm start` uses), migrated
 * once, and a Redis key prefix of its own; the database is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { dropDatabase, ensureDatabase, migrate } from '../../lib/migrator/migrate.ts';
import { withDatabase } from '../../lib/migrator/connection.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `verso_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = withDatabase(base, name);
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  project.provide('redisPrefix', `verso-test:${name}:`);
  return () => dropDatabase(databaseUrl);
}
