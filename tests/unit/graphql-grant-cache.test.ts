import { describe, expect, it } from 'vitest';
import { createGrantCache, type CachedGrant } from '../../graphql/grant-cache.ts';
import type { AccessEvents } from '../../lib/pubsub/access-events.ts';

/** Access events in memory: `change(documentId)` calls the listeners, as a Redis message would. */
function memoryAccessEvents() {
  const listeners = new Map<string, Set<() => void>>();
  let failing = false;
  const events: AccessEvents = {
    publish: async (documentId) => listeners.get(documentId)?.forEach((l) => l()),
    async subscribe(documentId, listener) {
      if (failing) throw new Error('redis down');
      const set = listeners.get(documentId) ?? new Set();
      listeners.set(documentId, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  return { events, change: (documentId: string) => listeners.get(documentId)?.forEach((l) => l()), listening: (documentId: string) => listeners.get(documentId)?.size ?? 0, fail: () => (failing = true) };
}

const grant = (role: 'EDITOR' | 'VIEWER'): CachedGrant<string> => ({ document: 'row', grant: { kind: 'document', role, deleted: false } });

function setup(options: { ttlMs?: number; maxDocuments?: number } = {}) {
  const access = memoryAccessEvents();
  let resubscribed = () => {};
  let clock = 0;
  const cache = createGrantCache<string>({ accessEvents: access.events, onResubscribed: (cb) => ((resubscribed = cb), () => {}), now: () => clock, ...options });
  return { cache, access, resubscribe: () => resubscribed(), advance: (ms: number) => (clock += ms) };
}

describe('grant cache', () => {
  it('keeps a grant read once until access to the document changes', async () => {
    const { cache, access } = setup();
    let reads = 0;
    const load = async () => (reads++, grant('EDITOR'));
    await cache.load('d1', load);
    expect(cache.get('d1')).toEqual(grant('EDITOR'));
    expect(reads).toBe(1);
    access.change('d1');
    expect(cache.get('d1')).toBeNull();
    access.change('d2'); // other documents do not matter
  });

  it('does not keep refusals, nor a grant read while a change arrived', async () => {
    const { cache, access } = setup();
    expect(await cache.load('d1', async () => null)).toBeNull();
    expect(cache.get('d1')).toBeNull();
    const answer = await cache.load('d1', async () => {
      access.change('d1'); // demoted between our read and its answer
      return grant('EDITOR');
    });
    expect(answer).toEqual(grant('EDITOR'));
    expect(cache.get('d1')).toBeNull();
  });

  it('forgets after the TTL, and everything when the Redis subscriber reconnects', async () => {
    const { cache, resubscribe, advance } = setup({ ttlMs: 1000 });
    await cache.load('d1', async () => grant('EDITOR'));
    advance(999);
    expect(cache.get('d1')).not.toBeNull();
    advance(1);
    expect(cache.get('d1')).toBeNull();
    await cache.load('d1', async () => grant('EDITOR'));
    resubscribe();
    expect(cache.get('d1')).toBeNull();
  });

  it('bounds the documents it listens to, and stops listening when disposed', async () => {
    const { cache, access } = setup({ maxDocuments: 2 });
    for (const d of ['d1', 'd2', 'd3']) await cache.load(d, async () => grant('VIEWER'));
    await new Promise((resolve) => setImmediate(resolve));
    expect([access.listening('d1'), access.listening('d2'), access.listening('d3')]).toEqual([0, 1, 1]);
    expect(cache.get('d1')).toBeNull();
    cache.dispose();
    await new Promise((resolve) => setImmediate(resolve));
    expect([access.listening('d2'), access.listening('d3')]).toEqual([0, 0]);
  });

  it('never waits on an access channel that does not answer (Redis unreachable: issue 14), and keeps nothing then', async () => {
    let subscribed = 0;
    const silent: AccessEvents = {
      publish: async () => {},
      // A SUBSCRIBE sitting in ioredis's offline queue: it never settles while Redis is away.
      subscribe: () => (subscribed++, new Promise<() => void>(() => {})),
    };
    const cache = createGrantCache<string>({ accessEvents: silent, onResubscribed: () => () => {} });
    const answer = await Promise.race([cache.load('d1', async () => grant('EDITOR')), new Promise((resolve) => setTimeout(resolve, 1000, 'waited'))]);
    expect(answer).toEqual(grant('EDITOR'));
    expect(cache.get('d1')).toBeNull();
    expect(await cache.load('d1', async () => grant('EDITOR'))).toEqual(grant('EDITOR'));
    expect(subscribed).toBe(1);
    cache.dispose();
  });

  it('keeps nothing while pub/sub is unavailable, since no access change could reach it', async () => {
    const access = memoryAccessEvents();
    let up = false;
    const cache = createGrantCache<string>({ accessEvents: access.events, onResubscribed: () => () => {}, available: () => up });
    await cache.load('d1', async () => grant('EDITOR'));
    expect(cache.get('d1')).toBeNull();
    up = true;
    await cache.load('d1', async () => grant('EDITOR'));
    expect(cache.get('d1')).toEqual(grant('EDITOR'));
  });

  it('keeps nothing when it cannot listen for changes', async () => {
    const { cache, access } = setup();
    access.fail();
    expect(await cache.load('d1', async () => grant('EDITOR'))).toEqual(grant('EDITOR'));
    expect(cache.get('d1')).toBeNull();
  });
});
