/** Bounds on operations and on slow consumers (issue 5, item 5). */
import WebSocket from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { bearer, createToken, signUp } from '../support/auth.ts';
import { waitUntil } from '../support/collab-bots.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

let server: VersoServer;
let token: string;
let userId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { WS_MAX_BUFFERED_BYTES: String(256 * 1024) } });
  const account = await signUp(server);
  userId = account.userId;
  token = (await createToken(server, account.cookie)).token;
});

const headers = () => ({ authorization: bearer(token) });

async function newDocument(): Promise<string> {
  const { body } = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Bounds") { id } }', {}, headers());
  return body.data!.createDocument.id;
}

const submit = (documentId: string, baseVersion: number, clientSeq: number, delta: unknown) =>
  gqlHttp<{ submitOperation: { version: number } }>(
    server.url,
    'mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { version } }',
    { input: { documentId, baseVersion, clientId: 'bounds', clientSeq, delta } },
    headers(),
  );

describe('operation bounds', () => {
  it('an op with too many components is PAYLOAD_TOO_LARGE, with the limit in the message', async () => {
    const documentId = await newDocument();
    const ops = Array.from({ length: 10_001 }, (_, i) => (i % 2 === 0 ? { insert: 'a', attributes: { bold: true } } : { insert: 'b' }));
    const { body } = await submit(documentId, 0, 1, { ops });
    expect(body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.errors?.[0]?.message).toMatch(/10[, ]?000/);
  });

  it('an op reaching past the end of the document is BAD_USER_INPUT saying so, and nothing is stored', async () => {
    const documentId = await newDocument();
    const { body } = await submit(documentId, 0, 1, { ops: [{ retain: 50 }, { insert: 'x' }] });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/reaches position 50/);
    const { body: doc } = await gqlHttp<{ document: { version: number } }>(server.url, 'query($id: ID!) { document(id: $id) { version } }', { id: documentId }, headers());
    expect(doc.data?.document.version).toBe(0);
  });

  it('an unknown attribute is BAD_USER_INPUT naming it', async () => {
    const documentId = await newDocument();
    const { body } = await submit(documentId, 0, 1, { ops: [{ insert: 'x', attributes: { onclick: 'alert(1)' } }] });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toContain('onclick');
  });
});

/** A graphql-transport-ws connection spoken by hand, so the test can stop reading. */
async function rawSubscription(documentId: string, fromVersion: number) {
  const socket = new WebSocket(server.url.replace(/^http/, 'ws') + '/api/graphql', 'graphql-transport-ws');
  const versions: number[] = [];
  let closeCode = 0;
  socket.on('close', (code) => (closeCode = code));
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string; payload?: { data?: { documentOperations?: { version: number } } } };
    if (message.type === 'connection_ack') {
      socket.send(
        JSON.stringify({
          id: '1',
          type: 'subscribe',
          payload: { query: 'subscription($id: ID!, $from: Int!) { documentOperations(documentId: $id, fromVersion: $from) { version delta } }', variables: { id: documentId, from: fromVersion } },
        }),
      );
    }
    const version = message.payload?.data?.documentOperations?.version;
    if (version !== undefined) versions.push(version);
  });
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: bearer(token) } }));
  return { socket, versions, closeCode: () => closeCode };
}

describe('slow consumers', () => {
  it('a subscriber that stops reading is disconnected (4008) once its buffer passes the limit, and catches up from its last version', async () => {
    const documentId = await newDocument();
    const big = 'x'.repeat(900_000);
    const { sequencer } = server.services.collab;
    let version = 0;
    const add = async () => {
      const insert = await sequencer.submit({ documentId, baseVersion: version, clientId: 'flood', clientSeq: version + 1, delta: new Delta().insert(big), authorId: userId });
      expect(insert.kind).toBe('applied');
      version += 1;
      const remove = await sequencer.submit({ documentId, baseVersion: version, clientId: 'flood', clientSeq: version + 1, delta: new Delta().delete(big.length), authorId: userId });
      expect(remove.kind).toBe('applied');
      version += 1;
    };

    const slow = await rawSubscription(documentId, 0);
    await add();
    await waitUntil(() => slow.versions.length === 2, 'the first ops');
    slow.socket.pause(); // stops reading: the server's send buffer fills up
    for (let i = 0; i < 100 && slow.closeCode() === 0; i++) await add();
    slow.socket.resume();
    await waitUntil(() => slow.closeCode() !== 0, 'the server to drop the slow consumer', 10_000);
    expect(slow.closeCode()).toBe(4008);
    const last = slow.versions.at(-1) ?? 0;
    expect(slow.versions).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(last).toBeLessThan(version);

    // Back again, from where it stopped: it gets exactly the rest.
    const back = await rawSubscription(documentId, last);
    await waitUntil(() => back.versions.length === version - last, 'the catch-up', 15_000);
    expect(back.versions).toEqual(Array.from({ length: version - last }, (_, i) => last + i + 1));
    back.socket.close();
    // Up to 200 commits of 900 KB each: on a loaded 2-core machine this alone takes 20–30 s.
  }, 90_000);
});
