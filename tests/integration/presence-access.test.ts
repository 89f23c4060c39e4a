/**
 * Presence follows access [issue 21.2]: removing someone, demoting them below `edit`, or trashing
 * the document changes their presence entries for everyone at once (the access-change message,
 * well before the 15 s recheck), and their still-open connection does not refresh them back.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, openSocket, signUp, type TestAccount } from '../support/auth.ts';
import { waitUntil } from '../support/collab-bots.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { UPDATE_PRESENCE, watchPresence, type PresenceEventSeen } from '../support/presence.ts';
import { startTestServer } from '../support/server.ts';

let a: VersoServer;
let b: VersoServer;
let owner: TestAccount;
let member: TestAccount;
let ownerToken: string;
let memberToken: string;

// Entries are refreshed every 300 ms by their connection; the periodic access recheck is far away.
const env = { PRESENCE_TTL_MS: '900', ACCESS_RECHECK_MS: '60000' };

beforeAll(async () => {
  [a, b] = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
  owner = await signUp(a, { name: 'Olga Owner' });
  member = await signUp(a, { name: 'Mia Member' });
  ownerToken = (await createToken(a, owner.cookie, 'owner', { scopes: ['WRITE', 'SHARE', 'DELETE'] })).token;
  memberToken = (await createToken(a, member.cookie)).token;
});

const asOwner = <T>(query: string, variables: Record<string, unknown>) => gqlHttp<T>(a.url, query, variables, { authorization: bearer(ownerToken) });

async function sharedDocument(role: 'EDITOR' | 'VIEWER'): Promise<string> {
  const created = await asOwner<{ createDocument: { id: string } }>('mutation { createDocument(title: "Presence access") { id } }', {});
  const documentId = created.body.data!.createDocument.id;
  const shared = await asOwner('mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { role } }', { d: documentId, e: member.email, r: role });
  expect(shared.body.errors).toBeUndefined();
  return documentId;
}

const caret = { index: 0, length: 0, version: 0 };
const members = (events: PresenceEventSeen[]) => events.filter((e) => e.user.id === member.userId);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The member present with a caret through a socket on instance b, the owner watching on a. */
async function memberPresent(documentId: string) {
  const watcher = watchPresence(a, ownerToken, documentId);
  const socket = openSocket(b, { connectionParams: { authorization: bearer(memberToken) } });
  await pause(200);
  expect(await socket.query(UPDATE_PRESENCE, { id: documentId, c: 'member-editor', s: caret })).toEqual({ data: { updatePresence: true } });
  await waitUntil(() => members(watcher.events).length > 0, 'the member present');
  return { watcher, socket };
}

/** Who a fresh subscriber finds present (latest event per person and clientId), after waiting out several refresh periods. */
async function presentLater(documentId: string): Promise<PresenceEventSeen[]> {
  await pause(1200);
  const fresh = watchPresence(a, ownerToken, documentId);
  await pause(400);
  await fresh.client.dispose();
  return [...new Map(fresh.events.map((e) => [`${e.user.id}:${e.clientId}`, e])).values()];
}

describe('presence follows access [issue 21.2]', () => {
  it("a removed collaborator's entry leaves at once for everyone, and their open connection does not bring it back", async () => {
    const documentId = await sharedDocument('EDITOR');
    const { watcher, socket } = await memberPresent(documentId);
    try {
      const started = Date.now();
      const removed = await asOwner('mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: documentId, u: member.userId });
      expect(removed.body.errors).toBeUndefined();
      await waitUntil(() => members(watcher.events).some((e) => e.left), 'the member left', 3000);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(members(await presentLater(documentId))).toEqual([]);
      const seen = members(watcher.events);
      expect(seen.slice(seen.findIndex((e) => e.left)).map((e) => e.left)).toEqual([true]);
    } finally {
      await Promise.all([socket.dispose(), watcher.client.dispose()]);
    }
  });

  it('an editor demoted to viewer loses their caret at once, and the refresh does not restore it', async () => {
    const documentId = await sharedDocument('EDITOR');
    const { watcher, socket } = await memberPresent(documentId);
    try {
      const demoted = await asOwner('mutation($d: ID!, $u: ID!) { updateCollaboratorRole(documentId: $d, userId: $u, role: VIEWER) { role } }', { d: documentId, u: member.userId });
      expect(demoted.body.errors).toBeUndefined();
      await waitUntil(() => members(watcher.events).some((e) => e.selection === null), 'the caret withdrawn', 3000);
      expect(members(await presentLater(documentId)).map((e) => [e.clientId, e.selection, e.left])).toEqual([['member-editor', null, false]]);
    } finally {
      await Promise.all([socket.dispose(), watcher.client.dispose()]);
    }
  });

  it("trashing the document removes everyone's presence, and restoring it does not bring stale entries back", async () => {
    const documentId = await sharedDocument('EDITOR');
    const { watcher, socket } = await memberPresent(documentId);
    const ownerSocket = openSocket(a, { connectionParams: { authorization: bearer(ownerToken) } });
    try {
      expect(await ownerSocket.query(UPDATE_PRESENCE, { id: documentId, c: 'owner-editor', s: caret })).toEqual({ data: { updatePresence: true } });
      await waitUntil(() => watcher.events.some((e) => e.clientId === 'owner-editor'), 'the owner present');
      expect((await asOwner('mutation($id: ID!) { moveDocumentToTrash(id: $id) { id } }', { id: documentId })).body.errors).toBeUndefined();
      await pause(1500);
      expect((await asOwner('mutation($id: ID!) { restoreDocumentFromTrash(id: $id) { id } }', { id: documentId })).body.errors).toBeUndefined();
      expect(await presentLater(documentId)).toEqual([]);
    } finally {
      await Promise.all([socket.dispose(), ownerSocket.dispose(), watcher.client.dispose()]);
    }
  });

  it('entries announced over HTTP (no connection to refresh them) also leave at once when their author is removed', async () => {
    // Entries living 30 s here: a `left` within 3 s is the removal's, not the expiry's.
    const c = await startTestServer({ env: { ACCESS_RECHECK_MS: '60000' } });
    const documentId = await sharedDocument('VIEWER');
    const watcher = watchPresence(c, ownerToken, documentId);
    try {
      await pause(200);
      const announced = await gqlHttp(c.url, UPDATE_PRESENCE, { id: documentId, c: 'http-reader', s: null }, { authorization: bearer(memberToken) });
      expect(announced.body.data).toEqual({ updatePresence: true });
      await waitUntil(() => members(watcher.events).length === 1, 'the reader present');
      await asOwner('mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: documentId, u: member.userId });
      await waitUntil(() => members(watcher.events).some((e) => e.left), 'the reader left', 3000);
      expect(members(watcher.events).map((e) => e.left)).toEqual([false, true]);
    } finally {
      await watcher.client.dispose();
    }
  });
});
