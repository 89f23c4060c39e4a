/**
 * Group commit on PostgreSQL: the Prisma op store plus `appendBatch` (lib/collab/
 * batching-sequencer.ts), which appends consecutive ops of one document in one transaction —
 * one row-lock bump of `documents.version` by k, one multi-row insert, the revision grouping of
 * each op (lib/db/revisions.ts) — so a hot document pays one commit (one fsync) per batch.
 *
 * Failure answers follow the port: the head was not `expectedVersion` → `conflict` for every op,
 * nothing stored (the first one may be answered `duplicate` when its (clientId, clientSeq) is
 * stored, P2). A unique violation (a (clientId, clientSeq) raced in from elsewhere) rolls the
 * whole batch back; its ops are then appended one by one with the plain store's `append`, so
 * each gets the exact answer P1/P2 require. Everything else is the plain store's (P1–P7;
 * `registerOpStoreContract` runs on this store too).
 */
import type pg from 'pg';
import type { BatchAppender } from '../collab/batching-sequencer.ts';
import type { Broadcaster, Unsubscribe } from '../collab/broadcaster.ts';
import type { AppendResult, HeadState, OpStore } from '../collab/op-store.ts';
import { replay } from '../collab/document-loader.ts';
import type { AppliedOp, Snapshot } from '../collab/types.ts';
import { DEFAULT_REVISION_PAUSE_MS, type NewestSpan } from '../collab/revisions.ts';
import { Delta } from '../ot/operation.ts';
import { Prisma, type PrismaClient } from './client.ts';
import { createPrismaOpStore, isUniqueViolation, operationData, toOp, type PrismaOpStoreOptions } from './op-store.ts';
import { advance, appendIfHead, catchUp, groupOnto, loadHead, tailBetween, TAIL_LENGTH, type KnownHead } from './fast-append.ts';
import { newestSpan, recordRevision, spanRow, toSpan } from './revisions.ts';

const CONFLICT: AppendResult = { kind: 'conflict' };
const APPENDED: AppendResult = { kind: 'appended' };

/**
 * `recordRevision` for consecutive ops with one read and at most one update and one insert: the
 * newest span is read once, the ops are grouped in memory (`groupOnto`, lib/collab's `groupOp`
 * op by op: the decision `recordRevision` makes, H2–H4), then the grown span and the new ones are
 * written. Falls back to `recordRevision` op by op when the newest span is not right before the
 * batch (the log predates grouping), which that function repairs. Answers the newest span after
 * the batch, or undefined after such a repair.
 */
async function recordRevisions(tx: Prisma.TransactionClient, documentId: string, ops: readonly AppliedOp[], pauseMs: number): Promise<NewestSpan | undefined> {
  const row = await newestSpan(tx, documentId);
  if ((row?.to_version ?? 0) !== ops[0]!.version - 1) {
    for (const op of ops) await recordRevision(tx, documentId, op, pauseMs);
    return undefined; // repaired: what the spans look like now is not worth re-deriving here
  }
  const { grown, opened, newest } = groupOnto(row && { span: toSpan(row), closed: row.closed }, ops, pauseMs);
  if (grown && row) {
    await tx.revision.update({
      where: { id: row.id },
      data: { toVersion: grown.toVersion, endedAt: grown.endedAt, ...(grown.authorIds.length !== row.author_ids.length ? { authorIds: [...grown.authorIds] } : {}) },
    });
  }
  if (opened.length > 0) await tx.revision.createMany({ data: opened.map((span) => spanRow(documentId, span)) });
  return newest ?? undefined;
}

/** One-statement tries per batch (each after a catch-up read) before the locked path. */
const OPTIMISTIC_ATTEMPTS = 5;

/** The Prisma op store with every batch capability of lib/collab/batching-sequencer.ts. */
export type BatchingPrismaOpStore = OpStore & Required<Omit<BatchAppender, 'appendOptimistic'>> & Pick<BatchAppender, 'appendOptimistic'> & {
  /** Stops following documents through the broadcaster. */
  close(): Promise<void>;
};

export interface BatchingPrismaOpStoreOptions extends PrismaOpStoreOptions {
  /**
   * A plain pg pool on the same database: enables the one-statement append from what this
   * process knows of a document (lib/db/fast-append.ts). Without it, every batch takes the locked path.
   */
  readonly pool?: pg.Pool;
  /**
   * Where committed ops of every instance are published: known heads follow it, so a batch can
   * take the one-statement path after another instance wrote too.
   */
  readonly follow?: Pick<Broadcaster, 'subscribe'>;
}

/** Creates the PostgreSQL op store with group commit. */
export function createBatchingPrismaOpStore(prisma: PrismaClient, options: BatchingPrismaOpStoreOptions = {}): BatchingPrismaOpStore {
  const inner = createPrismaOpStore(prisma, options);
  const pauseMs = options.revisionPauseMs ?? DEFAULT_REVISION_PAUSE_MS;
  const cacheSize = options.cacheSize ?? 1000;
  const { pool, follow } = options;
  // What this process knows of recently written documents (the plain store's own cache only
  // learns of appends it made itself), LRU by insertion order; followed through the broadcaster.
  const heads = new Map<string, KnownHead>();
  const following = new Map<string, Promise<Unsubscribe | null>>();
  let closed = false;
  const unfollow = (documentId: string) => {
    const stop = following.get(documentId);
    following.delete(documentId);
    void stop?.then((s) => s?.()).catch(() => {});
  };
  const forget = (documentId: string) => {
    heads.delete(documentId);
    unfollow(documentId);
  };
  const remember = (documentId: string, head: KnownHead) => {
    heads.delete(documentId);
    if (cacheSize === 0) return;
    heads.set(documentId, head);
    if (heads.size > cacheSize) forget(heads.keys().next().value as string);
    if (follow && !closed && !following.has(documentId)) {
      following.set(
        documentId,
        follow.subscribe(documentId, (op) => observe(documentId, op)).catch(() => null),
      );
    }
  };
  /** Another writer's op (or our own, echoed): the known head moves on when it follows on. */
  const observe = (documentId: string, op: AppliedOp) => {
    const head = heads.get(documentId);
    if (!head || op.version !== head.version + 1) return;
    const next = advance(head, [op], pauseMs);
    if (next) heads.set(documentId, next);
    else heads.delete(documentId);
  };
  const snapshotOf = (documentId: string, head: KnownHead): Snapshot => ({ documentId, version: head.version, content: head.content, createdAt: head.createdAt });

  async function appendBatch(documentId: string, expectedVersion: number, ops: readonly AppliedOp[], contents: readonly Delta[]): Promise<AppendResult[]> {
    ops.forEach((op, i) => {
      if (op.documentId !== documentId || op.version !== expectedVersion + i + 1) {
        throw new Error(`op store: batch append of ${op.documentId}@${op.version} at position ${i} after version ${expectedVersion} of ${documentId}`);
      }
    });
    if (ops.length === 0) return [];
    let bumped: boolean;
    try {
      bumped = await prisma.$transaction(async (tx) => {
        const updated = await tx.document.updateMany({ where: { id: documentId, version: expectedVersion, deletedAt: null }, data: { version: ops[ops.length - 1]!.version } });
        if (updated.count === 0) return false;
        await tx.operation.createMany({
          data: ops.map((op) => operationData(documentId, op)),
        });
        // Each op joins its revision span in order [H6]; the row lock taken above serialises it.
        await recordRevisions(tx, documentId, ops, pauseMs);
        return true;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const results: AppendResult[] = [];
      for (const [i, op] of ops.entries()) {
        const broken = results.length > 0 && results[results.length - 1]!.kind !== 'appended';
        results.push(broken ? CONFLICT : await store.append(documentId, op.version - 1, op, contents[i]!));
      }
      return results;
    }
    if (!bumped) {
      const existing = await inner.findByClientSeq(documentId, ops[0]!.clientId, ops[0]!.clientSeq);
      return ops.map((_, i) => (i === 0 && existing ? { kind: 'duplicate', existing } : CONFLICT));
    }
    heads.delete(documentId); // the epoch and spans were not read here: the next locked batch learns them
    return ops.map(() => APPENDED);
  }

  async function findByClientSeqs(client: Prisma.TransactionClient | PrismaClient, documentId: string, keys: ReadonlyArray<{ clientId: string; clientSeq: number }>) {
    if (keys.length === 0) return [];
    const rows = await client.operation.findMany({ where: { documentId, OR: keys.map(({ clientId, clientSeq }) => ({ clientId, clientSeq })) } });
    const found = new Map(rows.map((row) => [`${row.clientId}\u0000${row.clientSeq}`, row]));
    return keys.map(({ clientId, clientSeq }) => {
      const row = found.get(`${clientId}\u0000${clientSeq}`);
      return row ? toOp(row) : null;
    });
  }

  /**
   * `SELECT … FOR UPDATE` on the document row first: other instances' batches for the document
   * wait here instead of losing their version after the fact, and everything `prepare` reads (on
   * this transaction's connection, so a busy pool cannot deadlock it) stays true until commit.
   * What this process knows of the document saves reads: ops it already has come from the known
   * head's tail, its content from the known head plus the ops after it.
   */
  async function appendLocked(
    documentId: string,
    prepare: Parameters<BatchAppender['appendLocked'] & object>[1],
  ): Promise<boolean> {
    let top: KnownHead | null = null;
    const found = await prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ version: number; history_epoch: number }>>`SELECT version, history_epoch FROM documents WHERE id = ${documentId} AND deleted_at IS NULL FOR UPDATE`;
      const version = rows[0]?.version;
      if (version === undefined) {
        await prepare({ findByClientSeqs: (keys) => findByClientSeqs(tx, documentId, keys), headVersion: async () => null, opsAfter: async () => [], content: async () => { throw new Error('no document'); } });
        return false;
      }
      const known = heads.get(documentId);
      const usable = known && known.version <= version ? known : undefined;
      // The ops after the known head, read once (both the plan and the content need them).
      let fresh: Promise<AppliedOp[]> | null = null;
      const read = (after: number, upTo: number) =>
        upTo <= after ? Promise.resolve([]) : tx.operation.findMany({ where: { documentId, version: { gt: after, lte: upTo } }, orderBy: { version: 'asc' } }).then((r) => r.map(toOp));
      const freshOps = () => (fresh ??= read(usable!.version, version));
      const opsBetween = async (after: number, upTo: number): Promise<readonly AppliedOp[]> => {
        if (usable) {
          const older = tailBetween(usable, after, Math.min(upTo, usable.version));
          if (older) return upTo <= usable.version ? older : [...older, ...(await freshOps()).filter((op) => op.version <= upTo)];
        }
        return read(after, upTo);
      };
      const { ops, contents } = await prepare({
        findByClientSeqs: (keys) => findByClientSeqs(tx, documentId, keys),
        headVersion: async () => version,
        opsAfter: opsBetween,
        async content() {
          if (usable) return replay(snapshotOf(documentId, usable), await freshOps()).content;
          const snapshot = await tx.snapshot.findFirst({ where: { documentId, version: { lte: version } }, orderBy: { version: 'desc' } });
          if (!snapshot) throw new Error(`op store: document ${documentId} has no snapshot at or below ${version}`);
          const base: Snapshot = { documentId, version: snapshot.version, content: new Delta((snapshot.content as { ops: Delta['ops'] }).ops), createdAt: snapshot.createdAt };
          return replay(base, await read(snapshot.version, version)).content;
        },
      });
      if (ops.length === 0) return true;
      ops.forEach((op, i) => {
        if (op.documentId !== documentId || op.version !== version + i + 1) throw new Error(`op store: locked append of ${op.documentId}@${op.version} at position ${i} after ${version}`);
      });
      const last = ops[ops.length - 1]!;
      await tx.document.update({ where: { id: documentId }, data: { version: last.version } });
      await tx.operation.createMany({
        data: ops.map((op) => operationData(documentId, op)),
      });
      const newest = await recordRevisions(tx, documentId, ops, pauseMs);
      if (newest !== undefined) {
        const tail = usable && fresh ? [...usable.tail, ...(await fresh), ...ops] : usable && usable.version === version ? [...usable.tail, ...ops] : [...ops];
        top = {
          version: last.version,
          content: contents[contents.length - 1]!,
          createdAt: last.createdAt,
          historyEpoch: rows[0]!.history_epoch,
          newest,
          tail: tail.slice(-TAIL_LENGTH),
        };
      }
      return true;
    });
    if (top) remember(documentId, top);
    else if (found) heads.delete(documentId);
    return found;
  }

  /**
   * Plans from the known head alone (no reads) and commits with one conditional statement;
   * `stale` when there is no known head or pool, the plan needs what the head does not hold, or
   * the document moved on meanwhile (then nothing was stored).
   */
  async function appendOptimistic(
    documentId: string,
    prepare: Parameters<BatchAppender['appendOptimistic'] & object>[1],
  ): Promise<'appended' | 'stale'> {
    if (!pool) return 'stale';
    let head = heads.get(documentId) ?? (await loadHead(pool, documentId, pauseMs)) ?? undefined;
    // Another instance's commit not yet heard through the broadcaster costs a catch-up read (no
    // lock) and another try; a few of those in a row and the locked path is the better bet.
    for (let attempt = 0; head && attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
      const known: KnownHead = head;
      const planned = await prepare({
        // Not read: a stored (clientId, clientSeq) fails the unique index, and the locked path answers it.
        findByClientSeqs: async (keys) => keys.map(() => null),
        headVersion: async () => known.version,
        opsAfter: async (after, upTo) => tailBetween(known, after, upTo) ?? [],
        content: async () => known.content,
      });
      if (planned === null || planned.ops.length === 0) return 'stale';
      const outcome = await appendIfHead(pool, documentId, known, planned.ops, planned.contents, pauseMs);
      if (outcome.kind === 'appended') {
        const current = heads.get(documentId);
        if (!current || current.version <= outcome.head.version) remember(documentId, outcome.head);
        return 'appended';
      }
      // A resubmission is for the locked path to answer; so is a head that did not move (the
      // spans or the epoch did).
      if (outcome.reason === 'duplicate') return 'stale';
      const current = heads.get(documentId);
      head = current && current.version > known.version ? current : (await catchUp(pool, documentId, known, pauseMs)) ?? undefined;
      if (!head || head.version === known.version) return 'stale';
      if (!current || current.version < head.version) heads.set(documentId, head);
    }
    return 'stale';
  }

  const store: BatchingPrismaOpStore = {
    createDocument: (documentId, content, createdAt) => inner.createDocument(documentId, content, createdAt),
    async head(documentId): Promise<HeadState | null> {
      const known = heads.get(documentId);
      if (!known) return inner.head(documentId);
      const row = await prisma.document.findFirst({ where: { id: documentId, deletedAt: null }, select: { version: true } });
      if (!row) return null;
      if (row.version === known.version) return { version: known.version, snapshot: snapshotOf(documentId, known), ops: [] };
      return inner.head(documentId); // others moved on: the plain store reads what it needs
    },
    async append(documentId, expectedVersion, op, contentAfter) {
      const result = await inner.append(documentId, expectedVersion, op, contentAfter);
      if (result.kind === 'appended') heads.delete(documentId); // the plain store's cache has it now
      return result;
    },
    opsAfter: (documentId, afterVersion, limit) => inner.opsAfter(documentId, afterVersion, limit),
    findByClientSeq: (documentId, clientId, clientSeq) => inner.findByClientSeq(documentId, clientId, clientSeq),
    saveSnapshot: (snapshot) => inner.saveSnapshot(snapshot),
    latestSnapshotAtOrBelow: (documentId, version) => inner.latestSnapshotAtOrBelow(documentId, version),
    appendBatch,
    findByClientSeqs: (documentId, keys) => findByClientSeqs(prisma, documentId, keys),
    appendLocked,
    ...(pool ? { appendOptimistic } : {}),
    async close() {
      closed = true;
      for (const documentId of [...following.keys()]) unfollow(documentId);
    },
  };
  return store;
}
