/** Redis-backed rate limits hold across instances and answer RATE_LIMITED with a retry hint. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consumeRateLimit } from '../../lib/rate-limit/redis-rate-limiter.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { getCsrf, GOOD_PASSWORD, openSocket, signUp, uniqueEmail } from '../support/auth.ts';

async function attempt(server: { url: string }, email: string, password: string, forwardedFor?: string) {
  const csrf = await getCsrf(server);
  return fetch(`${server.url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf.cookie, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: new URLSearchParams({ csrfToken: csrf.csrfToken, email, password }),
  });
}

describe('rate limits', () => {
  it('sign-in attempts per account and address hold across two instances; other accounts are unaffected', async () => {
    const env = { RATE_LIMIT_SIGNIN_ACCOUNT: '3/600' };
    const a = await startTestServer({ env });
    const b = await startTestServer({ env });
    const victim = await signUp(a);
    const bystander = await signUp(a);
    expect((await attempt(a, victim.email, 'wrong guess number 1')).status).toBe(302);
    expect((await attempt(b, victim.email, 'wrong guess number 2')).status).toBe(302);
    expect((await attempt(a, victim.email.toUpperCase(), 'wrong guess number 3')).status).toBe(302);
    // Fourth attempt, on the other instance, even with the right password.
    const limited = await attempt(b, victim.email, victim.password);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(200);
    expect(await limited.json()).toEqual({ error: 'RATE_LIMITED', message: `Too many sign-in attempts; try again in ${retryAfter} s.`, retryAfterSeconds: retryAfter });
    expect(limited.headers.getSetCookie().some((c) => c.includes('session-token'))).toBe(false);
    expect((await attempt(a, bystander.email, bystander.password)).headers.getSetCookie().some((c) => c.includes('session-token'))).toBe(true);
  });

  it('cannot lock a victim out: wrong passwords from one address leave the right password from another address working (issue 21 item 8)', async () => {
    const server = await startTestServer({ env: { RATE_LIMIT_SIGNIN_ACCOUNT: '10/900', TRUST_PROXY: '1' } });
    const victim = await signUp(server);
    const attacker = `198.51.100.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 10; i += 1) expect((await attempt(server, victim.email, `wrong guess ${i} here`, attacker)).status).toBe(302);
    // The attacker's address is now limited for this account, even with the right password…
    expect((await attempt(server, victim.email, victim.password, attacker)).status).toBe(429);
    // …but the victim, from their own address, signs in at once.
    const own = await attempt(server, victim.email, victim.password, `192.0.2.${Math.floor(Math.random() * 250)}`);
    expect(own.status).toBe(302);
    expect(own.headers.getSetCookie().some((c) => c.includes('session-token'))).toBe(true);
  });

  it('sign-in and sign-up attempts per address (behind a trusted proxy), whatever the account', async () => {
    const server = await startTestServer({ env: { RATE_LIMIT_SIGNIN_ADDRESS: '3/600', TRUST_PROXY: '1' } });
    const address = `203.0.113.${Math.floor(Math.random() * 250)}, 10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 3; i += 1) expect((await attempt(server, uniqueEmail(), GOOD_PASSWORD, address)).status).toBe(302);
    expect((await attempt(server, uniqueEmail(), GOOD_PASSWORD, address)).status).toBe(429);
    const signup = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ email: uniqueEmail(), password: GOOD_PASSWORD }),
    });
    expect(signup.status).toBe(429);
    // Another address (the proxy's last hop differs) is not limited.
    expect((await attempt(server, uniqueEmail(), GOOD_PASSWORD, '203.0.113.1, 198.51.100.7')).status).toBe(302);
  });

  it('IPv6 clients are limited per /64: a fresh address in the same /64 does not get fresh attempts [issue 21.5]', async () => {
    const server = await startTestServer({ env: { RATE_LIMIT_SIGNIN_ADDRESS: '3/600', TRUST_PROXY: '1' } });
    const [third, fourth] = [Math.floor(Math.random() * 0xffff), Math.floor(Math.random() * 0xffff)];
    const prefix = `2001:db8:${third.toString(16)}:${fourth.toString(16)}`;
    for (let i = 1; i <= 3; i += 1) expect((await attempt(server, uniqueEmail(), GOOD_PASSWORD, `${prefix}::${i}`)).status).toBe(302);
    // A fourth address of the same /64, for sign-in and for sign-up.
    expect((await attempt(server, uniqueEmail(), GOOD_PASSWORD, `${prefix}:0:0:0:4`)).status).toBe(429);
    const signup = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `${prefix}::beef` },
      body: JSON.stringify({ email: uniqueEmail(), password: GOOD_PASSWORD }),
    });
    expect(signup.status).toBe(429);
    // The neighbouring /64 is someone else.
    expect((await attempt(server, uniqueEmail(), GOOD_PASSWORD, `2001:db8:${third.toString(16)}:${(fourth ^ 1).toString(16)}::1`)).status).toBe(302);
  });

  it('consumeRateLimit: a token bucket in Redis, refilled over its window', async () => {
    const server = await startTestServer();
    const { config } = server.services;
    const redis = server.services.redis!; // tests always run on Redis
    const subject = randomUUID();
    const rule = { limit: 3, windowSeconds: 1 };
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await consumeRateLimit(redis, config.redisPrefix, 'test', rule, subject));
    expect(decisions.slice(0, 3)).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    expect(decisions[3]).toEqual({ allowed: false, retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await consumeRateLimit(redis, config.redisPrefix, 'test', rule, subject)).toEqual({ allowed: true });
    const keys = await redis.keys(`${config.redisPrefix}ratelimit:test:*`);
    expect(keys.every((k) => !k.includes(subject))).toBe(true);
  });

  it('op submissions per WebSocket connection answer RATE_LIMITED with extensions.retryAfterSeconds', async () => {
    const server = await startTestServer({ env: { RATE_LIMIT_OPS: '2/600' } });
    const account = await signUp(server);
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Limits") { id } }', {}, { cookie: account.cookie });
    const documentId = created.body.data!.createDocument.id;
    const submit = `mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { version } }`;
    const input = (clientSeq: number, baseVersion: number) => ({ input: { documentId, baseVersion, clientId: 'c1', clientSeq, delta: { ops: [{ insert: 'x' }] } } });
    const socket = openSocket(server, { headers: { cookie: account.cookie } });
    expect((await socket.query(submit, input(1, 0))).errors).toBeUndefined();
    expect((await socket.query(submit, input(2, 1))).errors).toBeUndefined();
    const limited = await socket.query(submit, input(3, 2));
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(limited.errors?.[0]?.message).toMatch(/wait \d+ s/);
    // Another connection has its own budget.
    const second = openSocket(server, { headers: { cookie: account.cookie } });
    expect((await second.query(submit, { input: { ...input(1, 2).input, clientId: 'c2' } })).errors).toBeUndefined();
    await Promise.all([socket.dispose(), second.dispose()]);
  });
});
