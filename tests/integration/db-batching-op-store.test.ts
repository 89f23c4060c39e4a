/**
 * lib/db/batching-op-store.ts on PostgreSQL: the OpStore contract (P1–P7); `appendBatch` commits
 * consecutive ops in one transaction with their revisions, answers conflict for a whole batch that
 * lost its base, and a prefix / duplicate / conflicts when a (clientId, clientSeq) is already
 * stored; batching sequencers on two store instances (two "processes") keep one gapless log.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBatchingSequencer } from '../../lib/collab/batching-sequencer.ts';
import { loadDocument } from '../../lib/collab/document-loader.ts';
import { groupAll } from '../../lib/collab/revisions.ts';
import { nameVersion } from '../../lib/db/revisions.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createBatchingPrismaOpStore } from '../../lib/db/batching-op-store.ts';
import { Delta } from '../../lib/ot/operation.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { opAt, registerOpStoreContract } from '../support/collab-op-store-contract.ts';
import { createTestOrganization, testPrisma } from '../support/prisma.ts';

const prisma = testPrisma();
let organizationId: string;

beforeAll(async () => {
  organizationId = await createTestOrganization(prisma);
  const clientIds = ['client-a', 'client-b', 'client-x', 'client-1', 'client-2', 'client-3', 'client-4', 'client-5'];
  await prisma.user.createMany({ data: clientIds.map((c) => ({ id: `user-${c}`, email: `user-${c}@contract.test` })), skipDuplicates: true });
});

const make = (cacheSize?: number) =>
  createBatchingPrismaOpStore(prisma, { ...(cacheSize === undefined ? {} : { cacheSize }), placement: () => ({ organizationId, title: 'Batching', createdById: null }) });

registerOpStoreContract('PostgreSQL (Prisma) with group commit', () => ({ store: make() }));
registerOpStoreContract('PostgreSQL (Prisma) with group commit, no head cache', () => ({ store: make(0) }));

describe('group commit on PostgreSQL', () => {
  async function created(text = 'Hello\n'): Promise<{ documentId: string; content: Delta }> {
    const documentId = `doc-${randomUUID()}`;
    const content = new Delta().insert(text);
    expect(await make().createDocument(documentId, content, new Date())).toEqual({ kind: 'created' });
    return { documentId, content };
  }

  /** Ops v+1… and the content after each. */
  function chain(documentId: string, from: Delta, versions: readonly number[], clientId = 'client-a') {
    let content = from;
    const ops: AppliedOp[] = [];
    const contents: Delta[] = [];
    for (const v of versions) {
      const op = opAt(documentId, v, clientId, v);
      content = content.compose(op.delta);
      ops.push(op);
      contents.push(content);
    }
    return { ops, contents };
  }

  it('appends 30 consecutive ops in one call; head, ops and revisions read back', async () => {
    const { documentId, content } = await created();
    const store = make();
    const { ops, contents } = chain(documentId, content, Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await store.appendBatch(documentId, 0, ops, contents)).toEqual(ops.map(() => ({ kind: 'appended' })));
    const head = await make().head(documentId);
    expect(head?.version).toBe(30);
    expect((await loadDocument(make(), documentId))?.content.ops).toEqual(contents[29]!.ops);
    expect((await store.opsAfter(documentId, 0)).map((o) => o.version)).toEqual(ops.map((o) => o.version));
    const spans = await prisma.revision.findMany({ where: { documentId }, orderBy: { toVersion: 'asc' } });
    expect(spans.at(-1)?.toVersion).toBe(30);
    expect(spans[0]?.fromVersion).toBe(0);
  });

  it('a batch whose base another process took answers conflict for every op and stores none', async () => {
    const { documentId, content } = await created();
    const theirs = opAt(documentId, 1, 'client-b', 1);
    expect(await make().append(documentId, 0, theirs, content.compose(theirs.delta))).toEqual({ kind: 'appended' });
    const { ops, contents } = chain(documentId, content, [1, 2, 3]);
    expect(await make().appendBatch(documentId, 0, ops, contents)).toEqual([{ kind: 'conflict' }, { kind: 'conflict' }, { kind: 'conflict' }]);
    expect(await make().findByClientSeq(documentId, 'client-a', 1)).toBeNull();
    expect((await make().head(documentId))?.version).toBe(1);
  });

  it('a stored (clientId, clientSeq) inside a batch: the ops before it are appended, it answers duplicate, the rest conflict', async () => {
    const { documentId, content } = await created();
    const store = make();
    const first = chain(documentId, content, [1]);
    expect(await store.appendBatch(documentId, 0, first.ops, first.contents)).toEqual([{ kind: 'appended' }]);
    const next = chain(documentId, first.contents[0]!, [2, 3, 4], 'client-b');
    // Op 3 repeats client-a's clientSeq 1.
    const repeated = { ...next.ops[1]!, clientId: 'client-a', clientSeq: 1 };
    const results = await store.appendBatch(documentId, 1, [next.ops[0]!, repeated, next.ops[2]!], next.contents);
    expect(results[0]).toEqual({ kind: 'appended' });
    expect(results[1]).toMatchObject({ kind: 'duplicate', existing: { version: 1, clientId: 'client-a', clientSeq: 1 } });
    expect(results[2]).toEqual({ kind: 'conflict' });
    expect((await make().head(documentId))?.version).toBe(2);
  });

  it('[H6] revision spans kept batch by batch equal grouping the whole log from scratch (pauses, several authors, a named version)', async () => {
    const { documentId, content } = await created();
    const store = createBatchingPrismaOpStore(prisma, { revisionPauseMs: 5000, placement: () => ({ organizationId, title: 'Batching', createdById: null }) });
    const seconds = [1, 2, 3, 10, 11, 30, 31, 32, 33, 50];
    const clients = ['client-a', 'client-b', 'client-x'];
    const all: AppliedOp[] = seconds.map((t, i) => ({ ...opAt(documentId, i + 1, clients[i % 3]!, i + 1), createdAt: new Date(Date.UTC(2024, 0, 1) + t * 1000) }));
    let doc = content;
    const contents = all.map((op) => (doc = doc.compose(op.delta)));
    const batches = [[0, 2], [2, 5], [5, 6], [6, 10]] as const;
    for (const [from, to] of batches) {
      if (from === 6) expect((await nameVersion(prisma, { documentId, version: 6, name: 'checkpoint', createdById: null })).kind).toBe('named');
      expect((await store.appendBatch(documentId, from, all.slice(from, to), contents.slice(from, to))).every((r) => r.kind === 'appended')).toBe(true);
    }
    const stored = await prisma.revision.findMany({ where: { documentId }, orderBy: { toVersion: 'asc' } });
    const expected = groupAll(all, new Set([6]), { pauseMs: 5000 });
    expect(stored.map((r) => ({ fromVersion: r.fromVersion, toVersion: r.toVersion, authorIds: r.authorIds, startedAt: r.startedAt.getTime(), endedAt: r.endedAt.getTime() }))).toEqual(
      expected.map((r) => ({ ...r, authorIds: [...r.authorIds], startedAt: r.startedAt.getTime(), endedAt: r.endedAt.getTime() })),
    );
    expect(expected.length).toBeGreaterThan(2);
  });

  it('batching sequencers on two store instances, 16 concurrent editors: one gapless log, every submission applied once', async () => {
    const { documentId } = await created('Start\n');
    const broadcaster = createMemoryBroadcaster();
    const sequencers = [createBatchingSequencer({ store: make(), broadcaster }), createBatchingSequencer({ store: make(), broadcaster })];
    const results = await Promise.all(
      Array.from({ length: 16 }, async (_, c) => {
        const out = [];
        for (let seq = 1; seq <= 4; seq++) {
          out.push(await sequencers[c % 2]!.submit({ documentId, baseVersion: 0, clientId: `client-${(c % 5) + 1}x${c}`.slice(0, 64), clientSeq: seq, delta: new Delta().insert(`${c % 10}`), authorId: null }));
        }
        return out;
      }),
    );
    const flat = results.flat();
    expect(flat.every((r) => r.kind === 'applied')).toBe(true);
    const log = await make().opsAfter(documentId, 0);
    expect(log.map((o) => o.version)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(new Set(log.map((o) => `${o.clientId}#${o.clientSeq}`)).size).toBe(64);
    expect((await loadDocument(make(), documentId))?.content.length()).toBe('Start\n'.length + 64);
  });
});
