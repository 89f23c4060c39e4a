/**
 * One op's size in bytes is bounded (`maxOpBytes`, lib/ot/limits.ts, 15 MiB as JSON) and checked
 * before any other work, on both transports, and the WebSocket's frame limit sits above the
 * largest valid op message, so no valid op closes the socket (issue 14).
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WS_MAX_PAYLOAD } from '../../graphql/ws-transport.ts';
import { MAX_BODY_BYTES } from '../../graphql/http-transport.ts';
import { DEFAULT_MAX_OP_BYTES } from '../../lib/ot/limits.ts';
import { validateOp } from '../../lib/ot/operation.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp } from '../support/auth.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

const SUBMIT = 'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }';

let server: VersoServer;
let client: Client;
let cookie: string;
let token: string;
const closes: number[] = [];

beforeAll(async () => {
  server = await startTestServer();
  cookie = (await signUp(server)).cookie;
  token = (await createToken(server, cookie)).token;
  client = wsClient(server.url, { connectionParams: { authorization: bearer(token) }, onClose: (code) => void closes.push(code) });
});
afterAll(() => client.dispose());

async function createDocument(): Promise<string> {
  const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Bytes") { id } }', {}, { cookie });
  return created.body.data!.createDocument.id;
}

/**
 * An op within every other limit whose JSON takes exactly `bytes`: 9,999 linked runs of
 * escaped characters (\u0001 is 6 bytes of JSON), then one plain insert sized to the byte.
 */
function opOfBytes(bytes: number): unknown[] {
  const run = (i: number, link: number) => ({ insert: '\u0001'.repeat(50), attributes: { link: `https://example.com/${i}/${'p'.repeat(link)}` } });
  const runs = Array.from({ length: 9_999 }, (_, i) => run(i, 1_190));
  const base = Buffer.byteLength(JSON.stringify(runs)); // "[" … "]" included
  const pad = bytes - base - 1 - Buffer.byteLength(JSON.stringify({ insert: '' }));
  if (pad < 1 || pad > 400_000) throw new Error(`opOfBytes: adjust the runs (pad ${pad})`);
  const ops = [...runs, { insert: 'a'.repeat(pad) }];
  expect(Buffer.byteLength(JSON.stringify(ops))).toBe(bytes);
  return ops;
}

function submit(documentId: string, clientSeq: number, ops: unknown[]) {
  return new Promise<{ version?: number; code?: string; message?: string; messageBytes: number }>((resolve, reject) => {
    const variables = { i: { documentId, baseVersion: 0, clientId: 'bytes', clientSeq, delta: { ops } } };
    const messageBytes = Buffer.byteLength(JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', type: 'subscribe', payload: { query: SUBMIT, variables } }));
    let answer = {};
    client.subscribe<{ submitOperation: { version: number } }>(
      { query: SUBMIT, variables },
      {
        next: (r) =>
          (answer = r.data?.submitOperation ? { version: r.data.submitOperation.version } : { code: String(r.errors?.[0]?.extensions?.code), message: r.errors?.[0]?.message }),
        error: (e) => reject(new Error(`socket closed: ${(e as { code?: number }).code}`)),
        complete: () => resolve({ ...answer, messageBytes }),
      },
    );
  });
}

describe('ops bounded in bytes', () => {
  it('[OT7] maxOpBytes is checked before any component is parsed: one byte over is PAYLOAD_TOO_LARGE, naming the bound', () => {
    const ops = [{ insert: 'x'.repeat(90) }, { insert: 'y', attributes: { bold: true } }];
    const bytes = Buffer.byteLength(JSON.stringify(ops));
    expect(validateOp({ ops }, { maxComponents: 10, maxInsertLength: 1000, maxDocumentLength: 1000, maxLinkLength: 100, maxOpBytes: bytes }).ok).toBe(true);
    const over = validateOp({ ops }, { maxComponents: 10, maxInsertLength: 1000, maxDocumentLength: 1000, maxLinkLength: 100, maxOpBytes: bytes - 1 });
    expect(over).toMatchObject({ ok: false, code: 'PAYLOAD_TOO_LARGE' });
    expect(!over.ok && over.message).toContain(`${bytes - 1} bytes`);
  });

  it('over the WebSocket: an op of exactly maxOpBytes is stored (its message under the frame limit); one byte more is PAYLOAD_TOO_LARGE on an open socket', async () => {
    const documentId = await createDocument();
    const largest = await submit(documentId, 1, opOfBytes(DEFAULT_MAX_OP_BYTES));
    expect(largest).toMatchObject({ version: 1 });
    expect(largest.messageBytes).toBeLessThan(WS_MAX_PAYLOAD);
    const over = await submit(documentId, 2, opOfBytes(DEFAULT_MAX_OP_BYTES + 1));
    expect(over).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(over.message).toContain(`${DEFAULT_MAX_OP_BYTES} bytes`);
    expect(await submit(documentId, 3, [{ insert: 'still here' }])).toMatchObject({ version: 2 });
    expect(closes.filter((code) => code !== 1000)).toEqual([]); // 1000: the lazy client closing when idle
  }, 120_000);

  it('over HTTP: an op past the request body bound is PAYLOAD_TOO_LARGE (413) before it is parsed', async () => {
    const documentId = await createDocument();
    const response = await gqlHttp(server.url, SUBMIT, { i: { documentId, baseVersion: 0, clientId: 'http', clientSeq: 1, delta: { ops: [{ insert: 'z'.repeat(MAX_BODY_BYTES) }] } } }, { authorization: bearer(token) });
    expect(response.response.status).toBe(413);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
