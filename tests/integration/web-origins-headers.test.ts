/**
 * Issue 19 item 1 (origins), issue 21 items 9 (callbackUrl) and 13 (security headers), against a
 * real server: which origins may use the session cookie, what a refused one is told, and the
 * headers every response carries.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { getCsrf, signUp, upgradeStatus, uniqueEmail, GOOD_PASSWORD, type HasUrl } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

const PRODUCTION = { NODE_ENV: 'production', AUTH_SECRET: 'x'.repeat(40), APP_ORIGIN: 'http://localhost:3000' };

function signUpFrom(server: HasUrl, origin: string): Promise<Response> {
  return fetch(`${server.url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ email: uniqueEmail('origin'), password: GOOD_PASSWORD, name: 'Origin' }),
  });
}

/** Sends a raw upgrade request and returns the whole response head (status line and headers). */
function rawUpgrade(server: HasUrl, headers: Record<string, string>): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const lines = [
        'GET /api/graphql HTTP/1.1',
        `Host: ${hostname}:${port}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Protocol: graphql-transport-ws',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

function expectSecurityHeaders(headers: Headers, what: string): void {
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(headers.get('x-frame-options'), what).toBe('DENY');
  expect(headers.get('content-security-policy'), what).toContain("frame-ancestors 'none'");
}

describe('origins (issue 19 item 1)', () => {
  it('development/zero-config: the app works from the address it was opened at (here 127.0.0.1 while APP_ORIGIN says localhost)', async () => {
    const server = await startTestServer();
    const opened = server.url; // http://127.0.0.1:<port>
    const signedUp = await signUpFrom(server, opened);
    expect(signedUp.status).toBe(201);
    const cookie = (signedUp.headers.get('set-cookie') ?? '').split(';')[0]!;
    const me = await gqlHttp<{ me: { id: string } }>(server.url, '{ me { id } }', {}, { cookie, origin: opened });
    expect(me.response.status).toBe(200);
    expect(me.body.data?.me.id).toBeTruthy();
    expect(await upgradeStatus(server, { cookie, origin: opened })).toBe(101);
    // Cross-site requests riding on the cookie are still refused, on both transports.
    expect(await upgradeStatus(server, { cookie, origin: 'http://evil.example' })).toBe(403);
    expect((await gqlHttp(server.url, '{ me { id } }', {}, { cookie, origin: 'http://evil.example' })).response.status).toBe(403);
    expect((await signUpFrom(server, 'http://evil.example')).status).toBe(403);
  });

  it('production with APP_ORIGIN: another origin is refused with a message naming APP_ORIGIN and ALLOWED_ORIGINS', async () => {
    const server = await startTestServer({ env: PRODUCTION });
    const signedUp = await signUpFrom(server, server.url);
    expect(signedUp.status).toBe(403);
    const body = (await signedUp.json()) as { error: string; message: string };
    expect(body.error).toBe('FORBIDDEN');
    expect(body.message).toContain('APP_ORIGIN (http://localhost:3000)');
    expect(body.message).toContain('ALLOWED_ORIGINS');
    expect(body.message).toContain(server.url);

    // The credentials sign-in says the same instead of failing later.
    const csrf = await getCsrf(server);
    const signIn = await fetch(`${server.url}/api/auth/callback/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-auth-return-redirect': '1', cookie: csrf.cookie, origin: server.url },
      body: new URLSearchParams({ csrfToken: csrf.csrfToken, email: 'a@example.com', password: GOOD_PASSWORD }),
    });
    expect(signIn.status).toBe(403);
    expect(((await signIn.json()) as { message: string }).message).toContain('APP_ORIGIN');

    // GraphQL with the cookie from that origin: the same message, with a stable code.
    const account = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
      body: JSON.stringify({ email: uniqueEmail('origin'), password: GOOD_PASSWORD, name: 'Origin' }),
    });
    expect(account.status).toBe(201);
    const cookie = (account.headers.get('set-cookie') ?? '').split(';')[0]!;
    const refused = await gqlHttp(server.url, '{ me { id } }', {}, { cookie, origin: server.url });
    expect(refused.response.status).toBe(403);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.body.errors?.[0]?.message).toContain('APP_ORIGIN');
    expect(await upgradeStatus(server, { cookie, origin: server.url })).toBe(403);
    expect(await upgradeStatus(server, { cookie, origin: 'http://localhost:3000' })).toBe(101);
  });
});

describe('callbackUrl after sign-in (issue 21 item 9)', () => {
  it('answers only paths of the app: //host, /\\host, absolute URLs (even to the app) all go home', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const post = async (callbackUrl: string) => {
      const csrf = await getCsrf(server);
      const response = await fetch(`${server.url}/api/auth/callback/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-return-redirect': '1', cookie: csrf.cookie },
        body: JSON.stringify({ csrfToken: csrf.csrfToken, email: account.email, password: account.password, callbackUrl }),
      });
      return ((await response.json()) as { url: string }).url;
    };
    expect(await post('/docs/abc?x=1')).toBe('/docs/abc?x=1');
    for (const hostile of ['//evil.example/phish', '/\\evil.example', '/.//evil.example', 'https://evil.example/', 'http://localhost:3000/docs/abc']) {
      expect(await post(hostile), hostile).toBe('/');
    }
  });
});

describe('security headers on every response (issue 21 item 13)', () => {
  it('API, auth, metrics refusals and unknown API paths carry nosniff, frame protection and a policy', async () => {
    const server = await startTestServer();
    const responses: Array<[string, Response]> = [
      ['health', await fetch(`${server.url}/api/health`)],
      ['graphql', await fetch(`${server.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })],
      ['graphql error', await fetch(`${server.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })],
      ['auth csrf', await fetch(`${server.url}/api/auth/csrf`)],
      ['auth session', await fetch(`${server.url}/api/auth/session`)],
      ['metrics refused', await fetch(`${server.url}/api/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })],
      ['not found', await fetch(`${server.url}/nothing-here`)],
    ];
    for (const [what, response] of responses) expectSecurityHeaders(response.headers, what);
  });

  it('a refused WebSocket upgrade carries them too, and says why', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const head = await rawUpgrade(server, { Origin: 'http://evil.example', Cookie: account.cookie });
    expect(head).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(head).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/);
    expect(head).toMatch(/\r\nX-Frame-Options: DENY\r\n/);
    expect(head).toMatch(/\r\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n/);
    expect(head).toContain('APP_ORIGIN');
  });
});
