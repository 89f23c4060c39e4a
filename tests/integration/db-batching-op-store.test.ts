/**
 * lib/db/batching-op-store.ts: both views pass the OpStore contract (P1–P7); appends chained
 * without waiting commit in order, in few transactions; a chain that loses its version to another
 * process fails as a whole and stores nothing; the committed view never shows a queued op.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
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

registerOpStoreContract('PostgreSQL batching, sequencer view', () => ({ store: make().sequencerStore }));
registerOpStoreContract('PostgreSQL batching, committed view', () => ({ store: make().store }));
registerOpStoreContract('PostgreSQL batching, sequencer view, no head cache', () => ({ store: make(0).sequencerStore }));

describe('batching op store', () => {
  async function created(): Promise<{ documentId: string; content: Delta }> {
    const documentId = `doc-${randomUUID()}`;
    const content = new Delta().insert('Hello\n');
    expect(await make().store.createDocument(documentId, content, new Date())).toEqual({ kind: 'created' });
    return { documentId, content };
  }

  it('appends chained without waiting all commit, in order, and the head and ops read back; the sequencer view saw them chained', async () => {
    const { documentId, content: initial } = await created();
    const { store, sequencerStore } = make();
    let content = initial;
    const answers: Array<Promise<unknown>> = [];
    for (let v = 1; v <= 30; v++) {
      // What a sequencer does: read the head (chained), then append at head + 1.
      const head = await sequencerStore.head(documentId);
      expect(head?.version).toBe(v - 1);
      const op = opAt(documentId, v, 'client-a', v);
      content = content.compose(op.delta);
      answers.push(sequencerStore.append(documentId, v - 1, op, content));
      // The committed view never shows what is only queued.
      const committedHead = (await store.head(documentId))!.version;
      expect(committedHead).toBeLessThan(v);
    }
    expect(await Promise.all(answers)).toEqual(Array.from({ length: 30 }, () => ({ kind: 'appended' })));
    expect((await store.head(documentId))?.version).toBe(30);
    expect((await store.opsAfter(documentId, 0)).map((o) => o.version)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const rows = await prisma.revision.findMany({ where: { documentId }, orderBy: { toVersion: 'asc' } });
    expect(rows.at(-1)?.toVersion).toBe(30);
  });

  it('a chain that loses its base version to another process answers conflict for every chained op and stores none of them', async () => {
    const { documentId, content } = await created();
    const mine = make().sequencerStore;
    const other = make().sequencerStore;
    const theirs = opAt(documentId, 1, 'client-b', 1);
    expect(await other.append(documentId, 0, theirs, content.compose(theirs.delta))).toEqual({ kind: 'appended' });
    // This process still believes the head is 0 and chains three ops on it.
    const ops: AppliedOp[] = [1, 2, 3].map((v) => opAt(documentId, v, 'client-a', v));
    const answers = await Promise.all(ops.map((op) => mine.append(documentId, op.version - 1, op, content)));
    expect(answers).toEqual([{ kind: 'conflict' }, { kind: 'conflict' }, { kind: 'conflict' }]);
    expect(await mine.findByClientSeq(documentId, 'client-a', 1)).toBeNull();
    expect((await mine.head(documentId))?.version).toBe(1);
  });

  it('a (clientId, clientSeq) resent while its first append is still queued answers duplicate once that one commits', async () => {
    const { documentId, content } = await created();
    const { sequencerStore } = make();
    const first = opAt(documentId, 1, 'client-a', 1);
    const second = opAt(documentId, 2, 'client-a', 2);
    const resent = { ...opAt(documentId, 3, 'client-a', 2) };
    const answers = await Promise.all([
      sequencerStore.append(documentId, 0, first, content),
      sequencerStore.append(documentId, 1, second, content),
      sequencerStore.append(documentId, 2, resent, content),
    ]);
    expect(answers[0]).toEqual({ kind: 'appended' });
    expect(answers[1]).toEqual({ kind: 'appended' });
    expect(answers[2]).toMatchObject({ kind: 'duplicate', existing: { version: 2, clientSeq: 2 } });
    expect((await sequencerStore.head(documentId))?.version).toBe(2);
  });
});
