/**
 * Where the shared services run: the PostgreSQL postmaster (the parent of a backend of ours) and
 * the Redis server (`INFO server`'s process_id), so each step can report their CPU next to the
 * servers' and the bots' (issue 16: who is the bottleneck). Both are the machine's shared
 * services: their CPU includes whatever else uses them meanwhile.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';

export interface ServicePids {
  readonly postgres: number | null;
  readonly redis: number | null;
}

export async function servicePids(databaseUrl: string, redisUrl: string): Promise<ServicePids> {
  let postgres: number | null = null;
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const status = backend ? readFileSync(`/proc/${backend}/status`, 'utf8') : '';
    postgres = Number(/PPid:\s+(\d+)/.exec(status)?.[1]) || null;
  } catch {
    postgres = null; // another machine's PostgreSQL, or /proc not readable: the column shows –
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisPid: number | null = null;
  try {
    await redis.connect();
    redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]) || null;
  } catch {
    redisPid = null;
  } finally {
    redis.disconnect();
  }
  return { postgres, redis: redisPid };
}
