/** The PostgreSQL op store (reads through Prisma, `load`/`commit` on a write pool) against the OpStore contract. */
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createPrismaOpStore } from '../../lib/db/op-store.ts';
import { registerOpStoreContract } from '../support/collab-op-store-contract.ts';
import { createTestOrganization, testPrisma } from '../support/prisma.ts';

const prisma = testPrisma();
let organizationId: string;
let pool: pg.Pool;

beforeAll(async () => {
  organizationId = await createTestOrganization(prisma);
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 6 });
  // The contract's ops are authored by `user-<clientId>`; authors are real users here (FK).
  const clientIds = ['client-a', 'client-b', 'client-x', 'client-1', 'client-2', 'client-3', 'client-4', 'client-5'];
  await prisma.user.createMany({
    data: clientIds.map((c) => ({ id: `user-${c}`, email: `user-${c}@contract.test` })),
    skipDuplicates: true,
  });
});
afterAll(async () => {
  await pool.end();
});

registerOpStoreContract('PostgreSQL', () => ({
  store: createPrismaOpStore(prisma, { pool, placement: () => ({ organizationId, title: 'Contract', createdById: null }) }),
}));
