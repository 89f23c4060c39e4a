/**
 * History kept by the PostgreSQL stores, through the real sequencer (lib/collab/SPEC.md H1–H13):
 * incremental revisions equal grouping from scratch, paging, naming splits, blame from snapshots
 * equals blame from the whole log, and the document at any version equals the replay of its ops.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blameAfter, initialBlame } from '../../lib/collab/blame.ts';
import { documentAt, replay } from '../../lib/collab/document-loader.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { groupAll } from '../../lib/collab/revisions.ts';
import { createSequencer } from '../../lib/collab/sequencer.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { createPrismaBlameStore, decodeRuns, encodeRuns } from '../../lib/db/blame-store.ts';
import { createPrismaOpStore } from '../../lib/db/op-store.ts';
import { nameVersion, revisionsPage } from '../../lib/db/revisions.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { randomOp, seededRandom } from '../../lib/ot/random-op.ts';
import { createTestOrganization, testPrisma } from '../support/prisma.ts';

const prisma = testPrisma();
const MINUTE = 60_000;
const AUTHORS = ['hist-ann', 'hist-bob', 'hist-cy'];
let organizationId: string;
// The op store's write pool (load and commit).
const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 4 });
afterAll(() => pool.end());

beforeAll(async () => {
  organizationId = await createTestOrganization(prisma, 'History');
  await prisma.user.createMany({ data: AUTHORS.map((id) => ({ id, email: `${id}@history.test` })), skipDuplicates: true });
});

/** A document on the real stores whose clock the test moves; `snapshotEvery` small to cross snapshots. */
async function history(options: { snapshotEvery?: number; pauseMs?: number; blameEvery?: number } = {}) {
  const documentId = `hist-${randomUUID()}`;
  let now = Date.UTC(2026, 0, 1);
  const store = createPrismaOpStore(prisma, {
    pool,
    placement: () => ({ organizationId, title: 'History', createdById: 'hist-ann' }),
    revisionPauseMs: options.pauseMs ?? 5 * MINUTE,
    ...(options.blameEvery ? { blameEvery: options.blameEvery } : {}),
  });
  const sequencer = createSequencer({
    store,
    broadcaster: createMemoryBroadcaster(),
    clock: () => new Date(now),
    snapshotEvery: options.snapshotEvery ?? 7,
    revisionPauseMs: options.pauseMs ?? 5 * MINUTE,
  });
  await sequencer.createDocument(documentId, new Delta().insert('Start\n'));
  const contentAt = async (v: number): Promise<Delta> => {
    const at = await documentAt(store, documentId, v);
    if (at.kind !== 'found') throw new Error(`documentAt ${v}: ${at.code}`);
    return at.state.content;
  };
  const seqs = new Map<string, number>();
  let doc = new Delta().insert('Start\n');
  let version = 0;
  /** Submits a random op by `author` after `afterMs`, against head or (stale) an older version. */
  async function edit(author: string, random: () => number, afterMs = 1000, stale = 0) {
    now += afterMs;
    const base = Math.max(0, version - stale);
    const baseDoc = base === version ? doc : await contentAt(base);
    const seq = (seqs.get(author) ?? 0) + 1;
    seqs.set(author, seq);
    const result = await sequencer.submit({ documentId, baseVersion: base, clientId: `c-${author}`, clientSeq: seq, delta: randomOp(baseDoc, random), authorId: author });
    if (result.kind !== 'applied') throw new Error(`submit: ${JSON.stringify(result)}`);
    await sequencer.settle(); // snapshots are saved after the answer
    const head = await store.head(documentId);
    doc = replay(head!.snapshot, head!.ops).content;
    version = result.version;
  }
  const log = async (): Promise<AppliedOp[]> => [...(await store.opsAfter(documentId, 0))];
  const storedSpans = async () =>
    (await prisma.revision.findMany({ where: { documentId }, orderBy: { fromVersion: 'asc' } })).map(({ fromVersion, toVersion, authorIds, startedAt, endedAt }) => ({
      fromVersion,
      toVersion,
      authorIds,
      startedAt,
      endedAt,
    }));
  const named = async () => new Set((await prisma.namedVersion.findMany({ where: { documentId } })).map((n) => n.version));
  return { documentId, store, sequencer, edit, log, storedSpans, named, advance: (ms: number) => (now += ms), version: () => version };
}

describe('history in PostgreSQL', () => {
  it('[H6][H3][H4][H5] spans kept in the append transaction equal grouping the log from scratch, with namings and pauses', async () => {
    const h = await history();
    const random = seededRandom(6);
    for (let i = 0; i < 40; i++) {
      const author = AUTHORS[i % 3]!;
      await h.edit(author, random, i % 9 === 8 ? 6 * MINUTE : 20_000);
      if (i === 14) expect((await nameVersion(prisma, { documentId: h.documentId, version: 10, name: 'middle', createdById: author })).kind).toBe('named');
      if (i === 25) expect((await nameVersion(prisma, { documentId: h.documentId, version: h.version(), name: 'head', createdById: author })).kind).toBe('named');
    }
    const expected = groupAll(await h.log(), await h.named(), { pauseMs: 5 * MINUTE });
    expect(await h.storedSpans()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.some((s) => s.toVersion === 10)).toBe(true);
  });

  it('[H1] spans stay a partition when two sequencers race on one document', async () => {
    const h = await history();
    const other = createSequencer({ store: h.store, broadcaster: createMemoryBroadcaster() });
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 ? h.sequencer : other).submit({ documentId: h.documentId, baseVersion: 0, clientId: `race-${i}`, clientSeq: 1, delta: new Delta().insert(`${i}`), authorId: AUTHORS[i % 3]! }),
      ),
    );
    // Some may exhaust their retries (S6); whatever was applied is grouped, exactly once.
    const applied = results.filter((r) => r.kind === 'applied').length;
    expect(applied).toBeGreaterThan(3);
    const spans = await h.storedSpans();
    expect(spans.at(-1)?.toVersion).toBe(applied);
    expect((await h.store.head(h.documentId))?.version).toBe(applied);
    spans.forEach((s, i) => expect(s.fromVersion).toBe(i === 0 ? 0 : spans[i - 1]!.toVersion));
    expect(await h.storedSpans()).toEqual(groupAll(await h.log(), new Set(), { pauseMs: 5 * MINUTE }));
  });

  it('[H7] pages newest first by toVersion; the pages together are the whole list; names come with their span', async () => {
    const h = await history({ pauseMs: 1000 });
    const random = seededRandom(7);
    for (let i = 0; i < 23; i++) await h.edit(AUTHORS[i % 3]!, random, 2000); // every op its own span
    await nameVersion(prisma, { documentId: h.documentId, version: 5, name: 'five', createdById: null });
    await nameVersion(prisma, { documentId: h.documentId, version: 5, name: 'renamed', createdById: null });
    const seen = [];
    let before: number | undefined;
    for (;;) {
      const page = await revisionsPage(prisma, h.documentId, { first: 10, ...(before === undefined ? {} : { beforeToVersion: before }) });
      seen.push(...page.revisions);
      before = page.revisions.at(-1)?.toVersion;
      if (!page.hasNextPage) break;
    }
    expect(seen.map((r) => r.toVersion)).toEqual(Array.from({ length: 23 }, (_, i) => 23 - i));
    expect(seen.filter((r) => r.name !== null).map((r) => [r.toVersion, r.name])).toEqual([[5, 'renamed']]);
    expect(await revisionsPage(prisma, 'no-such-document', { first: 5 })).toEqual({ revisions: [], hasNextPage: false });
  });

  it('[H5] naming refuses versions outside 1..head and unknown documents', async () => {
    const h = await history();
    await h.edit('hist-ann', seededRandom(1));
    const refused = async (version: number) => (await nameVersion(prisma, { documentId: h.documentId, version, name: 'x', createdById: null })).kind;
    expect(await refused(0)).toBe('rejected');
    expect(await refused(2)).toBe('rejected');
    expect(await refused(1)).toBe('named');
    expect(await nameVersion(prisma, { documentId: 'nope', version: 1, name: 'x', createdById: null })).toMatchObject({ kind: 'rejected', code: 'NOT_FOUND' });
  });

  it('[H6] ops stored without spans (written before grouping) get a catch-up span at the next append', async () => {
    const h = await history();
    const random = seededRandom(3);
    for (let i = 0; i < 5; i++) await h.edit(AUTHORS[i % 3]!, random);
    await prisma.revision.deleteMany({ where: { documentId: h.documentId } });
    await h.edit('hist-cy', random, 10 * MINUTE);
    expect(await h.storedSpans()).toEqual([
      expect.objectContaining({ fromVersion: 0, toVersion: 5, authorIds: AUTHORS }),
      expect.objectContaining({ fromVersion: 5, toVersion: 6, authorIds: ['hist-cy'] }),
    ]);
  });

  it('[H13] the document at random versions, across snapshot boundaries, equals the replay of ops 1..v', async () => {
    const h = await history({ snapshotEvery: 7 });
    const random = seededRandom(13);
    for (let i = 0; i < 60; i++) await h.edit(AUTHORS[i % 3]!, random, 1000, i % 4 === 3 ? 2 : 0);
    const zero = (await h.store.latestSnapshotAtOrBelow(h.documentId, 0))!;
    const log = await h.log();
    const versions = [0, 6, 7, 8, 14, 60, ...Array.from({ length: 15 }, () => Math.floor(random() * 61))];
    for (const v of versions) {
      const at = await documentAt(h.store, h.documentId, v);
      expect(at.kind === 'found' && at.state.content.ops, `version ${v}`).toEqual(replay(zero, log.slice(0, v)).content.ops);
    }
  });

  it('[H12] blame from the nearest blame snapshot equals blame over the whole log, and missing snapshots are rebuilt', async () => {
    const h = await history({ snapshotEvery: 10, blameEvery: 10 });
    const random = seededRandom(12);
    for (let i = 0; i < 45; i++) await h.edit(AUTHORS[i % 3]!, random, 1000, i % 5 === 4 ? 3 : 0);
    const snapshots = await prisma.blameSnapshot.findMany({ where: { documentId: h.documentId }, select: { version: true } });
    expect(snapshots.map((s) => s.version).sort((a, b) => a - b)).toEqual([10, 20, 30, 40]);
    const zero = (await h.store.latestSnapshotAtOrBelow(h.documentId, 0))!;
    const log = await h.log();
    const blames = createPrismaBlameStore(prisma, { every: 10 });
    for (const v of [0, 9, 10, 11, 25, 40, 45]) {
      expect(await blames.blameAt(h.documentId, v), `version ${v}`).toEqual(blameAfter(initialBlame(zero.content, 'hist-ann'), log.slice(0, v)));
    }
    await prisma.blameSnapshot.deleteMany({ where: { documentId: h.documentId } });
    expect(await blames.blameAt(h.documentId, 45)).toEqual(blameAfter(initialBlame(zero.content, 'hist-ann'), log));
    const rebuilt = await prisma.blameSnapshot.findMany({ where: { documentId: h.documentId }, select: { version: true } });
    expect(rebuilt.map((s) => s.version).sort((a, b) => a - b)).toEqual([10, 20, 30, 40]);
    expect(await blames.blameAt(h.documentId, 46)).toBeNull();
    expect(await blames.blameAt('nope', 0)).toBeNull();
  });

  it('[H12] blame snapshots round-trip through their binary form and refuse corrupt bytes', () => {
    const runs = [
      { length: 3, authorId: 'a', version: 0 },
      { length: 70_000, authorId: null, version: 5 },
      { length: 1, authorId: 'b', version: 99_999 },
      { length: 2, authorId: 'a', version: 7 },
    ];
    const encoded = encodeRuns(runs);
    expect(encoded.authorIds).toEqual(['a', 'b']);
    expect(decodeRuns(encoded.runs, encoded.authorIds)).toEqual(runs);
    expect(() => decodeRuns(encoded.runs.subarray(0, 11), encoded.authorIds)).toThrow(/whole runs/);
    expect(() => decodeRuns(encoded.runs, ['a'])).toThrow(/malformed/);
  });
});
