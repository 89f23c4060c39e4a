/**
 * submitOperation over a WebSocket keeps the editor's grant between ops (graphql/grant-cache.ts);
 * losing or narrowing access must still take effect on the very connection that holds it.
 */
import { describe, expect, it } from 'vitest';
import { bearer } from '../support/auth.ts';
import { wsClient } from '../support/graphql-client.ts';
import { asOwner as asOwnerOf, sharedDocument as shareNew, sharingSetup } from '../support/shared-document.ts';

const setup = sharingSetup();
const asOwner = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown>) => asOwnerOf<T>(setup, query, variables);
const sharedDocument = () => shareNew(setup, 'Cached grant');

/** The editor's WebSocket on instance b, submitting op after op on one connection. */
function editorSocket(documentId: string) {
  const client = wsClient(setup.b.url, { connectionParams: { authorization: bearer(setup.editorToken) } });
  let clientSeq = 0;
  let version = 0;
  const submit = () =>
    new Promise<{ version?: number; code?: string }>((resolve, reject) => {
      clientSeq += 1;
      let answer: { version?: number; code?: string } = {};
      client.subscribe<{ submitOperation: { version: number } }>(
        {
          query: 'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }',
          variables: { i: { documentId, baseVersion: version, clientId: 'editor', clientSeq, delta: { ops: [{ insert: 'e' }] } } },
        },
        {
          next: (r) => {
            if (r.data?.submitOperation) version = r.data.submitOperation.version;
            answer = r.data?.submitOperation ? { version: r.data.submitOperation.version } : { code: String(r.errors?.[0]?.extensions?.code) };
          },
          error: reject,
          complete: () => resolve(answer),
        },
      );
    });
  return { client, submit };
}

/** Submits until an answer carries `code` (the access message crosses Redis), at most ~3 s. */
async function submitUntilRefused(submit: () => Promise<{ version?: number; code?: string }>, code: string) {
  for (let i = 0; i < 30; i++) {
    const answer = await submit();
    if (answer.code === code) return i;
    expect(answer.code).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${code} answer within 30 submissions`);
}

describe('cached grants on a WebSocket connection', () => {
  it('an editor demoted on another instance is refused at their next op after the change arrives', async () => {
    const documentId = await sharedDocument();
    const { client, submit } = editorSocket(documentId);
    try {
      expect(await submit()).toEqual({ version: 1 });
      expect(await submit()).toEqual({ version: 2 }); // the grant is kept from here
      const demoted = await asOwner('mutation($d: ID!, $u: ID!) { updateCollaboratorRole(documentId: $d, userId: $u, role: VIEWER) { role } }', { d: documentId, u: setup.editor.userId });
      expect(demoted.body.errors).toBeUndefined();
      expect(await submitUntilRefused(submit, 'FORBIDDEN')).toBeLessThanOrEqual(2);
    } finally {
      await client.dispose();
    }
  });

  it('a removed editor, and everyone after the document goes to the trash, are refused', async () => {
    const documentId = await sharedDocument();
    const { client, submit } = editorSocket(documentId);
    try {
      expect(await submit()).toEqual({ version: 1 });
      await asOwner('mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: documentId, u: setup.editor.userId });
      expect(await submitUntilRefused(submit, 'NOT_FOUND')).toBeLessThanOrEqual(2);
    } finally {
      await client.dispose();
    }
    const trashedDocument = await sharedDocument();
    const second = editorSocket(trashedDocument);
    try {
      expect(await second.submit()).toEqual({ version: 1 });
      await asOwner('mutation($d: ID!) { moveDocumentToTrash(id: $d) { trashedAt } }', { d: trashedDocument });
      expect(await submitUntilRefused(second.submit, 'NOT_FOUND')).toBeLessThanOrEqual(2);
    } finally {
      await second.client.dispose();
    }
  });

  it('a refusal is not kept: sharing a document takes effect on an open connection at once', async () => {
    const created = await asOwner<{ createDocument: { id: string } }>('mutation { createDocument(title: "Not yet shared") { id } }', {});
    const documentId = created.body.data!.createDocument.id;
    const { client, submit } = editorSocket(documentId);
    try {
      expect(await submit()).toEqual({ code: 'NOT_FOUND' });
      await asOwner('mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: setup.editor.email });
      expect(await submit()).toEqual({ version: 1 });
    } finally {
      await client.dispose();
    }
  });
});
