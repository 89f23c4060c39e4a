/**
 * Offline edits that survive the page (issue 20, item 1), on a real server with PostgreSQL and
 * Redis: a CollabSession's OfflineSnapshot, resumed by a new session on a new connection, is
 * applied exactly once (the in-flight op keeps its clientId and clientSeq, so a server that had
 * applied it answers `duplicate` [S2]), edits never sent are applied, and edits the server
 * refuses for good are handed out to be copied.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { CollabSession } from '../../lib/api-client/collab-session.ts';
import type { OfflineSnapshot } from '../../lib/api-client/offline-snapshot.ts';
import { Delta } from '../../lib/ot/operation.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp, type TestAccount } from '../support/auth.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { testPrisma } from '../support/prisma.ts';
import { startTestServer } from '../support/server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

let server: VersoServer;
let owner: TestAccount;
let token: string;
const prisma = testPrisma();

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server);
  token = (await createToken(server, owner.cookie)).token;
});

async function api<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string> = { authorization: bearer(token) }): Promise<T> {
  const { body } = await gqlHttp<T>(server.url, query, variables, headers);
  if (!body.data || body.errors) throw new Error(JSON.stringify(body.errors)); // a refused submit (RATE_LIMITED under load) must not pass unnoticed
  return body.data;
}

const createDocument = async () =>
  (await api<{ createDocument: { id: string } }>('mutation { createDocument(title: "Offline", content: { ops: [{ insert: "Hello\\n" }] }) { id } }', {})).createDocument.id;

/** The document's text and version, read together. */
async function serverState(documentId: string): Promise<{ text: string; version: number }> {
  const { document } = await api<{ document: { version: number; content: { ops: [] } } }>('query($d: ID!) { document(id: $d) { version content } }', { d: documentId });
  return { text: new Delta(document.content.ops).ops.map((op) => op.insert).join(''), version: document.version };
}
const serverText = async (documentId: string) => (await serverState(documentId)).text;

const head = async (documentId: string) => (await prisma.document.findUniqueOrThrow({ where: { id: documentId }, select: { version: true } })).version;

async function waitUntil(done: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${done.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A client whose connection goes through a TCP proxy the test can cut (no mock involved). */
async function throughProxy(authToken = token) {
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
  return { proxy, first: client(`http://127.0.0.1:${proxy.port}`, authToken) };
}

const client = (url = server.url, authToken = token): Client => wsClient(url, { connectionParams: { authorization: bearer(authToken) } });

describe('[offline] resuming an OfflineSnapshot', () => {
  it('applies an in-flight op the server already applied exactly once (duplicate), then the later edits, over a concurrent edit', async () => {
    const documentId = await createDocument();
    const first = client();
    const session = await CollabSession.open({ client: first, documentId, presence: false, onPendingChange: () => {} });
    expect(session.applyLocal(new Delta().insert('A')).kind).toBe('applied');
    expect(session.applyLocal(new Delta().retain(1).insert('B')).kind).toBe('applied');
    // The page goes away right after sending: what it stored holds seq 1 (sent) and the buffer.
    const snapshot = session.offlineSnapshot() as OfflineSnapshot;
    expect(snapshot).toMatchObject({ version: 0, inFlight: { clientSeq: 1 }, edits: 2 });
    expect(snapshot.buffer).not.toBeNull();
    await waitUntil(async () => (await head(documentId)) >= 1);
    await session.close();
    await first.dispose();
    const applied = await prisma.operation.count({ where: { documentId, clientId: snapshot.clientId } });

    // Someone else edits meanwhile (at version 1 or 2, whatever reached the server).
    const { version, text } = await serverState(documentId);
    await api('mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', {
      i: { documentId, baseVersion: version, clientId: 'someone-else', clientSeq: 1, delta: { ops: [{ retain: text.length - 1 }, { insert: 'Z' }] } },
    });

    const second = client();
    const saved: Array<OfflineSnapshot | null> = [];
    const resumed = CollabSession.resume({ client: second, documentId, presence: false, onPendingChange: (s) => void saved.push(s) }, snapshot);
    expect(resumed.clientId).toBe(snapshot.clientId);
    expect(resumed.resumedEdits).toBe(2);
    expect(resumed.document.ops.map((op) => op.insert).join('')).toBe('ABHello\n');
    await waitUntil(() => resumed.status.state === 'synchronized' && resumed.status.connected);
    expect(await serverText(documentId)).toBe('ABHelloZ\n');
    expect(resumed.document.ops.map((op) => op.insert).join('')).toBe('ABHelloZ\n');
    expect(resumed.resumedEdits).toBe(0);
    // Seq 1 once, and whatever else of this clientId (seq 2 for B, if the first page had not sent it).
    const ops = await prisma.operation.findMany({ where: { documentId, clientId: snapshot.clientId }, select: { clientSeq: true } });
    expect(ops.filter((op) => op.clientSeq === 1)).toHaveLength(1);
    expect(ops.length).toBeGreaterThanOrEqual(applied);
    await waitUntil(() => saved.at(-1) === null);
    await resumed.close();
    await second.dispose();
  });

  it('a snapshot taken after resuming keeps the earlier in-flight op apart from later edits (resumed twice, nothing lost)', async () => {
    const documentId = await createDocument();
    const first = client();
    const session = await CollabSession.open({ client: first, documentId, presence: false, onPendingChange: () => {} });
    session.applyLocal(new Delta().insert('A'));
    const snapshot = session.offlineSnapshot() as OfflineSnapshot;
    await waitUntil(async () => (await head(documentId)) >= 1); // the server applied seq 1; its answer is never seen
    await session.close();
    await first.dispose();

    // Reopened while still offline: one more edit, then the page goes away again.
    const offline = client();
    await offline.dispose();
    const again = CollabSession.resume({ client: offline, documentId, presence: false, onPendingChange: () => {} }, snapshot);
    again.applyLocal(new Delta().retain(1).insert('C'));
    const second = again.offlineSnapshot() as OfflineSnapshot;
    await again.close();
    expect(second.inFlight).toEqual(snapshot.inFlight);
    expect(second.buffer).not.toBeNull();

    const direct = client();
    const resumed = CollabSession.resume({ client: direct, documentId, presence: false, onPendingChange: () => {} }, second);
    await waitUntil(() => resumed.status.state === 'synchronized' && resumed.status.connected);
    expect(await serverText(documentId)).toBe('ACHello\n');
    await resumed.close();
    await direct.dispose();
  });

  it('applies edits made while the connection was down, which the server never saw', async () => {
    const documentId = await createDocument();
    const { first, proxy } = await throughProxy();
    const session = await CollabSession.open({ client: first, documentId, presence: false, onPendingChange: () => {} });
    proxy.cut('blackhole'); // a silent network: nothing below reaches the server
    session.applyLocal(new Delta().retain(5).insert(' offline'));
    session.applyLocal(new Delta().retain(13).insert('!'));
    const snapshot = session.offlineSnapshot() as OfflineSnapshot;
    expect(snapshot.inFlight.clientSeq).toBe(1);
    await session.close();
    await first.dispose();
    await proxy.close();
    expect(await head(documentId)).toBe(0);

    const direct = client();
    const resumed = CollabSession.resume({ client: direct, documentId, presence: false, onPendingChange: () => {} }, snapshot);
    await waitUntil(() => resumed.status.state === 'synchronized' && resumed.status.connected);
    expect(await serverText(documentId)).toBe('Hello offline!\n');
    await resumed.close();
    await direct.dispose();
  });

  it('hands the edits out to be copied when the server refuses them for good (the document went to the trash)', async () => {
    const documentId = await createDocument();
    const editor = await signUp(server, { name: 'Editor' });
    await api('mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: editor.email }, { cookie: owner.cookie });
    const editorToken = (await createToken(server, editor.cookie)).token;
    const { first, proxy } = await throughProxy(editorToken);
    const session = await CollabSession.open({ client: first, documentId, presence: false, onPendingChange: () => {} });
    proxy.cut('blackhole'); // a silent network: nothing below reaches the server
    session.applyLocal(new Delta().insert('Kept: '));
    const snapshot = session.offlineSnapshot() as OfflineSnapshot;
    await session.close();
    await first.dispose();
    await proxy.close();
    await api('mutation($d: ID!) { moveDocumentToTrash(id: $d) { id } }', { d: documentId }, { cookie: owner.cookie });

    const second = client(server.url, editorToken);
    const unsent: Array<{ text: string; why: string }> = [];
    const saved: Array<OfflineSnapshot | null> = [];
    let fatal: string | null = null;
    CollabSession.resume(
      {
        client: second,
        documentId,
        presence: false,
        onPendingChange: (s) => void saved.push(s),
        onUnsent: (op, _message, why) => unsent.push({ text: op.ops.map((o) => (typeof o.insert === 'string' ? o.insert : '')).join(''), why }),
        onFatal: (f) => void (fatal = f.code),
      },
      snapshot,
    );
    await waitUntil(() => fatal !== null);
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(fatal);
    expect(unsent).toEqual([{ text: 'Kept: ', why: 'refused' }]);
    expect(saved.at(-1)).toBeNull();
    expect((await prisma.document.findUniqueOrThrow({ where: { id: documentId }, select: { version: true } })).version).toBe(0);
    await second.dispose();
  });
});
