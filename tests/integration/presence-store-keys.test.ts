/**
 * Both presence stores (Redis, lib/presence/redis-presence.ts; in-process, lib/presence/in-process-presence.ts)
 * key entries by (userId, clientId) [issue 21.1] and withdraw one person's entries when their
 * access changes [issue 21.2]; the per-user cap for HTTP announcements is atomic [issue 21.3].
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createInProcessPresence } from '../../lib/presence/in-process-presence.ts';
import type { Presence, PresenceEvent } from '../../lib/presence/presence.ts';
import { createRedisPresence } from '../../lib/presence/redis-presence.ts';
import { openInProcessPubSub } from '../../lib/pubsub/in-process-hub.ts';
import { openRedisPubSub } from '../../lib/pubsub/redis-connections.ts';
import { waitUntil } from '../support/collab-broadcaster-contract.ts';

const redisUrl = inject('redisUrl');
const prefix = `${inject('redisPrefix')}keys-${randomUUID().slice(0, 8)}:`;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const stores: Record<string, () => Presence> = {
  redis() {
    const redis = new Redis(redisUrl);
    const connections = openRedisPubSub(redisUrl);
    const presence = createRedisPresence({ redis, connections, prefix, ttlMs: 5000, sweepEveryMs: 60_000 });
    cleanups.push(async () => {
      presence.close();
      await connections.close();
      redis.disconnect();
    });
    return presence;
  },
  'in-process'() {
    const connections = openInProcessPubSub();
    const presence = createInProcessPresence({ connections, prefix, ttlMs: 5000, sweepEveryMs: 60_000 });
    cleanups.push(async () => {
      presence.close();
      await connections.close();
    });
    return presence;
  },
};

async function watched(presence: Presence, documentId: string): Promise<PresenceEvent[]> {
  const seen: PresenceEvent[] = [];
  cleanups.push(await presence.subscribe(documentId, (e) => void seen.push(e)));
  return seen;
}

const sorted = <T>(items: T[]) => items.map((i) => JSON.stringify(i)).sort();

describe.each(Object.keys(stores))('%s presence store', (kind) => {
  const open = stores[kind]!;

  it('keys entries by (userId, clientId): the same clientId from two people is two entries, and neither can touch the other', async () => {
    const presence = open();
    const documentId = `doc-${randomUUID()}`;
    const seen = await watched(presence, documentId);
    const caret = { index: 1, length: 0, version: 3 };
    expect(await presence.update(documentId, { userId: 'owner', clientId: 'c1', selection: caret })).toBe('updated');
    expect(await presence.update(documentId, { userId: 'intruder', clientId: 'c1', selection: null })).toBe('updated');
    await presence.leave(documentId, 'intruder', 'c1');
    await presence.leave(documentId, 'intruder', 'c1'); // nothing left of theirs: no second event
    expect(await presence.list(documentId)).toEqual([{ userId: 'owner', clientId: 'c1', selection: caret }]);
    await waitUntil(() => seen.length === 3, 'three events');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.map((e) => [e.userId, e.clientId, e.left])).toEqual([
      ['owner', 'c1', false],
      ['intruder', 'c1', false],
      ['intruder', 'c1', true],
    ]);
  });

  it('withdraw removes every entry of one person (one left each) or only their selections', async () => {
    const presence = open();
    const documentId = `doc-${randomUUID()}`;
    const caret = { index: 0, length: 2, version: 1 };
    const seen = await watched(presence, documentId);
    await presence.update(documentId, { userId: 'gone', clientId: 'a', selection: caret });
    await presence.update(documentId, { userId: 'gone', clientId: 'b', selection: null });
    await presence.update(documentId, { userId: 'demoted', clientId: 'a', selection: caret });
    await presence.update(documentId, { userId: 'stays', clientId: 'a', selection: caret });
    await waitUntil(() => seen.length === 4, 'the four announcements');
    expect(await presence.withdraw(documentId, 'gone', 'presence')).toBe(2);
    expect(await presence.withdraw(documentId, 'gone', 'presence')).toBe(0);
    expect(await presence.withdraw(documentId, 'demoted', 'selection')).toBe(1);
    expect(await presence.withdraw(documentId, 'demoted', 'selection')).toBe(0);
    expect(sorted(await presence.list(documentId))).toEqual(
      sorted([
        { userId: 'demoted', clientId: 'a', selection: null },
        { userId: 'stays', clientId: 'a', selection: caret },
      ]),
    );
    await waitUntil(() => seen.length === 7, 'three more events');
    expect(sorted(seen.slice(4).map((e) => [e.userId, e.clientId, e.selection, e.left]))).toEqual(
      sorted([
        ['gone', 'a', null, true],
        ['gone', 'b', null, true],
        ['demoted', 'a', null, false],
      ]),
    );
  });

  it('maxPerUser refuses a new entry past the cap (full), never a refresh, and counts only that person', async () => {
    const presence = open();
    const documentId = `doc-${randomUUID()}`;
    const cap = { maxPerUser: 2 };
    const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((clientId) => presence.update(documentId, { userId: 'u', clientId, selection: null }, cap)));
    expect(outcomes.filter((o) => o === 'updated')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'full')).toHaveLength(2);
    const held = (await presence.list(documentId)).map((e) => e.clientId);
    expect(await presence.update(documentId, { userId: 'u', clientId: held[0]!, selection: null }, cap)).toBe('updated');
    expect(await presence.update(documentId, { userId: 'other', clientId: 'a', selection: null }, cap)).toBe('updated');
  });
});
