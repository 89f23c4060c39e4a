/**
 * Issue 21 item 7, sessions: rows hold a SHA-256 hash of the cookie's token, never the token,
 * and the migration that introduced hashing keeps sessions that existed before it working.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { hashSessionToken } from '../../lib/auth/sessions.ts';
import { createViewerResolver } from '../../lib/auth/viewer.ts';
import { createPrisma } from '../../lib/db/prisma.ts';
import { dropDatabase, ensureDatabase, migrate } from '../../lib/migrator/migrate.ts';
import { withDatabase } from '../../lib/migrator/connection.ts';
import { DEFAULT_MIGRATIONS_DIR } from '../../lib/migrator/files.ts';
import { signIn, signUp } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

const SERVER = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const HASHING_MIGRATION = '20261206135352_hash_session_tokens';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tokenOf = (cookie: string) => decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));

describe('session tokens at rest (issue 21 item 7)', () => {
  it('are stored as SHA-256 hashes: the table never holds a token a cookie carries, and the cookie still works', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const signedIn = await signIn(server, account.email, account.password);
    const prisma = server.services.prisma;
    for (const cookie of [account.cookie, signedIn.cookie!]) {
      const token = tokenOf(cookie);
      expect(await prisma.session.count({ where: { sessionToken: token } })).toBe(0);
      expect(await prisma.session.count({ where: { sessionToken: hashSessionToken(token) } })).toBe(1);
      expect((await gqlHttp(server.url, '{ me { id } }', {}, { cookie })).body.data?.me).toEqual({ id: account.userId });
    }
    // next-auth's own reading of the cookie (pages' auth(), /api/auth/session) goes through the same hash.
    const session = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: signedIn.cookie! } });
    expect(((await session.json()) as { user?: { id: string } }).user?.id).toBe(account.userId);
    const rows = await prisma.session.findMany({ where: { userId: account.userId }, select: { sessionToken: true } });
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.sessionToken))).toBe(true);
  });

  it('the hashing migration keeps sessions created before it working', async () => {
    const url = withDatabase(SERVER, `verso_test_sess_${randomBytes(4).toString('hex')}`);
    await ensureDatabase(url);
    cleanups.push(() => dropDatabase(url));
    const before = await mkdtemp(path.join(os.tmpdir(), 'verso-migrations-'));
    cleanups.push(() => rm(before, { recursive: true, force: true }));
    await cp(DEFAULT_MIGRATIONS_DIR, before, { recursive: true });
    const names = (await readdir(before)).filter((n) => /^\d{14}_/.test(n)).sort();
    for (const name of names.slice(names.indexOf(HASHING_MIGRATION))) await rm(path.join(before, name), { recursive: true });
    await migrate(url, { migrationsDir: before });

    // A session as the previous version wrote it: the token in clear.
    const token = randomBytes(32).toString('base64url');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`INSERT INTO users (id, email, name, updated_at) VALUES ('u1', 'old@example.com', 'Old', now())`);
    await client.query(`INSERT INTO sessions (id, session_token, user_id, expires) VALUES ('s1', $1, 'u1', now() + interval '1 day')`, [token]);
    await client.end();

    expect((await migrate(url)).applied).toContain(HASHING_MIGRATION);
    const prisma = createPrisma(url, { maxConnections: 2 });
    cleanups.push(() => prisma.$disconnect());
    expect((await prisma.session.findUniqueOrThrow({ where: { id: 's1' } })).sessionToken).toBe(hashSessionToken(token));
    const resolve = createViewerResolver({ prisma, appOrigin: 'http://localhost:3000', onError: () => {} });
    expect(await resolve({ cookieHeader: `authjs.session-token=${token}` })).toMatchObject({ userId: 'u1', credential: { kind: 'session', id: 's1' } });
  });
});
