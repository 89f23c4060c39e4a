/**
 * Too-large edits over the WebSocket (issue 14): the frame limit sits above the largest op the
 * limits allow, so an op over the limits is answered PAYLOAD_TOO_LARGE on an open connection
 * instead of closing the socket ("Max payload size exceeded"), which clients took for a network
 * failure and resent forever.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WS_MAX_PAYLOAD } from '../../graphql/ws-transport.ts';
import { DEFAULT_LIMITS } from '../../lib/ot/operation.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp } from '../support/auth.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

const SUBMIT = 'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }';

let server: VersoServer;
let client: Client;
let cookie: string;
const closes: number[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const owner = await signUp(server);
  cookie = owner.cookie;
  const token = (await createToken(server, cookie)).token;
  client = wsClient(server.url, { connectionParams: { authorization: bearer(token) }, onClose: (code) => void closes.push(code) });
});
afterAll(() => client.dispose());

async function createDocument(): Promise<string> {
  const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Large") { id } }', {}, { cookie });
  return created.body.data!.createDocument.id;
}

function submit(documentId: string, clientSeq: number, ops: unknown[], baseVersion = 0) {
  return new Promise<{ version?: number; code?: string; message?: string }>((resolve, reject) => {
    let answer = {};
    client.subscribe<{ submitOperation: { version: number } }>(
      { query: SUBMIT, variables: { i: { documentId, baseVersion, clientId: 'big', clientSeq, delta: { ops } } } },
      {
        next: (r) =>
          (answer = r.data?.submitOperation ? { version: r.data.submitOperation.version } : { code: String(r.errors?.[0]?.extensions?.code), message: r.errors?.[0]?.message }),
        error: (e) => reject(new Error(`socket closed: ${(e as { code?: number }).code}`)),
        complete: () => resolve(answer),
      },
    );
  });
}

describe('too-large edits over the WebSocket', () => {
  it('a 2 MB paste is answered PAYLOAD_TOO_LARGE, naming the limit, and the connection stays usable', async () => {
    const documentId = await createDocument();
    const answer = await submit(documentId, 1, [{ insert: 'x'.repeat(2_000_000) }]);
    expect(answer.code).toBe('PAYLOAD_TOO_LARGE');
    expect(answer.message).toContain(String(DEFAULT_LIMITS.maxInsertLength));
    expect(await submit(documentId, 2, [{ insert: 'still here' }])).toEqual({ version: 1 });
    expect(closes.filter((code) => code !== 1000)).toEqual([]); // 1000: the lazy client closing when idle
  });

  it('the frame limit sits above the largest op within the limits: one inserting the most characters, worst-case escaped, in the most formatted runs', async () => {
    const documentId = await createDocument();
    const runs = DEFAULT_LIMITS.maxComponents;
    const perRun = DEFAULT_LIMITS.maxInsertLength / runs;
    // U+0001 is valid text that JSON escapes as \u0001: 6 bytes per character, the most there is.
    const ops = Array.from({ length: runs }, (_, i) => ({
      insert: '\u0001'.repeat(perRun),
      attributes: { bold: true, italic: true, underline: true, strike: true, link: `https://example.com/${i}/${'p'.repeat(700)}` },
    }));
    const message = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBMIT, variables: { i: { documentId, baseVersion: 0, clientId: 'big', clientSeq: 1, delta: { ops } } } } });
    expect(Buffer.byteLength(message)).toBeGreaterThan(12 * 1024 * 1024);
    expect(Buffer.byteLength(message)).toBeLessThan(WS_MAX_PAYLOAD);
    expect(await submit(documentId, 1, ops)).toEqual({ version: 1 });
    expect(closes.filter((code) => code !== 1000)).toEqual([]); // 1000: the lazy client closing when idle
  }, 60_000);
});
