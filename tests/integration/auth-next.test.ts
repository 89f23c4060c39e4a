/** next-auth as Next's pages use it (top-level auth.ts), and the optional OAuth providers. */
import { describe, expect, inject, it } from 'vitest';
import { startTestServer } from '../support/server.ts';
import { getCsrf, openSocket, signUp } from '../support/auth.ts';

describe("next-auth's auth() for pages (auth.ts)", () => {
  it('returns the narrowed session for a Verso cookie, null without one, and its signOut ends the session', async () => {
    const server = await startTestServer();
    Object.assign(process.env, {
      DATABASE_URL: inject('databaseUrl'),
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: inject('redisPrefix'),
      APP_ORIGIN: 'http://localhost:3000',
    });
    const { auth } = await import('../../auth.ts');
    const account = await signUp(server, { name: 'Page reader' });
    // The "API route" form of auth(): (request-like, response-like); pages call auth() with no arguments.
    const session = await (auth as unknown as (req: unknown, res: unknown) => Promise<unknown>)(
      { headers: { cookie: account.cookie, host: 'localhost:3000' } },
      { headers: new Headers() },
    );
    expect(session).toEqual({ user: { id: account.userId, name: 'Page reader', email: account.email, image: null }, expires: expect.any(String) });
    const none = await (auth as unknown as (req: unknown, res: unknown) => Promise<unknown>)({ headers: { host: 'localhost:3000' } }, { headers: new Headers() });
    expect(none).toBeNull();
    // A sign-out handled by Next's copy of next-auth still closes the custom server's sockets (via Redis).
    const socket = openSocket(server, { headers: { cookie: account.cookie } });
    await socket.connected;
    const { handlers } = await import('../../auth.ts');
    const csrf = await getCsrf(server);
    const { NextRequest } = await import('next/server');
    const response = await handlers.POST(
      new NextRequest('http://localhost:3000/api/auth/signout', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${account.cookie}; ${csrf.cookie}` },
        body: new URLSearchParams({ csrfToken: csrf.csrfToken }),
      }),
    );
    expect(response.status).toBe(302);
    expect((await socket.closed).code).toBe(4401);
  });
});

describe('OAuth providers', () => {
  it('are off by default and switched on by AUTH_GITHUB_ID / AUTH_GITHUB_SECRET (sign-in redirects to GitHub)', async () => {
    const plain = await startTestServer();
    expect(await (await fetch(`${plain.url}/api/auth/providers`)).json()).toEqual({});
    const server = await startTestServer({ env: { AUTH_GITHUB_ID: 'verso-test-client', AUTH_GITHUB_SECRET: 'shh' } });
    expect(Object.keys((await (await fetch(`${server.url}/api/auth/providers`)).json()) as object)).toEqual(['github']);
    const csrf = await getCsrf(server);
    const response = await fetch(`${server.url}/api/auth/signin/github`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf.cookie },
      body: new URLSearchParams({ csrfToken: csrf.csrfToken }),
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://github.com/login/oauth/authorize');
    expect(location.searchParams.get('client_id')).toBe('verso-test-client');
    expect(location.searchParams.get('redirect_uri')).toBe('http://localhost:3000/api/auth/callback/github');
  });
});
