/** A Prisma client on this run's test database, disconnected after the file's tests. */
import { afterAll, inject } from 'vitest';
import { createPrisma, type PrismaClient } from '../../lib/db/prisma.ts';

let shared: PrismaClient | undefined;

/** The file's Prisma client (one pool per test file). */
export function testPrisma(): PrismaClient {
  if (!shared) {
    shared = createPrisma(inject('databaseUrl'), { maxConnections: 8 });
    afterAll(async () => {
      await shared?.$disconnect();
      shared = undefined;
    });
  }
  return shared;
}

/** Creates an organization to hold test documents; returns its id. */
export async function createTestOrganization(prisma: PrismaClient, name = 'Test organization'): Promise<string> {
  const org = await prisma.organization.create({ data: { name } });
  return org.id;
}
