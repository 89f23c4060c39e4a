/**
 * The contract every `Broadcaster` must pass (rules B1–B5 in lib/collab/SPEC.md). Call
 * `registerBroadcasterContract('name', factory)`; the factory may be async. When `peer` is given
 * (a second instance on the same bus, e.g. another Redis connection), subscribers listen on the
 * peer and ops are published on the first, so delivery across instances is what gets checked.
 *
 * Delivery may be asynchronous, so tests wait for it. Absence (B3, B4) is checked with a sentinel:
 * a later op that the listener must receive proves the earlier one was not merely late (B2).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Broadcaster, Unsubscribe } from '../../lib/collab/broadcaster.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { opAt } from './collab-op-store-contract.ts';

export interface BroadcasterFixture {
  readonly broadcaster: Broadcaster;
  /** Another instance sharing the same bus; defaults to `broadcaster`. */
  readonly peer?: Broadcaster;
  readonly teardown?: () => Promise<void> | void;
}

/** Resolves when `done()` holds, polling; fails after `timeoutMs`. */
export async function waitUntil(done: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const plain = (op: AppliedOp) => ({ ...op, delta: op.delta.ops, createdAt: op.createdAt.getTime() });

export function registerBroadcasterContract(name: string, factory: () => Promise<BroadcasterFixture> | BroadcasterFixture): void {
  describe(`Broadcaster contract: ${name}`, () => {
    let fixture: BroadcasterFixture;
    let publisher: Broadcaster;
    let subscriber: Broadcaster;
    let documentId: string;
    const unsubscribes: Unsubscribe[] = [];

    beforeEach(async () => {
      fixture = await factory();
      publisher = fixture.broadcaster;
      subscriber = fixture.peer ?? fixture.broadcaster;
      documentId = `doc-${randomUUID()}`;
    });
    afterEach(async () => {
      for (const unsubscribe of unsubscribes.splice(0)) await unsubscribe();
      await fixture.teardown?.();
    });

    const listen = async (doc: string, fail = false): Promise<AppliedOp[]> => {
      const received: AppliedOp[] = [];
      unsubscribes.push(
        await subscriber.subscribe(doc, (op) => {
          received.push(op);
          if (fail) throw new Error('listener failure (expected by the test)');
        }),
      );
      return received;
    };

    it('[B1] a publish after subscribe reaches every subscriber once, equal to what was published', async () => {
      const [a, b] = [await listen(documentId), await listen(documentId)];
      const op = opAt(documentId, 1);
      await publisher.publish(documentId, op);
      await waitUntil(() => a.length > 0 && b.length > 0, 'both subscribers');
      await publisher.publish(documentId, opAt(documentId, 2));
      await waitUntil(() => a.length > 1 && b.length > 1, 'the second op');
      expect(a.map(plain)).toEqual([plain(op), plain(opAt(documentId, 2))]);
      expect(b.map(plain)).toEqual(a.map(plain));
    });

    it('[B2] ops published in sequence arrive in that order', async () => {
      const received = await listen(documentId);
      const ops = Array.from({ length: 50 }, (_, i) => opAt(documentId, i + 1));
      for (const op of ops) await publisher.publish(documentId, op);
      await waitUntil(() => received.length === 50, '50 ops');
      expect(received.map((op) => op.version)).toEqual(ops.map((op) => op.version));
    });

    it('[B3] a subscriber never receives another document’s ops', async () => {
      const other = `doc-${randomUUID()}`;
      const received = await listen(documentId);
      await publisher.publish(other, opAt(other, 1));
      await publisher.publish(documentId, opAt(documentId, 1));
      await waitUntil(() => received.length > 0, 'the sentinel');
      expect(received.map((op) => op.documentId)).toEqual([documentId]);
    });

    it('[B4] after unsubscribe resolves nothing more arrives; other subscribers keep receiving', async () => {
      const received: AppliedOp[] = [];
      const unsubscribe = await subscriber.subscribe(documentId, (op) => void received.push(op));
      const sentinel = await listen(documentId);
      await publisher.publish(documentId, opAt(documentId, 1));
      await waitUntil(() => received.length === 1 && sentinel.length === 1, 'the first op');
      await unsubscribe();
      await publisher.publish(documentId, opAt(documentId, 2));
      await publisher.publish(documentId, opAt(documentId, 3));
      await waitUntil(() => sentinel.length === 3, 'the sentinel');
      expect(received.map((op) => op.version)).toEqual([1]);
    });

    it('[B5] a throwing or rejecting listener affects neither the publisher nor other listeners', async () => {
      const failing = await listen(documentId, true);
      unsubscribes.push(await subscriber.subscribe(documentId, async () => Promise.reject(new Error('async listener failure (expected)'))));
      const healthy = await listen(documentId);
      await expect(publisher.publish(documentId, opAt(documentId, 1))).resolves.toBeUndefined();
      await publisher.publish(documentId, opAt(documentId, 2));
      await waitUntil(() => healthy.length === 2 && failing.length === 2, 'both ops everywhere');
      expect(healthy.map((op) => op.version)).toEqual([1, 2]);
    });
  });
}
