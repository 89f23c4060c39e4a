/**
 * The contract every `Presence` must pass (lib/presence/presence.ts). Call
 * `registerPresenceContract('name', factory)`: the factory gets a clock the test moves and answers
 * the presence, optionally a `peer` (another instance on the same store and bus: Redis), and a
 * teardown. Events may be delivered asynchronously, so tests wait for them; absence is checked
 * after a later event that must arrive.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Presence, PresenceEvent } from '../../lib/presence/presence.ts';
import { waitUntil } from './collab-broadcaster-contract.ts';

export interface PresenceFixture {
  readonly presence: Presence;
  /** Another instance sharing the same entries and events; defaults to `presence`. */
  readonly peer?: Presence;
  readonly teardown?: () => Promise<void> | void;
}

/** Every entry lives this long without a refresh in the contract's fixtures. */
export const CONTRACT_TTL_MS = 1000;

export function registerPresenceContract(name: string, factory: (clock: { now: number }) => Promise<PresenceFixture> | PresenceFixture): void {
  describe(`Presence contract: ${name}`, () => {
    const teardowns: Array<() => Promise<void> | void> = [];
    afterEach(async () => {
      for (const teardown of teardowns.splice(0).reverse()) await teardown();
    });
    const open = async () => {
      const clock = { now: Date.now() };
      const fixture = await factory(clock);
      if (fixture.teardown) teardowns.push(fixture.teardown);
      const seen: PresenceEvent[] = [];
      const documentId = `doc-${randomUUID()}`;
      return { clock, a: fixture.presence, b: fixture.peer ?? fixture.presence, seen, documentId };
    };

    it('update is announced and listed; a refresh keeps one entry', async () => {
      const { a, b, seen, documentId } = await open();
      await b.subscribe(documentId, (e) => void seen.push(e));
      await a.update(documentId, { userId: 'u1', clientId: 'c1', selection: null });
      await a.update(documentId, { userId: 'u1', clientId: 'c1', selection: { index: 3, length: 2, version: 7 } });
      await waitUntil(() => seen.length === 2, 'two update events');
      expect(seen[1]).toEqual({ documentId, userId: 'u1', clientId: 'c1', selection: { index: 3, length: 2, version: 7 }, left: false });
      expect(await b.list(documentId)).toEqual([{ userId: 'u1', clientId: 'c1', selection: { index: 3, length: 2, version: 7 } }]);
    });

    it('leave removes the entry and announces left once; leaving again announces nothing', async () => {
      const { a, seen, documentId } = await open();
      await a.subscribe(documentId, (e) => void seen.push(e));
      await a.update(documentId, { userId: 'u1', clientId: 'c1', selection: null });
      await a.leave(documentId, 'u1', 'c1');
      await a.leave(documentId, 'u1', 'c1');
      await a.update(documentId, { userId: 'u2', clientId: 'sentinel', selection: null });
      await waitUntil(() => seen.some((e) => e.clientId === 'sentinel'), 'the sentinel update');
      expect(seen.map((e) => [e.userId, e.clientId, e.left])).toEqual([
        ['u1', 'c1', false],
        ['u1', 'c1', true],
        ['u2', 'sentinel', false],
      ]);
      expect((await a.list(documentId)).map((e) => e.clientId)).toEqual(['sentinel']);
    });

    it("another user's leave with the same clientId leaves the entry alone", async () => {
      const { a, seen, documentId } = await open();
      await a.subscribe(documentId, (e) => void seen.push(e));
      await a.update(documentId, { userId: 'u1', clientId: 'shared', selection: null });
      await a.leave(documentId, 'u2', 'shared');
      await a.update(documentId, { userId: 'u3', clientId: 'sentinel', selection: null });
      await waitUntil(() => seen.some((e) => e.clientId === 'sentinel'), 'the sentinel update');
      expect(seen.filter((e) => e.left)).toEqual([]);
      expect((await a.list(documentId)).map((e) => `${e.userId}:${e.clientId}`).sort()).toEqual(['u1:shared', 'u3:sentinel']);
    });

    it('an entry nobody refreshes expires: swept and announced left once, though two sweeps run at once', async () => {
      const { clock, a, b, seen, documentId } = await open();
      await a.subscribe(documentId, (e) => void seen.push(e));
      await b.update(documentId, { userId: 'u9', clientId: 'gone', selection: null });
      await a.update(documentId, { userId: 'u1', clientId: 'alive', selection: null });
      clock.now += CONTRACT_TTL_MS * 0.6;
      await a.update(documentId, { userId: 'u1', clientId: 'alive', selection: null });
      clock.now += CONTRACT_TTL_MS * 0.6;
      expect((await a.list(documentId)).map((e) => e.clientId)).toEqual(['alive']);
      const swept = await Promise.all([a.sweep(documentId), b.sweep(documentId)]);
      expect(swept.sort()).toEqual([0, 1]);
      await waitUntil(() => seen.some((e) => e.left), 'the left event');
      await a.update(documentId, { userId: 'u2', clientId: 'sentinel', selection: null });
      await waitUntil(() => seen.some((e) => e.clientId === 'sentinel'), 'the sentinel update');
      expect(seen.filter((e) => e.left)).toEqual([{ documentId, userId: 'u9', clientId: 'gone', selection: null, left: true }]);
    });

    it('maxPerUser: a new entry past the cap is full, a refresh never is, and only that person counts', async () => {
      const { a, documentId } = await open();
      const cap = { maxPerUser: 2 };
      expect(await a.update(documentId, { userId: 'u1', clientId: 'c1', selection: null }, cap)).toBe('updated');
      expect(await a.update(documentId, { userId: 'u1', clientId: 'c2', selection: null }, cap)).toBe('updated');
      expect(await a.update(documentId, { userId: 'u1', clientId: 'c3', selection: null }, cap)).toBe('full');
      expect(await a.update(documentId, { userId: 'u1', clientId: 'c1', selection: { index: 0, length: 0, version: 0 } }, cap)).toBe('updated');
      expect(await a.update(documentId, { userId: 'u2', clientId: 'c3', selection: null }, cap)).toBe('updated');
      expect((await a.list(documentId)).map((e) => `${e.userId}:${e.clientId}`).sort()).toEqual(['u1:c1', 'u1:c2', 'u2:c3']);
    });

    it("withdraw takes one person's entries (each left once) or only their selections", async () => {
      const { a, b, seen, documentId } = await open();
      await b.subscribe(documentId, (e) => void seen.push(e));
      const at = { index: 1, length: 1, version: 0 };
      await a.update(documentId, { userId: 'u1', clientId: 'c1', selection: at });
      await a.update(documentId, { userId: 'u1', clientId: 'c2', selection: null });
      await a.update(documentId, { userId: 'u2', clientId: 'c3', selection: at });
      expect(await a.withdraw(documentId, 'u2', 'selection')).toBe(1);
      expect(await a.withdraw(documentId, 'u1', 'presence')).toBe(2);
      await waitUntil(() => seen.length === 6, 'three updates, a selection taken away and two left events');
      expect(seen.slice(3).map((e) => [e.userId, e.clientId, e.selection, e.left]).sort()).toEqual([
        ['u1', 'c1', null, true],
        ['u1', 'c2', null, true],
        ['u2', 'c3', null, false],
      ]);
      expect(await a.list(documentId)).toEqual([{ userId: 'u2', clientId: 'c3', selection: null }]);
    });
  });
}
