import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { createRedisBroadcaster } from '../../lib/pubsub/redis-broadcaster.ts';
import { registerBroadcasterContract, waitUntil } from '../support/collab-broadcaster-contract.ts';
import { opAt } from '../support/collab-op-store-contract.ts';

const redisUrl = inject('redisUrl');
const prefix = inject('redisPrefix');

registerBroadcasterContract('Redis, one instance', () => {
  const broadcaster = createRedisBroadcaster({ redisUrl, prefix });
  return { broadcaster, teardown: () => broadcaster.close() };
});

registerBroadcasterContract('Redis, across two instances', () => {
  const broadcaster = createRedisBroadcaster({ redisUrl, prefix });
  const peer = createRedisBroadcaster({ redisUrl, prefix });
  return {
    broadcaster,
    peer,
    teardown: async () => {
      await Promise.all([broadcaster.close(), peer.close()]);
    },
  };
});

describe('Redis broadcaster', () => {
  it('keeps deployments with different prefixes apart', async () => {
    const a = createRedisBroadcaster({ redisUrl, prefix: `${prefix}a:` });
    const b = createRedisBroadcaster({ redisUrl, prefix: `${prefix}b:` });
    try {
      const documentId = `doc-${randomUUID()}`;
      const seenByB: number[] = [];
      const seenByA: number[] = [];
      await b.subscribe(documentId, (op) => void seenByB.push(op.version));
      await a.subscribe(documentId, (op) => void seenByA.push(op.version));
      await a.publish(documentId, opAt(documentId, 1));
      await b.publish(documentId, opAt(documentId, 2));
      await waitUntil(() => seenByA.length === 1 && seenByB.length === 1, 'both deliveries');
      expect(seenByA).toEqual([1]);
      expect(seenByB).toEqual([2]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('reports when its subscriber connection is killed and comes back, and delivers again after', async () => {
    const broadcaster = createRedisBroadcaster({ redisUrl, prefix });
    try {
      const documentId = `doc-${randomUUID()}`;
      const seen: number[] = [];
      let resubscribed = 0;
      broadcaster.onResubscribed(() => (resubscribed += 1));
      await broadcaster.subscribe(documentId, (op) => void seen.push(op.version));
      expect(await killClient(broadcaster.subscriberName)).toBe(1);
      await waitUntil(() => resubscribed === 1, 'the resubscribed callback', 5000);
      await broadcaster.publish(documentId, opAt(documentId, 1));
      await waitUntil(() => seen.length === 1, 'delivery after the reconnect', 5000);
      expect(seen).toEqual([1]);
    } finally {
      await broadcaster.close();
    }
  });
});

/** Kills the Redis connections named `name` (CLIENT KILL), as a network fault would; returns how many. */
async function killClient(name: string): Promise<number> {
  const admin = new Redis(redisUrl);
  try {
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    const ids = list.split('\n').filter((line) => line.includes(` name=${name} `)).map((line) => /\bid=(\d+)/.exec(line)?.[1]);
    for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', String(id));
    return ids.length;
  } finally {
    admin.disconnect();
  }
}
