/**
 * The contract every `OpStore` implementation must pass (rules P1–P7 in lib/collab/SPEC.md).
 * Call `registerOpStoreContract('name', factory)` from a test file; the factory may be async and
 * may return a teardown (e.g. a Prisma store on a real PostgreSQL). Document ids are random, so
 * a store backed by a shared database needs no cleaning between tests.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Delta } from '../../lib/ot/operation.ts';
import { contentAtHead } from '../../lib/collab/document-loader.ts';
import type { OpStore } from '../../lib/collab/op-store.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';

export interface OpStoreFixture {
  readonly store: OpStore;
  readonly teardown?: () => Promise<void> | void;
}

const T0 = new Date('2024-01-01T00:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

/** An op at `version` inserting `text` at the start; its content-after is computed by `grow`. */
export function opAt(documentId: string, version: number, clientId = 'client-a', clientSeq = version, text = `v${version} `): AppliedOp {
  return {
    documentId,
    version,
    delta: new Delta().insert(text, version % 2 === 0 ? { bold: true } : undefined),
    authorId: version % 3 === 0 ? null : `user-${clientId}`,
    clientId,
    clientSeq,
    createdAt: at(version),
  };
}

const plain = (op: AppliedOp) => ({ ...op, delta: op.delta.ops, createdAt: op.createdAt.getTime() });

export function registerOpStoreContract(name: string, factory: () => Promise<OpStoreFixture> | OpStoreFixture): void {
  describe(`OpStore contract: ${name}`, () => {
    let fixture: OpStoreFixture;
    let store: OpStore;
    let documentId: string;
    let content: Delta;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      documentId = `doc-${randomUUID()}`;
      content = new Delta().insert('Hello\n');
    });
    afterEach(async () => {
      await fixture.teardown?.();
    });

    const create = async (): Promise<void> => {
      expect(await store.createDocument(documentId, content, T0)).toEqual({ kind: 'created' });
    };
    /** Appends ops 1..n in order, tracking the content after each. */
    const grow = async (n: number): Promise<AppliedOp[]> => {
      const ops: AppliedOp[] = [];
      for (let v = 1; v <= n; v++) {
        const op = opAt(documentId, v);
        content = content.compose(op.delta);
        expect(await store.append(documentId, v - 1, op, content)).toEqual({ kind: 'appended' });
        ops.push(op);
      }
      return ops;
    };

    it('[P6] createDocument makes version 0 with the content; a second create answers exists and changes nothing', async () => {
      await create();
      expect(await store.createDocument(documentId, new Delta().insert('Other\n'), at(5))).toEqual({ kind: 'exists' });
      const head = await store.head(documentId);
      expect(head?.version).toBe(0);
      expect(head && contentAtHead(head).content.ops).toEqual(content.ops);
      const zero = await store.latestSnapshotAtOrBelow(documentId, 0);
      expect(zero && { version: zero.version, content: zero.content.ops, createdAt: zero.createdAt.getTime() }).toEqual({
        version: 0,
        content: content.ops,
        createdAt: T0.getTime(),
      });
    });

    it('[P4][P3][P2] an unknown document has no head, no ops, no clientSeq, no snapshot', async () => {
      expect(await store.head(documentId)).toBeNull();
      expect(await store.opsAfter(documentId, 0)).toEqual([]);
      expect(await store.findByClientSeq(documentId, 'client-a', 1)).toBeNull();
      expect(await store.latestSnapshotAtOrBelow(documentId, 10)).toBeNull();
    });

    it('[P1][P4] appends at head + 1 move the head; head replays to the last content', async () => {
      await create();
      await grow(5);
      const head = await store.head(documentId);
      expect(head?.version).toBe(5);
      expect(head && contentAtHead(head).content.ops).toEqual(content.ops);
    });

    it('[P1][P3] stored ops round-trip every field (delta, authorId null or not, clientId, clientSeq, createdAt)', async () => {
      await create();
      const ops = await grow(3);
      expect((await store.opsAfter(documentId, 0)).map(plain)).toEqual(ops.map(plain));
    });

    it('[P1] an append with a stale or future expectedVersion answers conflict and stores nothing', async () => {
      await create();
      await grow(2);
      const stale = opAt(documentId, 2, 'client-b', 1);
      expect(await store.append(documentId, 1, stale, content)).toEqual({ kind: 'conflict' });
      const future = opAt(documentId, 4, 'client-b', 1);
      expect(await store.append(documentId, 3, future, content)).toEqual({ kind: 'conflict' });
      expect((await store.head(documentId))?.version).toBe(2);
      expect(await store.findByClientSeq(documentId, 'client-b', 1)).toBeNull();
    });

    it('[P1] an append to a document that does not exist answers conflict', async () => {
      expect(await store.append(documentId, 0, opAt(documentId, 1), content)).toEqual({ kind: 'conflict' });
      expect(await store.head(documentId)).toBeNull();
    });

    it('[P1] of several appends racing for one version exactly one wins, and it is the one stored', async () => {
      await create();
      const racers = [1, 2, 3, 4, 5].map((i) => opAt(documentId, 1, `client-${i}`, 1, `racer ${i} `));
      const results = await Promise.all(racers.map((op) => store.append(documentId, 0, op, content.compose(op.delta))));
      const winners = results.flatMap((r, i) => (r.kind === 'appended' ? [racers[i]!] : []));
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'conflict')).toHaveLength(4);
      expect((await store.opsAfter(documentId, 0)).map(plain)).toEqual(winners.map(plain));
      expect((await store.head(documentId))?.version).toBe(1);
    });

    it('[P2] an append repeating a stored (clientId, clientSeq) answers duplicate with the stored op', async () => {
      await create();
      const [first] = await grow(1);
      const again = opAt(documentId, 2, first!.clientId, first!.clientSeq, 'different ');
      const result = await store.append(documentId, 1, again, content.compose(again.delta));
      expect(result.kind).toBe('duplicate');
      expect(result.kind === 'duplicate' && plain(result.existing)).toEqual(plain(first!));
      expect((await store.head(documentId))?.version).toBe(1);
      const found = await store.findByClientSeq(documentId, first!.clientId, first!.clientSeq);
      expect(found && plain(found)).toEqual(plain(first!));
    });

    it('[P2] two appends of one (clientId, clientSeq) racing: exactly one stored, the other conflict or duplicate', async () => {
      await create();
      const a = opAt(documentId, 1, 'client-x', 7, 'first ');
      const b = opAt(documentId, 1, 'client-x', 7, 'second ');
      const results = await Promise.all([a, b].map((op) => store.append(documentId, 0, op, content.compose(op.delta))));
      expect(results.filter((r) => r.kind === 'appended')).toHaveLength(1);
      expect(results.every((r) => r.kind === 'appended' || r.kind === 'conflict' || r.kind === 'duplicate')).toBe(true);
      const stored = await store.opsAfter(documentId, 0);
      expect(stored).toHaveLength(1);
      const found = await store.findByClientSeq(documentId, 'client-x', 7);
      expect(found && plain(found)).toEqual(plain(stored[0]!));
    });

    it('[P2] the same clientSeq under another clientId or in another document is a different op', async () => {
      await create();
      await grow(1);
      const other = opAt(documentId, 2, 'client-b', 1);
      expect(await store.append(documentId, 1, other, content.compose(other.delta))).toEqual({ kind: 'appended' });
      const secondDoc = `doc-${randomUUID()}`;
      await store.createDocument(secondDoc, new Delta().insert('\n'), T0);
      const same = opAt(secondDoc, 1, 'client-a', 1);
      expect(await store.append(secondDoc, 0, same, new Delta().insert('v1 \n'))).toEqual({ kind: 'appended' });
      expect((await store.opsAfter(documentId, 0)).map((op) => op.documentId)).toEqual([documentId, documentId]);
    });

    it('[P3] opsAfter is ascending, contiguous, limited, and empty at or past head', async () => {
      await create();
      await grow(6);
      expect((await store.opsAfter(documentId, 0)).map((op) => op.version)).toEqual([1, 2, 3, 4, 5, 6]);
      expect((await store.opsAfter(documentId, 2, 3)).map((op) => op.version)).toEqual([3, 4, 5]);
      expect((await store.opsAfter(documentId, 4, 100)).map((op) => op.version)).toEqual([5, 6]);
      expect(await store.opsAfter(documentId, 6)).toEqual([]);
      expect(await store.opsAfter(documentId, 9)).toEqual([]);
    });

    it('[P5] latestSnapshotAtOrBelow picks the greatest version ≤ v; saving one twice is harmless', async () => {
      await create();
      const contents: Delta[] = [content];
      for (let v = 1; v <= 6; v++) {
        const op = opAt(documentId, v);
        content = content.compose(op.delta);
        contents.push(content);
        await store.append(documentId, v - 1, op, content);
      }
      await store.saveSnapshot({ documentId, version: 4, content: contents[4]!, createdAt: at(4) });
      await store.saveSnapshot({ documentId, version: 2, content: contents[2]!, createdAt: at(2) });
      await store.saveSnapshot({ documentId, version: 4, content: contents[4]!, createdAt: at(4) });
      const pick = async (v: number) => (await store.latestSnapshotAtOrBelow(documentId, v))?.version;
      expect([await pick(0), await pick(1), await pick(2), await pick(3), await pick(4), await pick(6)]).toEqual([0, 0, 2, 2, 4, 4]);
      expect((await store.latestSnapshotAtOrBelow(documentId, 3))?.content.ops).toEqual(contents[2]!.ops);
    });

    it('[P4][P5] with snapshots saved, head still gives a snapshot plus exactly the ops after it', async () => {
      await create();
      await grow(3);
      await store.saveSnapshot({ documentId, version: 3, content, createdAt: at(3) });
      for (let v = 4; v <= 5; v++) {
        const op = opAt(documentId, v);
        content = content.compose(op.delta);
        await store.append(documentId, v - 1, op, content);
      }
      const head = await store.head(documentId);
      expect(head?.version).toBe(5);
      expect(head!.snapshot.version + head!.ops.length).toBe(5);
      expect(head!.ops.map((op) => op.version)).toEqual(
        Array.from({ length: head!.ops.length }, (_, i) => head!.snapshot.version + 1 + i),
      );
      expect(contentAtHead(head!).content.ops).toEqual(content.ops);
    });

    it('[P7] an op whose version is not expectedVersion + 1 is a caller bug: append throws', async () => {
      await create();
      await expect(store.append(documentId, 0, opAt(documentId, 2), content)).rejects.toThrow();
    });
  });
}
