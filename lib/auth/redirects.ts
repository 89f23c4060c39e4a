/**
 * Where a browser may be sent after signing in or up: a path on this app, never another site.
 * Pure (no Node or browser imports): the sign-in route and the sign-in/sign-up pages share it.
 */

/** An origin no real request has: resolving against it shows whether a string leaves the app. */
const PROBE_ORIGIN = 'http://verso.invalid';

/**
 * `raw` when it is a same-origin path (`/docs/abc?x=1#y`), else `fallback`. Refuses absolute URLs
 * (even to this app: a path is enough), protocol-relative ones (`//evil.example`), backslash and
 * control-character tricks that browsers read as `//` (`/\evil`, `/\t/evil`), and paths that
 * normalize to `//…` (`/.//evil`). The result is the normalized path, so what was checked is
 * exactly what the browser is given.
 */
export function sameOriginPath(raw: unknown, fallback = '/'): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.length > 2048) return fallback;
  let url: URL;
  try {
    url = new URL(raw, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') || path.startsWith('/\\') ? fallback : path;
}
