/**
 * The PostgreSQL implementation of lib/collab's OpStore port (rules P1–P7 in
 * lib/collab/SPEC.md), through Prisma.
 *
 * Sequencing: `append` runs one transaction that bumps `documents.version` from the expected
 * value (the row lock serialises writers of one document; a writer that lost sees zero rows
 * updated and answers `conflict`) and inserts the op; the primary key (document_id, version)
 * and the unique (document_id, client_id, client_seq) turn any slip into an error instead of a
 * fork or a double apply.
 *
 * History (issue 6): the same transaction groups the op into its revision span
 * (lib/db/revisions.ts), so a committed op can never lack its history entry and grouping is
 * serialised by the same row lock; `saveSnapshot` also stores a blame snapshot at that version
 * (lib/db/blame-store.ts), so blame at any version costs one blame snapshot plus a few ops.
 *
 * Loading: each process keeps the content at head of recently used documents (an LRU of
 * `contentAfter` values it appended or rebuilt), so `head` usually reads one row plus the few ops
 * other instances committed since; otherwise it reads the newest snapshot plus the ops after it.
 */
import { Delta } from '../ot/operation.ts';
import type { AppendResult, CreateResult, HeadState, OpStore } from '../collab/op-store.ts';
import type { AppliedOp, Snapshot } from '../collab/types.ts';
import { replay } from '../collab/document-loader.ts';
import { DEFAULT_REVISION_PAUSE_MS } from '../collab/revisions.ts';
import { createPrismaBlameStore } from './blame-store.ts';
import { Prisma, type PrismaClient } from './client.ts';
import { recordRevision } from './revisions.ts';

export interface PrismaOpStoreOptions {
  /**
   * Where `createDocument` puts a document it creates on its own (tests, benches, imports): the
   * organization and title of the `documents` row. The app's createDocument mutation writes the
   * row itself with `insertDocument`, in the same transaction as the owner's membership.
   */
  readonly placement?: (documentId: string) => { organizationId: string; title: string; createdById: string | null };
  /** Documents whose head content this process caches; default 1,000. */
  readonly cacheSize?: number;
  /** A pause of at least this long between ops starts a new revision (H3); default five minutes. */
  readonly revisionPauseMs?: number;
  /** Most ops blame replays between blame snapshots it saves on its own (H12); default 100. */
  readonly blameEvery?: number;
}

export interface OpRow {
  documentId: string;
  version: number;
  delta: Prisma.JsonValue;
  authorId: string | null;
  clientId: string;
  clientSeq: number;
  createdAt: Date;
}

const deltaOf = (json: Prisma.JsonValue): Delta => new Delta((json as { ops: Delta['ops'] }).ops);
/** A Delta as stored in JSONB: `{ ops: [...] }`. */
export const jsonOf = (delta: Delta): Prisma.InputJsonValue => ({ ops: delta.ops }) as unknown as Prisma.InputJsonValue;

/** An `operations` row as an AppliedOp. */
export const toOp = (row: OpRow): AppliedOp => ({
  documentId: row.documentId,
  version: row.version,
  delta: deltaOf(row.delta),
  authorId: row.authorId,
  clientId: row.clientId,
  clientSeq: row.clientSeq,
  createdAt: row.createdAt,
});

/** The `operations` row of an op. */
export const operationData = (documentId: string, op: AppliedOp) => ({
  documentId,
  version: op.version,
  delta: jsonOf(op.delta),
  authorId: op.authorId,
  clientId: op.clientId,
  clientSeq: op.clientSeq,
  createdAt: op.createdAt,
});

export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/**
 * Inserts a document row at version 0 and its version-0 snapshot inside `tx`.
 * Throws P2002 when the id is taken.
 */
export async function insertDocument(
  tx: Prisma.TransactionClient,
  document: { id: string; organizationId: string; title: string; createdById: string | null; content: Delta; createdAt: Date },
): Promise<void> {
  await tx.document.create({
    data: {
      id: document.id,
      organizationId: document.organizationId,
      title: document.title,
      createdById: document.createdById,
      createdAt: document.createdAt,
      version: 0,
    },
  });
  await tx.snapshot.create({
    data: { documentId: document.id, version: 0, content: jsonOf(document.content), createdAt: document.createdAt },
  });
}

/** Creates the PostgreSQL op store. */
export function createPrismaOpStore(prisma: PrismaClient, options: PrismaOpStoreOptions = {}): OpStore {
  const cacheSize = options.cacheSize ?? 1000;
  const revisionPauseMs = options.revisionPauseMs ?? DEFAULT_REVISION_PAUSE_MS;
  const blames = createPrismaBlameStore(prisma, { every: options.blameEvery ?? 100 });
  // Map iteration order is insertion order: re-inserting on use makes the first key the LRU.
  const heads = new Map<string, Snapshot>();
  const remember = (snapshot: Snapshot): void => {
    heads.delete(snapshot.documentId);
    heads.set(snapshot.documentId, snapshot);
    if (heads.size > cacheSize) heads.delete(heads.keys().next().value as string);
  };

  async function opsBetween(documentId: string, afterVersion: number, upTo: number): Promise<AppliedOp[]> {
    if (upTo <= afterVersion) return [];
    const rows = await prisma.operation.findMany({
      where: { documentId, version: { gt: afterVersion, lte: upTo } },
      orderBy: { version: 'asc' },
    });
    return rows.map(toOp);
  }

  const store: OpStore = {
    async createDocument(documentId, content, createdAt): Promise<CreateResult> {
      if (!options.placement) throw new Error('createPrismaOpStore: createDocument needs the `placement` option');
      const placement = options.placement(documentId);
      try {
        await prisma.$transaction((tx) => insertDocument(tx, { id: documentId, ...placement, content, createdAt }));
        return { kind: 'created' };
      } catch (error) {
        if (isUniqueViolation(error)) return { kind: 'exists' };
        throw error;
      }
    },

    async head(documentId): Promise<HeadState | null> {
      const document = await prisma.document.findFirst({ where: { id: documentId, deletedAt: null }, select: { version: true } });
      if (!document) return null;
      const version = document.version;
      // Ops up to `version` were committed with it, so they are all visible now (one transaction
      // bumps the version and inserts the op); reading them after the version is consistent.
      const cached = heads.get(documentId);
      if (cached && cached.version <= version) {
        const ops = await opsBetween(documentId, cached.version, version);
        if (ops.length > 0) remember(replay(cached, ops) as Snapshot);
        return { version, snapshot: cached, ops };
      }
      const snapshot = await store.latestSnapshotAtOrBelow(documentId, version);
      if (!snapshot) throw new Error(`op store: document ${documentId} has no snapshot at or below ${version}`);
      const ops = await opsBetween(documentId, snapshot.version, version);
      remember(replay(snapshot, ops) as Snapshot);
      return { version, snapshot, ops };
    },

    async append(documentId, expectedVersion, op, contentAfter): Promise<AppendResult> {
      if (op.documentId !== documentId || op.version !== expectedVersion + 1) {
        throw new Error(`op store: append of ${op.documentId}@${op.version} at expected version ${expectedVersion} of ${documentId}`);
      }
      try {
        const appended = await prisma.$transaction(async (tx) => {
          const bumped = await tx.document.updateMany({
            where: { id: documentId, version: expectedVersion, deletedAt: null },
            data: { version: { increment: 1 } },
          });
          if (bumped.count === 0) return false;
          await tx.operation.create({ data: operationData(documentId, op) });
          await recordRevision(tx, documentId, op, revisionPauseMs);
          return true;
        });
        if (!appended) {
          const existing = await store.findByClientSeq(documentId, op.clientId, op.clientSeq);
          return existing ? { kind: 'duplicate', existing } : { kind: 'conflict' };
        }
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Rolled back: either this (clientId, clientSeq) is stored already, or another writer took
        // the version (possible only if something bypassed the row lock).
        const existing = await store.findByClientSeq(documentId, op.clientId, op.clientSeq);
        return existing ? { kind: 'duplicate', existing } : { kind: 'conflict' };
      }
      remember({ documentId, version: op.version, content: contentAfter, createdAt: op.createdAt });
      return { kind: 'appended' };
    },

    async opsAfter(documentId, afterVersion, limit): Promise<readonly AppliedOp[]> {
      const rows = await prisma.operation.findMany({
        where: { documentId, version: { gt: afterVersion } },
        orderBy: { version: 'asc' },
        ...(limit === undefined ? {} : { take: limit }),
      });
      return rows.map(toOp);
    },

    async findByClientSeq(documentId, clientId, clientSeq): Promise<AppliedOp | null> {
      const row = await prisma.operation.findUnique({
        where: { documentId_clientId_clientSeq: { documentId, clientId, clientSeq } },
      });
      return row ? toOp(row) : null;
    },

    async saveSnapshot(snapshot): Promise<void> {
      await prisma.snapshot.createMany({
        data: [{ documentId: snapshot.documentId, version: snapshot.version, content: jsonOf(snapshot.content), createdAt: snapshot.createdAt }],
        skipDuplicates: true,
      });
      // After the content snapshot, so a failure here (reported after commit, S7) loses only the
      // shortcut: blame then replays from the previous blame snapshot and saves this one itself.
      await blames.saveSnapshotAt(snapshot.documentId, snapshot.version);
    },

    async latestSnapshotAtOrBelow(documentId, version): Promise<Snapshot | null> {
      const row = await prisma.snapshot.findFirst({
        where: { documentId, version: { lte: version } },
        orderBy: { version: 'desc' },
      });
      return row ? { documentId, version: row.version, content: deltaOf(row.content), createdAt: row.createdAt } : null;
    },
  };
  return store;
}
