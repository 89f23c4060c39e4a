/**
 * Accounts and database sessions end to end: sign-up, next-auth's credentials flow, cookie
 * flags, token rotation, sign-out (HTTP and live WebSockets), next-auth reading the cookie.
 */
import { describe, expect, it } from 'vitest';
import { ensurePersonalOrganization } from '../../lib/auth/organizations.ts';
import { hashSessionToken } from '../../lib/auth/sessions.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { getCsrf, GOOD_PASSWORD, openSocket, sessionCookie, setCookieHeader, signIn, signOut, signUp, uniqueEmail } from '../support/auth.ts';

const ME = '{ me { id email name } }';

async function postSignup(url: string, body: unknown) {
  const response = await fetch(`${url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { response, body: (await response.json()) as { error?: string; message?: string; user?: { id: string; email: string } } };
}

describe('sign-up (POST /api/auth/signup)', () => {
  it('answers 201 with the session cookie, a lower-cased email and a personal organization', async () => {
    const server = await startTestServer();
    const email = uniqueEmail('Mixed').replace('mixed', 'MiXeD');
    const { response, body } = await postSignup(server.url, { email, password: GOOD_PASSWORD, name: 'Ada' });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body.user?.email).toBe(email.toLowerCase());
    const cookie = sessionCookie(response)!;
    const me = await gqlHttp(server.url, ME, {}, { cookie });
    expect(me.body.data?.me).toEqual({ id: body.user!.id, email: email.toLowerCase(), name: 'Ada' });
    const org = await server.services.prisma.organization.findUnique({ where: { personalOwnerId: body.user!.id }, include: { memberships: true } });
    expect(org?.memberships).toEqual([expect.objectContaining({ userId: body.user!.id, role: 'OWNER' })]);
  });

  it('answers 409 when the email is taken (whatever its case) and 400 with a reason for a weak password or bad email', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const taken = await postSignup(server.url, { email: account.email.toUpperCase(), password: GOOD_PASSWORD, name: 'X' });
    expect(taken.response.status).toBe(409);
    expect(taken.body.message).toMatch(/already exists/);
    const weak = await postSignup(server.url, { email: uniqueEmail(), password: 'short', name: 'X' });
    expect(weak.response.status).toBe(400);
    expect(weak.body.message).toMatch(/at least 10 characters/);
    const common = await postSignup(server.url, { email: uniqueEmail(), password: 'password1234', name: 'X' });
    expect(common.response.status).toBe(400);
    expect(common.body.message).toMatch(/too common/);
    const badEmail = await postSignup(server.url, { email: 'not-an-email', password: GOOD_PASSWORD, name: 'X' });
    expect(badEmail.response.status).toBe(400);
    expect(badEmail.body.message).toMatch(/not an email address/);
    for (const r of [taken, weak, common, badEmail]) expect(sessionCookie(r.response)).toBeUndefined();
  });

  it('refuses a form post (no preflight) with 415 and a foreign Origin with 403', async () => {
    const server = await startTestServer();
    const form = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: uniqueEmail(), password: GOOD_PASSWORD }),
    });
    expect(form.status).toBe(415);
    const foreign = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ email: uniqueEmail(), password: GOOD_PASSWORD }),
    });
    expect(foreign.status).toBe(403);
  });
});

describe('session cookies', () => {
  it('over an http origin: HttpOnly, SameSite=Lax, no Secure, no prefix', async () => {
    const server = await startTestServer();
    const email = uniqueEmail();
    const response = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: GOOD_PASSWORD }),
    });
    const header = setCookieHeader(response, 'authjs.session-token')!;
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Lax/);
    expect(header).toMatch(/; Path=\//);
    expect(header).not.toMatch(/Secure/);
    const { cookie, response: signInResponse } = await signIn(server, email, GOOD_PASSWORD);
    expect(cookie).toMatch(/^authjs\.session-token=/);
    expect(setCookieHeader(signInResponse, 'authjs.session-token')).toMatch(/HttpOnly; SameSite=Lax$/);
  });

  it('over an https origin: Secure and the __Secure- prefix, on sign-up, sign-in and next-auth\'s own cookies', async () => {
    const server = await startTestServer({ env: { APP_ORIGIN: 'https://verso.example' } });
    const email = uniqueEmail();
    const response = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: GOOD_PASSWORD }),
    });
    expect(response.status).toBe(201);
    const header = setCookieHeader(response, '__Secure-authjs.session-token')!;
    expect(header).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    const { cookie, response: signInResponse } = await signIn(server, email, GOOD_PASSWORD);
    expect(cookie).toMatch(/^__Secure-authjs\.session-token=/);
    expect(signInResponse.headers.get('location')).toBe('/');
    expect(setCookieHeader(signInResponse, '__Secure-authjs.session-token')).toMatch(/Secure$/);
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const csrfHeader = setCookieHeader(csrf, '__Host-authjs.csrf-token')!;
    for (const flag of ['; HttpOnly', '; Secure', '; SameSite=Lax']) expect(csrfHeader).toContain(flag);
    // The prefixed cookie authenticates; the unprefixed name does not.
    expect((await gqlHttp(server.url, ME, {}, { cookie: cookie! })).body.data?.me).toMatchObject({ email });
    const plain = cookie!.replace('__Secure-', '');
    expect((await gqlHttp(server.url, ME, {}, { cookie: plain })).body.data?.me).toBeNull();
  });
});

describe('sign-in (next-auth credentials flow)', () => {
  it('issues a new session token at every sign-in and deletes the one the browser still carried', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const first = await signIn(server, account.email, account.password);
    const second = await signIn(server, account.email, account.password, first.cookie);
    expect(first.response.status).toBe(302);
    expect(first.cookie).toBeDefined();
    expect(second.cookie).toBeDefined();
    expect(new Set([account.cookie, first.cookie, second.cookie]).size).toBe(3);
    // The session replaced at sign-in is gone (no fixation); the sign-up session is independent.
    expect((await gqlHttp(server.url, ME, {}, { cookie: first.cookie! })).body.data?.me).toBeNull();
    expect((await gqlHttp(server.url, ME, {}, { cookie: second.cookie! })).body.data?.me).toMatchObject({ id: account.userId });
    expect((await gqlHttp(server.url, ME, {}, { cookie: account.cookie })).body.data?.me).toMatchObject({ id: account.userId });
  });

  it('a wrong password or unknown email redirects with CredentialsSignin and sets no session cookie', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    for (const [email, password] of [
      [account.email, 'wrong password entirely'],
      [uniqueEmail('nobody'), GOOD_PASSWORD],
    ] as const) {
      const { response, cookie } = await signIn(server, email, password);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/signin?error=CredentialsSignin&code=credentials');
      expect(cookie).toBeUndefined();
    }
  });

  it('refuses a sign-in without next-auth\'s CSRF token (cookie and body must match)', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const csrf = await getCsrf(server);
    const attempts: Array<{ cookie: string; body: Record<string, string> }> = [
      { cookie: '', body: { csrfToken: csrf.csrfToken } },
      { cookie: csrf.cookie, body: {} },
      { cookie: csrf.cookie, body: { csrfToken: 'forged' } },
    ];
    for (const attempt of attempts) {
      const response = await fetch(`${server.url}/api/auth/callback/credentials`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: attempt.cookie },
        body: new URLSearchParams({ ...attempt.body, email: account.email, password: account.password }),
      });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toMatch(/error=MissingCSRF/);
      expect(sessionCookie(response)).toBeUndefined();
    }
  });

  it('answers fetch clients (X-Auth-Return-Redirect) with { url } and keeps callbackUrl to a path of the app', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const csrf = await getCsrf(server);
    const post = (callbackUrl: string) =>
      fetch(`${server.url}/api/auth/callback/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-return-redirect': '1', cookie: csrf.cookie },
        body: JSON.stringify({ csrfToken: csrf.csrfToken, email: account.email, password: account.password, callbackUrl }),
      });
    expect(await (await post('/docs/abc')).json()).toEqual({ url: '/docs/abc' });
    expect(await (await post('https://evil.example/phish')).json()).toEqual({ url: '/' });
  });

  it("next-auth's own session endpoint (what auth() in pages uses) accepts the cookie, without the password hash", async () => {
    const server = await startTestServer();
    const account = await signUp(server, { name: 'Grace' });
    const response = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: account.cookie } });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const session = (await response.json()) as Record<string, unknown>;
    expect(session).toEqual({ user: { id: account.userId, name: 'Grace', email: account.email, image: null }, expires: expect.any(String) });
    expect(JSON.stringify(session)).not.toContain('scrypt');
  });
});

describe('sign-out (next-auth POST /api/auth/signout)', () => {
  it('deletes the Session row: the old cookie no longer authenticates over HTTP', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const response = await signOut(server, account.cookie);
    expect(response.status).toBe(302);
    expect(setCookieHeader(response, 'authjs.session-token')).toMatch(/Max-Age=0/);
    const token = account.cookie.split('=')[1]!;
    expect(await server.services.prisma.session.findUnique({ where: { sessionToken: hashSessionToken(decodeURIComponent(token)) } })).toBeNull();
    expect((await gqlHttp(server.url, ME, {}, { cookie: account.cookie })).body.data?.me).toBeNull();
  });

  it("closes that session's open WebSockets (4401), on this instance and on another one, and leaves other sessions' alone", async () => {
    const a = await startTestServer();
    const b = await startTestServer();
    const account = await signUp(a);
    const other = await signIn(a, account.email, account.password);
    const onA = openSocket(a, { headers: { cookie: account.cookie } });
    const onB = openSocket(b, { headers: { cookie: account.cookie } });
    const otherSocket = openSocket(b, { headers: { cookie: other.cookie! } });
    await Promise.all([onA.connected, onB.connected, otherSocket.connected]);
    expect((await onB.query(ME)).data?.me).toMatchObject({ id: account.userId });
    const started = Date.now();
    await signOut(a, account.cookie);
    const [closedA, closedB] = await Promise.all([onA.closed, onB.closed]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(closedA.code).toBe(4401);
    expect(closedB).toEqual({ code: 4401, reason: 'Session ended: sign in again' });
    expect((await otherSocket.query(ME)).data?.me).toMatchObject({ id: account.userId });
    await otherSocket.dispose();
  });
});

describe('ensurePersonalOrganization', () => {
  it('creates one organization with an OWNER membership, once, even when called concurrently', async () => {
    const server = await startTestServer();
    const prisma = server.services.prisma;
    const user = await prisma.user.create({ data: { email: uniqueEmail('oauth') } });
    const ids = await Promise.all(Array.from({ length: 8 }, () => ensurePersonalOrganization(prisma, user.id)));
    expect(new Set(ids).size).toBe(1);
    expect(await prisma.membership.count({ where: { userId: user.id, role: 'OWNER' } })).toBe(1);
    expect(await ensurePersonalOrganization(prisma, user.id)).toBe(ids[0]);
  });
});
