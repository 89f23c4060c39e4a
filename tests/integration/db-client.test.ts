// The generated Prisma client on a freshly migrated database: the schema's keys hold.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, disconnect, Prisma, type PrismaClient } from '../../lib/db/prisma.ts';
import { dropDatabase, ensureDatabase, migrate } from '../../lib/migrator/migrate.ts';
import { withDatabase } from '../../lib/migrator/connection.ts';

const SERVER = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const url = withDatabase(SERVER, `verso_test_mig_${randomBytes(4).toString('hex')}`);
let prisma: PrismaClient;

beforeAll(async () => {
  await ensureDatabase(url);
  await migrate(url);
  prisma = createPrisma(url, { maxConnections: 2 });
});

afterAll(async () => {
  await disconnect(prisma);
  await dropDatabase(url);
});

/** The Prisma error code of a rejected promise (P2002 = unique constraint). */
async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
  return (error as Prisma.PrismaClientKnownRequestError).code;
}

async function documentWithOwner() {
  const email = `u${randomBytes(4).toString('hex')}@example.com`;
  const user = await prisma.user.create({ data: { email, name: 'Ada' } });
  const org = await prisma.organization.create({
    data: { name: 'Ada', personalOwnerId: user.id, memberships: { create: { userId: user.id, role: 'OWNER' } } },
  });
  const doc = await prisma.document.create({
    data: { organizationId: org.id, title: 'Notes', createdById: user.id, members: { create: { userId: user.id, role: 'OWNER' } } },
  });
  return { user, doc };
}

describe('Prisma client on the migrated schema', () => {
  it('creates a user, a document and an operation, and reads them back', async () => {
    const { user, doc } = await documentWithOwner();
    expect(doc.version).toBe(0);
    const delta = { ops: [{ insert: 'Hello', attributes: { bold: true } }] };
    // The sequencing pattern of STACK.md: bump the head on the document row, then insert.
    const op = await prisma.$transaction(async (tx) => {
      const { version } = await tx.document.update({ where: { id: doc.id }, data: { version: { increment: 1 } } });
      return tx.operation.create({
        data: { documentId: doc.id, version, delta, authorId: user.id, clientId: 'c1', clientSeq: 1 },
      });
    });
    expect(op.version).toBe(1);
    expect(op.createdAt).toBeInstanceOf(Date);
    const stored = await prisma.operation.findUnique({ where: { documentId_version: { documentId: doc.id, version: 1 } } });
    expect(stored?.delta).toEqual(delta);
    const byClient = await prisma.operation.findUnique({
      where: { documentId_clientId_clientSeq: { documentId: doc.id, clientId: 'c1', clientSeq: 1 } },
    });
    expect(byClient?.version).toBe(1);
    const member = await prisma.documentMember.findUnique({ where: { documentId_userId: { documentId: doc.id, userId: user.id } } });
    expect(member?.role).toBe('OWNER');
  });

  it('rejects a second operation at the same (documentId, version) with P2002', async () => {
    const { doc } = await documentWithOwner();
    const op = { documentId: doc.id, version: 1, delta: { ops: [{ insert: 'a' }] } };
    await prisma.operation.create({ data: { ...op, clientId: 'c1', clientSeq: 1 } });
    expect(await errorCode(prisma.operation.create({ data: { ...op, clientId: 'c2', clientSeq: 1 } }))).toBe('P2002');
  });

  it('rejects the same (documentId, clientId, clientSeq) twice with P2002', async () => {
    const { doc } = await documentWithOwner();
    const delta = { ops: [{ insert: 'a' }] };
    await prisma.operation.create({ data: { documentId: doc.id, version: 1, delta, clientId: 'c1', clientSeq: 7 } });
    expect(
      await errorCode(prisma.operation.create({ data: { documentId: doc.id, version: 2, delta, clientId: 'c1', clientSeq: 7 } })),
    ).toBe('P2002');
    // The same clientSeq on another document is a different op.
    const other = await documentWithOwner();
    await prisma.operation.create({ data: { documentId: other.doc.id, version: 1, delta, clientId: 'c1', clientSeq: 7 } });
  });

  it('keeps one role per user per document and one email per user', async () => {
    const { user, doc } = await documentWithOwner();
    expect(await errorCode(prisma.documentMember.create({ data: { documentId: doc.id, userId: user.id, role: 'VIEWER' } }))).toBe('P2002');
    expect(await errorCode(prisma.user.create({ data: { email: user.email } }))).toBe('P2002');
  });
});

describe('@auth/prisma-adapter on the schema', () => {
  it('runs next-auth\'s user, account, session and verification-token calls', async () => {
    const { PrismaAdapter } = await import('@auth/prisma-adapter');
    // The adapter is typed against @prisma/client's default output; ours is generated elsewhere.
    const adapter = PrismaAdapter(prisma as never);
    const email = `a${randomBytes(4).toString('hex')}@example.com`;
    const user = await adapter.createUser!({ id: 'ignored', email, emailVerified: null, name: 'Grace' });
    expect(user.email).toBe(email);
    await adapter.linkAccount!({
      userId: user.id, type: 'oauth', provider: 'github', providerAccountId: '42',
      access_token: 't', token_type: 'bearer', scope: 'read:user', expires_at: 1_900_000_000,
    });
    expect((await adapter.getUserByAccount!({ provider: 'github', providerAccountId: '42' }))?.id).toBe(user.id);
    const expires = new Date(Date.now() + 86_400_000);
    await adapter.createSession!({ sessionToken: `s-${email}`, userId: user.id, expires });
    const found = await adapter.getSessionAndUser!(`s-${email}`);
    expect(found?.user.id).toBe(user.id);
    expect(found?.session.expires.getTime()).toBe(expires.getTime());
    await adapter.deleteSession!(`s-${email}`);
    expect(await adapter.getSessionAndUser!(`s-${email}`)).toBeNull();
    await adapter.createVerificationToken!({ identifier: email, token: 'vt', expires });
    expect((await adapter.useVerificationToken!({ identifier: email, token: 'vt' }))?.token).toBe('vt');
    expect(await adapter.useVerificationToken!({ identifier: email, token: 'vt' })).toBeNull();
  });
});
