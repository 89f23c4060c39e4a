/**
 * Two instances, an owner and an editor (with an API token) signed up on them, and documents the
 * owner shares with the editor: the setup of the tests about losing or narrowing access.
 */
import { beforeAll, expect } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { createToken, signUp, type TestAccount } from './auth.ts';
import { gqlHttp } from './graphql-client.ts';
import { startTestServer } from './server.ts';

export interface SharingSetup {
  /** Instance a (the owner acts here) and b (the editor connects here), once `beforeAll` ran. */
  a: VersoServer;
  b: VersoServer;
  owner: TestAccount;
  editor: TestAccount;
  editorToken: string;
}

/** Registers a `beforeAll` that fills the returned object. */
export function sharingSetup(): SharingSetup {
  const setup = {} as SharingSetup;
  beforeAll(async () => {
    [setup.a, setup.b] = await Promise.all([startTestServer(), startTestServer()]);
    setup.owner = await signUp(setup.a);
    setup.editor = await signUp(setup.a);
    setup.editorToken = (await createToken(setup.a, setup.editor.cookie)).token;
  });
  return setup;
}

/** A GraphQL request over HTTP on instance a as the owner. */
export const asOwner = <T = Record<string, unknown>>(setup: SharingSetup, query: string, variables: Record<string, unknown>) =>
  gqlHttp<T>(setup.a.url, query, variables, { cookie: setup.owner.cookie });

/** A new document of the owner, shared with the editor as EDITOR; answers its id. */
export async function sharedDocument(setup: SharingSetup, title = 'Shared'): Promise<string> {
  const created = await asOwner<{ createDocument: { id: string } }>(setup, 'mutation($t: String) { createDocument(title: $t) { id } }', { t: title });
  const documentId = created.body.data!.createDocument.id;
  const shared = await asOwner(setup, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: setup.editor.email });
  expect(shared.body.errors).toBeUndefined();
  return documentId;
}
