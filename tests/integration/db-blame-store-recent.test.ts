/**
 * The blame store keeps the last blame it saved per document (bench request 2): the next snapshot
 * starts from it without reading a blame snapshot back, saving the same version again reads
 * nothing, and blame stays what replaying the whole log gives [H12].
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blameAfter, initialBlame } from '../../lib/collab/blame.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createSequencer } from '../../lib/collab/sequencer.ts';
import { createPrismaBlameStore } from '../../lib/db/blame-store.ts';
import type { PrismaClient } from '../../lib/db/prisma.ts';
import { createPrismaOpStore } from '../../lib/db/op-store.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { createTestOrganization, testPrisma } from '../support/prisma.ts';

const prisma = testPrisma();
const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
let organizationId: string;
beforeAll(async () => {
  organizationId = await createTestOrganization(prisma, 'Blame recent');
  await prisma.user.createMany({ data: [{ id: 'blame-ann', email: 'ann@blame-recent.test' }], skipDuplicates: true });
});
afterAll(() => pool.end());

/** `prisma` with the blame snapshot reads counted. */
function counting(): { client: PrismaClient; reads: () => number } {
  let reads = 0;
  const blameSnapshot = new Proxy(prisma.blameSnapshot, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if ((key === 'findFirst' || key === 'findUnique') && typeof value === 'function') {
        return (...args: unknown[]) => {
          reads++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  });
  const client = new Proxy(prisma, { get: (target, key, receiver) => (key === 'blameSnapshot' ? blameSnapshot : Reflect.get(target, key, receiver)) });
  return { client, reads: () => reads };
}

describe('blame store: the last saved blame per document', () => {
  it('[H12] a snapshot starts from the last blame this store saved, saving it again reads nothing, and blame equals the whole log', async () => {
    const documentId = `blame-${randomUUID()}`;
    const sequencer = createSequencer({
      store: createPrismaOpStore(prisma, { pool, placement: () => ({ organizationId, title: 'Blame', createdById: 'blame-ann' }) }),
      broadcaster: createMemoryBroadcaster(),
      snapshotEvery: 0,
    });
    await sequencer.createDocument(documentId, new Delta().insert('Start\n'));
    const log: { version: number; authorId: string; delta: Delta }[] = [];
    for (let v = 1; v <= 30; v++) {
      const delta = new Delta().retain(v % 5).insert(`w${v}`);
      expect(await sequencer.submit({ documentId, baseVersion: v - 1, clientId: 'blame-client', clientSeq: v, delta, authorId: 'blame-ann' })).toMatchObject({ kind: 'applied', version: v });
      log.push({ version: v, authorId: 'blame-ann', delta });
    }
    await sequencer.settle();
    const { client, reads } = counting();
    const blames = createPrismaBlameStore(client, { every: 10 });
    await blames.saveSnapshotAt(documentId, 10);
    const first = reads(); // whether 10 is saved, and the nearest blame snapshot below it
    expect(first).toBe(2);
    await blames.saveSnapshotAt(documentId, 20);
    expect(reads() - first).toBe(1); // whether 20 is saved; 10 is not read back
    await blames.saveSnapshotAt(documentId, 20);
    expect(reads() - first).toBe(1); // saved by this store: nothing read
    const whole = blameAfter(initialBlame(new Delta().insert('Start\n'), 'blame-ann'), log);
    expect(await blames.blameAt(documentId, 30)).toEqual(whole);
    expect(await createPrismaBlameStore(prisma, { every: 10 }).blameAt(documentId, 30)).toEqual(whole);
    expect((await prisma.blameSnapshot.findMany({ where: { documentId }, select: { version: true }, orderBy: { version: 'asc' } })).map((s) => s.version)).toEqual([10, 20]);
  }, 60_000);
});
