/**
 * Search and open suggestions (review of issue 18), on a real server: a document is indexed as it
 * reads with no suggestion applied. A commenter's proposed insertion is not found until it is
 * accepted; text proposed for deletion is still found (once) until then; snippets never show
 * CriticMarkup.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { signUp, type TestAccount } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { createDocument, indexed, search } from '../support/search-scenario.ts';
import { startTestServer } from '../support/server.ts';

let server: VersoServer;
let owner: TestAccount;
let commenter: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  [owner, commenter] = await Promise.all([signUp(server), signUp(server)]);
});

async function call<T>(who: TestAccount, query: string, variables: Record<string, unknown>): Promise<T> {
  const { body } = await gqlHttp<T>(server.url, query, variables, { cookie: who.cookie });
  if (!body.data || body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const foundIds = async (who: TestAccount, text: string) => (await search(server, who, text)).edges.map((e) => e.node.id);

describe('search with open suggestions', () => {
  it('indexes the text as it reads with no suggestion applied: proposed insertions out, proposed deletions kept', async () => {
    const documentId = await createDocument(server, owner, 'Birds', 'the sandpiper waded');
    await call(owner, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: COMMENTER) { role } }', { d: documentId, e: commenter.email });
    // The commenter proposes "plover" in place of "sandpiper".
    const suggested = await call<{ suggestOperation: { version: number } }>(commenter, 'mutation($i: SubmitOperationInput!) { suggestOperation(input: $i) { version } }', {
      i: { documentId, baseVersion: 0, clientId: 'search-suggestions', clientSeq: 1, delta: { ops: [{ retain: 4 }, { delete: 9 }, { insert: 'plover' }] } },
    });
    expect(suggested.suggestOperation.version).toBe(1);
    await indexed(server, [documentId]);

    expect(await foundIds(owner, 'plover')).toEqual([]);
    expect(await foundIds(owner, 'sandpiper')).toEqual([documentId]);
    const [hit] = (await search(server, owner, 'waded')).edges;
    expect(hit!.snippet).not.toMatch(/\{\+\+|\{--|plover/);
    expect(hit!.snippet).toContain('sandpiper');

    // Accepted, the proposal is the document's text.
    const { document } = await call<{ document: { suggestions: Array<{ id: string }> } }>(owner, 'query($d: ID!) { document(id: $d) { suggestions { id } } }', { d: documentId });
    await call(owner, 'mutation($d: ID!, $s: ID!) { acceptSuggestion(documentId: $d, suggestionId: $s) { version } }', { d: documentId, s: document.suggestions[0]!.id });
    await indexed(server, [documentId]);
    expect(await foundIds(owner, 'plover')).toEqual([documentId]);
    expect(await foundIds(owner, 'sandpiper')).toEqual([]);
  });
});
