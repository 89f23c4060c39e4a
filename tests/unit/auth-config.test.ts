import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config.ts';
import { authCookieNames, parseCookies, sessionTokenFromCookieHeader } from '../../lib/auth/cookies.ts';
import { csrfTokenValid } from '../../lib/auth/routes.ts';
import { createHash } from 'node:crypto';

describe('auth configuration', () => {
  it('switches OAuth providers on only when both variables are set, and says which is missing', () => {
    expect(loadConfig({}).oauth).toEqual({ github: null, google: null });
    expect(loadConfig({ AUTH_GITHUB_ID: 'id', AUTH_GITHUB_SECRET: 's' }).oauth.github).toEqual({ clientId: 'id', clientSecret: 's' });
    expect(() => loadConfig({ AUTH_GOOGLE_ID: 'id' })).toThrow(new ConfigError('AUTH_GOOGLE_ID and AUTH_GOOGLE_SECRET must be set together (or neither, to switch that sign-in off).'));
  });

  it('reads rate limits as <limit>/<seconds>', () => {
    expect(loadConfig({ RATE_LIMIT_OPS: '5/10' }).rateLimits.opSubmissions).toEqual({ limit: 5, windowSeconds: 10 });
    expect(() => loadConfig({ RATE_LIMIT_SIGNIN_ACCOUNT: 'ten' })).toThrow(/RATE_LIMIT_SIGNIN_ACCOUNT must look like/);
  });
});

describe('auth cookies', () => {
  it('take next-auth\'s names, prefixed on https', () => {
    expect(authCookieNames('http://localhost:3000').sessionToken).toBe('authjs.session-token');
    expect(authCookieNames('https://docs.example').sessionToken).toBe('__Secure-authjs.session-token');
    expect(authCookieNames('https://docs.example').csrfToken).toBe('__Host-authjs.csrf-token');
  });

  it('parse a Cookie header; the session token is read by its exact name only', () => {
    expect([...parseCookies('a=1; b=x%20y; a=2; junk; c="q"')]).toEqual([['a', '1'], ['b', 'x y'], ['c', 'q']]);
    expect(sessionTokenFromCookieHeader('authjs.session-token=abc', 'http://x.example')).toBe('abc');
    expect(sessionTokenFromCookieHeader('authjs.session-token=abc', 'https://x.example')).toBeNull();
    expect(sessionTokenFromCookieHeader('xauthjs.session-token=abc; authjs.session-token=', 'http://x.example')).toBeNull();
  });

  it("checks next-auth's double-submit CSRF token against the secret", () => {
    const hash = createHash('sha256').update('tok' + 'secret').digest('hex');
    expect(csrfTokenValid(`tok|${hash}`, 'tok', 'secret')).toBe(true);
    expect(csrfTokenValid(`tok|${hash}`, 'tok', 'other secret')).toBe(false);
    expect(csrfTokenValid(`tok|${hash}`, 'other', 'secret')).toBe(false);
    expect(csrfTokenValid(undefined, 'tok', 'secret')).toBe(false);
    expect(csrfTokenValid('tok', 'tok', 'secret')).toBe(false);
  });
});
