/**
 * Issue 21 item 12: every text input with a NUL or another control character answers
 * BAD_USER_INPUT (400 on the REST routes) instead of a 500, and sign-up refuses before hashing.
 */
import { describe, expect, it } from 'vitest';
import { signUpWithPassword } from '../../lib/auth/accounts.ts';
import type { PrismaClient } from '../../lib/db/prisma.ts';
import { getCsrf, GOOD_PASSWORD, signUp, uniqueEmail } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

const NUL = '\u0000';

describe('control characters in input (issue 21 item 12)', () => {
  it('GraphQL text arguments with NUL or other controls answer BAD_USER_INPUT: title, search, token name, share email, ids', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const as = (query: string, variables?: Record<string, unknown>) => gqlHttp(server.url, query, variables, { cookie: owner.cookie });
    const created = await as('mutation { createDocument(title: "Fine") { id } }');
    const id = (created.body.data as { createDocument: { id: string } }).createDocument.id;
    const cases: Array<[string, Record<string, unknown>]> = [
      ['mutation($t: String) { createDocument(title: $t) { id } }', { t: `a${NUL}b` }],
      ['mutation($id: ID!, $t: String!) { renameDocument(id: $id, title: $t) { id } }', { id, t: `bell\u0007` }],
      ['query($s: String) { documents(search: $s) { edges { cursor } } }', { s: NUL }],
      ['mutation($n: String!) { createApiToken(name: $n) { token } }', { n: `ci${NUL}` }],
      ['mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: VIEWER) { role } }', { d: id, e: `x${NUL}@example.com` }],
      ['query($id: ID!) { document(id: $id) { id } }', { id: `${id}${NUL}` }],
      ['mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', { i: { documentId: id, baseVersion: 0, clientId: `c${NUL}`, clientSeq: 1, delta: { ops: [{ insert: 'x' }] } } }],
    ];
    for (const [query, variables] of cases) {
      const { response, body } = await as(query, variables);
      expect(response.status, query).toBeLessThan(500);
      expect(body.errors?.[0]?.extensions?.code, query).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message, query).toMatch(/control character/);
    }
    // Line breaks and tabs stay legal where text may span lines (they are not control-refused).
    expect((await as('mutation($t: String) { createDocument(title: $t) { title } }', { t: 'a\tb' })).body.errors).toBeUndefined();
  });

  it('sign-up and sign-in answer 400 / a refusal (never 500) for NUL in email, name or password', async () => {
    const server = await startTestServer();
    for (const body of [
      { email: `a${NUL}b@example.com`, password: GOOD_PASSWORD, name: 'Ada' },
      { email: uniqueEmail(), password: GOOD_PASSWORD, name: `Ada${NUL}` },
      { email: uniqueEmail(), password: `${GOOD_PASSWORD}${NUL}`, name: 'Ada' },
    ]) {
      const response = await fetch(`${server.url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('BAD_USER_INPUT');
    }
    const csrf = await getCsrf(server);
    const signIn = await fetch(`${server.url}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf.cookie },
      body: new URLSearchParams({ csrfToken: csrf.csrfToken, email: `a${NUL}@example.com`, password: `x${NUL}` }),
    });
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get('location')).toMatch(/error=CredentialsSignin/);
  });

  it('sign-up refuses a control character before hashing the password (no scrypt work for a refused input)', async () => {
    let hashed = 0;
    const hash = async () => {
      hashed += 1;
      return 'never stored';
    };
    const untouchable = new Proxy({}, { get: () => { throw new Error('the database must not be reached'); } }) as PrismaClient;
    const result = await signUpWithPassword(untouchable, { email: uniqueEmail(), password: GOOD_PASSWORD, name: `Ada${NUL}Lovelace` }, hash);
    expect(result).toEqual({ kind: 'invalid', message: expect.stringMatching(/control characters/) });
    expect(hashed).toBe(0);
  });
});
