import { beforeAll } from 'vitest';
import { createPrismaOpStore } from '../../lib/db/op-store.ts';
import { registerOpStoreContract } from '../support/collab-op-store-contract.ts';
import { createTestOrganization, testPrisma } from '../support/prisma.ts';

const prisma = testPrisma();
let organizationId: string;

beforeAll(async () => {
  organizationId = await createTestOrganization(prisma);
  // The contract's ops are authored by `user-<clientId>`; authors are real users here (FK).
  const clientIds = ['client-a', 'client-b', 'client-x', 'client-1', 'client-2', 'client-3', 'client-4', 'client-5'];
  await prisma.user.createMany({
    data: clientIds.map((c) => ({ id: `user-${c}`, email: `user-${c}@contract.test` })),
    skipDuplicates: true,
  });
});

registerOpStoreContract('PostgreSQL (Prisma)', () => ({
  store: createPrismaOpStore(prisma, { placement: () => ({ organizationId, title: 'Contract', createdById: null }) }),
}));

registerOpStoreContract('PostgreSQL (Prisma), no head cache', () => ({
  store: createPrismaOpStore(prisma, { cacheSize: 0, placement: () => ({ organizationId, title: 'Contract', createdById: null }) }),
}));
