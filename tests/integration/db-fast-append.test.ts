/**
 * The one-statement append (lib/db/fast-append.ts through the batching store's
 * `appendOptimistic`): commits only while the document is exactly as this process knows it, and
 * otherwise stores nothing; two processes' sequencers mixing it with the locked path keep one
 * gapless log, every submission once, and revision spans equal to grouping the log from scratch.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBatchingSequencer } from '../../lib/collab/batching-sequencer.ts';
import type { BatchReader } from '../../lib/collab/batching-sequencer.ts';
import { loadDocument } from '../../lib/collab/document-loader.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { groupAll } from '../../lib/collab/revisions.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { createBatchingPrismaOpStore } from '../../lib/db/batching-op-store.ts';
import { nameVersion } from '../../lib/db/revisions.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { opAt } from '../support/collab-op-store-contract.ts';
import { createTestOrganization, testPrisma } from '../support/prisma.ts';

const prisma = testPrisma();
let organizationId: string;
let pool: pg.Pool;

beforeAll(async () => {
  organizationId = await createTestOrganization(prisma);
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 4 });
  await prisma.user.createMany({ data: ['client-a', 'client-b'].map((c) => ({ id: `user-${c}`, email: `user-${c}@fast.test` })), skipDuplicates: true });
});
afterAll(async () => {
  await pool.end();
});

const make = (options: { revisionPauseMs?: number; follow?: ReturnType<typeof createMemoryBroadcaster> } = {}) =>
  createBatchingPrismaOpStore(prisma, { pool, ...options, placement: () => ({ organizationId, title: 'Fast', createdById: null }) });

async function created(text = 'Hello\n'): Promise<string> {
  const documentId = `doc-${randomUUID()}`;
  expect(await make().createDocument(documentId, new Delta().insert(text), new Date())).toEqual({ kind: 'created' });
  return documentId;
}

/** Plans ops v+1… on whatever the reader says the head is (as the sequencer would). */
const planner = (documentId: string, count: number, clientId = 'client-a', firstSeq = 1) => async (reader: BatchReader) => {
  const version = (await reader.headVersion())!;
  let content = await reader.content();
  const ops: AppliedOp[] = [];
  const contents: Delta[] = [];
  for (let i = 0; i < count; i++) {
    const op = { ...opAt(documentId, version + i + 1, clientId, firstSeq + i), authorId: `user-${clientId}` };
    content = content.compose(op.delta);
    ops.push(op);
    contents.push(content);
  }
  return { ops, contents };
};

const versions = async (documentId: string) => (await prisma.operation.findMany({ where: { documentId }, orderBy: { version: 'asc' } })).map((o) => o.version);

describe('one-statement append from the known head', () => {
  it('a first batch reads the head in one statement (no lock) and appends in another', async () => {
    const documentId = await created();
    const store = make();
    expect(await store.appendOptimistic!(documentId, planner(documentId, 2))).toBe('appended');
    expect(await store.appendLocked(documentId, planner(documentId, 1, 'client-a', 3))).toBe(true);
    expect(await make().appendOptimistic!(documentId, planner(documentId, 2, 'client-a', 4))).toBe('appended'); // another process, first time
    expect(await versions(documentId)).toEqual([1, 2, 3, 4, 5]);
    const row = await prisma.document.findUniqueOrThrow({ where: { id: documentId } });
    expect(row.version).toBe(5);
    const log = await store.opsAfter(documentId, 0);
    expect((await loadDocument(make(), documentId))?.content.ops).toEqual(log.reduce((doc, op) => doc.compose(op.delta), new Delta().insert('Hello\n')).ops);
  });

  it('a log whose spans do not reach the head (written before grouping) goes to the locked path, which repairs it', async () => {
    const documentId = await created();
    await prisma.operation.create({ data: { documentId, version: 1, delta: { ops: [{ insert: 'a' }] }, authorId: null, clientId: 'legacy', clientSeq: 1 } });
    await prisma.document.update({ where: { id: documentId }, data: { version: 1 } });
    const store = make();
    expect(await store.appendOptimistic!(documentId, planner(documentId, 1))).toBe('stale');
    expect(await store.appendLocked(documentId, planner(documentId, 1))).toBe(true);
    expect(await store.appendOptimistic!(documentId, planner(documentId, 1, 'client-a', 2))).toBe('appended');
    const spans = await prisma.revision.findMany({ where: { documentId }, orderBy: { fromVersion: 'asc' } });
    expect(spans.at(-1)?.toVersion).toBe(3);
  });

  it('another process wrote first: nothing stored by the first try, then it catches up (one read, no lock) and appends after it', async () => {
    const documentId = await created();
    const [a, b] = [make(), make()];
    await a.appendLocked(documentId, planner(documentId, 1, 'client-a', 1));
    await b.appendLocked(documentId, planner(documentId, 2, 'client-b', 1));
    const tries: number[] = [];
    const outcome = await a.appendOptimistic!(documentId, async (reader) => {
      tries.push((await reader.headVersion())!);
      return planner(documentId, 1, 'client-a', 2)(reader);
    });
    expect(outcome).toBe('appended');
    expect(tries).toEqual([1, 3]); // planned on the known head, then on the caught-up one
    expect(await versions(documentId)).toEqual([1, 2, 3, 4]);
    const log = await a.opsAfter(documentId, 0);
    expect(log.map((o) => o.clientId)).toEqual(['client-a', 'client-b', 'client-b', 'client-a']);
    // What a planned on is what was stored: the content after op 4 is the replay of the log.
    expect((await loadDocument(make(), documentId))?.content.ops).toEqual(log.reduce((doc, op) => doc.compose(op.delta), new Delta().insert('Hello\n')).ops);
  });

  it('a (clientId, clientSeq) already stored fails the whole statement: nothing of the batch is stored', async () => {
    const documentId = await created();
    const store = make();
    await store.appendLocked(documentId, planner(documentId, 2, 'client-a', 1));
    // ops 3 and 4 would reuse clientSeq 2: the unique index refuses, the version stays.
    expect(await store.appendOptimistic!(documentId, planner(documentId, 2, 'client-a', 2))).toBe('stale');
    expect(await versions(documentId)).toEqual([1, 2]);
    expect((await prisma.document.findUniqueOrThrow({ where: { id: documentId } })).version).toBe(2);
  });

  it('naming a version (no new op) moves the history epoch: stale, then the locked path re-reads the spans', async () => {
    const documentId = await created();
    const store = make();
    await store.appendLocked(documentId, planner(documentId, 2));
    expect((await nameVersion(prisma, { documentId, version: 2, name: 'draft', createdById: null })).kind).toBe('named');
    expect(await store.appendOptimistic!(documentId, planner(documentId, 1, 'client-a', 3))).toBe('stale');
    await store.appendLocked(documentId, planner(documentId, 1, 'client-a', 3));
    expect(await store.appendOptimistic!(documentId, planner(documentId, 1, 'client-a', 4))).toBe('appended');
    const spans = await prisma.revision.findMany({ where: { documentId }, orderBy: { fromVersion: 'asc' } });
    expect(spans.map((s) => [s.fromVersion, s.toVersion])).toEqual([[0, 2], [2, 4]]); // the named version closed [0, 2]
  });

  it('a trashed document is never appended to', async () => {
    const documentId = await created();
    const store = make();
    await prisma.document.update({ where: { id: documentId }, data: { deletedAt: new Date() } });
    expect(await make().appendOptimistic!(documentId, planner(documentId, 1))).toBe('stale'); // nothing known, and gone
    await prisma.document.update({ where: { id: documentId }, data: { deletedAt: null } });
    await store.appendLocked(documentId, planner(documentId, 1));
    await prisma.document.update({ where: { id: documentId }, data: { deletedAt: new Date() } });
    expect(await store.appendOptimistic!(documentId, planner(documentId, 1, 'client-a', 2))).toBe('stale');
    expect(await versions(documentId)).toEqual([1]);
  });

  it('[H6] two processes following each other through the broadcaster: one gapless log, each submission once, spans as grouping from scratch', async () => {
    const documentId = await created('Start\n');
    const broadcaster = createMemoryBroadcaster();
    const stores = [make({ revisionPauseMs: 20, follow: broadcaster }), make({ revisionPauseMs: 20, follow: broadcaster })];
    const optimistic = stores.map((store) => {
      let count = 0;
      const inner = store.appendOptimistic!.bind(store);
      store.appendOptimistic = async (id, prepare) => {
        const outcome = await inner(id, prepare);
        if (outcome === 'appended') count += 1;
        return outcome;
      };
      return () => count;
    });
    const sequencers = stores.map((store) => createBatchingSequencer({ store, broadcaster }));
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
    expect(results.flat().every((r) => r.kind === 'applied')).toBe(true);
    const log = await make().opsAfter(documentId, 0);
    expect(log.map((o) => o.version)).toEqual(Array.from({ length: 96 }, (_, i) => i + 1));
    expect(new Set(log.map((o) => `${o.clientId}#${o.clientSeq}`)).size).toBe(96);
    expect((await loadDocument(make(), documentId))?.content.length()).toBe('Start\n'.length + 96);
    const stored = await prisma.revision.findMany({ where: { documentId }, orderBy: { toVersion: 'asc' } });
    const expected = groupAll(log, new Set(), { pauseMs: 20 });
    expect(stored.map((r) => [r.fromVersion, r.toVersion, [...r.authorIds].sort()])).toEqual(expected.map((r) => [r.fromVersion, r.toVersion, [...r.authorIds].sort()]));
    // The point of it: most batches took the one-statement path.
    expect(optimistic[0]!() + optimistic[1]!()).toBeGreaterThan(0);
    await Promise.all(stores.map((s) => s.close()));
  });
});
