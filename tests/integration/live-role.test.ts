/**
 * `myDocumentRole` (issue 19): a role change made on one instance reaches the person's open
 * subscriptions on another within a second; losing access ends it with NOT_FOUND.
 */
import { describe, expect, it } from 'vitest';
import { bearer, eventually } from '../support/auth.ts';
import { wsClient } from '../support/graphql-client.ts';
import { asOwner as asOwnerOf, sharedDocument as shareNew, sharingSetup } from '../support/shared-document.ts';

const setup = sharingSetup();
const asOwner = (query: string, variables: Record<string, unknown>) => asOwnerOf(setup, query, variables);
const setRole = (documentId: string, role: string) =>
  asOwner('mutation($d: ID!, $u: ID!, $r: Role!) { updateCollaboratorRole(documentId: $d, userId: $u, role: $r) { role } }', { d: documentId, u: setup.editor.userId, r: role });

describe('myDocumentRole', () => {
  it('streams the current role, then each change made on another instance within a second, and ends with NOT_FOUND on removal', async () => {
    const documentId = await shareNew(setup, 'Live role');
    const client = wsClient(setup.b.url, { connectionParams: { authorization: bearer(setup.editorToken) } });
    const roles: string[] = [];
    const errors: string[] = [];
    let completed = false;
    client.subscribe<{ myDocumentRole: string }>(
      { query: 'subscription($d: ID!) { myDocumentRole(documentId: $d) }', variables: { d: documentId } },
      {
        next: (r) => (r.data ? roles.push(r.data.myDocumentRole) : errors.push(String(r.errors?.[0]?.extensions?.code))),
        error: () => {},
        complete: () => void (completed = true),
      },
    );
    try {
      await eventually(() => roles.length === 1);
      expect(roles).toEqual(['EDITOR']);
      for (const [role, seen] of [['VIEWER', ['EDITOR', 'VIEWER']], ['EDITOR', ['EDITOR', 'VIEWER', 'EDITOR']]] as const) {
        expect((await setRole(documentId, role)).body.errors).toBeUndefined();
        const changed = Date.now();
        await eventually(() => roles.length === seen.length, 1_000);
        expect(roles).toEqual(seen);
        expect(Date.now() - changed).toBeLessThan(1_000);
      }
      await asOwner('mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: documentId, u: setup.editor.userId });
      await eventually(() => completed, 1_000);
      expect(errors).toEqual(['NOT_FOUND']);
    } finally {
      await client.dispose();
    }
  });
});
