/**
 * Issue 21, item 2: a presence entry belongs to the person who announced it (identified by user and
 * clientId), a selection needs `edit`, and one connection can neither announce unboundedly many
 * entries nor update them unboundedly often.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, openSocket, signUp, type TestAccount } from '../support/auth.ts';
import { waitUntil } from '../support/collab-bots.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { UPDATE_PRESENCE, watchPresence } from '../support/presence.ts';
import { startTestServer } from '../support/server.ts';

let server: VersoServer;
let owner: TestAccount;
let viewer: TestAccount;
let ownerToken: string;
let viewerToken: string;

beforeAll(async () => {
  server = await startTestServer({ env: { PRESENCE_MAX_PER_CONNECTION: '5', RATE_LIMIT_PRESENCE: '30/60' } });
  owner = await signUp(server, { name: 'Olga Owner' });
  viewer = await signUp(server, { name: 'Vic Viewer' });
  ownerToken = (await createToken(server, owner.cookie, 'owner', { scopes: ['WRITE', 'SHARE'] })).token; // SHARE: it shares the test documents
  viewerToken = (await createToken(server, viewer.cookie)).token;
});


const UPDATE = UPDATE_PRESENCE;
const LEAVE = 'mutation($id: ID!, $c: String!) { leavePresence(documentId: $id, clientId: $c) }';

async function documentSharedWithViewer(): Promise<string> {
  const auth = { authorization: bearer(ownerToken) };
  const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Presence") { id } }', {}, auth);
  const documentId = created.body.data!.createDocument.id;
  const shared = await gqlHttp(server.url, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: VIEWER) { role } }', { d: documentId, e: viewer.email }, auth);
  expect(shared.body.errors).toBeUndefined();
  return documentId;
}

const watch = (documentId: string) => watchPresence(server, ownerToken, documentId);

describe('presence ownership [issue 21.2]', () => {
  it("a viewer can neither remove nor take over the owner's entry: the same clientId makes a second entry, theirs", async () => {
    const documentId = await documentSharedWithViewer();
    const ownerSocket = openSocket(server, { connectionParams: { authorization: bearer(ownerToken) } });
    const viewerSocket = openSocket(server, { connectionParams: { authorization: bearer(viewerToken) } });
    const watcher = watch(documentId);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const caret = { index: 0, length: 0, version: 0 };
      expect(await ownerSocket.query(UPDATE, { id: documentId, c: 'owner-editor', s: caret })).toEqual({ data: { updatePresence: true } });
      await waitUntil(() => watcher.events.some((e) => e.clientId === 'owner-editor'), 'the owner present');

      // The probe of issue 21: leave with the owner's clientId, then announce it.
      expect(await viewerSocket.query(LEAVE, { id: documentId, c: 'owner-editor' })).toEqual({ data: { leavePresence: true } });
      expect(await viewerSocket.query(UPDATE, { id: documentId, c: 'owner-editor', s: null })).toEqual({ data: { updatePresence: true } });

      await waitUntil(() => watcher.events.filter((e) => e.clientId === 'owner-editor').length === 2, "the viewer's own entry");
      await new Promise((resolve) => setTimeout(resolve, 300));
      const events = watcher.events.filter((e) => e.clientId === 'owner-editor');
      expect(events.map((e) => [e.user.name, e.selection, e.left])).toEqual([
        ['Olga Owner', caret, false],
        ['Vic Viewer', null, false],
      ]);
      const listed = watch(documentId);
      await waitUntil(() => listed.events.length === 2, 'the current entries');
      expect(listed.events.map((e) => [e.clientId, e.user.name, e.selection]).sort()).toEqual([
        ['owner-editor', 'Olga Owner', caret],
        ['owner-editor', 'Vic Viewer', null],
      ]);
      await listed.client.dispose();
    } finally {
      await Promise.all([ownerSocket.dispose(), viewerSocket.dispose(), watcher.client.dispose()]);
    }
  });

  it("a clientId someone else announced first does not lock its owner out (keyed by user and clientId)", async () => {
    const documentId = await documentSharedWithViewer();
    const ownerSocket = openSocket(server, { connectionParams: { authorization: bearer(ownerToken) } });
    const viewerSocket = openSocket(server, { connectionParams: { authorization: bearer(viewerToken) } });
    const watcher = watch(documentId);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The viewer squats the clientId the owner's editor is about to use...
      expect(await viewerSocket.query(UPDATE, { id: documentId, c: 'squatted', s: null })).toEqual({ data: { updatePresence: true } });
      // ...the owner still announces it, with a caret, and the viewer's leave cannot remove it.
      const caret = { index: 2, length: 1, version: 0 };
      expect(await ownerSocket.query(UPDATE, { id: documentId, c: 'squatted', s: caret })).toEqual({ data: { updatePresence: true } });
      await viewerSocket.query(LEAVE, { id: documentId, c: 'squatted' });
      await waitUntil(() => watcher.events.some((e) => e.left), "the viewer's left");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(watcher.events.map((e) => [e.user.name, e.selection, e.left])).toEqual([
        ['Vic Viewer', null, false],
        ['Olga Owner', caret, false],
        ['Vic Viewer', null, true],
      ]);
    } finally {
      await Promise.all([ownerSocket.dispose(), viewerSocket.dispose(), watcher.client.dispose()]);
    }
  });

  it('a selection needs edit: a viewer is present, with no selection', async () => {
    const documentId = await documentSharedWithViewer();
    const viewerSocket = openSocket(server, { connectionParams: { authorization: bearer(viewerToken) } });
    const watcher = watch(documentId);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await viewerSocket.query(UPDATE, { id: documentId, c: 'viewer-1', s: { index: 0, length: 1, version: 0 } })).toEqual({ data: { updatePresence: true } });
      await waitUntil(() => watcher.events.some((e) => e.clientId === 'viewer-1'), 'the viewer present');
      expect(watcher.events.find((e) => e.clientId === 'viewer-1')).toMatchObject({ selection: null, left: false, user: { name: 'Vic Viewer' } });
    } finally {
      await Promise.all([viewerSocket.dispose(), watcher.client.dispose()]);
    }
  });

  it('one connection announces at most PRESENCE_MAX_PER_CONNECTION entries (LIMIT_EXCEEDED past it)', async () => {
    const documentId = await documentSharedWithViewer();
    const socket = openSocket(server, { connectionParams: { authorization: bearer(viewerToken) } });
    try {
      const answers = [];
      for (let i = 0; i < 8; i++) answers.push(await socket.query(UPDATE, { id: documentId, c: `fake-${i}`, s: null }));
      expect(answers.slice(0, 5).every((a) => a.data?.updatePresence === true)).toBe(true);
      expect(answers.slice(5).map((a) => a.errors?.[0]?.extensions?.code)).toEqual(['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED', 'LIMIT_EXCEEDED']);
      // Refreshing an entry it holds is still fine, and leaving one frees a place.
      expect((await socket.query(UPDATE, { id: documentId, c: 'fake-0', s: null })).data).toEqual({ updatePresence: true });
      await socket.query(LEAVE, { id: documentId, c: 'fake-0' });
      expect((await socket.query(UPDATE, { id: documentId, c: 'fake-new', s: null })).data).toEqual({ updatePresence: true });
    } finally {
      await socket.dispose();
    }
  });

  it('presence updates are rate limited per connection (RATE_LIMITED with retryAfterSeconds)', async () => {
    const documentId = await documentSharedWithViewer();
    const socket = openSocket(server, { connectionParams: { authorization: bearer(viewerToken) } });
    try {
      const codes: Array<string | undefined> = [];
      for (let i = 0; i < 40; i++) {
        const answer = await socket.query(UPDATE, { id: documentId, c: 'busy', s: null });
        codes.push(answer.errors?.[0]?.extensions?.code as string | undefined);
      }
      expect(codes.slice(0, 30).every((c) => c === undefined)).toBe(true);
      expect(codes.slice(30).every((c) => c === 'RATE_LIMITED')).toBe(true);
    } finally {
      await socket.dispose();
    }
  });

  it('over HTTP one person holds at most PRESENCE_MAX_PER_CONNECTION entries on a document (LIMIT_EXCEEDED past it)', async () => {
    const documentId = await documentSharedWithViewer();
    const auth = { authorization: bearer(viewerToken) };
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 8; i++) {
      const answer = await gqlHttp(server.url, UPDATE, { id: documentId, c: `http-${i}`, s: null }, auth);
      codes.push(answer.body.errors?.[0]?.extensions?.code as string | undefined);
    }
    expect(codes).toEqual([undefined, undefined, undefined, undefined, undefined, 'LIMIT_EXCEEDED', 'LIMIT_EXCEEDED', 'LIMIT_EXCEEDED']);
    const refused = await gqlHttp(server.url, UPDATE, { id: documentId, c: 'http-9', s: null }, auth);
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'LIMIT_EXCEEDED', limit: 'presenceEntriesPerUser', max: 5 } });
    expect(refused.body.errors?.[0]?.message).toContain('leavePresence');
    // Refreshing one it holds is fine; leaving one frees a place.
    expect((await gqlHttp(server.url, UPDATE, { id: documentId, c: 'http-0', s: null }, auth)).body.data).toEqual({ updatePresence: true });
    await gqlHttp(server.url, LEAVE, { id: documentId, c: 'http-0' }, auth);
    expect((await gqlHttp(server.url, UPDATE, { id: documentId, c: 'http-new', s: null }, auth)).body.data).toEqual({ updatePresence: true });
    // The cap is per document: another document has its own places.
    const other = await documentSharedWithViewer();
    expect((await gqlHttp(server.url, UPDATE, { id: other, c: 'http-0', s: null }, auth)).body.data).toEqual({ updatePresence: true });
  });

  it('presence updates over HTTP are rate limited per person (RATE_LIMITED with retryAfterSeconds)', async () => {
    const documentId = await documentSharedWithViewer();
    const someone = await signUp(server, { name: 'Hasty' });
    const auth = { authorization: bearer((await createToken(server, someone.cookie)).token) };
    await gqlHttp(server.url, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: VIEWER) { role } }', { d: documentId, e: someone.email }, { authorization: bearer(ownerToken) });
    // The bucket holds 30 and refills one every 2 s: the first 30 pass, and sending on (faster
    // than the refill, however slow the machine) meets a refusal soon after.
    const answers = [];
    for (let i = 0; i < 60; i++) {
      const answer = await gqlHttp(server.url, UPDATE, { id: documentId, c: 'busy', s: null }, auth);
      answers.push(answer);
      if (answer.body.errors) break;
    }
    expect(answers.length).toBeGreaterThan(30);
    expect(answers.slice(0, -1).every((a) => a.body.data?.updatePresence === true)).toBe(true);
    expect(answers.at(-1)!.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
  });
});
