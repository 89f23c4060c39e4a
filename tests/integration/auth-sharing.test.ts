/** Sharing a document by email, roles, removing collaborators, and the last-owner rule. */
import { describe, expect, it } from 'vitest';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { insertSharedDocument, signUp } from '../support/auth.ts';

const SHARE = 'mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { email role } }';
const UPDATE = 'mutation($d: ID!, $u: ID!, $r: Role!) { updateCollaboratorRole(documentId: $d, userId: $u, role: $r) { role } }';
const REMOVE = 'mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }';
const LIST = 'query($d: ID!) { collaborators(documentId: $d) { role user { id } } }';

describe('sharing', () => {
  it('an owner shares by email (any case), lists collaborators with roles, changes a role and removes someone', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const friend = await signUp(server);
    const documentId = await insertSharedDocument(server.services.prisma, owner.userId);
    const call = (query: string, variables: Record<string, unknown>, cookie = owner.cookie) => gqlHttp(server.url, query, variables, { cookie });

    const shared = await call(SHARE, { d: documentId, e: friend.email.toUpperCase(), r: 'VIEWER' });
    expect(shared.body.data?.shareDocument).toEqual({ email: friend.email, role: 'VIEWER' });
    expect((await call(LIST, { d: documentId }, friend.cookie)).body.data?.collaborators).toEqual([
      { role: 'OWNER', user: { id: owner.userId } },
      { role: 'VIEWER', user: { id: friend.userId } },
    ]);
    // Sharing again changes the role.
    expect((await call(SHARE, { d: documentId, e: friend.email, r: 'EDITOR' })).body.data?.shareDocument).toMatchObject({ role: 'EDITOR' });
    expect((await call(UPDATE, { d: documentId, u: friend.userId, r: 'COMMENTER' })).body.data?.updateCollaboratorRole).toEqual({ role: 'COMMENTER' });
    expect((await call(REMOVE, { d: documentId, u: friend.userId })).body.data?.removeCollaborator).toBe(true);
    expect((await call(LIST, { d: documentId }, friend.cookie)).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('keeps at least one owner: the last owner can be neither removed nor demoted, a second owner unlocks it', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const other = await signUp(server);
    const documentId = await insertSharedDocument(server.services.prisma, owner.userId, [{ userId: other.userId, role: 'EDITOR' }]);
    const call = (query: string, variables: Record<string, unknown>, cookie = owner.cookie) => gqlHttp(server.url, query, variables, { cookie });
    for (const [query, variables] of [
      [REMOVE, { d: documentId, u: owner.userId }],
      [UPDATE, { d: documentId, u: owner.userId, r: 'EDITOR' }],
    ] as const) {
      const refused = await call(query, variables);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(refused.body.errors?.[0]?.message).toMatch(/at least one owner/);
    }
    await call(UPDATE, { d: documentId, u: other.userId, r: 'OWNER' });
    // Two owners demoting each other at once: exactly one succeeds.
    const results = await Promise.all([
      call(UPDATE, { d: documentId, u: owner.userId, r: 'VIEWER' }, other.cookie),
      call(UPDATE, { d: documentId, u: other.userId, r: 'VIEWER' }, owner.cookie),
    ]);
    expect(results.filter((r) => r.body.errors === undefined)).toHaveLength(1);
    expect(await server.services.prisma.documentMember.count({ where: { documentId, role: 'OWNER' } })).toBe(1);
  });

  it('only owners share and change roles; anyone may leave; an address without an account gets an invitation, not an error', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const editor = await signUp(server);
    const outsider = await signUp(server);
    const documentId = await insertSharedDocument(server.services.prisma, owner.userId, [{ userId: editor.userId, role: 'EDITOR' }]);
    const byEditor = await gqlHttp(server.url, SHARE, { d: documentId, e: outsider.email, r: 'OWNER' }, { cookie: editor.cookie });
    expect(byEditor.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byOutsider = await gqlHttp(server.url, SHARE, { d: documentId, e: outsider.email, r: 'OWNER' }, { cookie: outsider.cookie });
    expect(byOutsider.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const unknown = await gqlHttp(server.url, SHARE, { d: documentId, e: 'nobody-here@example.com', r: 'VIEWER' }, { cookie: owner.cookie });
    expect(unknown.body).toEqual({ data: { shareDocument: { email: 'nobody-here@example.com', role: 'VIEWER' } } });
    const bad = await gqlHttp(server.url, SHARE, { d: documentId, e: 'not an address', r: 'VIEWER' }, { cookie: owner.cookie });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const leave = await gqlHttp(server.url, REMOVE, { d: documentId, u: editor.userId }, { cookie: editor.cookie });
    expect(leave.body.data?.removeCollaborator).toBe(true);
    expect(await server.services.prisma.documentMember.count({ where: { documentId } })).toBe(1);
  });
});
