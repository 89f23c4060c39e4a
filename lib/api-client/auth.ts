/**
 * The browser side of the auth routes (API.md): sign up (JSON), next-auth's credentials sign-in
 * (CSRF token, then the form fields) and sign-out. Results are values; only bugs throw.
 */
export type AuthResult = { readonly ok: true; readonly url: string } | { readonly ok: false; readonly message: string };

async function csrfToken(): Promise<string> {
  const response = await fetch('/api/auth/csrf', { credentials: 'same-origin' });
  const body = (await response.json()) as { csrfToken?: unknown };
  if (typeof body.csrfToken !== 'string') throw new Error('The server gave no CSRF token.');
  return body.csrfToken;
}

async function messageOf(response: Response, fallback: string): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown };
    return typeof body.message === 'string' ? body.message : fallback;
  } catch {
    return fallback;
  }
}

export async function signUp(fields: { email: string; password: string; name: string }): Promise<AuthResult> {
  try {
    const response = await fetch('/api/auth/signup', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(fields),
    });
    if (response.status === 201) return { ok: true, url: '/' };
    return { ok: false, message: await messageOf(response, `Sign-up failed (${response.status}).`) };
  } catch {
    return { ok: false, message: 'Cannot reach the server. Check your connection and try again.' };
  }
}

export async function signIn(fields: { email: string; password: string; callbackUrl: string }): Promise<AuthResult> {
  try {
    const response = await fetch('/api/auth/callback/credentials', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Auth-Return-Redirect': '1' },
      body: new URLSearchParams({ ...fields, csrfToken: await csrfToken() }),
    });
    if (response.status === 429 || response.status === 403) return { ok: false, message: await messageOf(response, `Sign-in refused (${response.status}).`) };
    const body = (await response.json()) as { url?: unknown };
    const url = typeof body.url === 'string' ? new URL(body.url, location.origin) : null;
    if (!url) return { ok: false, message: 'The server gave no answer; try again.' };
    if (url.searchParams.has('error')) {
      return { ok: false, message: url.searchParams.get('error') === 'CredentialsSignin' ? 'Wrong email or password.' : 'Sign-in failed; reload the page and try again.' };
    }
    return { ok: true, url: url.origin === location.origin ? `${url.pathname}${url.search}` : '/' };
  } catch {
    return { ok: false, message: 'Cannot reach the server. Check your connection and try again.' };
  }
}

export async function signOut(): Promise<void> {
  await fetch('/api/auth/signout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Auth-Return-Redirect': '1' },
    body: new URLSearchParams({ csrfToken: await csrfToken(), callbackUrl: '/' }),
  });
}
