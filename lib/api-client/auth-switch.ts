/**
 * The link between the sign-in and sign-up pages. It carries the page's `callbackUrl` along, so
 * someone sent to sign in from a share link who switches to "Create an account" (or back) still
 * lands on the document afterwards. Only a same-origin path is carried: anything else (another
 * site, `//evil.example`, …) is dropped, as the forms themselves would refuse it.
 */
import { sameOriginPath } from '../auth/redirects.ts';

/** `/signin` or `/signup`, with `?callbackUrl=` when `search` (a location.search) holds a same-origin one. */
export function authSwitchHref(to: 'signin' | 'signup', search: string): string {
  const raw = new URLSearchParams(search).get('callbackUrl');
  const callbackUrl = sameOriginPath(raw, '');
  return callbackUrl === '' || callbackUrl === '/' ? `/${to}` : `/${to}?${new URLSearchParams({ callbackUrl })}`;
}
