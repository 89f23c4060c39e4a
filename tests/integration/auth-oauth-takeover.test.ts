/**
 * An unconfirmed password account cannot keep its address from the real owner [issue 21.4
 * leftover]: someone pre-registers a colleague's address and never confirms it; the colleague's
 * OAuth sign-in (the provider vouches for the address) succeeds and takes the account over, and
 * the squatter loses every way in at once. Driven through next-auth's real OAuth callback against
 * a local OAuth provider.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import NextAuth from 'next-auth';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthConfig } from '../../lib/auth/next-auth.ts';
import { publishRevocation } from '../../lib/auth/revocation.ts';
import { createLogger } from '../../lib/logger.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, cookiePairs, createToken, openSocket, signIn, signUp, uniqueEmail } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

let server: VersoServer;
let provider: Server;
let providerUrl: string;
/** What the local provider answers for the next sign-in. */
let profile: Record<string, unknown> = {};

beforeAll(async () => {
  server = await startTestServer();
  provider = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/token')) return res.end(JSON.stringify({ access_token: 'local-access-token', token_type: 'bearer' }));
    if (req.url?.startsWith('/userinfo')) return res.end(JSON.stringify(profile));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => provider.close(() => resolve())));

function handlers() {
  const { config, prisma } = server.services;
  const authConfig = createAuthConfig({ config, prisma, logger: createLogger({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }), revoke: (credential) => publishRevocation(server.services.pubsub.publisher, config.redisPrefix, credential) });
  authConfig.providers = [
    {
      id: 'local',
      name: 'Local',
      type: 'oauth',
      clientId: 'verso-test',
      clientSecret: 'shh',
      checks: ['state'],
      authorization: { url: `${providerUrl}/authorize`, params: { scope: 'email' } },
      token: `${providerUrl}/token`,
      userinfo: `${providerUrl}/userinfo`,
      profile: (p: Record<string, unknown>) => ({ id: String(p.id), name: (p.name as string) ?? null, email: p.email as string }),
    },
  ];
  return NextAuth(authConfig).handlers;
}

const cookieHeader = (pairs: Map<string, string>) => [...pairs].map(([k, v]) => `${k}=${v}`).join('; ');

/** Signs in with the local provider as `profile`: answers where next-auth sent the browser and the cookies it set. */
async function oauthSignIn(as: Record<string, unknown>): Promise<{ location: string; cookies: Map<string, string> }> {
  profile = as;
  const { GET, POST } = handlers();
  const origin = server.services.config.appOrigin;
  const csrfResponse = await GET(new NextRequest(`${origin}/api/auth/csrf`));
  const cookies = cookiePairs(csrfResponse as unknown as Response);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const start = await POST(
    new NextRequest(`${origin}/api/auth/signin/local`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(cookies) },
      body: new URLSearchParams({ csrfToken }),
    }),
  );
  for (const [k, v] of cookiePairs(start as unknown as Response)) cookies.set(k, v);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.origin).toBe(providerUrl);
  const callback = await GET(
    new NextRequest(`${origin}/api/auth/callback/local?${new URLSearchParams({ code: 'local-code', state: authorize.searchParams.get('state')! })}`, {
      headers: { cookie: cookieHeader(cookies) },
    }),
  );
  for (const [k, v] of cookiePairs(callback as unknown as Response)) cookies.set(k, v);
  return { location: callback.headers.get('location') ?? '', cookies };
}

const sessionCookieOf = (cookies: Map<string, string>) => {
  const entry = [...cookies].find(([k, v]) => k.endsWith('authjs.session-token') && v !== '');
  return entry ? `${entry[0]}=${entry[1]}` : null;
};

async function me(auth: Record<string, string>) {
  const { body } = await gqlHttp<{ me: { id: string; email: string; name: string } | null }>(server.url, '{ me { id email name } }', {}, auth);
  return body;
}

describe('OAuth sign-in and an unconfirmed password account with the same address [issue 21.4]', () => {
  it('the OAuth owner signs in and takes the account over; the squatter loses password, sessions, tokens and sockets at once', async () => {
    const email = uniqueEmail('colleague');
    const squatter = await signUp(server, { email, name: 'Not The Colleague' });
    const token = (await createToken(server, squatter.cookie)).token;
    const socket = openSocket(server, { headers: { cookie: squatter.cookie } });
    await socket.connected;

    const { location, cookies } = await oauthSignIn({ id: 'colleague-1', email: email.toUpperCase(), name: 'The Colleague' });
    expect(location).not.toContain('error');
    const session = sessionCookieOf(cookies);
    expect(session).not.toBeNull();
    // The colleague is in, as the account that holds the address, now under their name.
    expect((await me({ cookie: session! })).data?.me).toEqual({ id: squatter.userId, email, name: 'The Colleague' });
    const row = await server.services.prisma.user.findUniqueOrThrow({ where: { id: squatter.userId } });
    expect(row.passwordHash).toBeNull();
    expect(row.emailVerified).not.toBeNull();

    // The squatter: socket closed, old session and token dead, password no longer signs in.
    expect((await socket.closed).code).toBe(4401);
    expect((await me({ cookie: squatter.cookie })).data?.me ?? null).toBeNull();
    expect((await me({ authorization: bearer(token) })).data?.me ?? null).toBeNull();
    expect((await signIn(server, email, squatter.password)).cookie).toBeUndefined();

    // The next sign-in with the provider finds the same account.
    const again = await oauthSignIn({ id: 'colleague-1', email, name: 'The Colleague' });
    expect((await me({ cookie: sessionCookieOf(again.cookies)! })).data?.me?.id).toBe(squatter.userId);
  });

  it('a provider that says it did not verify the address takes nothing over (the sign-in is refused as before)', async () => {
    const email = uniqueEmail('unverified');
    const holder = await signUp(server, { email });
    const { location } = await oauthSignIn({ id: 'someone-2', email, name: 'Someone', email_verified: false });
    expect(location).toContain('error=OAuthAccountNotLinked');
    expect((await me({ cookie: holder.cookie })).data?.me?.email).toBe(email);
  });

  it('an account whose address was confirmed is never taken over', async () => {
    const email = uniqueEmail('confirmed');
    const holder = await signUp(server, { email });
    await server.services.prisma.user.update({ where: { id: holder.userId }, data: { emailVerified: new Date() } });
    const { location } = await oauthSignIn({ id: 'someone-3', email, name: 'Someone Else' });
    expect(location).toContain('error=OAuthAccountNotLinked');
    expect((await me({ cookie: holder.cookie })).data?.me?.email).toBe(email);
    expect((await signIn(server, email, holder.password)).cookie).toBeDefined();
  });
});
