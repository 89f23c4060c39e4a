/**
 * next-auth's cookie names and flags, decided by the app origin and shared by next-auth's own
 * handlers (passed in its config) and Verso's sign-up / credentials routes, so both set and read
 * the very same cookie.
 */

/** Flags of every auth cookie. */
export interface AuthCookieOptions {
  readonly httpOnly: true;
  readonly sameSite: 'lax';
  readonly path: '/';
  readonly secure: boolean;
}

export interface AuthCookieNames {
  /** Holds the opaque session token; the Session row is the truth. */
  readonly sessionToken: string;
  /** next-auth's double-submit CSRF cookie (`token|sha256(token + secret)`). */
  readonly csrfToken: string;
  readonly callbackUrl: string;
}

/** Whether cookies must be `Secure` (and `__Secure-`/`__Host-` prefixed): the app origin is https. */
export function useSecureCookies(appOrigin: string): boolean {
  return appOrigin.startsWith('https:');
}

/** Cookie names for an app origin (next-auth's defaults for the same `useSecureCookies`). */
export function authCookieNames(appOrigin: string): AuthCookieNames {
  const secure = useSecureCookies(appOrigin);
  const prefix = secure ? '__Secure-' : '';
  return {
    sessionToken: `${prefix}authjs.session-token`,
    csrfToken: `${secure ? '__Host-' : ''}authjs.csrf-token`,
    callbackUrl: `${prefix}authjs.callback-url`,
  };
}

/** HttpOnly (no script can read it), SameSite=Lax (not sent on cross-site subrequests), Secure on https. */
export function authCookieOptions(appOrigin: string): AuthCookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: useSecureCookies(appOrigin) };
}

/** A `Set-Cookie` header value. */
export function serializeCookie(name: string, value: string, options: AuthCookieOptions & { expires?: Date }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path}`];
  if (options.expires) parts.push(`Expires=${options.expires.toUTCString()}`);
  parts.push('HttpOnly', 'SameSite=Lax');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** Parses a `Cookie` request header; the first value of a repeated name wins. */
export function parseCookies(header: string | undefined): ReadonlyMap<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (cookies.has(name)) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

/**
 * The session token in a `Cookie` header, or null. next-auth splits values over 4 KB into
 * `name.0`, `name.1`…; Verso's tokens are short, so only the plain name is read.
 */
export function sessionTokenFromCookieHeader(header: string | undefined, appOrigin: string): string | null {
  const value = parseCookies(header).get(authCookieNames(appOrigin).sessionToken);
  return value && value.length > 0 ? value : null;
}
