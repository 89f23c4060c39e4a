/** Issue 21 item 9: `callbackUrl` is a path of this app, never another site (sign-in and sign-up). */
import { describe, expect, it } from 'vitest';
import { sameOriginPath } from '../../lib/auth/redirects.ts';

describe('sameOriginPath (callbackUrl after sign-in and sign-up)', () => {
  it('keeps paths of the app, with their query and fragment', () => {
    expect(sameOriginPath('/')).toBe('/');
    expect(sameOriginPath('/docs/abc?x=1#top')).toBe('/docs/abc?x=1#top');
    expect(sameOriginPath('/settings/tokens')).toBe('/settings/tokens');
  });

  it.each([
    ['//evil.example/phish'],
    ['/\\evil.example'],
    ['/\\/evil.example'],
    ['/\t/evil.example'],
    ['/\n/evil.example'],
    ['/.//evil.example'],
    ['https://evil.example/'],
    ['https://localhost:3000/docs/abc'],
    ['http:evil.example'],
    ['javascript:alert(1)'],
    ['evil.example'],
    [' /docs'],
    [''],
  ])('refuses %j (falls back to /)', (raw) => {
    expect(sameOriginPath(raw)).toBe('/');
  });

  it('refuses anything that is not a string', () => {
    for (const raw of [null, undefined, 42, ['/docs'], { href: '/docs' }]) expect(sameOriginPath(raw)).toBe('/');
  });
});
