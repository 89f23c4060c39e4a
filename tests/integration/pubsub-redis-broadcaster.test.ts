import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createRedisBroadcaster } from '../../lib/pubsub/redis-broadcaster.ts';
import { openRedisPubSub } from '../../lib/pubsub/redis-connections.ts';
import { registerBroadcasterContract, waitUntil } from '../support/collab-broadcaster-contract.ts';
import { opAt } from '../support/collab-op-store-contract.ts';
import { killRedisClient } from '../support/redis.ts';

const redisUrl = inject('redisUrl');
const prefix = inject('redisPrefix');

function instance(prefixOverride = prefix) {
  const connections = openRedisPubSub(redisUrl);
  return { connections, broadcaster: createRedisBroadcaster({ connections, prefix: prefixOverride }) };
}

registerBroadcasterContract('Redis, one instance', () => {
  const { connections, broadcaster } = instance();
  return { broadcaster, teardown: () => connections.close() };
});

registerBroadcasterContract('Redis, across two instances', () => {
  const a = instance();
  const b = instance();
  return {
    broadcaster: a.broadcaster,
    peer: b.broadcaster,
    teardown: async () => {
      await Promise.all([a.connections.close(), b.connections.close()]);
    },
  };
});

describe('Redis broadcaster', () => {
  it('keeps deployments with different prefixes apart', async () => {
    const a = instance(`${prefix}a:`);
    const b = instance(`${prefix}b:`);
    try {
      const documentId = `doc-${randomUUID()}`;
      const seenByB: number[] = [];
      const seenByA: number[] = [];
      await b.broadcaster.subscribe(documentId, (op) => void seenByB.push(op.version));
      await a.broadcaster.subscribe(documentId, (op) => void seenByA.push(op.version));
      await a.broadcaster.publish(documentId, opAt(documentId, 1));
      await b.broadcaster.publish(documentId, opAt(documentId, 2));
      await waitUntil(() => seenByA.length === 1 && seenByB.length === 1, 'both deliveries');
      expect(seenByA).toEqual([1]);
      expect(seenByB).toEqual([2]);
    } finally {
      await Promise.all([a.connections.close(), b.connections.close()]);
    }
  });

  it('reports when its subscriber connection is killed and comes back, and delivers again after', async () => {
    const { connections, broadcaster } = instance();
    try {
      const documentId = `doc-${randomUUID()}`;
      const seen: number[] = [];
      let resubscribed = 0;
      connections.onResubscribed(() => (resubscribed += 1));
      await broadcaster.subscribe(documentId, (op) => void seen.push(op.version));
      expect(await killRedisClient(connections.subscriberName)).toBe(1);
      await waitUntil(() => resubscribed === 1, 'the resubscribed callback', 5000);
      await broadcaster.publish(documentId, opAt(documentId, 1));
      await waitUntil(() => seen.length === 1, 'delivery after the reconnect', 5000);
      expect(seen).toEqual([1]);
    } finally {
      await connections.close();
    }
  });

  it('unsubscribing after the connections closed (shutdown) raises no unhandled rejection', async () => {
    const { connections, broadcaster } = instance();
    const unsubscribe = await broadcaster.subscribe(`doc-${randomUUID()}`, () => {});
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      await connections.close();
      await unsubscribe();
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled).toEqual([]);
  });
});
