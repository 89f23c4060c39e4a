/**
 * Issue 21, item 3: limits per WebSocket connection (open subscriptions) and per user (open
 * connections), with a clear error or close code, and a closed connection's subscriptions let go
 * of their memory.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { CLOSE_TOO_MANY_CONNECTIONS } from '../../graphql/ws-transport.ts';
import { bearer, createToken, openSocket, signUp, type TestAccount } from '../support/auth.ts';
import { waitUntil } from '../support/collab-bots.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

let server: VersoServer;
let account: TestAccount;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ env: { WS_MAX_SUBSCRIPTIONS: '5', WS_MAX_SOCKETS_PER_USER: '3', RATE_LIMIT_OPS: '100000/60' } });
  account = await signUp(server, { name: 'Lim Its' });
  token = (await createToken(server, account.cookie)).token;
});

const auth = () => ({ connectionParams: { authorization: bearer(token) } });

async function newDocument(): Promise<string> {
  const { body } = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Limits") { id } }', {}, { authorization: bearer(token) });
  return body.data!.createDocument.id;
}

const PRESENCE = 'subscription($id: ID!) { presence(documentId: $id) { clientId } }';

describe('WebSocket limits [issue 21.3]', () => {
  it('a connection past WS_MAX_SUBSCRIPTIONS open subscriptions gets LIMIT_EXCEEDED; completing one frees a place', async () => {
    const documentId = await newDocument();
    const socket = openSocket(server, auth());
    try {
      await socket.connected;
      const stops: Array<() => void> = [];
      const errors: Array<string | undefined> = [];
      const subscribe = () =>
        stops.push(
          socket.client.subscribe(
            { query: PRESENCE, variables: { id: documentId } },
            { next: () => {}, error: (e) => void errors.push((e as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code), complete: () => {} },
          ),
        );
      for (let i = 0; i < 5; i++) subscribe();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(errors).toEqual([]);
      subscribe();
      await waitUntil(() => errors.length === 1, 'the refusal');
      expect(errors).toEqual(['LIMIT_EXCEEDED']);
      // The refusal is an error for that subscription only: the connection stays, and a query runs.
      stops[0]!();
      await new Promise((resolve) => setTimeout(resolve, 200));
      subscribe();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(errors).toEqual(['LIMIT_EXCEEDED']);
    } finally {
      await socket.dispose();
    }
  });

  it(`a user past WS_MAX_SOCKETS_PER_USER connections is closed with ${CLOSE_TOO_MANY_CONNECTIONS}; closing one lets the next in`, async () => {
    const open = [openSocket(server, auth()), openSocket(server, auth()), openSocket(server, auth())];
    try {
      await Promise.all(open.map((s) => s.connected));
      const extra = openSocket(server, auth());
      const closed = await extra.closed;
      expect(closed.code).toBe(CLOSE_TOO_MANY_CONNECTIONS);
      expect(closed.reason).toContain('at most 3');
      await extra.dispose();
      await open.shift()!.dispose();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const next = openSocket(server, auth());
      open.push(next);
      await next.connected;
    } finally {
      await Promise.all(open.map((s) => s.dispose()));
    }
  });

  it("a closed connection's catch-up subscriptions release their memory", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    // A document whose log is about 4 MB: catch-up from version 0 reads all of it.
    const documentId = await newDocument();
    const paragraph = 'x'.repeat(199_999) + '\n';
    for (let version = 0; version < 20; version++) {
      const { body } = await gqlHttp(
        server.url,
        'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }',
        { i: { documentId, baseVersion: version, clientId: 'big', clientSeq: version + 1, delta: { ops: [{ insert: paragraph }] } } },
        { authorization: bearer(token) },
      );
      expect(body.errors).toBeUndefined();
    }
    // One round first: what stays after it is caches that do not grow with connections (the
    // document's head kept by the write path, prepared statements); the second round is measured.
    const round = async () => {
      const socket = openSocket(server, auth());
      await socket.connected;
      let received = 0;
      for (let i = 0; i < 5; i++) {
        socket.client.subscribe(
          { query: 'subscription($id: ID!) { documentOperationBatches(documentId: $id, fromVersion: 0) { operations { version delta } } }', variables: { id: documentId } },
          { next: () => void received++, error: () => {}, complete: () => {} },
        );
      }
      await waitUntil(() => received > 0, 'catch-up under way', 10_000);
      const during = process.memoryUsage().heapUsed;
      await socket.dispose();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return during;
    };
    await round();
    const before = heap();
    const during = await round();
    const after = heap();
    const retainedMiB = (after - before) / 2 ** 20;
    console.log(`heap: before ${(before / 2 ** 20).toFixed(1)} MiB, during ${(during / 2 ** 20).toFixed(1)} MiB, after close ${(after / 2 ** 20).toFixed(1)} MiB`);
    expect(during - before).toBeGreaterThan(8 * 2 ** 20); // the subscriptions did hold the log
    expect(retainedMiB).toBeLessThan(2);
  });
});

describe('WebSocket limits: connections that close during the handshake [issue 21.3]', () => {
  it('a socket closed while its credential is read holds no place of its user (the per-user count does not leak)', async () => {
    const { WebSocket } = await import('ws');
    const wsUrl = server.url.replace(/^http/, 'ws') + '/api/graphql';
    // Each of these sends connection_init and goes away at once, while the server still awaits the
    // credential lookup; before the fix each one was counted and never released.
    for (let i = 0; i < 12; i++) {
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
        ws.on('open', () => {
          ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: bearer(token) } }));
          ws.terminate();
        });
        ws.on('close', () => resolve());
        ws.on('error', () => resolve());
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const open = [openSocket(server, auth()), openSocket(server, auth()), openSocket(server, auth())];
    try {
      await Promise.all(open.map((s) => s.connected));
    } finally {
      await Promise.all(open.map((s) => s.dispose()));
    }
  });
});
