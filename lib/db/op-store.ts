/**
 * The PostgreSQL implementation of lib/collab's OpStore port (rules P1–P9 in
 * lib/collab/SPEC.md).
 *
 * Writes: `commit` and `load` (lib/db/commit.ts) run on the write pool (`pool`), which nothing
 * else uses, so the write path's connections are never taken by auth or feed reads and vice
 * versa. `commit` is the only writer of `operations`; it writes an op's revision span in the same
 * statement, so a committed op always belongs to a span (H6).
 *
 * Reads (`head`, `opsAfter`, `findByClientSeq`, snapshots) go through the Prisma client given,
 * which the server dedicates to feeds and document loads (lib/server/services.ts). `saveSnapshot`
 * also stores a blame snapshot at that version (lib/db/blame-store.ts), so blame at any version
 * costs one blame snapshot plus a few ops.
 */
import { Delta } from '../ot/operation.ts';
import type pg from 'pg';
import type { CreateResult, HeadState, OpStore } from '../collab/op-store.ts';
import type { AppliedOp, Snapshot } from '../collab/types.ts';
import { DEFAULT_REVISION_PAUSE_MS } from '../collab/revisions.ts';
import { createPrismaBlameStore } from './blame-store.ts';
import { Prisma, type PrismaClient } from './prisma.ts';
import { commit, load, type CommitPath, type WriteDb } from './commit.ts';

export interface PrismaOpStoreOptions {
  /**
   * Where `createDocument` puts a document it creates on its own (tests, benches, imports): the
   * organization and title of the `documents` row. The app's createDocument mutation writes the
   * row itself with `insertDocument`, in the same transaction as the owner's membership.
   */
  readonly placement?: (documentId: string) => { organizationId: string; title: string; createdById: string | null };
  /**
   * The write pool (a plain pg pool on the same database) for `load` and `commit`. Without it the
   * store is read-only: those two throw (tools that only read, e.g. the history bench).
   */
  readonly pool?: pg.Pool;
  /**
   * Whether the write pool's statements are prepared once per connection (named); default true.
   * Off for the embedded database, whose connections share one session (lib/db/commit.ts).
   */
  readonly preparedStatements?: boolean;
  /** Hears how each commit ended (metrics: `verso_commits_total{path}`). */
  readonly onCommitPath?: (path: CommitPath) => void;
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
  const revisionPauseMs = options.revisionPauseMs ?? DEFAULT_REVISION_PAUSE_MS;
  const blames = createPrismaBlameStore(prisma, { every: options.blameEvery ?? 100 });
  const write: WriteDb | null = options.pool ? { pool: options.pool, prepared: options.preparedStatements ?? true, pauseMs: revisionPauseMs } : null;
  const writeDb = (): WriteDb => {
    if (!write) throw new Error('createPrismaOpStore: load and commit need the `pool` option (the write pool)');
    return write;
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
      // Ops up to `version` were committed with it, so they are all visible now (one statement
      // bumps the version and inserts the ops); reading them after the version is consistent.
      const snapshot = await store.latestSnapshotAtOrBelow(documentId, version);
      if (!snapshot) throw new Error(`op store: document ${documentId} has no snapshot at or below ${version}`);
      return { version, snapshot, ops: await opsBetween(documentId, snapshot.version, version) };
    },

    load: (documentId, historyAfter = Infinity) => load(writeDb(), documentId, historyAfter),

    commit: (request) => commit(writeDb(), request, options.onCommitPath),

    async opsAfter(documentId, afterVersion, limit): Promise<readonly AppliedOp[]> {
      const rows = await prisma.operation.findMany({
        where: { documentId, version: { gt: afterVersion } },
        orderBy: { version: 'asc' },
        ...(limit === undefined ? {} : { take: limit }),
      });
      return rows.map(toOp);
    },

    async headVersions(documentIds): Promise<ReadonlyMap<string, number>> {
      if (documentIds.length === 0) return new Map();
      // One primary-key lookup per id in one statement, however many documents are watched.
      const rows = await prisma.document.findMany({ where: { id: { in: [...documentIds] }, deletedAt: null }, select: { id: true, version: true } });
      return new Map(rows.map((row) => [row.id, row.version]));
    },

    async findByClientSeq(documentId, clientId, clientSeq): Promise<AppliedOp | null> {
      const row = await prisma.operation.findUnique({
        where: { documentId_clientId_clientSeq: { documentId, clientId, clientSeq } },
      });
      return row ? toOp(row) : null;
    },

    async saveSnapshot(snapshot): Promise<void> {
      // The content as one JSON text: Prisma would walk a large document's ops in JavaScript to
      // serialise a Json argument (~20-30 ms of event loop for 20,000 components) [PL9].
      const content = JSON.stringify({ ops: snapshot.content.ops });
      await prisma.$executeRaw`INSERT INTO snapshots (document_id, version, content, created_at)
        VALUES (${snapshot.documentId}, ${snapshot.version}, ${content}::jsonb, ${snapshot.createdAt}) ON CONFLICT DO NOTHING`;
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
