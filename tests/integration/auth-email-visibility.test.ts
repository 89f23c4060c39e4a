/**
 * Issue 21 item 11: one rule on `User.email`. An address is shown to its owner (`me`, their own
 * collaborator entry) and to owners of a document in its collaborators list; readers see names,
 * and every authorship, history and presence view shows names and never an address, even of
 * people who were removed.
 */
import { describe, expect, it } from 'vitest';
import { openSocket, signUp, type TestAccount } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

describe('who sees email addresses (issue 21 item 11)', () => {
  it('readers see names only in collaborators, authors, blame, revisions and presence; owners see collaborators’ addresses', async () => {
    const server = await startTestServer();
    const owner = await signUp(server, { name: 'Olga Owner' });
    const editor = await signUp(server, { name: 'Eddie Editor' });
    const viewer = await signUp(server, { name: 'Vera Viewer' });
    const as = (account: TestAccount, query: string, variables?: Record<string, unknown>) =>
      gqlHttp<Record<string, any>>(server.url, query, variables, { cookie: account.cookie }).then(({ body }) => {
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return body.data!;
      });
    const { createDocument } = await as(owner, 'mutation { createDocument(title: "Emails") { id } }');
    const documentId = createDocument.id as string;
    for (const [account, role] of [[editor, 'EDITOR'], [viewer, 'VIEWER']] as const) {
      await as(owner, 'mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { role } }', { d: documentId, e: account.email, r: role });
    }
    await as(editor, 'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', {
      i: { documentId, baseVersion: 0, clientId: 'eddie', clientSeq: 1, delta: { ops: [{ insert: 'Eddie wrote this' }] } },
    });
    // The editor is present, then removed from the document: their authorship stays, by name.
    const subscriber = openSocket(server, { headers: { cookie: viewer.cookie } });
    const presence = new Promise<Record<string, any>>((resolve) => {
      subscriber.client.subscribe(
        { query: 'subscription($d: ID!) { presence(documentId: $d) { user { id name email } } }', variables: { d: documentId } },
        { next: (value) => resolve(value.data as Record<string, any>), error: () => {}, complete: () => {} },
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await as(editor, 'mutation($d: ID!) { updatePresence(documentId: $d, clientId: "eddie", selection: null) }', { d: documentId });
    expect((await presence).presence.user).toEqual({ id: editor.userId, name: 'Eddie Editor', email: null });
    await subscriber.dispose();
    await as(owner, 'mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: documentId, u: editor.userId });

    const history = `query($d: ID!) { document(id: $d) {
      operations(fromVersion: 0) { author { name email } }
      revisions { edges { node { authors { name email } } } }
      blame { spans { author { name email } } }
    } }`;
    for (const reader of [viewer, owner]) {
      const { document } = await as(reader, history, { d: documentId });
      expect(document.operations[0].author).toEqual({ name: 'Eddie Editor', email: null });
      expect(document.revisions.edges[0].node.authors).toEqual([{ name: 'Eddie Editor', email: null }]);
      expect(document.blame.spans.map((s: { author: unknown }) => s.author)).toContainEqual({ name: 'Eddie Editor', email: null });
    }

    const collaborators = 'query($d: ID!) { collaborators(documentId: $d) { user { id name email } } }';
    const seenByViewer = (await as(viewer, collaborators, { d: documentId })).collaborators.map((c: { user: unknown }) => c.user);
    expect(seenByViewer).toEqual([
      { id: owner.userId, name: 'Olga Owner', email: null },
      { id: viewer.userId, name: 'Vera Viewer', email: viewer.email },
    ]);
    const seenByOwner = (await as(owner, collaborators, { d: documentId })).collaborators.map((c: { user: { email: string } }) => c.user.email);
    expect(seenByOwner).toEqual([owner.email, viewer.email]);
    expect((await as(viewer, '{ me { email } }')).me.email).toBe(viewer.email);
  });
});
