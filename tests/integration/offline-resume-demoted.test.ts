/**
 * Edits kept offline by someone whose role changed before they came back (review of issues 18
 * and 20), on a real server: an editor types with the network gone, the page keeps the edits
 * (OfflineSnapshot), the owner makes them a commenter, and the next visit resumes them. The
 * session waits for the role before sending them, then sends them as suggestions (the server
 * converts them at head), so the text lands in the document as the person's proposal instead of
 * being refused. Made a viewer instead, the edits are handed out to be copied.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { CollabSession } from '../../lib/api-client/collab-session.ts';
import type { OfflineSnapshot } from '../../lib/api-client/offline-snapshot.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { openSuggestions } from '../../lib/ot/suggestion.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp, type TestAccount } from '../support/auth.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

let server: VersoServer;
let owner: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server);
});

async function api<T>(who: TestAccount, query: string, variables: Record<string, unknown>): Promise<T> {
  const { body } = await gqlHttp<T>(server.url, query, variables, { cookie: who.cookie });
  if (!body.data || body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const share = (documentId: string, who: TestAccount, role: string) =>
  api(owner, 'mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { role } }', { d: documentId, e: who.email, r: role });

async function waitUntil(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const client = (url: string, token: string): Client => wsClient(url, { connectionParams: { authorization: bearer(token) } });

/** An editor of a new document "Hello" who types `typed` at its start with the network gone; what their page kept. */
async function editedOffline(typed: string): Promise<{ documentId: string; person: TestAccount; token: string; snapshot: OfflineSnapshot }> {
  const { createDocument } = await api<{ createDocument: { id: string } }>(owner, 'mutation { createDocument(title: "Kept", content: { ops: [{ insert: "Hello\\n" }] }) { id } }', {});
  const documentId = createDocument.id;
  const person = await signUp(server, { name: 'Demoted' });
  await share(documentId, person, 'EDITOR');
  const token = (await createToken(server, person.cookie)).token;
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
  const first = client(`http://127.0.0.1:${proxy.port}`, token);
  const session = await CollabSession.open({ client: first, documentId, presence: false, onPendingChange: () => {} });
  proxy.cut('blackhole');
  expect(session.applyLocal(new Delta().insert(typed)).kind).toBe('applied');
  const snapshot = session.offlineSnapshot() as OfflineSnapshot;
  await session.close();
  await first.dispose();
  await proxy.close();
  return { documentId, person, token, snapshot };
}

async function resumeAs(token: string, documentId: string, snapshot: OfflineSnapshot) {
  const unsent: Array<{ text: string; why: string }> = [];
  const saved: Array<OfflineSnapshot | null> = [];
  const connection = client(server.url, token);
  const session = CollabSession.resume(
    {
      client: connection,
      documentId,
      presence: false,
      onPendingChange: (s) => void saved.push(s),
      onUnsent: (op, _message, why) => unsent.push({ text: op.ops.map((o) => (typeof o.insert === 'string' ? o.insert : '')).join(''), why }),
    },
    snapshot,
  );
  return { session, unsent, saved, connection };
}

const content = async (documentId: string) =>
  new Delta((await api<{ document: { content: { ops: [] } } }>(owner, 'query($d: ID!) { document(id: $d) { content } }', { d: documentId })).document.content.ops);

describe('edits kept offline, resumed after a role change', () => {
  it('an editor made commenter meanwhile: the kept edits are sent as their suggestion, nothing refused or lost', async () => {
    const { documentId, person, token, snapshot } = await editedOffline('Proposed ');
    await share(documentId, person, 'COMMENTER');

    const { session, unsent, saved, connection } = await resumeAs(token, documentId, snapshot);
    await waitUntil(() => session.status.state === 'synchronized' && session.status.connected && saved.at(-1) === null, 'the kept edits to be confirmed');
    const doc = await content(documentId);
    expect(doc.ops.map((op) => op.insert).join('')).toBe('Proposed Hello\n');
    expect(openSuggestions(doc)).toEqual([expect.objectContaining({ author: person.userId, insertedText: 'Proposed ', deletedText: '' })]);
    expect(unsent).toEqual([]);
    expect(session.role).toBe('COMMENTER');
    await session.close();
    await connection.dispose();
  });

  it('an editor made viewer meanwhile: the kept edits are handed out to be copied, and forgotten by the store', async () => {
    const { documentId, person, token, snapshot } = await editedOffline('Kept for copying ');
    await share(documentId, person, 'VIEWER');

    const { session, unsent, saved, connection } = await resumeAs(token, documentId, snapshot);
    await waitUntil(() => unsent.length > 0 && saved.at(-1) === null, 'the edits to be handed out');
    expect(unsent).toEqual([{ text: 'Kept for copying ', why: 'role' }]);
    expect((await content(documentId)).ops.map((op) => op.insert).join('')).toBe('Hello\n');
    await session.close();
    await connection.dispose();
  });
});
