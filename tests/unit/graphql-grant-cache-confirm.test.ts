import { describe, expect, it } from 'vitest';
import { createGrantCache, type CachedGrant } from '../../graphql/grant-cache.ts';
import type { DocumentGrant } from '../../lib/auth/permissions.ts';

/** A cache on a test clock whose access channels confirm at once and never fire. */
function setup(available = () => true) {
  let clock = 0;
  const cache = createGrantCache<string>({
    accessEvents: { publish: async () => {}, subscribe: async () => () => {} },
    onResubscribed: () => () => {},
    available,
    ttlMs: 1000,
    now: () => clock,
  });
  return { cache, advance: (ms: number) => (clock += ms), now: () => clock };
}

const editor: DocumentGrant = { kind: 'document', role: 'EDITOR', deleted: false };
const kept = (grant: DocumentGrant): CachedGrant<string> => ({ document: 'row', grant });

describe('grant cache refreshed by access-recheck rounds (issue 16)', () => {
  it('a round that read the same grant extends it from its read time, so a slow typist needs no grant read per op', async () => {
    const { cache, advance, now } = setup();
    await cache.load('d1', async () => kept(editor));
    advance(900);
    cache.confirm('d1', { ...editor }, now());
    advance(500); // 1,400 ms after the read: past the TTL of the read, within the round's
    expect(cache.get('d1')).toEqual(kept(editor));
    advance(500);
    expect(cache.get('d1')).toBeNull();
  });

  it('a round that read another grant, or none, drops the kept one', async () => {
    const { cache, now } = setup();
    await cache.load('d1', async () => kept(editor));
    await cache.load('d2', async () => kept(editor));
    cache.confirm('d1', { kind: 'document', role: 'VIEWER', deleted: false }, now());
    cache.confirm('d2', null, now());
    expect(cache.get('d1')).toBeNull();
    expect(cache.get('d2')).toBeNull();
    // Nor does a later round bring it back: only a read of its own keeps a grant.
    cache.confirm('d1', editor, now());
    expect(cache.get('d1')).toBeNull();
  });

  it('a round never keeps a grant the connection has not kept, nor extends one while pub/sub is unavailable', async () => {
    let up = true;
    const { cache, advance, now } = setup(() => up);
    cache.confirm('d3', editor, now());
    expect(cache.get('d3')).toBeNull();
    await cache.load('d1', async () => kept(editor));
    up = false;
    advance(900);
    cache.confirm('d1', editor, now());
    advance(200);
    expect(cache.get('d1')).toBeNull();
  });
});
