/**
 * Revisions in PostgreSQL (lib/collab/SPEC.md, H1–H7): the grouping is kept incrementally, one
 * row per span. Appends group their ops in the commit itself (lib/db/commit.ts writes the spans
 * the planner grouped, in the same statement as the ops), so a committed op always belongs to a
 * span; naming a version (here) takes the document's row lock and bumps its history epoch, so a
 * commit planned on the spans as they were before cannot write over it. A page of `revisions`
 * reads `first + 1` rows through (document_id, to_version) plus the names of those versions,
 * never the op log. Naming a version inside a span splits it, which reads that span's ops'
 * authors once (an aggregate over the primary key range).
 */
import { groupOp, isRestoreOp, RESTORE_CLIENT_PREFIX, splitPoint, type GroupedOp, type RevisionSpan } from '../collab/revisions.ts';
import type { Prisma, PrismaClient } from './prisma.ts';

/** A stored span with its row id and, when its `toVersion` was named, the name. */
export interface StoredRevision extends RevisionSpan {
  readonly id: string;
  readonly documentId: string;
  readonly name: string | null;
  /** Set when the span is a restore [H3b]: the version it restored, or null when not recorded (a keyed restore). */
  readonly restore?: { readonly version: number | null } | null;
}

/** The clientId restoreVersion submits under [H3b]: the restored version and a unique part, or the caller's key. */
export function restoreClientId(version: number, key: { clientId: string } | null, unique: string): string {
  return key ? `${RESTORE_CLIENT_PREFIX}${key.clientId}` : `${RESTORE_CLIENT_PREFIX}${version}:${unique}`;
}

/** What a restore op's clientId says about it, or null when the op is not a restore. */
function restoreOf(clientId: string): { version: number | null } | null {
  if (!isRestoreOp({ clientId })) return null;
  const match = /^restore:(\d{1,15}):[0-9a-f-]{36}$/.exec(clientId);
  return { version: match ? Number(match[1]) : null };
}

/** The newest span of a document, and whether its last version was named (it is closed then). */
export interface NewestRow {
  id: string;
  from_version: number;
  to_version: number;
  author_ids: string[];
  started_at: Date;
  ended_at: Date;
  closed: boolean;
}

/** The answer to {@link nameVersion}. */
export type NameVersionResult =
  | { readonly kind: 'named'; readonly revision: StoredRevision }
  | { readonly kind: 'rejected'; readonly code: 'NOT_FOUND' | 'BAD_USER_INPUT'; readonly message: string };

/**
 * Names `version` (1 ≤ version ≤ head; naming again renames) and makes it a span end, splitting
 * the span that contains it [H4, H5]. Runs in one transaction holding the document's row lock,
 * so it cannot interleave with an append's grouping.
 */
export async function nameVersion(
  prisma: PrismaClient,
  input: { documentId: string; version: number; name: string; createdById: string | null },
): Promise<NameVersionResult> {
  const { documentId, version } = input;
  return prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ version: number }>>`
      SELECT version FROM documents WHERE id = ${documentId} AND deleted_at IS NULL FOR UPDATE`;
    const head = rows[0]?.version;
    if (head === undefined) return { kind: 'rejected', code: 'NOT_FOUND', message: `Document ${documentId} does not exist.` } as const;
    if (!Number.isSafeInteger(version) || version < 1 || version > head) {
      return {
        kind: 'rejected',
        code: 'BAD_USER_INPUT',
        message: `Only versions 1 to ${head} (the head) can be named; got ${version}. Version 0 is the document as created.`,
      } as const;
    }
    await tx.namedVersion.upsert({
      where: { documentId_version: { documentId, version } },
      create: { documentId, version, name: input.name, createdById: input.createdById },
      update: { name: input.name },
    });
    // Spans may be cut or closed below without a new op: writers holding a cached newest span
    // (lib/db/fast-append.ts) see the epoch move and re-read.
    await tx.$executeRaw`UPDATE documents SET history_epoch = history_epoch + 1 WHERE id = ${documentId}`;
    const newest = await newestSpan(tx, documentId);
    if ((newest?.to_version ?? 0) < head) {
      await insertSpan(tx, documentId, await spanFromLog(tx, documentId, newest?.to_version ?? 0, head));
    }
    const holder = await tx.revision.findFirstOrThrow({
      where: { documentId, fromVersion: { lt: version } },
      orderBy: { fromVersion: 'desc' },
    });
    const cut = splitPoint(holder, version);
    if (cut !== null) {
      const lower = await spanFromLog(tx, documentId, cut.lower[0], cut.lower[1]);
      const upper = await spanFromLog(tx, documentId, cut.upper[0], cut.upper[1]);
      await tx.revision.update({
        where: { id: holder.id },
        data: { toVersion: lower.toVersion, authorIds: [...lower.authorIds], startedAt: lower.startedAt, endedAt: lower.endedAt },
      });
      await insertSpan(tx, documentId, upper);
    }
    const named = await tx.revision.findFirstOrThrow({ where: { documentId, fromVersion: holder.fromVersion } });
    return { kind: 'named', revision: { ...named, name: input.name } } as const;
  });
}

/** A page of spans, newest first: those ending before `beforeToVersion` (all when undefined) [H7]. */
export async function revisionsPage(
  prisma: PrismaClient,
  documentId: string,
  page: { first: number; beforeToVersion?: number },
): Promise<{ revisions: StoredRevision[]; hasNextPage: boolean }> {
  const rows = await prisma.revision.findMany({
    where: { documentId, ...(page.beforeToVersion === undefined ? {} : { toVersion: { lt: page.beforeToVersion } }) },
    orderBy: { toVersion: 'desc' },
    take: page.first + 1,
  });
  const shown = rows.slice(0, page.first);
  const names =
    shown.length === 0
      ? []
      : await prisma.namedVersion.findMany({
          where: { documentId, version: { in: shown.map((r) => r.toVersion) } },
          select: { version: true, name: true },
        });
  const nameOf = new Map(names.map((n) => [n.version, n.name]));
  // A restore is an entry of its own op [H3b]: its first op says whether it is one.
  const firstOps =
    shown.length === 0
      ? []
      : await prisma.operation.findMany({
          where: { documentId, version: { in: shown.map((r) => r.fromVersion + 1) } },
          select: { version: true, clientId: true },
        });
  const restoreAt = new Map(firstOps.map((op) => [op.version, restoreOf(op.clientId)]));
  return {
    revisions: shown.map((r) => ({ ...r, name: nameOf.get(r.toVersion) ?? null, restore: restoreAt.get(r.fromVersion + 1) ?? null })),
    hasNextPage: rows.length > page.first,
  };
}

export async function newestSpan(tx: Prisma.TransactionClient, documentId: string): Promise<NewestRow | null> {
  const rows = await tx.$queryRaw<NewestRow[]>`
    SELECT r.id, r.from_version, r.to_version, r.author_ids, r.started_at, r.ended_at,
           EXISTS (SELECT 1 FROM named_versions n WHERE n.document_id = r.document_id AND n.version = r.to_version) AS closed
    FROM revisions r
    WHERE r.document_id = ${documentId}
    ORDER BY r.to_version DESC
    LIMIT 1`;
  return rows[0] ?? null;
}

/** The `revisions` row of a span. */
export const spanRow = (documentId: string, span: RevisionSpan) => ({
  documentId,
  fromVersion: span.fromVersion,
  toVersion: span.toVersion,
  authorIds: [...span.authorIds],
  startedAt: span.startedAt,
  endedAt: span.endedAt,
});

async function insertSpan(tx: Prisma.TransactionClient, documentId: string, span: RevisionSpan): Promise<void> {
  await tx.revision.create({ data: spanRow(documentId, span) });
}

/** The span of ops `fromVersion + 1 … toVersion` summarised from the log itself [H2]. */
async function spanFromLog(tx: Prisma.TransactionClient, documentId: string, fromVersion: number, toVersion: number): Promise<RevisionSpan> {
  const authors = await tx.$queryRaw<Array<{ author_id: string }>>`
    SELECT author_id FROM operations
    WHERE document_id = ${documentId} AND version > ${fromVersion} AND version <= ${toVersion} AND author_id IS NOT NULL
    GROUP BY author_id
    ORDER BY MIN(version)`;
  const times = await tx.$queryRaw<Array<{ started_at: Date | null; ended_at: Date | null }>>`
    SELECT MIN(created_at) FILTER (WHERE version = ${fromVersion + 1}) AS started_at, MAX(created_at) AS ended_at
    FROM operations
    WHERE document_id = ${documentId} AND version > ${fromVersion} AND version <= ${toVersion}`;
  const { started_at: startedAt, ended_at: endedAt } = times[0] ?? { started_at: null, ended_at: null };
  if (startedAt === null || endedAt === null) {
    throw new Error(`revisions: ops ${fromVersion + 1}…${toVersion} of ${documentId} are missing`);
  }
  return { fromVersion, toVersion, authorIds: authors.map((a) => a.author_id), startedAt, endedAt };
}
