/**
 * The PostgreSQL `commit` (lib/db/commit.ts, rules P2, P8, P9, H6): the one conditional
 * statement when the known head is true, a catch-up read and a replan when another process wrote
 * first, one indexed read for a resubmission older than the tail (never a transaction), the
 * locked fallback when the spans or the epoch moved without ops, a repair of logs from before
 * grouping, and two processes' sequencers keeping one gapless log with spans equal to grouping
 * from scratch; a commit planned on an uncommitted predecessor's head checked on the row alone
 * (P11: its snapshot cannot see the predecessor); spans lost without the row changing (P12).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadDocument } from '../../lib/collab/document-loader.ts';
import type { KnownHead } from '../../lib/collab/known-head.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { answerOf, planBatch } from '../../lib/collab/planner.ts';
import type { SubmitInput } from '../../lib/collab/types.ts';
import { groupAll } from '../../lib/collab/revisions.ts';
import { createSequencer } from '../../lib/collab/sequencer.ts';
import type { CommitPath } from '../../lib/db/commit.ts';
import { createPrismaOpStore } from '../../lib/db/op-store.ts';
import { nameVersion } from '../../lib/db/revisions.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { commitOn, sub } from '../support/collab-op-store-contract.ts';
import { createTestOrganization, testPrisma } from '../support/prisma.ts';

const prisma = testPrisma();
let organizationId: string;
let pool: pg.Pool;

beforeAll(async () => {
  organizationId = await createTestOrganization(prisma);
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 6 });
  await prisma.user.createMany({ data: ['client-a', 'client-b'].map((c) => ({ id: `user-${c}`, email: `user-${c}@commit.test` })), skipDuplicates: true });
});
afterAll(async () => {
  await pool.end();
});

/** A store on the test database; `paths` lists how each commit ended. */
const make = (options: { revisionPauseMs?: number } = {}) => {
  const paths: CommitPath[] = [];
  const store = createPrismaOpStore(prisma, { pool, ...options, onCommitPath: (p) => paths.push(p), placement: () => ({ organizationId, title: 'Commit', createdById: null }) });
  return Object.assign(store, { paths });
};

async function created(text = 'Hello\n'): Promise<string> {
  const documentId = `doc-${randomUUID()}`;
  expect(await make().createDocument(documentId, new Delta().insert(text), new Date())).toEqual({ kind: 'created' });
  return documentId;
}

const versions = async (documentId: string) => (await prisma.operation.findMany({ where: { documentId }, orderBy: { version: 'asc' } })).map((o) => o.version);
const load = async (store: ReturnType<typeof make>, documentId: string, historyAfter?: number): Promise<KnownHead> => (await store.load(documentId, historyAfter))!;

describe('PostgreSQL commit', () => {
  it('[P9] a true known head commits in one statement, a batch of several ops at once; load reads it back', async () => {
    const documentId = await created();
    const store = make();
    const head = await load(store, documentId);
    const result = await commitOn(store, head, documentId, [sub(documentId, 0, 'client-a', 1, 'a '), sub(documentId, 0, 'client-b', 1, 'b ')]);
    expect(result.kind).toBe('committed');
    expect(store.paths).toEqual(['statement']);
    expect(await versions(documentId)).toEqual([1, 2]);
    expect((await prisma.document.findUniqueOrThrow({ where: { id: documentId } })).version).toBe(2);
    const again = await load(make(), documentId);
    expect(again.content.ops).toEqual(result.kind === 'committed' ? result.plan.next.content.ops : null);
    expect(again.newest).toEqual(result.kind === 'committed' ? result.plan.next.newest : null);
  });

  it('[P9] another process wrote first: the statement stores nothing, one catch-up read, the batch planned again lands after it', async () => {
    const documentId = await created();
    const [a, b] = [make(), make()];
    const stale = await load(a, documentId);
    await commitOn(b, await load(b, documentId), documentId, [sub(documentId, 0, 'client-b', 1, 'b1 '), sub(documentId, 0, 'client-b', 2, 'b2 ')]);
    const result = await commitOn(a, stale, documentId, [sub(documentId, 0, 'client-a', 1, 'a ')]);
    expect(a.paths).toEqual(['caught-up']);
    expect(result.kind === 'committed' && [result.plan.head.version, answerOf(result.plan, 0)]).toMatchObject([2, { kind: 'applied', version: 3 }]);
    const log = await a.opsAfter(documentId, 0);
    expect(log.map((o) => o.clientId)).toEqual(['client-b', 'client-b', 'client-a']);
    expect((await loadDocument(make(), documentId))?.content.ops).toEqual(log.reduce((doc, op) => doc.compose(op.delta), new Delta().insert('Hello\n')).ops);
  });

  it('[P9][K1] a catch-up keeps the tail the batch needs: an op made more than TAIL_LENGTH versions back still lands after another process wrote (no VERSION_TOO_OLD)', async () => {
    const documentId = await created();
    const [a, b] = [make(), make()];
    const many = Array.from({ length: 300 }, (_, i) => sub(documentId, 0, 'client-b', i + 1, 'b'));
    expect((await commitOn(b, await load(b, documentId), documentId, many)).kind).toBe('committed');
    // The stalled client's op, made at version 10; a's head reaches back that far.
    const stale = await load(a, documentId, 10);
    expect(stale.tail[0]?.version).toBeLessThanOrEqual(11);
    await commitOn(b, await load(b, documentId), documentId, [sub(documentId, 300, 'client-b', 301, 'c')]);
    const result = await commitOn(a, stale, documentId, [sub(documentId, 10, 'client-a', 1, 'late ')], 10);
    expect(a.paths).toEqual(['caught-up']);
    expect(result.kind === 'committed' && answerOf(result.plan, 0)).toMatchObject({ kind: 'applied', version: 302 });
  });

  it('[P2][O4] a resubmission older than the known tail costs one read, no transaction: answered duplicate, nothing stored', async () => {
    const documentId = await created();
    const store = make();
    await commitOn(store, await load(store, documentId), documentId, [sub(documentId, 0, 'client-a', 1, 'a ')]);
    const forgetful = { ...(await load(store, documentId)), tail: [] };
    store.paths.length = 0;
    const result = await commitOn(store, forgetful, documentId, [sub(documentId, 1, 'client-a', 1, 'a again '), sub(documentId, 1, 'client-b', 1, 'b ')], 1);
    expect(result.kind).toBe('duplicate');
    expect(result.kind === 'duplicate' && result.existing.map((o) => [o.clientId, o.clientSeq, o.version])).toEqual([['client-a', 1, 1]]);
    expect(store.paths).toEqual(['duplicate']);
    expect(await versions(documentId)).toEqual([1]);
  });

  it('[P9][H4] naming a version (no new op) moves the history epoch: the locked fallback re-reads the spans and commits', async () => {
    const documentId = await created();
    const store = make();
    await commitOn(store, await load(store, documentId), documentId, [sub(documentId, 0, 'client-a', 1, 'a '), sub(documentId, 0, 'client-a', 2, 'b ')]);
    const before = await load(store, documentId);
    expect((await nameVersion(prisma, { documentId, version: 2, name: 'draft', createdById: null })).kind).toBe('named');
    store.paths.length = 0;
    expect((await commitOn(store, before, documentId, [sub(documentId, 2, 'client-a', 3, 'c ')])).kind).toBe('committed');
    expect(store.paths).toEqual(['locked']);
    const spans = await prisma.revision.findMany({ where: { documentId }, orderBy: { fromVersion: 'asc' } });
    expect(spans.map((s) => [s.fromVersion, s.toVersion])).toEqual([
      [0, 2],
      [2, 3],
    ]); // the named version closed [0, 2]
    store.paths.length = 0;
    await commitOn(store, await load(store, documentId), documentId, [sub(documentId, 3, 'client-a', 4, 'd ')]);
    expect(store.paths).toEqual(['statement']);
  });

  it('a locked commit that fails drops its connection instead of returning it to the pool (a prepared statement\'s error would stay with it)', async () => {
    const documentId = await created();
    const own = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1 });
    try {
      const store = createPrismaOpStore(prisma, { pool: own, placement: () => ({ organizationId, title: 'Commit', createdById: null }) });
      await commitOn(store, (await store.load(documentId))!, documentId, [sub(documentId, 0, 'client-a', 1, 'a ')]);
      const before = (await store.load(documentId))!;
      // Naming a version sends the next commit to the locked fallback; with no snapshot left, its head read fails there.
      expect((await nameVersion(prisma, { documentId, version: 1, name: 'draft', createdById: null })).kind).toBe('named');
      await prisma.snapshot.deleteMany({ where: { documentId } });
      await expect(commitOn(store, before, documentId, [sub(documentId, 1, 'client-a', 2, 'b ')])).rejects.toThrow(/no snapshot/);
      expect(own.totalCount).toBe(0);
    } finally {
      await own.end();
    }
  });

  /** Resolves once `n` of this database's commit statements wait for a row lock (known by their start: pg_stat_activity keeps a query's first 1,024 bytes). */
  async function statementsWaiting(n: number): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%WITH squat AS (%'`,
      );
      if ((rows[0]?.n ?? 0) >= n) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`fewer than ${n} commit statements waited for the row lock`);
  }

  it('[P11] a successor whose statement took its snapshot before its predecessor committed lands as planned in one statement, growing the span the predecessor opened', async () => {
    const documentId = await created();
    const store = make();
    const head = await load(store, documentId);
    const t0 = Date.now();
    const planAt = (h: KnownHead, inputs: readonly SubmitInput[], seconds: number) => {
      let t = seconds;
      return planBatch(h, documentId, inputs, { now: () => new Date(t0 + 1000 * t++), pauseMs: 60_000 });
    };
    const first = [sub(documentId, 0, 'client-a', 1, 'first ')];
    const second = [sub(documentId, 0, 'client-b', 1, 'second ')];
    const predecessor = planAt(head, first, 0);
    const successor = planAt(predecessor.next, second, 1);
    // A third connection holds the row, so both statements start, and take their snapshots, before either commits.
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM documents WHERE id = $1 FOR UPDATE', [documentId]);
      const a = store.commit({ documentId, planned: predecessor, replan: (h) => planAt(h, first, 0), historyAfter: 0 });
      await statementsWaiting(1);
      const b = store.commit({ documentId, planned: successor, replan: (h) => planAt(h, second, 1), historyAfter: 0, stored: head, predecessorHead: head });
      await statementsWaiting(2);
      await holder.query('COMMIT');
      const results = await Promise.all([a, b]);
      expect(results.map((r) => r.kind === 'committed' && r.plan)).toEqual([predecessor, successor]);
    } finally {
      holder.release();
    }
    expect(store.paths).toEqual(['statement', 'statement']);
    const log = await store.opsAfter(documentId, 0);
    expect(log.map((o) => [o.version, o.clientId])).toEqual([
      [1, 'client-a'],
      [2, 'client-b'],
    ]);
    const spans = await prisma.revision.findMany({ where: { documentId }, orderBy: { fromVersion: 'asc' } });
    expect(spans.map((r) => [r.fromVersion, r.toVersion, r.authorIds])).toEqual(groupAll(log, new Set(), { pauseMs: 60_000 }).map((r) => [r.fromVersion, r.toVersion, r.authorIds]));
    expect(spans.map((r) => [r.fromVersion, r.toVersion])).toEqual([[0, 2]]);
    const row = await prisma.document.findUniqueOrThrow({ where: { id: documentId } });
    expect([row.version, row.headFingerprint]).toEqual([2, successor.next.fingerprint]);
  });

  it('[P8][P12] a log whose spans do not reach the head (written before grouping and before fingerprints) is repaired under the lock when loaded, then commits by the one statement', async () => {
    const documentId = await created();
    await prisma.operation.create({ data: { documentId, version: 1, delta: { ops: [{ insert: 'a' }] }, authorId: 'user-client-b', clientId: 'legacy', clientSeq: 1 } });
    // As the migration left rows written before it: head_fingerprint '' whatever the version.
    await prisma.document.update({ where: { id: documentId }, data: { version: 1, headFingerprint: '' } });
    const store = make();
    const head = await load(store, documentId);
    expect([head.version, head.newest?.span.toVersion, head.newest?.span.authorIds, head.fingerprint]).toEqual([1, 1, ['user-client-b'], '']);
    expect((await commitOn(store, head, documentId, [sub(documentId, 1, 'client-a', 1, 'x ')])).kind).toBe('committed');
    expect(store.paths).toEqual(['statement']);
    const spans = await prisma.revision.findMany({ where: { documentId }, orderBy: { fromVersion: 'asc' } });
    expect(spans.at(-1)?.toVersion).toBe(2);
  });

  it('[P12][H6] spans lost while the row still names the known head: the statement stores nothing, the locked fallback gives the ops a catch-up span and commits', async () => {
    const documentId = await created();
    const store = make();
    await commitOn(store, await load(store, documentId), documentId, [sub(documentId, 0, 'client-a', 1, 'a '), sub(documentId, 0, 'client-b', 1, 'b ')]);
    const known = await load(store, documentId);
    await prisma.revision.deleteMany({ where: { documentId } });
    store.paths.length = 0;
    // Long after: the op opens a span of its own, so the one the known head ends on is not rewritten by the grown-span upsert.
    const later = [sub(documentId, 2, 'client-a', 2, 'c ')];
    const planLater = (h: KnownHead) => planBatch(h, documentId, later, { now: () => new Date(Date.UTC(2030, 0, 1)), pauseMs: 60_000 });
    const result = await store.commit({ documentId, planned: planLater(known), replan: planLater, historyAfter: 2 });
    expect(result.kind === 'committed' && answerOf(result.plan, 0)).toMatchObject({ kind: 'applied', version: 3 });
    expect(store.paths).toEqual(['locked']);
    const spans = await prisma.revision.findMany({ where: { documentId }, orderBy: { fromVersion: 'asc' } });
    expect(spans.map((r) => [r.fromVersion, r.toVersion, r.authorIds])).toEqual([
      [0, 2, ['user-client-a', 'user-client-b']],
      [2, 3, ['user-client-a']],
    ]);
    // The row names the repaired state: the next commit on it takes the one statement again.
    store.paths.length = 0;
    expect((await commitOn(store, await load(store, documentId), documentId, [sub(documentId, 3, 'client-b', 2, 'd ')])).kind).toBe('committed');
    expect(store.paths).toEqual(['statement']);
  });

  it('a trashed document is never committed to: load answers null, commit gone', async () => {
    const documentId = await created();
    const store = make();
    const head = await load(store, documentId);
    await prisma.document.update({ where: { id: documentId }, data: { deletedAt: new Date() } });
    expect(await store.load(documentId)).toBeNull();
    expect(await commitOn(store, head, documentId, [sub(documentId, 0, 'client-a', 1, 'x ')])).toEqual({ kind: 'gone' });
    expect(await versions(documentId)).toEqual([]);
  });

  it('[H6][S1][S2] two processes\' sequencers following each other: one gapless log, each submission once, spans as grouping from scratch', async () => {
    const documentId = await created('Start\n');
    const broadcaster = createMemoryBroadcaster();
    const stores = [make({ revisionPauseMs: 20 }), make({ revisionPauseMs: 20 })];
    const sequencers = stores.map((store) => createSequencer({ store, broadcaster, revisionPauseMs: 20 }));
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, c) => {
        const out = [];
        let base = 0;
        for (let seq = 1; seq <= 8; seq++) {
          const result = await sequencers[c % 2]!.submit({ documentId, baseVersion: base, clientId: `editor-${c}`, clientSeq: seq, delta: new Delta().insert(`${c % 10}`), authorId: c % 2 ? 'user-client-a' : 'user-client-b' });
          if (result.kind === 'applied') base = result.version;
          out.push(result);
          if (seq === 4) await new Promise((resolve) => setTimeout(resolve, 30)); // a pause: new spans
        }
        return out;
      }),
    );
    expect(results.flat().filter((r) => r.kind !== "applied")).toEqual([]);
    const log = await make().opsAfter(documentId, 0);
    expect(log.map((o) => o.version)).toEqual(Array.from({ length: 96 }, (_, i) => i + 1));
    expect(new Set(log.map((o) => `${o.clientId}#${o.clientSeq}`)).size).toBe(96);
    expect((await loadDocument(make(), documentId))?.content.length()).toBe('Start\n'.length + 96);
    const stored = await prisma.revision.findMany({ where: { documentId }, orderBy: { toVersion: 'asc' } });
    const expected = groupAll(log, new Set(), { pauseMs: 20 });
    expect(stored.map((r) => [r.fromVersion, r.toVersion, [...r.authorIds].sort()])).toEqual(expected.map((r) => [r.fromVersion, r.toVersion, [...r.authorIds].sort()]));
    // The point of it: most batches took the one-statement path.
    const paths = stores.flatMap((s) => s.paths);
    expect(paths.filter((p) => p === 'statement').length).toBeGreaterThan(paths.filter((p) => p === 'locked').length);
    await Promise.all(sequencers.map((s) => s.settle()));
  });
});
