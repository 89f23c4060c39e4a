/** Redis helpers for tests: shared pub/sub connections and fault injection. */
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** Kills the Redis connections named `name` (CLIENT KILL), as a network fault would; returns how many. */
export async function killRedisClient(name: string): Promise<number> {
  const admin = new Redis(inject('redisUrl'));
  try {
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    const ids = list
      .split('\n')
      .filter((line) => line.includes(` name=${name} `))
      .map((line) => /\bid=(\d+)/.exec(line)?.[1]);
    for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', String(id));
    return ids.length;
  } finally {
    admin.disconnect();
  }
}
