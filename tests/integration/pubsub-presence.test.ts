import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { PresenceEvent } from '../../lib/presence/presence.ts';
import { createRedisPresence } from '../../lib/presence/redis-presence.ts';
import { openRedisPubSub } from '../../lib/pubsub/redis-connections.ts';
import { waitUntil } from '../support/collab-broadcaster-contract.ts';

const redisUrl = inject('redisUrl');
const prefix = inject('redisPrefix');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One instance's presence, with a clock the test moves. */
function instance(clock: { now: number }, ttlMs = 1000) {
  const redis = new Redis(redisUrl);
  const connections = openRedisPubSub(redisUrl);
  const presence = createRedisPresence({ redis, connections, prefix, ttlMs, sweepEveryMs: 60_000, now: () => clock.now });
  cleanups.push(async () => {
    presence.close();
    await connections.close();
    redis.disconnect();
  });
  return presence;
}

describe('Redis presence', () => {
  it('announces updates across instances and lists live entries', async () => {
    const clock = { now: Date.now() };
    const a = instance(clock);
    const b = instance(clock);
    const documentId = `doc-${randomUUID()}`;
    const seen: PresenceEvent[] = [];
    await b.subscribe(documentId, (e) => void seen.push(e));
    await a.update(documentId, { userId: 'u1', clientId: 'c1', selection: { index: 3, length: 2, version: 7 } });
    await waitUntil(() => seen.length === 1, 'the update event');
    expect(seen[0]).toEqual({ documentId, userId: 'u1', clientId: 'c1', selection: { index: 3, length: 2, version: 7 }, left: false });
    expect(await b.list(documentId)).toEqual([{ userId: 'u1', clientId: 'c1', selection: { index: 3, length: 2, version: 7 } }]);
  });

  it('leave removes the entry and announces left once', async () => {
    const clock = { now: Date.now() };
    const a = instance(clock);
    const documentId = `doc-${randomUUID()}`;
    const seen: PresenceEvent[] = [];
    await a.subscribe(documentId, (e) => void seen.push(e));
    await a.update(documentId, { userId: 'u1', clientId: 'c1', selection: null });
    await a.leave(documentId, 'u1', 'c1');
    await a.leave(documentId, 'u1', 'c1');
    await waitUntil(() => seen.length === 2, 'update and left');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((e) => [e.clientId, e.left])).toEqual([
      ['c1', false],
      ['c1', true],
    ]);
    expect(await a.list(documentId)).toEqual([]);
  });

  it('an entry nobody refreshes (its instance died) expires: one left event though two instances sweep', async () => {
    const clock = { now: Date.now() };
    const dead = instance(clock);
    const a = instance(clock);
    const b = instance(clock);
    const documentId = `doc-${randomUUID()}`;
    const seen: PresenceEvent[] = [];
    await a.subscribe(documentId, (e) => void seen.push(e));
    await dead.update(documentId, { userId: 'u9', clientId: 'gone', selection: null });
    await a.update(documentId, { userId: 'u1', clientId: 'alive', selection: null });
    clock.now += 600;
    await a.update(documentId, { userId: 'u1', clientId: 'alive', selection: null }); // refreshed
    clock.now += 600; // 'gone' is 1,200 ms old, 'alive' 600 ms
    const swept = await Promise.all([a.sweep(documentId), b.sweep(documentId)]);
    expect(swept.sort()).toEqual([0, 1]);
    await waitUntil(() => seen.some((e) => e.left), 'the left event');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.filter((e) => e.left)).toEqual([{ documentId, userId: 'u9', clientId: 'gone', selection: null, left: true }]);
    expect((await a.list(documentId)).map((e) => e.clientId)).toEqual(['alive']);
  });
});
