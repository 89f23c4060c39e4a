/** Full-text search (issue 20 item 3) on the real PostgreSQL server. */
import { describe, expect, it } from 'vitest';
import { signUp } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { createDocument, indexed, insertText, search, searchScenario } from '../support/search-scenario.ts';
import { startTestServer } from '../support/server.ts';

describe('documents(search:) on PostgreSQL', () => {
  it('ranks title and content matches, highlights them as plain text, follows access and finds an edit within seconds', async () => {
    await searchScenario(await startTestServer());
  });

  it('an edit does not write the search index; the background indexer brings the document up to date within seconds', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const documentId = await createDocument(server, owner, 'Log', 'first words');
    await indexed(server, [documentId]);
    const row = () => server.services.prisma.documentSearch.findUniqueOrThrow({ where: { documentId }, select: { version: true } });
    expect((await row()).version).toBe(0);
    await insertText(server, owner, documentId, 0, 0, 'griffin ');
    await insertText(server, owner, documentId, 1, 0, 'basilisk ', 2);
    await indexed(server, [documentId]);
    expect((await row()).version).toBe(2);
    expect((await search(server, owner, 'griffin basilisk')).edges).toHaveLength(1);
  });

  it('a removed collaborator no longer finds the document', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const friend = await signUp(server);
    const documentId = await createDocument(server, owner, 'Shared', 'unicorn stables');
    await indexed(server, [documentId]);
    await gqlHttp(server.url, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: friend.email }, { cookie: owner.cookie });
    expect((await search(server, friend, 'unicorn')).edges).toHaveLength(1);
    await gqlHttp(server.url, 'mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: documentId, u: friend.userId }, { cookie: owner.cookie });
    expect((await search(server, friend, 'unicorn')).edges).toEqual([]);
  });
});
