/**
 * Authorization matrix (issue 4): every query, mutation and subscription × every principal
 * (anonymous, none, viewer, commenter, editor, owner, revoked, and the owner's API tokens of each
 * scope) × both transports. To add a field, add a row (with the token scope it needs): the first
 * test fails while any schema field lacks one.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { getSchema } from '../../graphql/schema.ts';
import { createToken, type OpenSocket } from '../support/auth.ts';
import { anonymousSocketClosedCode, checkRow, expiredTokenSocketClosedCode, createMatrixFixture, missingRows, type MatrixFixture, type MatrixRow, type Outcome, type Principal } from '../support/auth-matrix.ts';
import { startTestServer } from '../support/server.ts';

/** Shorthands for the usual shapes of a row's expectations. */
const anyAccount = (anonymous: Outcome): Record<Principal, Outcome> => ({
  anonymous, none: 'ok', viewer: 'ok', commenter: 'ok', editor: 'ok', owner: 'ok', revoked: 'ok',
});
const documentAccess = (allowed: readonly Principal[], refused: Outcome = 'FORBIDDEN'): Record<Principal, Outcome> => ({
  anonymous: 'UNAUTHENTICATED',
  none: 'NOT_FOUND',
  revoked: 'NOT_FOUND',
  viewer: allowed.includes('viewer') ? 'ok' : refused,
  commenter: allowed.includes('commenter') ? 'ok' : refused,
  editor: allowed.includes('editor') ? 'ok' : refused,
  owner: allowed.includes('owner') ? 'ok' : refused,
});
const READERS: Principal[] = ['viewer', 'commenter', 'editor', 'owner'];
const EDITORS: Principal[] = ['editor', 'owner'];
const OWNERS: Principal[] = ['owner'];
const COMMENTERS: Principal[] = ['commenter', 'editor', 'owner'];

const COMMENT_CREATE = 'mutation($i: CreateCommentThreadInput!) { createCommentThread(input: $i) { id comments { id } } }';
/** A new thread the owner opens on the fixture document, with its first comment. */
async function ownerThread(fx: MatrixFixture): Promise<{ id: string; comments: { id: string }[] }> {
  const r = await fx.asOwner(COMMENT_CREATE, { i: { documentId: fx.documentId, version: 1, index: 0, length: 5, body: 'by the owner' } });
  if (r.errors) throw new Error(`matrix setup failed: ${JSON.stringify(r.errors)}`);
  return (r.data as { createCommentThread: { id: string; comments: { id: string }[] } }).createCommentThread;
}

const rows: MatrixRow[] = [
  // --- accounts and tokens ---
  { field: 'Query.me', operation: () => ({ query: '{ me { id } }' }), expect: anyAccount('null') },
  { field: 'Query.apiTokens', scope: 'ACCOUNT', operation: () => ({ query: '{ apiTokens { id } }' }), expect: anyAccount('UNAUTHENTICATED') },
  { field: 'Mutation.createApiToken', scope: 'ACCOUNT', operation: () => ({ query: 'mutation { createApiToken(name: "matrix", scopes: [READ]) { token } }' }), expect: anyAccount('UNAUTHENTICATED') },
  {
    field: 'Mutation.revokeApiToken', scope: 'ACCOUNT',
    // Each caller revokes a fresh token of their own (never the one their socket uses).
    operation: async ({ fx, account }) => {
      const id = account ? (await createToken(fx.server, account.cookie, 'to revoke')).id : 'none';
      return { query: 'mutation($id: ID!) { revokeApiToken(id: $id) }', variables: { id } };
    },
    expect: anyAccount('UNAUTHENTICATED'),
  },
  { field: 'Mutation.requestEmailVerification', scope: 'ACCOUNT', operation: () => ({ query: 'mutation { requestEmailVerification }' }), expect: anyAccount('UNAUTHENTICATED') },
  // --- documents (issue 5's fields; their rows follow API.md: null or NOT_FOUND, never data) ---
  {
    field: 'Query.document',
    operation: ({ fx }) => ({ query: 'query($id: ID!) { document(id: $id) { id title content } }', variables: { id: fx.documentId } }),
    expect: { ...documentAccess(READERS), none: 'null', revoked: 'null' },
  },
  { field: 'Query.documents', operation: () => ({ query: '{ documents { edges { node { id } } } }' }), expect: anyAccount('UNAUTHENTICATED') },
  { field: 'Mutation.createDocument', scope: 'WRITE', operation: () => ({ query: 'mutation { createDocument(title: "Mine") { id } }' }), expect: anyAccount('UNAUTHENTICATED') },
  {
    field: 'Mutation.renameDocument', scope: 'WRITE',
    operation: ({ fx }) => ({ query: 'mutation($id: ID!) { renameDocument(id: $id, title: "Renamed") { id } }', variables: { id: fx.documentId } }),
    expect: documentAccess(EDITORS),
  },
  {
    field: 'Mutation.moveDocumentToTrash', scope: 'DELETE',
    operation: async ({ fx }) => ({ query: 'mutation($id: ID!) { moveDocumentToTrash(id: $id) { id } }', variables: { id: await fx.newDocument() } }),
    expect: documentAccess(OWNERS),
  },
  {
    field: 'Mutation.restoreDocumentFromTrash', scope: 'DELETE',
    operation: async ({ fx }) => {
      const id = await fx.newDocument();
      await fx.asOwner('mutation($id: ID!) { moveDocumentToTrash(id: $id) { id } }', { id });
      return { query: 'mutation($id: ID!) { restoreDocumentFromTrash(id: $id) { id } }', variables: { id } };
    },
    // A trashed document is invisible to everyone but its owners.
    expect: documentAccess(OWNERS, 'NOT_FOUND'),
  },
  {
    field: 'Mutation.submitOperation', scope: 'WRITE',
    operation: ({ fx, principal, transport }) => ({
      query: 'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }',
      // baseVersion 1 is always in the past: the op is transformed over whatever came since.
      variables: { i: { documentId: fx.documentId, baseVersion: 1, clientId: `${principal}-${transport}-${randomUUID()}`, clientSeq: 1, delta: { ops: [{ insert: 'x' }] } } },
    }),
    expect: documentAccess(EDITORS),
  },
  {
    field: 'Mutation.updatePresence',
    operation: ({ fx, principal }) => ({
      query: 'mutation($d: ID!, $c: String!) { updatePresence(documentId: $d, clientId: $c, selection: null) }',
      variables: { d: fx.documentId, c: `presence-${principal}` },
    }),
    expect: documentAccess(READERS),
  },
  {
    field: 'Mutation.leavePresence',
    operation: ({ fx, principal }) => ({
      query: 'mutation($d: ID!, $c: String!) { leavePresence(documentId: $d, clientId: $c) }',
      variables: { d: fx.documentId, c: `presence-${principal}` },
    }),
    expect: documentAccess(READERS),
  },
  // --- history (issue 6) ---
  {
    field: 'Mutation.nameVersion', scope: 'WRITE',
    operation: ({ fx, principal }) => ({
      query: 'mutation($d: ID!, $n: String!) { nameVersion(documentId: $d, version: 1, name: $n) { toVersion } }',
      variables: { d: fx.documentId, n: `named by ${principal}` },
    }),
    expect: documentAccess(EDITORS),
  },
  {
    field: 'Mutation.restoreVersion', scope: 'WRITE',
    operation: ({ fx }) => ({ query: 'mutation($d: ID!) { restoreVersion(documentId: $d, version: 1) { version } }', variables: { d: fx.documentId } }),
    expect: documentAccess(EDITORS),
  },
  // --- sharing ---
  {
    field: 'Query.collaborators',
    operation: ({ fx }) => ({ query: 'query($d: ID!) { collaborators(documentId: $d) { role } }', variables: { d: fx.documentId } }),
    expect: documentAccess(READERS),
  },
  {
    field: 'Mutation.shareDocument', scope: 'SHARE',
    operation: ({ fx }) => ({
      query: 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: VIEWER) { role } }',
      variables: { d: fx.documentId, e: fx.accounts.none.email.replace('@', '+unused@') },
    }),
    // An address without an account gets an invitation: the same answer as for an account.
    expect: documentAccess(OWNERS),
  },
  {
    field: 'Mutation.updateCollaboratorRole', scope: 'SHARE',
    operation: ({ fx }) => ({
      query: 'mutation($d: ID!, $u: ID!) { updateCollaboratorRole(documentId: $d, userId: $u, role: COMMENTER) { role } }',
      variables: { d: fx.documentId, u: fx.accounts.commenter.userId },
    }),
    expect: documentAccess(OWNERS),
  },
  {
    field: 'Mutation.removeCollaborator', scope: 'SHARE',
    operation: async ({ fx }) => ({
      query: 'mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }',
      variables: { d: await fx.newDocument(), u: fx.accounts.viewer.userId },
    }),
    // The viewer removing themselves is leaving, which anyone may do.
    expect: { ...documentAccess(OWNERS), viewer: 'ok' },
  },
  {
    field: 'Query.documentInvitations', scope: 'SHARE',
    operation: ({ fx }) => ({ query: 'query($d: ID!) { documentInvitations(documentId: $d) { email } }', variables: { d: fx.documentId } }),
    expect: documentAccess(OWNERS),
  },
  {
    field: 'Mutation.cancelInvitation', scope: 'SHARE',
    operation: ({ fx }) => ({ query: 'mutation($d: ID!) { cancelInvitation(documentId: $d, email: "nobody@example.com") }', variables: { d: fx.documentId } }),
    expect: documentAccess(OWNERS),
  },
  {
    field: 'Mutation.setLinkSharing', scope: 'SHARE',
    operation: async ({ fx }) => ({ query: 'mutation($d: ID!) { setLinkSharing(documentId: $d, role: VIEWER) { id } }', variables: { d: await fx.newDocument() } }),
    expect: documentAccess(OWNERS),
  },
  {
    field: 'Mutation.resetShareLink', scope: 'SHARE',
    operation: async ({ fx }) => {
      const d = await fx.newDocument();
      await fx.asOwner('mutation($d: ID!) { setLinkSharing(documentId: $d, role: VIEWER) { id } }', { d });
      return { query: 'mutation($d: ID!) { resetShareLink(documentId: $d) { id } }', variables: { d } };
    },
    expect: documentAccess(OWNERS),
  },
  {
    field: 'Mutation.joinSharedDocument', scope: 'SHARE',
    // Anyone signed in who has the link may join (a removed collaborator too: the owner handed it out).
    operation: async ({ fx }) => {
      const d = await fx.newDocument();
      const set = await fx.asOwner('mutation($d: ID!) { setLinkSharing(documentId: $d, role: VIEWER) { linkSharing { url } } }', { d });
      const url = (set.data as { setLinkSharing: { linkSharing: { url: string } } }).setLinkSharing.linkSharing.url;
      return { query: 'mutation($d: ID!, $s: String!) { joinSharedDocument(documentId: $d, secret: $s) { id } }', variables: { d, s: new URL(url).hash.slice(1) } };
    },
    expect: anyAccount('UNAUTHENTICATED'),
  },
  // --- subscriptions (WebSocket only; over HTTP every caller is refused) ---
  {
    field: 'Subscription.documentOperations',
    operation: ({ fx }) => ({ query: 'subscription($d: ID!) { documentOperations(documentId: $d, fromVersion: 0) { version } }', variables: { d: fx.documentId } }),
    expect: documentAccess(READERS),
  },
  {
    field: 'Subscription.documentOperationBatches',
    operation: ({ fx }) => ({
      query: 'subscription($d: ID!) { documentOperationBatches(documentId: $d, fromVersion: 0) { operations { version } } }',
      variables: { d: fx.documentId },
    }),
    expect: documentAccess(READERS),
  },
  {
    field: 'Subscription.myDocumentRole',
    operation: ({ fx }) => ({ query: 'subscription($d: ID!) { myDocumentRole(documentId: $d) }', variables: { d: fx.documentId } }),
    expect: documentAccess(READERS),
  },
  {
    field: 'Subscription.presence',
    operation: ({ fx }) => ({ query: 'subscription($d: ID!) { presence(documentId: $d) { clientId } }', variables: { d: fx.documentId } }),
    trigger: async ({ fx, principal }) => {
      await fx.asOwner('mutation($d: ID!, $c: String!) { updatePresence(documentId: $d, clientId: $c, selection: null) }', { d: fx.documentId, c: `trigger-${principal}` });
    },
    expect: documentAccess(READERS),
  },
  // --- comments (issue 17): comment = OWNER, EDITOR, COMMENTER; edit = the author; delete = the author or an owner ---
  {
    field: 'Mutation.createCommentThread', scope: 'WRITE',
    operation: ({ fx }) => ({ query: COMMENT_CREATE, variables: { i: { documentId: fx.documentId, version: 1, index: 0, length: 5, body: 'matrix' } } }),
    expect: documentAccess(COMMENTERS),
  },
  {
    field: 'Mutation.replyToCommentThread', scope: 'WRITE',
    operation: async ({ fx }) => ({ query: 'mutation($t: ID!) { replyToCommentThread(threadId: $t, body: "reply") { id } }', variables: { t: (await ownerThread(fx)).id } }),
    expect: documentAccess(COMMENTERS),
  },
  {
    field: 'Mutation.resolveCommentThread', scope: 'WRITE',
    operation: async ({ fx }) => ({ query: 'mutation($t: ID!) { resolveCommentThread(threadId: $t, resolved: true) { id } }', variables: { t: (await ownerThread(fx)).id } }),
    expect: documentAccess(COMMENTERS),
  },
  {
    // Everyone acts on a comment the owner wrote: only its author may edit it.
    field: 'Mutation.editComment', scope: 'WRITE',
    operation: async ({ fx }) => ({ query: 'mutation($c: ID!) { editComment(commentId: $c, body: "edited") { id } }', variables: { c: (await ownerThread(fx)).comments[0]!.id } }),
    expect: documentAccess(OWNERS),
  },
  {
    // The owner's comment: its author (the owner) may delete it; nobody else (owners are the moderators).
    field: 'Mutation.deleteComment', scope: 'WRITE',
    operation: async ({ fx }) => ({ query: 'mutation($c: ID!) { deleteComment(commentId: $c) }', variables: { c: (await ownerThread(fx)).comments[0]!.id } }),
    expect: documentAccess(OWNERS),
  },
  {
    // Not a root field: reached through Query.document, whose alias carries this row's name (null for non-readers, like Query.document).
    field: 'Document.commentThreads',
    operation: ({ fx }) => ({ query: 'query($id: ID!) { commentThreads: document(id: $id) { commentThreads(includeResolved: true) { id anchor { index } comments { id } } } }', variables: { id: fx.documentId } }),
    expect: { ...documentAccess(READERS), none: 'null', revoked: 'null' },
  },
  {
    field: 'Subscription.commentThreadChanged',
    operation: ({ fx }) => ({ query: 'subscription($d: ID!) { commentThreadChanged(documentId: $d) { id } }', variables: { d: fx.documentId } }),
    trigger: async ({ fx }) => {
      await ownerThread(fx);
    },
    expect: documentAccess(READERS),
  },
  // --- suggestions (issue 18): suggest = OWNER, EDITOR, COMMENTER; accept and reject anyone's = OWNER, EDITOR ---
  {
    field: 'Mutation.suggestOperation', scope: 'WRITE',
    operation: ({ fx, principal, transport }) => ({
      query: 'mutation($i: SubmitOperationInput!) { suggestOperation(input: $i) { version } }',
      variables: { i: { documentId: fx.documentId, baseVersion: 1, clientId: `${principal}-${transport}-${randomUUID()}`, clientSeq: 1, delta: { ops: [{ insert: 's' }] } } },
    }),
    expect: documentAccess(COMMENTERS),
  },
  {
    // A suggestion the owner makes for every cell; its author withdrawing it is in tests/integration/suggestions.test.ts.
    field: 'Mutation.acceptSuggestion', scope: 'WRITE',
    operation: async ({ fx }) => ({ query: 'mutation($d: ID!, $s: ID!) { acceptSuggestion(documentId: $d, suggestionId: $s) { version } }', variables: { d: fx.documentId, s: await ownerSuggestion(fx) } }),
    expect: documentAccess(EDITORS),
  },
  {
    field: 'Mutation.rejectSuggestion', scope: 'WRITE',
    operation: async ({ fx }) => ({ query: 'mutation($d: ID!, $s: ID!) { rejectSuggestion(documentId: $d, suggestionId: $s) { version } }', variables: { d: fx.documentId, s: await ownerSuggestion(fx) } }),
    expect: documentAccess(EDITORS),
  },
];

/** An open suggestion of the owner's on the fixture document (made now: an insertion); answers its id. */
async function ownerSuggestion(fx: MatrixFixture): Promise<string> {
  const clientId = `owner-suggestion-${randomUUID()}`;
  const r = await fx.asOwner('mutation($i: SubmitOperationInput!) { suggestOperation(input: $i) { version } }', {
    i: { documentId: fx.documentId, baseVersion: 1, clientId, clientSeq: 1, delta: { ops: [{ insert: 'o' }] } },
  });
  if (r.errors) throw new Error(`matrix setup failed: ${JSON.stringify(r.errors)}`);
  // Carried after the rows' concurrent inserts at the start, it may join an earlier one of the owner's [SG5]: any open one of theirs will do.
  const listed = await fx.asOwner('query($d: ID!) { document(id: $d) { suggestions { id author { id } } } }', { d: fx.documentId });
  const found = (listed.data as { document: { suggestions: { id: string; author: { id: string } | null }[] } } | null)?.document.suggestions.find((s) => s.author?.id === fx.accounts.owner.userId);
  if (!found) throw new Error(`matrix setup failed: no open suggestion of the owner (${JSON.stringify(listed)})`);
  return found.id;
}

let fixture: MatrixFixture | undefined;
const fxRef = () => fixture!;
const sockets = new Map<string, OpenSocket>();

describe('authorization matrix', () => {
  beforeAll(async () => {
    // The fixture shares every new document with four people: far past the per-account share limit.
    // The comment rows open a thread as the owner for every cell: past the per-account comment limit too.
    fixture = await createMatrixFixture(await startTestServer({ env: { RATE_LIMIT_SHARE: '100000/60', RATE_LIMIT_COMMENTS: '100000/60' } }));
    return async () => {
      await Promise.all([...sockets.values()].map((s) => s.dispose()));
    };
  });

  it('has a row for every query, mutation and subscription in the schema', () => {
    expect(missingRows(getSchema(), rows)).toEqual([]);
    expect(new Set(rows.map((r) => r.field)).size).toBe(rows.length);
  });

  it('closes anonymous WebSocket connections with 4401 before any field runs', async () => {
    expect(await anonymousSocketClosedCode(fxRef().server)).toBe(4401);
  });

  it('closes WebSocket connections with an expired API token with 4401 before any field runs', async () => {
    expect(await expiredTokenSocketClosedCode(fxRef())).toBe(4401);
  });

  for (const row of rows) {
    it(row.field, async () => {
      await checkRow(row, fxRef(), sockets);
    });
  }
});
