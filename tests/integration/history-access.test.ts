/**
 * Access rules for every history field (issue 6) × none / viewer / commenter / editor / owner
 * (and anonymous): reads need `read`, naming `manage`, restoring `edit`; export follows the API.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signUp, type TestAccount } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

type Who = 'anonymous' | 'none' | 'viewer' | 'commenter' | 'editor' | 'owner';
const EVERYONE: Who[] = ['anonymous', 'none', 'viewer', 'commenter', 'editor', 'owner'];
let server: Awaited<ReturnType<typeof startTestServer>>;
const accounts = new Map<Who, TestAccount>();
let documentId: string;

/** The outcome of a GraphQL request: 'ok', 'null' (no document), or the error code. */
async function outcome(who: Who, query: string, variables: Record<string, unknown>): Promise<string> {
  const account = accounts.get(who);
  const { body } = await gqlHttp<{ document?: unknown }>(server.url, query, variables, account ? { cookie: account.cookie } : {});
  if (body.errors?.length) return String(body.errors[0]?.extensions?.code);
  if (body.data && 'document' in body.data && body.data.document === null) return 'null';
  return 'ok';
}

beforeAll(async () => {
  server = await startTestServer();
  for (const who of EVERYONE.filter((w) => w !== 'anonymous')) accounts.set(who, await signUp(server, { name: who }));
  const owner = accounts.get('owner')!;
  const ask = async (query: string, variables: Record<string, unknown>) => {
    const { body } = await gqlHttp<Record<string, any>>(server.url, query, variables, { cookie: owner.cookie });
    if (body.errors) throw new Error(body.errors[0]?.message);
    return body.data!;
  };
  documentId = (await ask('mutation { createDocument(title: "Access") { id } }', {})).createDocument.id;
  for (const [who, role] of [['viewer', 'VIEWER'], ['commenter', 'COMMENTER'], ['editor', 'EDITOR']] as const) {
    await ask('mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { role } }', { d: documentId, e: accounts.get(who)!.email, r: role });
  }
  for (let v = 1; v <= 3; v++) {
    await ask('mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', {
      i: { documentId, baseVersion: v - 1, clientId: 'access-setup', clientSeq: v, delta: { ops: [{ insert: `${v}` }] } },
    });
  }
});

const reads: Record<string, string> = {
  'Document.at': 'query($d: ID!) { document(id: $d) { at(version: 1) { content } } }',
  'Document.diff': 'query($d: ID!) { document(id: $d) { diff(fromVersion: 0, toVersion: 2) } }',
  'Document.operations': 'query($d: ID!) { document(id: $d) { operations(fromVersion: 0) { version } } }',
  'Document.revisions': 'query($d: ID!) { document(id: $d) { revisions { edges { node { toVersion name } } } } }',
  'Document.blame': 'query($d: ID!) { document(id: $d) { blame { spans { text } } } }',
};

describe('history access', () => {
  for (const [field, query] of Object.entries(reads)) {
    it(`${field}: readers get it; others get no document`, async () => {
      const seen = Object.fromEntries(await Promise.all(EVERYONE.map(async (who) => [who, await outcome(who, query, { d: documentId })])));
      expect(seen).toEqual({ anonymous: 'UNAUTHENTICATED', none: 'null', viewer: 'ok', commenter: 'ok', editor: 'ok', owner: 'ok' });
    });
  }

  it('Mutation.nameVersion: editors and owners; readers are refused, strangers see no document', async () => {
    const seen: Record<string, string> = {};
    for (const who of EVERYONE) {
      seen[who] = await outcome(who, 'mutation($d: ID!, $n: String!) { nameVersion(documentId: $d, version: 2, name: $n) { name } }', { d: documentId, n: who });
    }
    expect(seen).toEqual({ anonymous: 'UNAUTHENTICATED', none: 'NOT_FOUND', viewer: 'FORBIDDEN', commenter: 'FORBIDDEN', editor: 'ok', owner: 'ok' });
  });

  it('Mutation.restoreVersion: editors and owners; readers are refused, strangers see no document', async () => {
    const seen: Record<string, string> = {};
    for (const who of EVERYONE) {
      seen[who] = await outcome(who, 'mutation($d: ID!) { restoreVersion(documentId: $d, version: 1) { version } }', { d: documentId });
    }
    expect(seen).toEqual({ anonymous: 'UNAUTHENTICATED', none: 'NOT_FOUND', viewer: 'FORBIDDEN', commenter: 'FORBIDDEN', editor: 'ok', owner: 'ok' });
  });

  it('GET /api/documents/:id/export: readers get the file; 401 without a session, 404 for strangers and unknown ids', async () => {
    const status = async (who: Who, id = documentId) => {
      const account = accounts.get(who);
      return (await fetch(`${server.url}/api/documents/${encodeURIComponent(id)}/export?format=text&version=1`, { headers: account ? { cookie: account.cookie } : {} })).status;
    };
    const seen = Object.fromEntries(await Promise.all(EVERYONE.map(async (who) => [who, await status(who)])));
    expect(seen).toEqual({ anonymous: 401, none: 404, viewer: 200, commenter: 200, editor: 200, owner: 200 });
    expect(await status('owner', 'no-such-document')).toBe(404);
    const post = await fetch(`${server.url}/api/documents/${documentId}/export?format=text`, { method: 'POST', headers: { cookie: accounts.get('owner')!.cookie } });
    expect(post.status).toBe(405);
  });

  it('a trashed document hides its history from everyone but its owners (who may only restore it from the trash)', async () => {
    const owner = accounts.get('owner')!;
    await gqlHttp(server.url, 'mutation($d: ID!) { moveDocumentToTrash(id: $d) { id } }', { d: documentId }, { cookie: owner.cookie });
    try {
      expect(await outcome('editor', reads['Document.revisions']!, { d: documentId })).toBe('null');
      expect(await outcome('owner', 'mutation($d: ID!) { restoreVersion(documentId: $d, version: 1) { version } }', { d: documentId })).toBe('NOT_FOUND');
      const exported = await fetch(`${server.url}/api/documents/${documentId}/export?format=text`, { headers: { cookie: owner.cookie } });
      expect(exported.status).toBe(404);
    } finally {
      await gqlHttp(server.url, 'mutation($d: ID!) { restoreDocumentFromTrash(id: $d) { id } }', { d: documentId }, { cookie: owner.cookie });
    }
  });
});
