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
import type { BatchAppender } from '../collab/batching-sequencer.ts';
import type { AppendResult, HeadState, OpStore } from '../collab/op-store.ts';
import { replay } from '../collab/document-loader.ts';
import type { AppliedOp, Snapshot } from '../collab/types.ts';
import { DEFAULT_REVISION_PAUSE_MS, groupOp, type NewestSpan, type RevisionSpan } from '../collab/revisions.ts';
import { Delta } from '../ot/operation.ts';
import { Prisma, type PrismaClient } from './client.ts';
import { createPrismaOpStore, isUniqueViolation, operationData, toOp, type PrismaOpStoreOptions } from './op-store.ts';
import { newestSpan, recordRevision, toSpan } from './revisions.ts';

const CONFLICT: AppendResult = { kind: 'conflict' };
const APPENDED: AppendResult = { kind: 'appended' };

/**
 * `recordRevision` for consecutive ops with one read and at most one update and one insert: the
 * newest span is read once, every op is grouped in memory with lib/collab's `groupOp` (the same
 * decision `recordRevision` makes, H2–H4), then the extended span and the new ones are written.
 * Falls back to `recordRevision` op by op when the newest span is not right before the batch
 * (the log predates grouping), which that function repairs.
 */
async function recordRevisions(tx: Prisma.TransactionClient, documentId: string, ops: readonly AppliedOp[], pauseMs: number): Promise<void> {
  const row = await newestSpan(tx, documentId);
  if ((row?.to_version ?? 0) !== ops[0]!.version - 1) {
    for (const op of ops) await recordRevision(tx, documentId, op, pauseMs);
    return;
  }
  let newest: NewestSpan | null = row && { span: toSpan(row), closed: row.closed };
  let extended: RevisionSpan | null = null; // the stored newest span, grown
  const opened: RevisionSpan[] = [];
  for (const op of ops) {
    const decision = groupOp(newest, op, { pauseMs });
    if (decision.kind === 'open') opened.push(decision.span);
    else if (opened.length > 0) opened[opened.length - 1] = decision.span;
    else extended = decision.span;
    newest = { span: decision.span, closed: false };
  }
  if (extended && row) {
    await tx.revision.update({
      where: { id: row.id },
      data: { toVersion: extended.toVersion, endedAt: extended.endedAt, ...(extended.authorIds.length !== row.author_ids.length ? { authorIds: [...extended.authorIds] } : {}) },
    });
  }
  if (opened.length > 0) {
    await tx.revision.createMany({
      data: opened.map((span) => ({
        documentId,
        fromVersion: span.fromVersion,
        toVersion: span.toVersion,
        authorIds: [...span.authorIds],
        startedAt: span.startedAt,
        endedAt: span.endedAt,
      })),
    });
  }
}

/** The Prisma op store with every batch capability of lib/collab/batching-sequencer.ts. */
export type BatchingPrismaOpStore = OpStore & Required<BatchAppender>;


/** Creates the PostgreSQL op store with group commit. */
export function createBatchingPrismaOpStore(prisma: PrismaClient, options: PrismaOpStoreOptions = {}): BatchingPrismaOpStore {
  const inner = createPrismaOpStore(prisma, options);
  const pauseMs = options.revisionPauseMs ?? DEFAULT_REVISION_PAUSE_MS;
  const cacheSize = options.cacheSize ?? 1000;
  // Content at the last version a batch of this process committed (the plain store's own cache
  // only learns of appends it made itself), LRU by insertion order.
  const committed = new Map<string, Snapshot>();
  const remember = (snapshot: Snapshot) => {
    committed.delete(snapshot.documentId);
    if (cacheSize === 0) return;
    committed.set(snapshot.documentId, snapshot);
    if (committed.size > cacheSize) committed.delete(committed.keys().next().value as string);
  };

  async function appendBatch(documentId: string, expectedVersion: number, ops: readonly AppliedOp[], contents: readonly Delta[]): Promise<AppendResult[]> {
    ops.forEach((op, i) => {
      if (op.documentId !== documentId || op.version !== expectedVersion + i + 1) {
        throw new Error(`op store: batch append of ${op.documentId}@${op.version} at position ${i} after version ${expectedVersion} of ${documentId}`);
      }
    });
    if (ops.length === 0) return [];
    const last = ops[ops.length - 1]!;
    let bumped: boolean;
    try {
      bumped = await prisma.$transaction(async (tx) => {
        const updated = await tx.document.updateMany({ where: { id: documentId, version: expectedVersion, deletedAt: null }, data: { version: last.version } });
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
    remember({ documentId, version: last.version, content: contents[contents.length - 1]!, createdAt: last.createdAt });
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
   */
  async function appendLocked(
    documentId: string,
    prepare: Parameters<BatchAppender['appendLocked'] & object>[1],
  ): Promise<boolean> {
    let top: Snapshot | null = null;
    const found = await prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ version: number }>>`SELECT version FROM documents WHERE id = ${documentId} AND deleted_at IS NULL FOR UPDATE`;
      const version = rows[0]?.version;
      if (version === undefined) {
        await prepare({ findByClientSeqs: (keys) => findByClientSeqs(tx, documentId, keys), headVersion: async () => null, opsAfter: async () => [], content: async () => { throw new Error('no document'); } });
        return false;
      }
      const opsBetween = async (after: number, upTo: number) =>
        upTo <= after ? [] : (await tx.operation.findMany({ where: { documentId, version: { gt: after, lte: upTo } }, orderBy: { version: 'asc' } })).map(toOp);
      const { ops, contents } = await prepare({
        findByClientSeqs: (keys) => findByClientSeqs(tx, documentId, keys),
        headVersion: async () => version,
        opsAfter: opsBetween,
        async content() {
          // From what this process last committed plus the ops others committed since, if it can.
          const known = committed.get(documentId);
          if (known && known.version <= version) return replay(known, await opsBetween(known.version, version)).content;
          const snapshot = await tx.snapshot.findFirst({ where: { documentId, version: { lte: version } }, orderBy: { version: 'desc' } });
          if (!snapshot) throw new Error(`op store: document ${documentId} has no snapshot at or below ${version}`);
          const base: Snapshot = { documentId, version: snapshot.version, content: new Delta((snapshot.content as { ops: Delta['ops'] }).ops), createdAt: snapshot.createdAt };
          return replay(base, await opsBetween(snapshot.version, version)).content;
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
      await recordRevisions(tx, documentId, ops, pauseMs);
      top = { documentId, version: last.version, content: contents[contents.length - 1]!, createdAt: last.createdAt };
      return true;
    });
    if (top) remember(top);
    return found;
  }

  const store: BatchingPrismaOpStore = {
    createDocument: (documentId, content, createdAt) => inner.createDocument(documentId, content, createdAt),
    async head(documentId): Promise<HeadState | null> {
      const known = committed.get(documentId);
      if (!known) return inner.head(documentId);
      const row = await prisma.document.findFirst({ where: { id: documentId, deletedAt: null }, select: { version: true } });
      if (!row) return null;
      if (row.version === known.version) return { version: known.version, snapshot: known, ops: [] };
      committed.delete(documentId); // others moved on: the plain store reads what it needs
      return inner.head(documentId);
    },
    async append(documentId, expectedVersion, op, contentAfter) {
      const result = await inner.append(documentId, expectedVersion, op, contentAfter);
      if (result.kind === 'appended') committed.delete(documentId); // the plain store's cache has it now
      return result;
    },
    opsAfter: (documentId, afterVersion, limit) => inner.opsAfter(documentId, afterVersion, limit),
    findByClientSeq: (documentId, clientId, clientSeq) => inner.findByClientSeq(documentId, clientId, clientSeq),
    saveSnapshot: (snapshot) => inner.saveSnapshot(snapshot),
    latestSnapshotAtOrBelow: (documentId, version) => inner.latestSnapshotAtOrBelow(documentId, version),
    appendBatch,
    findByClientSeqs: (documentId, keys) => findByClientSeqs(prisma, documentId, keys),
    appendLocked,
  };
  return store;
}
