/** Presence over the API: live across instances, `left` on disconnect and when nobody refreshes. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, openSocket, signUp, type TestAccount } from '../support/auth.ts';
import { waitUntil } from '../support/collab-bots.ts';
import { gqlHttp, wsClient, wsQuery } from '../support/graphql-client.ts';
import { UPDATE_PRESENCE, watchPresence } from '../support/presence.ts';
import { startTestServer } from '../support/server.ts';

let a: VersoServer;
let b: VersoServer;
let owner: TestAccount;
let token: string;

beforeAll(async () => {
  const env = { PRESENCE_TTL_MS: '1500' };
  [a, b] = await Promise.all([startTestServer({ env }), startTestServer({ env })]);
  owner = await signUp(a, { name: 'Ada' });
  token = (await createToken(a, owner.cookie)).token;
});


const watch = (server: VersoServer, documentId: string) => watchPresence(server, token, documentId);

async function newDocument(): Promise<string> {
  const { body } = await gqlHttp<{ createDocument: { id: string } }>(a.url, 'mutation { createDocument(title: "Presence") { id } }', {}, { authorization: bearer(token) });
  return body.data!.createDocument.id;
}

const UPDATE = UPDATE_PRESENCE;

describe('presence', () => {
  it('crosses instances with the selection, and says left when the connection closes', async () => {
    const documentId = await newDocument();
    const watcher = watch(b, documentId);
    const editor = wsClient(a.url, { connectionParams: { authorization: bearer(token) } });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the watcher's subscription is live
      expect(await wsQuery(editor, UPDATE, { id: documentId, c: 'editor-1', s: { index: 0, length: 0, version: 0 } })).toEqual({ data: { updatePresence: true } });
      await waitUntil(() => watcher.events.some((e) => e.clientId === 'editor-1' && !e.left), 'the presence event');
      expect(watcher.events.find((e) => e.clientId === 'editor-1')).toEqual({
        clientId: 'editor-1',
        selection: { index: 0, length: 0, version: 0 },
        left: false,
        user: { id: owner.userId, name: 'Ada' },
      });
      await editor.dispose();
      await waitUntil(() => watcher.events.some((e) => e.clientId === 'editor-1' && e.left), 'left after disconnect', 5000);
    } finally {
      await watcher.client.dispose();
    }
  });

  it('a present client stays while its connection lives, even without updates', async () => {
    const documentId = await newDocument();
    // Not lazy: the connection stays open with nothing in flight, like an idle editor's.
    const editor = openSocket(a, { connectionParams: { authorization: bearer(token) } });
    const watcher = watch(b, documentId);
    try {
      await editor.query(UPDATE, { id: documentId, c: 'idle', s: null });
      await new Promise((resolve) => setTimeout(resolve, 3500)); // more than two TTLs
      expect(watcher.events.filter((e) => e.clientId === 'idle' && e.left)).toEqual([]);
      const late = watch(b, documentId);
      await waitUntil(() => late.events.some((e) => e.clientId === 'idle'), 'the current entries for a new watcher');
      await late.client.dispose();
    } finally {
      await editor.dispose();
      await watcher.client.dispose();
    }
  });

  it('an entry nobody refreshes (its instance died) expires with one left event', async () => {
    const documentId = await newDocument();
    const watcher = watch(b, documentId);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Over HTTP there is no connection to refresh or remove the entry: like an instance that died.
      const { body } = await gqlHttp(a.url, UPDATE, { id: documentId, c: 'orphan', s: { index: 1, length: 2, version: 0 } }, { authorization: bearer(token) });
      expect(body.errors).toBeUndefined();
      await waitUntil(() => watcher.events.some((e) => e.clientId === 'orphan' && e.left), 'the expiry', 5000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(watcher.events.filter((e) => e.clientId === 'orphan').map((e) => e.left)).toEqual([false, true]);
    } finally {
      await watcher.client.dispose();
    }
  });

  it('leavePresence says left at once, and the still-open connection does not bring the entry back', async () => {
    const documentId = await newDocument();
    const editor = openSocket(a, { connectionParams: { authorization: bearer(token) } });
    const watcher = watch(b, documentId);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await editor.query(UPDATE, { id: documentId, c: 'closing', s: null });
      expect(await editor.query('mutation($id: ID!, $c: String!) { leavePresence(documentId: $id, clientId: $c) }', { id: documentId, c: 'closing' })).toEqual({
        data: { leavePresence: true },
      });
      await waitUntil(() => watcher.events.some((e) => e.clientId === 'closing' && e.left), 'left after leavePresence', 3000);
      await new Promise((resolve) => setTimeout(resolve, 1200)); // past the connection's refresh interval
      expect(watcher.events.filter((e) => e.clientId === 'closing').map((e) => e.left)).toEqual([false, true]);
    } finally {
      await editor.dispose();
      await watcher.client.dispose();
    }
  });

  it('refuses a malformed selection with a message naming the shape', async () => {
    const documentId = await newDocument();
    const { body } = await gqlHttp(a.url, UPDATE, { id: documentId, c: 'x', s: { index: -1 } }, { authorization: bearer(token) });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toContain('"index", "length", "version"');
  });
});
