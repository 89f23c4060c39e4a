/**
 * A read under load (review leftovers, item 3): an HTTP document read answered
 * INTERNAL_SERVER_ERROR once under bench load. The error was pg-pool's checkout timeout ("timeout
 * exceeded when trying to connect", passed on unchanged by @prisma/adapter-pg): only
 * submitOperation mapped it, so on the read path it became an internal error. Every resolver now
 * answers it RATE_LIMITED with retryAfterSeconds (graphql/errors.ts, answerDatabaseFailures).
 *
 * Reproduced for real: the server's feed pool (document loads) has one connection; a first read
 * holds it, waiting on a table lock the test takes, and a second read waits for the pool past its
 * 5 s checkout timeout. The test uses a database of its own, so the lock stalls nobody else.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { dropDatabase, withDatabase } from '../../lib/migrator/connection.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../../graphql/errors.ts';
import { signUp } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

const READ = 'query($id: ID!) { document(id: $id) { id content } }';

describe('database failures on the read path', () => {
  it('an HTTP document read that gets no feed-pool connection in time answers RATE_LIMITED with retryAfterSeconds, not INTERNAL_SERVER_ERROR', async () => {
    const databaseUrl = withDatabase(inject('databaseUrl'), `verso_test_readbusy_${randomBytes(4).toString('hex')}`);
    const server = await startTestServer({ env: { DATABASE_URL: databaseUrl, DB_POOL_FEED: '1', SEARCH_INDEX_INTERVAL_MS: '0' } });
    const blocker = new pg.Client({ connectionString: databaseUrl });
    try {
      const owner = await signUp(server);
      const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Busy") { id } }', {}, { cookie: owner.cookie });
      const id = created.body.data!.createDocument.id;
      const read = () => gqlHttp<{ document: { id: string; content: unknown } | null }>(server.url, READ, { id }, { cookie: owner.cookie });
      expect((await read()).body.data?.document?.id).toBe(id);

      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE snapshots IN ACCESS EXCLUSIVE MODE');
      const holding = read();
      // The first read now holds the feed pool's one connection, waiting for the lock.
      for (let i = 0; i < 100; i++) {
        const { rows } = await blocker.query<{ waiting: number }>(
          "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
        );
        if (rows[0]!.waiting > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const refused = await read();
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
      expect(refused.body.errors?.[0]?.message).toMatch(/send the same request again/);

      await blocker.query('ROLLBACK');
      expect((await holding).body.data?.document?.id).toBe(id);
      expect((await read()).body.errors).toBeUndefined();
    } finally {
      await blocker.end().catch(() => {});
      await server.close();
      await dropDatabase(databaseUrl);
    }
  }, 60_000);
});
