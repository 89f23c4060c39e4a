/** The sign-in ↔ sign-up switch links keep a same-origin `callbackUrl` (and only such a one). */
import { describe, expect, it } from 'vitest';
import { authSwitchHref } from '../../lib/api-client/auth-switch.ts';
import { sameOriginPath } from '../../lib/auth/redirects.ts';

describe('authSwitchHref (the link between sign-in and sign-up)', () => {
  it('keeps the callbackUrl of a share link when switching to sign-up, and back', () => {
    const search = `?callbackUrl=${encodeURIComponent('/share/doc1?secret=abc#top')}`;
    const signup = authSwitchHref('signup', search);
    expect(signup).toBe('/signup?callbackUrl=%2Fshare%2Fdoc1%3Fsecret%3Dabc%23top');
    // The sign-up page reads it back exactly, and then links back to sign-in with it.
    const back = new URL(signup, 'http://verso.test').search;
    expect(sameOriginPath(new URLSearchParams(back).get('callbackUrl'))).toBe('/share/doc1?secret=abc#top');
    expect(authSwitchHref('signin', back)).toBe('/signin?callbackUrl=%2Fshare%2Fdoc1%3Fsecret%3Dabc%23top');
  });

  it('is the bare page without a callbackUrl, or with the home page as one', () => {
    expect(authSwitchHref('signup', '')).toBe('/signup');
    expect(authSwitchHref('signin', '?other=1')).toBe('/signin');
    expect(authSwitchHref('signup', '?callbackUrl=%2F')).toBe('/signup');
  });

  it.each([['//evil.example/phish'], ['https://evil.example/'], ['/\\evil.example'], ['javascript:alert(1)']])(
    'drops a callbackUrl that would leave the app (%j)',
    (raw) => {
      expect(authSwitchHref('signup', `?callbackUrl=${encodeURIComponent(raw)}`)).toBe('/signup');
      expect(authSwitchHref('signin', `?callbackUrl=${encodeURIComponent(raw)}`)).toBe('/signin');
    },
  );
});
