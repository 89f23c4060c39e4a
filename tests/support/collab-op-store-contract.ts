/**
 * The contract every `OpStore` implementation must pass (rules P1–P11 and K5 in lib/collab/SPEC.md).
 * Call `registerOpStoreContract('name', factory)` from a test file; the factory may be async and
 * may return a teardown (e.g. a Prisma store on a real PostgreSQL). Document ids are random, so
 * a store backed by a shared database needs no cleaning between tests.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Delta } from '../../lib/ot/operation.ts';
import { contentAtHead } from '../../lib/collab/document-loader.ts';
import type { KnownHead } from '../../lib/collab/known-head.ts';
import type { CommitResult, OpStore } from '../../lib/collab/op-store.ts';
import { answerOf, planBatch, type BatchPlan } from '../../lib/collab/planner.ts';
import { groupAll } from '../../lib/collab/revisions.ts';
import type { AppliedOp, SubmitInput } from '../../lib/collab/types.ts';

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

const PAUSE_MS = 5 * 60_000;

/** A submission for the contract: made at `baseVersion`, inserting `text` at the start. */
export function sub(documentId: string, baseVersion: number, clientId: string, clientSeq: number, text: string): SubmitInput {
  return { documentId, baseVersion, clientId, clientSeq, delta: new Delta().insert(text), authorId: `user-${clientId}` };
}

/** Plans `inputs` on `head` as the sequencer does (the clock: one second per version). */
export function plan(head: KnownHead, documentId: string, inputs: readonly SubmitInput[]): BatchPlan {
  let v = head.version;
  return planBatch(head, documentId, inputs, { now: () => at(++v), pauseMs: PAUSE_MS });
}

/** Commits `inputs` planned on `head` (the replan is the same planner). */
export function commitOn(store: OpStore, head: KnownHead, documentId: string, inputs: readonly SubmitInput[], historyAfter = 0): Promise<CommitResult> {
  return store.commit({ documentId, planned: plan(head, documentId, inputs), replan: (fresh) => plan(fresh, documentId, inputs), historyAfter });
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
    const load = async (historyAfter?: number): Promise<KnownHead> => {
      const head = await store.load(documentId, historyAfter);
      if (!head) throw new Error('no head');
      return head;
    };
    /** Commits ops 1..n one batch each, from the head as loaded, tracking the content. */
    const grow = async (n: number, clientId = 'client-a'): Promise<AppliedOp[]> => {
      const ops: AppliedOp[] = [];
      for (let i = 0; i < n; i++) {
        const head = await load();
        const result = await commitOn(store, head, documentId, [sub(documentId, head.version, clientId, head.version + 1, `v${head.version + 1} `)]);
        if (result.kind !== 'committed') throw new Error(`grow: ${result.kind}`);
        expect(result.plan.ops).toHaveLength(1);
        ops.push(result.plan.ops[0]!);
        content = result.plan.next.content;
      }
      return ops;
    };
    const stored = async () => (await store.opsAfter(documentId, 0)).map(plain);

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

    it('[P4][P3][P2][P8] an unknown document has no head, no ops, no clientSeq, no snapshot; commit answers gone', async () => {
      expect(await store.head(documentId)).toBeNull();
      expect(await store.load(documentId)).toBeNull();
      expect(await store.opsAfter(documentId, 0)).toEqual([]);
      expect(await store.findByClientSeq(documentId, 'client-a', 1)).toBeNull();
      expect(await store.latestSnapshotAtOrBelow(documentId, 10)).toBeNull();
      const ghost: KnownHead = { version: 0, content, createdAt: T0, historyEpoch: 0, newest: null, tail: [], fingerprint: '' };
      expect(await commitOn(store, ghost, documentId, [sub(documentId, 0, 'client-a', 1, 'x')])).toEqual({ kind: 'gone' });
    });

    it('[P1][P4][P8] commits at head + 1 move the head; head replays and load gives the content of the last commit', async () => {
      await create();
      await grow(5);
      const head = await store.head(documentId);
      expect(head?.version).toBe(5);
      expect(head && contentAtHead(head).content.ops).toEqual(content.ops);
      const known = await load();
      expect([known.version, known.content.ops]).toEqual([5, content.ops]);
      expect(known.tail.map((op) => op.version)).toEqual([1, 2, 3, 4, 5]);
    });

    it('[P1][P3] stored ops round-trip every field (delta, authorId, clientId, clientSeq, createdAt)', async () => {
      await create();
      const ops = await grow(3);
      expect(await stored()).toEqual(ops.map(plain));
      expect((await load()).tail.map(plain)).toEqual(ops.map(plain));
    });

    it('[P1] a batch commits all its ops in one step, at consecutive versions', async () => {
      await create();
      const head = await load();
      const inputs = [1, 2, 3].map((i) => sub(documentId, 0, `client-${i}`, 1, `b${i} `));
      const result = await commitOn(store, head, documentId, inputs);
      expect(result.kind === 'committed' && result.plan.ops.map((op) => op.version)).toEqual([1, 2, 3]);
      expect((await stored()).map((op) => op.clientId)).toEqual(['client-1', 'client-2', 'client-3']);
      expect((await load()).content.ops).toEqual([{ insert: 'b1 b2 b3 Hello\n' }]);
    });

    it('[P9] a plan on a stale head is planned again on the stored head: transformed over what it missed, nothing lost', async () => {
      await create();
      const stale = await load();
      await grow(2, 'client-b');
      const result = await commitOn(store, stale, documentId, [sub(documentId, 0, 'client-a', 1, 'late ')]);
      expect(result.kind).toBe('committed');
      if (result.kind !== 'committed') return;
      expect(result.plan.head.version).toBe(2);
      expect(result.plan.ops.map((op) => op.version)).toEqual([3]);
      expect(answerOf(result.plan, 0)).toMatchObject({ kind: 'applied', version: 3 });
      expect((await store.head(documentId))?.version).toBe(3);
      expect((await load()).content.ops).toEqual(result.plan.next.content.ops);
    });

    it('[P1][P9] commits racing on one known head all land once each, gapless', async () => {
      await create();
      const head = await load();
      const results = await Promise.all([1, 2, 3, 4, 5].map((i) => commitOn(store, head, documentId, [sub(documentId, 0, `client-${i}`, 1, `racer ${i} `)])));
      expect(results.every((r) => r.kind === 'committed')).toBe(true);
      const log = await stored();
      expect(log.map((op) => op.version)).toEqual([1, 2, 3, 4, 5]);
      expect(new Set(log.map((op) => op.clientId)).size).toBe(5);
      expect((await load()).content.length()).toBe(content.length() + 5 * 'racer n '.length);
    });

    it('[P2] a commit repeating a stored (clientId, clientSeq) the caller\'s tail does not hold answers duplicate with the stored op; nothing stored', async () => {
      await create();
      const [first] = await grow(1);
      const forgetful = { ...(await load()), tail: [] };
      const result = await commitOn(store, forgetful, documentId, [sub(documentId, 1, first!.clientId, first!.clientSeq, 'different ')], 1);
      // A store may also answer from a fresher head's tail (a committed plan with no ops).
      if (result.kind === 'duplicate') expect(result.existing.map(plain)).toEqual([plain(first!)]);
      else expect(result.kind === 'committed' && [result.plan.ops.length, answerOf(result.plan, 0)]).toEqual([0, { kind: 'duplicate', version: 1, delta: first!.delta }]);
      expect((await store.head(documentId))?.version).toBe(1);
      const found = await store.findByClientSeq(documentId, first!.clientId, first!.clientSeq);
      expect(found && plain(found)).toEqual(plain(first!));
    });

    it('[P10] a clientId belongs to the author who first wrote with it: another author\'s commit with it, past any tail, answers foreign and stores nothing', async () => {
      await create();
      const [first] = await grow(1);
      const forgetful = { ...(await load()), tail: [] };
      const squat = { ...sub(documentId, 1, first!.clientId, 2, 'squat '), authorId: 'user-mallory' };
      const good = sub(documentId, 1, 'client-b', 1, 'good ');
      const result = await commitOn(store, forgetful, documentId, [squat, good], 1);
      expect(result).toEqual({ kind: 'foreign', clientIds: [first!.clientId] });
      expect((await store.head(documentId))?.version).toBe(1);
      expect(await store.findByClientSeq(documentId, first!.clientId, 2)).toBeNull();
      // The owner goes on with its next clientSeq.
      const own = await commitOn(store, await load(), documentId, [sub(documentId, 1, first!.clientId, 2, 'mine ')], 1);
      expect(own.kind === 'committed' && own.plan.ops.map((op) => [op.version, op.authorId])).toEqual([[2, first!.authorId]]);
    });

    it('[P2] two commits of one (clientId, clientSeq) racing: exactly one stored', async () => {
      await create();
      const head = await load();
      const results = await Promise.all(['first ', 'second '].map((text) => commitOn(store, head, documentId, [sub(documentId, 0, 'client-x', 7, text)])));
      expect(results.every((r) => r.kind === 'committed' || r.kind === 'duplicate')).toBe(true);
      const log = await stored();
      expect(log).toHaveLength(1);
      const found = await store.findByClientSeq(documentId, 'client-x', 7);
      expect(found && plain(found)).toEqual(log[0]);
    });

    it('[P2] the same clientSeq under another clientId or in another document is a different op', async () => {
      await create();
      await grow(1);
      expect((await commitOn(store, await load(), documentId, [sub(documentId, 1, 'client-b', 1, 'b ')])).kind).toBe('committed');
      expect((await stored()).map((op) => [op.clientId, op.clientSeq])).toEqual([
        ['client-a', 1],
        ['client-b', 1],
      ]);
      const secondDoc = `doc-${randomUUID()}`;
      await store.createDocument(secondDoc, new Delta().insert('\n'), T0);
      const other = (await store.load(secondDoc))!;
      expect((await commitOn(store, other, secondDoc, [sub(secondDoc, 0, 'client-a', 1, 'x')])).kind).toBe('committed');
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
        await grow(1);
        contents.push(content);
      }
      await store.saveSnapshot({ documentId, version: 4, content: contents[4]!, createdAt: at(4) });
      await store.saveSnapshot({ documentId, version: 2, content: contents[2]!, createdAt: at(2) });
      await store.saveSnapshot({ documentId, version: 4, content: contents[4]!, createdAt: at(4) });
      const pick = async (v: number) => (await store.latestSnapshotAtOrBelow(documentId, v))?.version;
      expect([await pick(0), await pick(1), await pick(2), await pick(3), await pick(4), await pick(6)]).toEqual([0, 0, 2, 2, 4, 4]);
      expect((await store.latestSnapshotAtOrBelow(documentId, 3))?.content.ops).toEqual(contents[2]!.ops);
    });

    it('[P4][P5][P8] with snapshots saved, head gives a snapshot plus exactly the ops after it; load\'s tail reaches historyAfter', async () => {
      await create();
      await grow(3);
      await store.saveSnapshot({ documentId, version: 3, content, createdAt: at(3) });
      await grow(2);
      const head = await store.head(documentId);
      expect(head?.version).toBe(5);
      expect(head!.snapshot.version + head!.ops.length).toBe(5);
      expect(head!.ops.map((op) => op.version)).toEqual(Array.from({ length: head!.ops.length }, (_, i) => head!.snapshot.version + 1 + i));
      expect(contentAtHead(head!).content.ops).toEqual(content.ops);
      const known = await load(1);
      expect(known.content.ops).toEqual(content.ops);
      expect(known.tail[0]?.version).toBeLessThanOrEqual(2);
      expect(known.tail[known.tail.length - 1]?.version).toBe(5);
    });

    it('[P8][H6] the newest span of load equals grouping the whole log from scratch, across batches and pauses', async () => {
      await create();
      await grow(2);
      const head = await load();
      // Ops far apart in time: the planner's clock is moved by a batch's own plan.
      const late = (h: KnownHead, i: number) =>
        planBatch(h, documentId, [sub(documentId, h.version, `client-${i}`, 1, `p${i} `)], { now: () => at(1000 * i), pauseMs: PAUSE_MS });
      let current = head;
      for (const i of [1, 2, 3]) {
        const result = await store.commit({ documentId, planned: late(current, i), replan: (h) => late(h, i), historyAfter: current.version });
        if (result.kind !== 'committed') throw new Error(result.kind);
        current = result.plan.next;
      }
      const spans = groupAll(await store.opsAfter(documentId, 0), new Set(), { pauseMs: PAUSE_MS });
      expect((await load()).newest?.span).toEqual(spans[spans.length - 1]);
      expect(current.newest?.span).toEqual(spans[spans.length - 1]);
    });

    it('[K5] the head a commit leaves is named by its fingerprint: load gives the one the committed plan\'s next carries', async () => {
      await create();
      const fresh = await load();
      const result = await commitOn(store, fresh, documentId, [sub(documentId, 0, 'client-a', 1, 'a ')]);
      if (result.kind !== 'committed') throw new Error(result.kind);
      const loaded = await load();
      expect(loaded.fingerprint).toBe(result.plan.next.fingerprint);
      expect(loaded.fingerprint).not.toBe(fresh.fingerprint);
    });

    /** Spans as stored (the newest one, via load) equal grouping the whole log from scratch [H6]. */
    const spansAsFromScratch = async () => {
      const spans = groupAll(await store.opsAfter(documentId, 0), new Set(), { pauseMs: PAUSE_MS });
      expect((await load()).newest?.span).toEqual(spans[spans.length - 1]);
    };
    /** Plans `inputs` on `head` with the clock at `seconds` (one more per op). */
    const planAt = (head: KnownHead, inputs: readonly SubmitInput[], seconds: number) => {
      let t = seconds;
      return planBatch(head, documentId, inputs, { now: () => at(t++), pauseMs: PAUSE_MS });
    };

    it('[P11] a plan made on a predecessor\'s uncommitted next, sent while the predecessor commits, lands right after it as planned (the span it opened grown)', async () => {
      await create();
      await grow(2);
      const head = await load();
      // The predecessor opens a span (long after the last op); the successor's op, 2 s later, grows that span.
      const first = [sub(documentId, 2, 'client-a', 3, 'first ')];
      const second = [sub(documentId, 2, 'client-b', 1, 'second ')];
      const predecessor = planAt(head, first, 10_000);
      const successor = planAt(predecessor.next, second, 10_002);
      const results = await Promise.all([
        store.commit({ documentId, planned: predecessor, replan: (h) => planAt(h, first, 10_000), historyAfter: 2 }),
        store.commit({ documentId, planned: successor, replan: (h) => planAt(h, second, 10_002), historyAfter: 2, stored: head, predecessorHead: head }),
      ]);
      expect(results.map((r) => r.kind === 'committed' && r.plan)).toEqual([predecessor, successor]);
      expect((await stored()).map((op) => [op.version, op.clientId])).toEqual([
        [1, 'client-a'],
        [2, 'client-a'],
        [3, 'client-a'],
        [4, 'client-b'],
      ]);
      expect((await load()).content.ops).toEqual(successor.next.content.ops);
      expect(successor.next.newest?.span).toMatchObject({ fromVersion: 2, toVersion: 4 });
      await spansAsFromScratch();
    });

    it('[P11] a head at the stored version but with another op there (its predecessor never committed; another writer took the version) is not the stored head: planned again on it', async () => {
      await create();
      const head = await load();
      // The predecessor is planned, never committed; another writer commits one op at version 1.
      const predecessor = planAt(head, [sub(documentId, 0, 'client-a', 1, 'never ')], 10);
      const other = await commitOn(store, head, documentId, [sub(documentId, 0, 'client-x', 1, 'other ')]);
      if (other.kind !== 'committed') throw new Error(other.kind);
      expect(predecessor.next.version).toBe(other.plan.next.version);
      const second = [sub(documentId, 0, 'client-b', 1, 'second ')];
      const successor = planAt(predecessor.next, second, 20);
      const result = await store.commit({ documentId, planned: successor, replan: (h) => planAt(h, second, 20), historyAfter: 0, stored: head, predecessorHead: head });
      if (result.kind !== 'committed') throw new Error(result.kind);
      expect(result.plan).not.toBe(successor);
      expect(result.plan.head.tail.map((op) => op.clientId)).toEqual(['client-x']);
      expect((await stored()).map((op) => [op.version, op.clientId])).toEqual([
        [1, 'client-x'],
        [2, 'client-b'],
      ]);
      // What is stored is what the committed plan says, and the replay of the log.
      expect((await load()).content.ops).toEqual(result.plan.next.content.ops);
      expect(result.plan.next.content.ops).toEqual([{ insert: 'other second Hello\n' }]);
      await spansAsFromScratch();
    });

    it('[P11][P9] a predecessor that lost to another writer commits another plan: its successor, planned on the first plan\'s next, is planned again too; all land once, gapless', async () => {
      await create();
      const head = await load();
      await grow(2, 'client-x');
      const first = [sub(documentId, 0, 'client-a', 1, 'first ')];
      const second = [sub(documentId, 0, 'client-b', 1, 'second ')];
      const predecessor = planAt(head, first, 50);
      const successor = planAt(predecessor.next, second, 60);
      const results = await Promise.all([
        store.commit({ documentId, planned: predecessor, replan: (h) => planAt(h, first, 50), historyAfter: 0 }),
        store.commit({ documentId, planned: successor, replan: (h) => planAt(h, second, 60), historyAfter: 0, stored: head, predecessorHead: head }),
      ]);
      expect(results.every((r) => r.kind === 'committed')).toBe(true);
      expect(results.map((r) => r.kind === 'committed' && r.plan)).not.toContain(successor);
      const log = await stored();
      expect(log.map((op) => op.version)).toEqual([1, 2, 3, 4]);
      expect(log.map((op) => op.clientId).sort()).toEqual(['client-a', 'client-b', 'client-x', 'client-x']);
      const last = results.map((r) => (r.kind === 'committed' ? r.plan.next : null)).find((n) => n?.version === 4);
      expect((await load()).content.ops).toEqual(last?.content.ops);
      await spansAsFromScratch();
    });

    it('[P7] a plan whose ops do not follow its head is a caller bug: commit throws and stores nothing', async () => {
      await create();
      const head = await load();
      const planned = plan(head, documentId, [sub(documentId, 0, 'client-a', 1, 'x')]);
      const broken: BatchPlan = { ...planned, ops: planned.ops.map((op) => ({ ...op, version: 2 })) };
      await expect(store.commit({ documentId, planned: broken, replan: () => broken, historyAfter: 0 })).rejects.toThrow();
      expect(await stored()).toEqual([]);
    });
  });
}
