/** Issue 19 item 5: a title over 200 characters is refused with a clear error, never silently cut. */
import { describe, expect, it } from 'vitest';
import { signUp } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

describe('document titles', () => {
  it('createDocument and renameDocument refuse a title over 200 characters (BAD_USER_INPUT, with the count) and keep 200 whole', async () => {
    const server = await startTestServer();
    const { cookie } = await signUp(server);
    const create = (title: string) => gqlHttp<{ createDocument: { id: string; title: string } }>(server.url, 'mutation($t: String) { createDocument(title: $t) { id title } }', { t: title }, { cookie });

    const exact = 'T'.repeat(200);
    const created = await create(exact);
    expect(created.body.data?.createDocument.title).toBe(exact);

    const refused = await create('T'.repeat(201));
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.body.errors?.[0]?.message).toBe('A title may have at most 200 characters; this one has 201.');

    const id = created.body.data!.createDocument.id;
    const renamed = await gqlHttp(server.url, 'mutation($id: ID!, $t: String!) { renameDocument(id: $id, title: $t) { title } }', { id, t: 'R'.repeat(250) }, { cookie });
    expect(renamed.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(renamed.body.errors?.[0]?.message).toBe('A title may have at most 200 characters; this one has 250.');
    const after = await gqlHttp<{ document: { title: string } }>(server.url, 'query($id: ID!) { document(id: $id) { title } }', { id }, { cookie });
    expect(after.body.data?.document.title).toBe(exact);
  });
});
