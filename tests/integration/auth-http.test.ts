/** Transport hardening: Origin checks, CSRF, CORS, no-store, unauthenticated sockets, request shape limits, production errors. */
import { describe, expect, it } from 'vitest';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { bearer, createToken, openSocket, signUp, upgradeStatus } from '../support/auth.ts';

describe('WebSocket hardening', () => {
  it('refuses (403) a cookie-authenticated upgrade from a foreign Origin; accepts the app origin and token clients anywhere', async () => {
    const server = await startTestServer({ env: { ALLOWED_ORIGINS: 'https://also.example' } });
    const account = await signUp(server);
    expect(await upgradeStatus(server, { cookie: account.cookie, origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(server, { cookie: account.cookie, origin: 'http://localhost:3000' })).toBe(101);
    expect(await upgradeStatus(server, { cookie: account.cookie, origin: 'https://also.example' })).toBe(101);
    // No session cookie: the credential comes in connection_init, which a foreign page cannot forge.
    expect(await upgradeStatus(server, { origin: 'https://evil.example' })).toBe(101);
  });

  it('closes connections without a valid credential with 4401', async () => {
    const server = await startTestServer();
    for (const options of [{}, { connectionParams: { authorization: 'Bearer verso_nope' } }, { headers: { cookie: 'authjs.session-token=forged' } }]) {
      const socket = openSocket(server, options);
      expect((await socket.closed).code).toBe(4401);
    }
  });
});

describe('HTTP hardening', () => {
  it('refuses CSRF-style simple requests (form posts, GETs without a preflight header)', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const form = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', cookie: account.cookie },
      body: JSON.stringify({ query: 'mutation { createApiToken(name: "stolen") { token } }' }),
    });
    expect(form.status).toBe(400);
    const get = await fetch(`${server.url}/api/graphql?query=${encodeURIComponent('{ me { id } }')}`, { headers: { cookie: account.cookie } });
    expect(get.status).toBe(400);
    expect(await server.services.prisma.apiToken.count({ where: { userId: account.userId } })).toBe(0);
  });

  it('refuses cookie requests from a foreign Origin, grants no CORS, and marks every API response no-store', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const foreign = await gqlHttp(server.url, '{ me { id } }', {}, { cookie: account.cookie, origin: 'https://evil.example' });
    expect(foreign.response.status).toBe(403);
    const token = await createToken(server, account.cookie);
    const integration = await gqlHttp(server.url, '{ me { id } }', {}, { authorization: bearer(token.token), origin: 'https://tool.example' });
    expect(integration.body.data?.me).toEqual({ id: account.userId });
    const preflight = await fetch(`${server.url}/api/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    for (const response of [foreign.response, integration.response, preflight]) {
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    for (const path of ['/api/graphql', '/api/auth/csrf', '/api/auth/session', '/api/auth/providers', '/api/auth/nope']) {
      const response = await fetch(`${server.url}${path}`, { headers: { 'apollo-require-preflight': '1' } });
      expect(response.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('applies depth and alias limits on HTTP and on WebSocket alike', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const socket = openSocket(server, { headers: { cookie: account.cookie } });
    const thirtyAliases = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const thirtyOneAliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    expect((await gqlHttp(server.url, thirtyAliases, {}, { cookie: account.cookie })).body.errors).toBeUndefined();
    expect((await socket.query(thirtyAliases)).errors).toBeUndefined();
    for (const [query, pattern] of [
      [thirtyOneAliases, /Too many aliases/],
      [deepQuery(11), /nested too deeply \(11 levels, at most 10\)/],
      // Fragments are followed: spreading fields through fragments does not escape the limit.
      [deepFragments(11), /nested too deeply/],
    ] as const) {
      const overHttp = await gqlHttp(server.url, query, {}, { cookie: account.cookie });
      expect(JSON.stringify(overHttp.body.errors)).toMatch(pattern);
      const overWs = await socket.query(query).catch((error: Error) => ({ errors: error.message }));
      expect(JSON.stringify(overWs)).toMatch(pattern);
    }
    expect(JSON.stringify((await gqlHttp(server.url, deepQuery(10), {}, { cookie: account.cookie })).body)).not.toMatch(/nested too deeply/);
    await socket.dispose();
  });

  it('in production: no introspection, no suggestions, no stack traces, on both transports', async () => {
    const server = await startTestServer({ env: { NODE_ENV: 'production', AUTH_SECRET: 'x'.repeat(40) } });
    const account = await signUp(server);
    const socket = openSocket(server, { headers: { cookie: account.cookie } });
    const introspection = await gqlHttp(server.url, '{ __schema { types { name } } }', {}, { cookie: account.cookie });
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await gqlHttp(server.url, '{ mee { id } }', {}, { cookie: account.cookie });
    expect(typo.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    expect(JSON.stringify(typo.body)).not.toMatch(/stacktrace|at Object/);
    const overWs = await socket.query('{ mee { id } }').catch((error: Error) => ({ errors: error.message }));
    expect(JSON.stringify(overWs)).toMatch(/Cannot query field/);
    expect(JSON.stringify(overWs)).not.toMatch(/Did you mean|stacktrace/);
    const wsIntrospection = await socket.query('{ __schema { types { name } } }').catch((error: Error) => ({ errors: error.message }));
    expect(JSON.stringify(wsIntrospection)).toMatch(/introspection/i);
    await socket.dispose();
  });
});

// No field of the schema recurses (by design: that bounds real queries to a few levels), so
// these deep queries also fail for naming fields that do not exist; the depth rule's own error
// is what is checked.

/** A query `depth` fields deep. */
function deepQuery(depth: number): string {
  let selection = 'id';
  for (let i = 0; i < depth - 1; i += 1) selection = `me { ${selection} }`;
  return `{ ${selection} }`;
}

/** The same depth, reached through a chain of fragments. */
function deepFragments(depth: number): string {
  const fragments = Array.from({ length: depth - 1 }, (_, i) => `fragment F${i} on Query { me { ${i < depth - 2 ? `...F${i + 1}` : 'id'} } }`);
  return `{ ...F0 } ${fragments.join(' ')}`;
}
