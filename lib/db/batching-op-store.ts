/**
 * Group commit for hot documents: an OpStore over PostgreSQL that commits the appends a process
 * makes to one document while its previous commit is in flight together, in one transaction
 * (one row-lock bump of `documents.version` by k, one multi-row insert, revision grouping for
 * each op), so a hot document pays one fsync per batch instead of one per op.
 *
 * How appends chain: `sequencerStore` (the view the sequencer uses) answers `head` and `opsAfter`
 * from the ops this process has queued or is committing for the document, so the next submission
 * is transformed against them and appended at the following version without waiting for the
 * commit. Every caller still gets its own answer only after its op committed (or failed), so the
 * sequencer publishes and acknowledges only durable ops [S7]. `store` (for op feeds, queries and
 * everything else) never shows an uncommitted op.
 *
 * When a batch fails, whatever was chained on it fails too: another instance took the version
 * (the row lock and `WHERE version = base` answer conflict for the whole batch) → every op of the
 * batch and everything queued after it answers `conflict` and the sequencers retry from the
 * stored head [S6]. A unique violation (a (clientId, clientSeq) raced in from elsewhere) rolls the
 * batch back, and its ops are then appended one by one with the plain store's `append`, so each
 * gets the exact answer P1/P2 require. Any other error rejects the batch's appends (the submits
 * throw, the clients resend) and answers `conflict` to those queued behind it.
 *
 * Both views pass `registerOpStoreContract` (P1–P7).
 */
import type { AppendResult, HeadState, OpStore } from '../collab/op-store.ts';
import type { AppliedOp, Snapshot } from '../collab/types.ts';
import { DEFAULT_REVISION_PAUSE_MS } from '../collab/revisions.ts';
import type { Delta } from '../ot/operation.ts';
import { Prisma, type PrismaClient } from './client.ts';
import { createPrismaOpStore, type PrismaOpStoreOptions } from './op-store.ts';
import { recordRevision } from './revisions.ts';

export interface BatchingOpStoreOptions extends PrismaOpStoreOptions {
  /** Most ops committed in one transaction; default 100. */
  readonly maxBatch?: number;
}

export interface BatchingOpStore {
  /** Committed state only: for op feeds, queries, snapshots — everything but the sequencer. */
  readonly store: OpStore;
  /** For the sequencer: `head`/`opsAfter` include this process's queued appends, so they chain. */
  readonly sequencerStore: OpStore;
}

interface Pending {
  readonly op: AppliedOp;
  readonly content: Delta;
  readonly outcome: Promise<AppendResult>;
  settle(result: AppendResult | { error: unknown }): void;
}

/** One document's chain of appends in this process: committed up to `base`, queued up to `head`. */
interface Lane {
  base: number;
  head: number;
  content: Delta;
  createdAt: Date;
  committing: Pending[];
  queue: Pending[];
  /** Queued or committing ops by `clientId#clientSeq`. */
  readonly keys: Map<string, Pending>;
}

const CONFLICT: AppendResult = { kind: 'conflict' };
const APPENDED: AppendResult = { kind: 'appended' };
const keyOf = (op: AppliedOp) => `${op.clientId}#${op.clientSeq}`;
const jsonOf = (delta: Delta): Prisma.InputJsonValue => ({ ops: delta.ops }) as unknown as Prisma.InputJsonValue;
const isUniqueViolation = (error: unknown): boolean => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

function pending(op: AppliedOp, content: Delta): Pending {
  let settle!: Pending['settle'];
  const outcome = new Promise<AppendResult>((resolve, reject) => {
    settle = (result) => ('error' in result ? reject(result.error) : resolve(result));
  });
  outcome.catch(() => {}); // the caller awaits it; a chained duplicate check may not
  return { op, content, outcome, settle };
}

/** Creates the batching store on `prisma`; reads and snapshots go through the plain Prisma store. */
export function createBatchingPrismaOpStore(prisma: PrismaClient, options: BatchingOpStoreOptions = {}): BatchingOpStore {
  const inner = createPrismaOpStore(prisma, options);
  const maxBatch = options.maxBatch ?? 100;
  const pauseMs = options.revisionPauseMs ?? DEFAULT_REVISION_PAUSE_MS;
  const cacheSize = options.cacheSize ?? 1000;
  const lanes = new Map<string, Lane>();
  // Content at the last version this process committed, per document (LRU by insertion order).
  const committed = new Map<string, Snapshot>();
  const remember = (snapshot: Snapshot) => {
    committed.delete(snapshot.documentId);
    if (cacheSize === 0) return;
    committed.set(snapshot.documentId, snapshot);
    if (committed.size > cacheSize) committed.delete(committed.keys().next().value as string);
  };

  /** Commits `batch` (versions base+1…) in one transaction; one answer per op, in order. */
  async function commit(documentId: string, base: number, batch: readonly Pending[]): Promise<AppendResult[]> {
    const last = batch[batch.length - 1]!.op.version;
    try {
      const bumped = await prisma.$transaction(async (tx) => {
        const updated = await tx.document.updateMany({ where: { id: documentId, version: base, deletedAt: null }, data: { version: last } });
        if (updated.count === 0) return false;
        await tx.operation.createMany({
          data: batch.map(({ op }) => ({
            documentId,
            version: op.version,
            delta: jsonOf(op.delta),
            authorId: op.authorId,
            clientId: op.clientId,
            clientSeq: op.clientSeq,
            createdAt: op.createdAt,
          })),
        });
        // Grouping reads the newest span each time; the row lock taken above serialises it.
        for (const { op } of batch) await recordRevision(tx, documentId, op, pauseMs);
        return true;
      });
      if (bumped) return batch.map(() => APPENDED);
      // Head was not `base`: the first op may still be a duplicate of a stored one [P2].
      const existing = await inner.findByClientSeq(documentId, batch[0]!.op.clientId, batch[0]!.op.clientSeq);
      return batch.map((_, i) => (i === 0 && existing ? { kind: 'duplicate', existing } : CONFLICT));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Rolled back whole; find out op by op which one clashed, with the plain append's answers.
      const results: AppendResult[] = [];
      for (const { op, content } of batch) {
        const result = results.length > 0 && results[results.length - 1]!.kind !== 'appended' ? CONFLICT : await inner.append(documentId, op.version - 1, op, content);
        results.push(result);
      }
      return results;
    }
  }

  async function flush(documentId: string, lane: Lane): Promise<void> {
    while (lane.queue.length > 0) {
      const batch = lane.queue.splice(0, maxBatch);
      lane.committing = batch;
      let results: AppendResult[] | null = null;
      let failure: unknown = null;
      try {
        results = await commit(documentId, lane.base, batch);
      } catch (error) {
        failure = error;
      }
      lane.committing = [];
      const all = results !== null && results.every((r) => r.kind === 'appended');
      if (all) {
        const top = batch[batch.length - 1]!;
        lane.base = top.op.version;
        remember({ documentId, version: top.op.version, content: top.content, createdAt: top.op.createdAt });
        for (const p of batch) {
          lane.keys.delete(keyOf(p.op));
          p.settle(APPENDED);
        }
        continue;
      }
      // The chain is broken: answer the batch, then everything queued behind it, and start over.
      lanes.delete(documentId);
      batch.forEach((p, i) => p.settle(results ? results[i]! : { error: failure }));
      const appended = results ? results.filter((r) => r.kind === 'appended').length : 0;
      if (appended > 0) {
        const top = batch[appended - 1]!;
        remember({ documentId, version: top.op.version, content: top.content, createdAt: top.op.createdAt });
      } else {
        committed.delete(documentId);
      }
      for (const p of lane.queue.splice(0)) p.settle(CONFLICT);
      return;
    }
    if (lanes.get(documentId) === lane) lanes.delete(documentId);
  }

  async function committedHead(documentId: string): Promise<HeadState | null> {
    const known = committed.get(documentId);
    if (!known) return inner.head(documentId);
    const row = await prisma.document.findFirst({ where: { id: documentId, deletedAt: null }, select: { version: true } });
    if (!row) return null;
    if (row.version === known.version) return { version: known.version, snapshot: known, ops: [] };
    committed.delete(documentId); // another instance moved on: the plain store reads what it needs
    return inner.head(documentId);
  }

  async function append(documentId: string, expectedVersion: number, op: AppliedOp, contentAfter: Delta): Promise<AppendResult> {
    if (op.documentId !== documentId || op.version !== expectedVersion + 1) {
      throw new Error(`op store: append of ${op.documentId}@${op.version} at expected version ${expectedVersion} of ${documentId}`);
    }
    let lane = lanes.get(documentId);
    if (lane) {
      if (expectedVersion !== lane.head) return CONFLICT;
      const same = lane.keys.get(keyOf(op));
      if (same) {
        // The same (clientId, clientSeq) is on its way in: answer as its commit turns out [P2].
        const result = await same.outcome.catch(() => CONFLICT);
        return result.kind === 'appended' ? { kind: 'duplicate', existing: same.op } : CONFLICT;
      }
    } else {
      lane = { base: expectedVersion, head: expectedVersion, content: contentAfter, createdAt: op.createdAt, committing: [], queue: [], keys: new Map() };
      lanes.set(documentId, lane);
    }
    const entry = pending(op, contentAfter);
    lane.queue.push(entry);
    lane.keys.set(keyOf(op), entry);
    lane.head = op.version;
    lane.content = contentAfter;
    lane.createdAt = op.createdAt;
    if (lane.committing.length === 0 && lane.queue.length === 1) void flush(documentId, lane);
    return entry.outcome;
  }

  const store: OpStore = {
    createDocument: (documentId, content, createdAt) => inner.createDocument(documentId, content, createdAt),
    head: committedHead,
    append,
    opsAfter: (documentId, afterVersion, limit) => inner.opsAfter(documentId, afterVersion, limit),
    findByClientSeq: (documentId, clientId, clientSeq) => inner.findByClientSeq(documentId, clientId, clientSeq),
    saveSnapshot: (snapshot) => inner.saveSnapshot(snapshot),
    latestSnapshotAtOrBelow: (documentId, version) => inner.latestSnapshotAtOrBelow(documentId, version),
  };

  const sequencerStore: OpStore = {
    ...store,
    async head(documentId) {
      const lane = lanes.get(documentId);
      if (!lane) return committedHead(documentId);
      return { version: lane.head, snapshot: { documentId, version: lane.head, content: lane.content, createdAt: lane.createdAt }, ops: [] };
    },
    async opsAfter(documentId, afterVersion, limit) {
      const lane = lanes.get(documentId);
      if (!lane) return inner.opsAfter(documentId, afterVersion, limit);
      // Captured before any await: ops base+1…head, committed meanwhile or not, are these.
      const base = lane.base;
      const chained = [...lane.committing, ...lane.queue].map((p) => p.op).filter((op) => op.version > afterVersion);
      const stored = afterVersion < base ? (await inner.opsAfter(documentId, afterVersion, Math.min(limit ?? Infinity, base - afterVersion))).filter((op) => op.version <= base) : [];
      const ops = [...stored, ...chained];
      return limit === undefined ? ops : ops.slice(0, limit);
    },
  };

  return { store, sequencerStore };
}
