/**
 * Blame in PostgreSQL (lib/collab/SPEC.md, H8–H12): authorship snapshots in `blame_snapshots`,
 * next to the content snapshots, and blame at any version rebuilt from the nearest one.
 *
 * Cost of `blameAt(v)`: one indexed read of the nearest blame snapshot ≤ v (a few bytes per run),
 * the ops after it (at most `every` when the snapshots are in place), their authorship ops
 * composed into one change and applied in one pass over the runs. When it has to replay further
 * (a snapshot is missing: written before this existed, or a failure after commit), it saves a
 * snapshot at every `every` ops on the way, so the next call is cheap again.
 */
import { blameAfter, initialBlame, type Blame, type BlameRun } from '../collab/blame.ts';
import { Delta } from '../ot/operation.ts';
import type { Prisma, PrismaClient } from './prisma.ts';

export interface BlameStore {
  /**
   * Blame of the document at `version`; null when the document or that version does not exist
   * (no content snapshot at or below it, or the ops up to it are not all stored).
   */
  blameAt(documentId: string, version: number): Promise<Blame | null>;
  /** Computes blame at `version` and stores it as a snapshot; idempotent [H12]. */
  saveSnapshotAt(documentId: string, version: number): Promise<void>;
}

export interface PrismaBlameStoreOptions {
  /** Most ops replayed between saved blame snapshots; default 100 (the sequencer's snapshotEvery). */
  readonly every?: number;
  /** Documents whose last saved blame is kept in memory (least recently saved dropped first); default 256. */
  readonly recentDocuments?: number;
  /** Estimated bytes those blames may hold together (64 per run); default 16 MiB. */
  readonly recentMaxBytes?: number;
}

/** Estimated bytes of a blame kept in memory. */
const blameBytes = (blame: Blame) => 64 + 64 * blame.runs.length;

/**
 * Creates the blame store on `prisma`. It keeps the last blame it saved per document (ops never
 * change once committed, so it stays true) to start the next snapshot from, without reading it back.
 */
export function createPrismaBlameStore(prisma: PrismaClient | Prisma.TransactionClient, options: PrismaBlameStoreOptions = {}): BlameStore {
  const every = options.every ?? 100;
  const recentDocuments = options.recentDocuments ?? 256;
  const recentMaxBytes = options.recentMaxBytes ?? 16 * 1024 * 1024;
  const recent = new Map<string, Blame>(); // least recently saved first
  let recentBytes = 0;
  const forgetRecent = (documentId: string) => {
    const blame = recent.get(documentId);
    if (blame === undefined) return;
    recent.delete(documentId);
    recentBytes -= blameBytes(blame);
  };
  const rememberSaved = (documentId: string, blame: Blame) => {
    const known = recent.get(documentId);
    if (known !== undefined && known.version > blame.version) return;
    forgetRecent(documentId);
    if (blameBytes(blame) > recentMaxBytes / 4) return;
    recent.set(documentId, blame);
    recentBytes += blameBytes(blame);
    for (const oldest of recent.keys()) {
      if (recent.size <= recentDocuments && recentBytes <= recentMaxBytes) break;
      forgetRecent(oldest);
    }
  };
  /** The kept blame to start `version` from: at or below it, and no more than `every` ops back. */
  const recentFor = (documentId: string, version: number): Blame | null => {
    const blame = recent.get(documentId);
    return blame !== undefined && blame.version <= version && version - blame.version <= every ? blame : null;
  };

  async function nearest(documentId: string, version: number): Promise<Blame | null> {
    const row = await prisma.blameSnapshot.findFirst({
      where: { documentId, version: { lte: version } },
      orderBy: { version: 'desc' },
    });
    if (row) return { version: row.version, runs: decodeRuns(row.runs, row.authorIds) };
    // No blame snapshot yet: start from the content the document was created with.
    const [document, zero] = await Promise.all([
      prisma.document.findUnique({ where: { id: documentId }, select: { createdById: true } }),
      prisma.snapshot.findUnique({ where: { documentId_version: { documentId, version: 0 } }, select: { content: true } }),
    ]);
    if (!document || !zero) return null;
    return initialBlame(new Delta((zero.content as { ops: Delta['ops'] }).ops), document.createdById);
  }

  async function save(documentId: string, blame: Blame): Promise<void> {
    const { authorIds, runs } = encodeRuns(blame.runs);
    await prisma.blameSnapshot.createMany({
      data: [{ documentId, version: blame.version, authorIds, runs }],
      skipDuplicates: true,
    });
    rememberSaved(documentId, blame);
  }

  const store: BlameStore = {
    async blameAt(documentId, version) {
      if (!Number.isSafeInteger(version) || version < 0) return null;
      let blame = recentFor(documentId, version) ?? (await nearest(documentId, version));
      if (blame === null) return null;
      while (blame.version < version) {
        const upTo = Math.min(version, blame.version + every);
        const ops = await prisma.operation.findMany({
          where: { documentId, version: { gt: blame.version, lte: upTo } },
          orderBy: { version: 'asc' },
          select: { version: true, delta: true, authorId: true },
        });
        if (ops.length !== upTo - blame.version) return null;
        blame = blameAfter(
          blame,
          ops.map((op) => ({ version: op.version, authorId: op.authorId, delta: new Delta((op.delta as { ops: Delta['ops'] }).ops) })),
        );
        // A long replay means snapshots are missing; leave them behind for the next caller.
        if (blame.version < version) await save(documentId, blame);
      }
      return blame;
    },

    async saveSnapshotAt(documentId, version) {
      if (recent.get(documentId)?.version === version) return; // saved by this store
      const existing = await prisma.blameSnapshot.findUnique({
        where: { documentId_version: { documentId, version } },
        select: { version: true },
      });
      if (existing) return;
      const blame = await store.blameAt(documentId, version);
      if (blame === null) throw new Error(`blame store: ${documentId} has no version ${version} to snapshot`);
      await save(documentId, blame);
    },
  };
  return store;
}

/** Runs as int32 triples (length, author index or −1, version), little-endian, plus the author list. */
export function encodeRuns(runs: readonly BlameRun[]): { authorIds: string[]; runs: Uint8Array<ArrayBuffer> } {
  const authorIds: string[] = [];
  const index = new Map<string, number>();
  const ints = new Int32Array(runs.length * 3);
  runs.forEach((run, i) => {
    let author = -1;
    if (run.authorId !== null) {
      author = index.get(run.authorId) ?? -1;
      if (author === -1) {
        author = authorIds.push(run.authorId) - 1;
        index.set(run.authorId, author);
      }
    }
    ints[i * 3] = run.length;
    ints[i * 3 + 1] = author;
    ints[i * 3 + 2] = run.version;
  });
  const bytes = new Uint8Array(ints.length * 4);
  const view = new DataView(bytes.buffer);
  ints.forEach((n, i) => view.setInt32(i * 4, n, true));
  return { authorIds, runs: bytes };
}

/**
 * Decodes {@link encodeRuns}. Stored bytes are checked (whole triples, positive lengths, known
 * authors): a malformed snapshot is corruption, and throws rather than giving wrong blame.
 */
export function decodeRuns(bytes: Uint8Array, authorIds: readonly string[]): BlameRun[] {
  if (bytes.byteLength % 12 !== 0) throw new Error(`blame snapshot: ${bytes.byteLength} bytes is not whole runs`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const runs: BlameRun[] = new Array(bytes.byteLength / 12);
  for (let i = 0; i < runs.length; i++) {
    const length = view.getInt32(i * 12, true);
    const author = view.getInt32(i * 12 + 4, true);
    const version = view.getInt32(i * 12 + 8, true);
    const authorId = author === -1 ? null : authorIds[author];
    if (length <= 0 || version < 0 || authorId === undefined) throw new Error(`blame snapshot: run ${i} is malformed`);
    runs[i] = { length, authorId, version };
  }
  return runs;
}
