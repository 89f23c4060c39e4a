/**
 * Issue 19, item 4: finer history entries through the API. Someone taking over after another gets
 * an entry of their own [H3a]; a restore is an entry of its own operation whose "before" state
 * can be previewed and restored [H3b, H14].
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp, type TestAccount } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

let server: VersoServer;
let ann: TestAccount;
let bob: TestAccount;
let annToken: string;
let bobToken: string;

beforeAll(async () => {
  server = await startTestServer();
  [ann, bob] = await Promise.all([signUp(server, { name: 'Ann' }), signUp(server, { name: 'Bob' })]);
  annToken = (await createToken(server, ann.cookie, 'ann', { scopes: ['WRITE', 'SHARE'] })).token; // SHARE: she shares the test documents
  bobToken = (await createToken(server, bob.cookie)).token;
});

interface Entry {
  fromVersion: number;
  toVersion: number;
  name: string | null;
  authors: Array<{ name: string }>;
  restore: { version: number | null } | null;
}

const as = (token: string) => ({ authorization: bearer(token) });

async function sharedDocument(): Promise<string> {
  const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Entries", content: { ops: [{ insert: "\\n" }] }) { id } }', {}, as(annToken));
  const documentId = created.body.data!.createDocument.id;
  await gqlHttp(server.url, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: bob.email }, as(annToken));
  return documentId;
}

async function type(token: string, documentId: string, text: string): Promise<number> {
  const head = await gqlHttp<{ document: { version: number } }>(server.url, 'query($id: ID!) { document(id: $id) { version } }', { id: documentId }, as(token));
  const version = head.body.data!.document.version;
  const { body } = await gqlHttp<{ submitOperation: { version: number } }>(
    server.url,
    'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }',
    { i: { documentId, baseVersion: version, clientId: `typist-${token.slice(-6)}`, clientSeq: version + 1, delta: { ops: [{ insert: text }] } } },
    as(token),
  );
  expect(body.errors).toBeUndefined();
  return body.data!.submitOperation.version;
}

async function entries(documentId: string): Promise<Entry[]> {
  const { body } = await gqlHttp<{ document: { revisions: { edges: Array<{ node: Entry }> } } }>(
    server.url,
    'query($id: ID!) { document(id: $id) { revisions(first: 50) { edges { node { fromVersion toVersion name authors { name } restore { version } } } } } }',
    { id: documentId },
    as(annToken),
  );
  expect(body.errors).toBeUndefined();
  return body.data!.document.revisions.edges.map((e) => e.node).reverse();
}

async function text(documentId: string, version?: number): Promise<string> {
  const query = version === undefined ? 'query($id: ID!) { document(id: $id) { content } }' : 'query($id: ID!, $v: Int!) { document(id: $id) { at(version: $v) { content } } }';
  const { body } = await gqlHttp<{ document: { content?: { ops: Array<{ insert: string }> }; at?: { content: { ops: Array<{ insert: string }> } } } }>(server.url, query, { id: documentId, v: version }, as(annToken));
  const content = body.data!.document.at?.content ?? body.data!.document.content!;
  return content.ops.map((op) => op.insert).join('');
}

describe('finer history entries [issue 19.4]', () => {
  it('[H3a] someone taking over after a few seconds gets an entry of their own; editing at the same moment shares one', async () => {
    const documentId = await sharedDocument();
    await type(annToken, documentId, 'a');
    await type(annToken, documentId, 'b');
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await type(bobToken, documentId, 'c'); // Bob takes over after Ann stopped: his own entry
    await type(annToken, documentId, 'd'); // Ann joins him at once: they share it
    await type(bobToken, documentId, 'e');
    const list = await entries(documentId);
    expect(list.map((e) => [e.fromVersion, e.toVersion, e.authors.map((a) => a.name)])).toEqual([
      [0, 2, ['Ann']],
      [2, 5, ['Bob', 'Ann']],
    ]);
  }, 20_000);

  it('[H3b][H14] a restore is an entry of its own, named, whose "before" state can be previewed and restored', async () => {
    const documentId = await sharedDocument();
    await type(annToken, documentId, 'First. ');
    await type(annToken, documentId, 'Second. ');
    const before = await text(documentId);
    const restored = await gqlHttp<{ restoreVersion: { version: number } }>(server.url, 'mutation($id: ID!) { restoreVersion(documentId: $id, version: 1) { version } }', { id: documentId }, as(annToken));
    expect(restored.body.errors).toBeUndefined();
    const restoreVersion = restored.body.data!.restoreVersion.version;
    expect(await text(documentId)).toBe(await text(documentId, 1));
    // Typing right after the restore starts a new entry: the restore stays one op.
    await type(annToken, documentId, 'Third. ');
    const list = await entries(documentId);
    const entry = list.find((e) => e.restore !== null)!;
    expect(entry).toMatchObject({ fromVersion: restoreVersion - 1, toVersion: restoreVersion, restore: { version: 1 }, authors: [{ name: 'Ann' }] });
    expect(entry.name).toMatch(/^Restored the text of \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(list.at(-1)).toMatchObject({ fromVersion: restoreVersion, restore: null, name: null });
    expect(list.filter((e) => e.restore === null).every((e) => e.toVersion <= restoreVersion - 1 || e.fromVersion >= restoreVersion)).toBe(true);

    // The state before the restore is the entry's fromVersion: preview it, then restore it.
    expect(await text(documentId, entry.fromVersion)).toBe(before);
    const back = await gqlHttp<{ restoreVersion: { version: number } }>(server.url, 'mutation($id: ID!, $v: Int!) { restoreVersion(documentId: $id, version: $v) { version } }', { id: documentId, v: entry.fromVersion }, as(annToken));
    expect(back.body.errors).toBeUndefined();
    expect(await text(documentId)).toBe(before);
    const again = (await entries(documentId)).at(-1)!;
    expect(again).toMatchObject({ toVersion: back.body.data!.restoreVersion.version, restore: { version: entry.fromVersion } });
  });

  it('[H3b] a keyed restore is an entry of its own too, and a retry with the same key is a duplicate', async () => {
    const documentId = await sharedDocument();
    await type(annToken, documentId, 'One. ');
    await type(annToken, documentId, 'Two. ');
    const query = 'mutation($id: ID!) { restoreVersion(documentId: $id, version: 1, clientId: "panel-1", clientSeq: 7) { version duplicate } }';
    const first = await gqlHttp<{ restoreVersion: { version: number; duplicate: boolean } }>(server.url, query, { id: documentId }, as(annToken));
    const retry = await gqlHttp<{ restoreVersion: { version: number; duplicate: boolean } }>(server.url, query, { id: documentId }, as(annToken));
    expect(retry.body.data!.restoreVersion).toEqual({ version: first.body.data!.restoreVersion.version, duplicate: true });
    const entry = (await entries(documentId)).at(-1)!;
    expect(entry).toMatchObject({ fromVersion: 2, toVersion: 3, restore: { version: null } });
  });
});
