/**
 * Import and export over HTTP (issue 20 item 4) on a real server: `POST /api/documents/import`
 * creates a document from the committed fixtures with the API's auth, limits and codes; the
 * export route serves DOCX and PDF at head and at a version; a DOCX exported and imported again
 * keeps the formats.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_MAX_BYTES } from '../../lib/import/import-file.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp, type TestAccount } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

let server: VersoServer;
let owner: TestAccount;
let token: string;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));
const expected = JSON.parse(readFileSync(new URL('../fixtures/import/formats.json', import.meta.url), 'utf8')).ops;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server);
  token = (await createToken(server, owner.cookie)).token;
});

function post(query: string, body: Uint8Array | string, headers: Record<string, string> = { authorization: bearer(token) }): Promise<Response> {
  return fetch(`${server.url}/api/documents/import?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...headers },
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
  });
}

async function content(id: string, headers: Record<string, string> = { authorization: bearer(token) }) {
  const { body } = await gqlHttp<{ document: { title: string; content: { ops: unknown[] } } }>(server.url, 'query($d: ID!) { document(id: $d) { title content } }', { d: id }, headers);
  return body.data!.document;
}

const codeOf = async (response: Response) => ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code;

describe('POST /api/documents/import', () => {
  it('creates a document from each committed fixture (.md, .html, .docx) with the formats kept', async () => {
    for (const name of ['formats.md', 'formats.html', 'formats.docx']) {
      const response = await post(`filename=${name}`, fixture(name));
      expect(response.status, name).toBe(201);
      const created = (await response.json()) as { id: string; title: string };
      expect(response.headers.get('location')).toBe(`/docs/${created.id}`);
      const document = await content(created.id);
      expect(document.content.ops, name).toEqual(expected);
      expect(document.title).toBe(name === 'formats.html' ? 'Release notes (HTML)' : 'formats');
    }
  });

  it('takes the title from ?title= and works with the session cookie from the app’s own origin', async () => {
    const response = await post('filename=notes.md&title=My%20notes', '# Hi\n', { cookie: owner.cookie, origin: 'http://localhost:3000' });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    expect((await content(id, { cookie: owner.cookie })).title).toBe('My notes');
  });

  it('refuses the cookie from a foreign page (CSRF) with FORBIDDEN and creates nothing', async () => {
    const response = await post('filename=x.md', '# Forged\n', { cookie: owner.cookie, origin: 'https://evil.example', 'content-type': 'text/plain' });
    expect(response.status).toBe(403);
    expect(await codeOf(response)).toBe('FORBIDDEN');
  });

  it('answers UNAUTHENTICATED without credentials, before reading the file', async () => {
    const response = await post('filename=x.md', '# Hi\n', {});
    expect(response.status).toBe(401);
    expect(await codeOf(response)).toBe('UNAUTHENTICATED');
  });

  it('answers UNSUPPORTED_FILE_TYPE, FILE_UNREADABLE and PAYLOAD_TOO_LARGE with 415, 422 and 413', async () => {
    const unsupported = await post('filename=slides.pptx', 'x');
    expect([unsupported.status, await codeOf(unsupported)]).toEqual([415, 'UNSUPPORTED_FILE_TYPE']);
    const corrupt = await post('filename=corrupt.docx', fixture('corrupt.docx'));
    expect([corrupt.status, await codeOf(corrupt)]).toEqual([422, 'FILE_UNREADABLE']);
    const large = await post('filename=big.html', new Uint8Array(IMPORT_MAX_BYTES + 1));
    expect([large.status, await codeOf(large)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('answers 405 METHOD_NOT_ALLOWED to GET', async () => {
    const response = await fetch(`${server.url}/api/documents/import`, { headers: { authorization: bearer(token) } });
    expect(response.status).toBe(405);
  });
});

describe('export as DOCX and PDF', () => {
  it('serves DOCX and PDF at head and at a version; the DOCX imports back with every format', async () => {
    const created = (await (await post('filename=formats.md', fixture('formats.md'))).json()) as { id: string };
    const get = (query: string) => fetch(`${server.url}/api/documents/${created.id}/export?${query}`, { headers: { authorization: bearer(token) } });
    const docx = await get('format=docx');
    expect(docx.status).toBe(200);
    expect(docx.headers.get('content-type')).toBe(DOCX);
    expect(docx.headers.get('content-disposition')).toContain('formats.docx');
    const bytes = new Uint8Array(await docx.arrayBuffer());
    const again = (await (await post('filename=again.docx', bytes)).json()) as { id: string };
    expect((await content(again.id)).content.ops).toEqual(expected);

    const pdf = await get('format=pdf&version=0');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('x-verso-version')).toBe('0');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
