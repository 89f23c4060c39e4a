/**
 * The ceilings Verso sits under, measured in the same run on the same services: single-row
 * INSERT commits per second on PostgreSQL (plain `pg`, autocommit, one row per transaction, a
 * scratch table) from 1 and from 8 connections, and Redis PUBLISH per second (200-byte
 * messages, 50 connections, unpipelined, through ioredis like the servers).
 */
import pg from 'pg';
import { Redis } from 'ioredis';

export interface Baselines {
  readonly pgInsert1: number;
  readonly pgInsert8: number;
  readonly redisPublish: number;
  readonly seconds: number;
}

async function insertsPerSecond(databaseUrl: string, connections: number, seconds: number): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      return client;
    }),
  );
  try {
    const payload = JSON.stringify({ ops: [{ retain: 12 }, { insert: 'abc' }] });
    const deadline = performance.now() + seconds * 1000;
    const start = performance.now();
    const counts = await Promise.all(
      clients.map(async (client) => {
        let n = 0;
        // Bounded by time; each iteration is one committed single-row transaction.
        while (performance.now() < deadline) {
          await client.query('INSERT INTO bench_scratch (payload) VALUES ($1)', [payload]);
          n += 1;
        }
        return n;
      }),
    );
    return counts.reduce((a, b) => a + b, 0) / ((performance.now() - start) / 1000);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function publishesPerSecond(redisUrl: string, channel: string, seconds: number, connections = 50): Promise<number> {
  const clients = Array.from({ length: connections }, () => new Redis(redisUrl, { maxRetriesPerRequest: 1 }));
  try {
    await Promise.all(clients.map((c) => c.ping()));
    const message = 'x'.repeat(200);
    const deadline = performance.now() + seconds * 1000;
    const start = performance.now();
    const counts = await Promise.all(
      clients.map(async (client) => {
        let n = 0;
        while (performance.now() < deadline) {
          await client.publish(channel, message);
          n += 1;
        }
        return n;
      }),
    );
    return counts.reduce((a, b) => a + b, 0) / ((performance.now() - start) / 1000);
  } finally {
    clients.forEach((c) => c.disconnect());
  }
}

/** Measures all three baselines, one after the other (nothing else of the bench runs meanwhile). */
export async function measureBaselines(databaseUrl: string, redisUrl: string, redisPrefix: string, seconds = 4): Promise<Baselines> {
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  try {
    await setup.query('CREATE TABLE IF NOT EXISTS bench_scratch (id bigserial PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
    const pgInsert1 = await insertsPerSecond(databaseUrl, 1, seconds);
    const pgInsert8 = await insertsPerSecond(databaseUrl, 8, seconds);
    const redisPublish = await publishesPerSecond(redisUrl, `${redisPrefix}baseline`, seconds);
    return { pgInsert1, pgInsert8, redisPublish, seconds };
  } finally {
    await setup.query('DROP TABLE IF EXISTS bench_scratch').catch(() => {});
    await setup.end();
  }
}
