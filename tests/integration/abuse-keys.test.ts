/**
 * Hostile keys on the real stack (issue 14, items 1 and 2; rules S11, S12, PL7, P10): a clientId
 * outside its character set is refused before it reaches a batch, a submission PostgreSQL refuses
 * fails alone while the rest of its batch commits, and a user cannot squat another user's
 * (clientId, clientSeq): the victim's op is stored and acknowledged, and the victim's editor
 * never takes the squatter's op for its own echo.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Delta } from '../../lib/ot/operation.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp, type TestAccount } from '../support/auth.ts';
import { openBot, settled } from '../support/collab-bots.ts';
import { gqlHttp, wsClient, wsQuery } from '../support/graphql-client.ts';
import { testPrisma } from '../support/prisma.ts';
import { startTestServer } from '../support/server.ts';

const prisma = testPrisma();
let server: VersoServer;
let alice: TestAccount & { token: string };
let bob: TestAccount & { token: string };

beforeAll(async () => {
  server = await startTestServer();
  const account = async () => {
    const a = await signUp(server);
    return { ...a, token: (await createToken(server, a.cookie)).token };
  };
  [alice, bob] = await Promise.all([account(), account()]);
});
afterAll(async () => {
  await server?.close();
});

const SUBMIT = 'mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { version duplicate } }';
const submitAs = (who: { token: string }, input: Record<string, unknown>) =>
  gqlHttp<{ submitOperation: { version: number; duplicate: boolean } }>(server.url, SUBMIT, { input }, { authorization: bearer(who.token) });

/** A document of Alice's that Bob may edit. */
async function sharedDocument(): Promise<string> {
  const headers = { authorization: bearer(alice.token) };
  const { body } = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Abuse") { id } }', {}, headers);
  const documentId = body.data!.createDocument.id;
  const share = 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }';
  // Sharing needs the SHARE scope, which default tokens lack: the owner shares from her session.
  expect((await gqlHttp(server.url, share, { d: documentId, e: bob.email }, { cookie: alice.cookie })).body.errors).toBeUndefined();
  return documentId;
}

const stored = (documentId: string) => prisma.operation.findMany({ where: { documentId }, orderBy: { version: 'asc' } });

describe('abuse: keys', () => {
  it('[S11] a clientId with NUL, emoji, a space or 10,000 characters is BAD_USER_INPUT over HTTP and WebSocket; nothing is stored', async () => {
    const documentId = await sharedDocument();
    const ws = wsClient(server.url, { connectionParams: { authorization: bearer(bob.token) } });
    try {
      for (const clientId of ['nul\u0000id', 'emoji-😀', 'with space', 'x'.repeat(10_000)]) {
        const input = { documentId, baseVersion: 0, clientId, clientSeq: 1, delta: { ops: [{ insert: 'x' }] } };
        const overHttp = (await submitAs(bob, input)).body.errors?.[0];
        const overWs = (await wsQuery(ws, SUBMIT, { input })).errors?.[0];
        for (const error of [overHttp, overWs]) {
          expect(error?.extensions?.code, JSON.stringify(clientId.slice(0, 20))).toBe('BAD_USER_INPUT');
          // A control character is refused by the schema-wide rule first; the rest by the clientId rule [S11].
          expect(error?.message).toMatch(clientId.includes('\u0000') ? /clientId.*control character/ : /clientId must be 1–64 characters of A–Z/);
        }
      }
    } finally {
      await ws.dispose();
    }
    expect(await stored(documentId)).toHaveLength(0);
  });

  it('[S12] a submission PostgreSQL refuses (NUL in its text: 22P05) batched with another user\'s good ones fails alone; the others commit', async () => {
    const documentId = await sharedDocument();
    const { sequencer } = server.services.collab;
    const submit = (authorId: string, clientId: string, text: string) => sequencer.submit({ documentId, baseVersion: 0, clientId, clientSeq: 1, delta: new Delta().insert(text), authorId });
    // The first starts a batch of its own; everything submitted meanwhile is the next batch.
    const results = await Promise.all([
      submit(alice.userId, 'alice-lead', 'a'),
      submit(bob.userId, 'bob-poison', 'p\u0000p'),
      ...Array.from({ length: 4 }, (_, i) => submit(alice.userId, `alice-${i}`, `${i}`)),
    ]);
    expect(results[1]).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT', message: expect.stringMatching(/cannot store this op/) });
    expect(results.filter((r) => r.kind === 'applied')).toHaveLength(5);
    const log = await stored(documentId);
    expect(log.map((op) => op.version)).toEqual([1, 2, 3, 4, 5]);
    expect(log.map((op) => op.clientId).sort()).toEqual(['alice-0', 'alice-1', 'alice-2', 'alice-3', 'alice-lead']);
    // And the document goes on.
    expect(await submit(bob.userId, 'bob-after', 'b')).toMatchObject({ kind: 'applied', version: 6 });
  });

  it('[P10][PL7] Bob squats Alice\'s next clientSeq values: refused; Alice\'s real ops are stored and acknowledged applied, and her editor never takes his op for its echo', async () => {
    const documentId = await sharedDocument();
    const bot = await openBot('alice', [server.url], alice.token, documentId);
    try {
      const version = async () => (await prisma.document.findUniqueOrThrow({ where: { id: documentId } })).version;
      bot.session.applyLocal(new Delta().insert('Alice 1 '));
      await settled([bot], version);
      const clientId = bot.session.clientId;
      // Bob read her clientId off the op stream and takes her next keys first.
      for (const clientSeq of [2, 3, 4]) {
        const { body } = await submitAs(bob, { documentId, baseVersion: 1, clientId, clientSeq, delta: { ops: [{ insert: 'BOB ' }] } });
        expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(body.errors?.[0]?.message).toMatch(/already used by another user/);
      }
      // Alice's own resend of a stored key is still her duplicate.
      const resend = await submitAs(alice, { documentId, baseVersion: 0, clientId, clientSeq: 1, delta: { ops: [{ insert: 'Alice 1 ' }] } });
      expect(resend.body.data?.submitOperation).toEqual({ version: 1, duplicate: true });
      for (const n of [2, 3, 4]) {
        bot.session.applyLocal(new Delta().insert(`Alice ${n} `));
        await settled([bot], version);
      }
      const log = await stored(documentId);
      expect(log.map((op) => [op.version, op.clientId, op.clientSeq, op.authorId])).toEqual([1, 2, 3, 4].map((n) => [n, clientId, n, alice.userId]));
      const text = bot.session.document.ops.map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');
      expect(text).toBe('Alice 4 Alice 3 Alice 2 Alice 1 \n');
    } finally {
      await bot.close();
    }
  });

  it('[PL7] restoreVersion with another user\'s (clientId, clientSeq) is refused, not answered as a duplicate of their restore', async () => {
    const documentId = await sharedDocument();
    expect((await submitAs(alice, { documentId, baseVersion: 0, clientId: `alice-${randomUUID()}`, clientSeq: 1, delta: { ops: [{ insert: 'a' }] } })).body.data?.submitOperation.version).toBe(1);
    // Alice restores version 0 with a retry key; restores live in their own clientId namespace
    // (restore:<key>), which everyone reading the op stream can see.
    const restore = 'mutation($d: ID!, $v: Int!, $c: String, $s: Int) { restoreVersion(documentId: $d, version: $v, clientId: $c, clientSeq: $s) { version duplicate } }';
    const key = `alice-restore-${randomUUID().slice(0, 8)}`;
    const mine = await gqlHttp<{ restoreVersion: { version: number; duplicate: boolean } }>(server.url, restore, { d: documentId, v: 0, c: key, s: 1 }, { authorization: bearer(alice.token) });
    expect(mine.body.data?.restoreVersion).toEqual({ version: 2, duplicate: false });
    // Bob reuses her key and sequence number: refused, not told "duplicate" of her restore.
    const { body } = await gqlHttp<{ restoreVersion: { version: number; duplicate: boolean } }>(server.url, restore, { d: documentId, v: 1, c: key, s: 1 }, { authorization: bearer(bob.token) });
    expect(body.data?.restoreVersion).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await stored(documentId)).map((op) => op.authorId)).toEqual([alice.userId, alice.userId]);
  });

  it('[P10] a squat on a clientId whose ops are older than any known head\'s tail is refused by the store (the PostgreSQL statement), not stored', async () => {
    const documentId = await sharedDocument();
    const clientId = `alice-${randomUUID()}`;
    expect((await submitAs(alice, { documentId, baseVersion: 0, clientId, clientSeq: 1, delta: { ops: [{ insert: 'a' }] } })).body.data?.submitOperation.version).toBe(1);
    // 300 ops by others push her op out of the known tail (256).
    const { sequencer } = server.services.collab;
    for (let i = 0; i < 300; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => sequencer.submit({ documentId, baseVersion: 1, clientId: `filler-${i + j}`, clientSeq: 1, delta: new Delta().insert('f'), authorId: bob.userId })));
    }
    const { body } = await submitAs(bob, { documentId, baseVersion: 301, clientId, clientSeq: 2, delta: { ops: [{ insert: 'BOB' }] } });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const mine = await submitAs(alice, { documentId, baseVersion: 301, clientId, clientSeq: 2, delta: { ops: [{ insert: 'A' }] } });
    expect(mine.body.data?.submitOperation).toEqual({ version: 302, duplicate: false });
    expect((await prisma.operation.findMany({ where: { documentId, clientId } })).map((op) => op.authorId)).toEqual([alice.userId, alice.userId]);
  });
});

describe('abuse: reserved clientIds', () => {
  it('[H3b] submitOperation refuses a clientId in the restore: namespace, so nobody can plant a fake restore entry in history', async () => {
    const documentId = await sharedDocument();
    const input = { documentId, baseVersion: 0, clientId: `restore:0:${randomUUID()}`, clientSeq: 1, delta: { ops: [{ insert: 'not a restore' }] } };
    const answer = (await submitAs(bob, input)).body.errors?.[0];
    expect(answer?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answer?.message).toContain('reserved for restoreVersion');
    expect(await stored(documentId)).toHaveLength(0);
  });
});
