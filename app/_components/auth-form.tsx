'use client';
import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { authSwitchHref } from '@/lib/api-client/auth-switch.ts';
import { signIn, signUp } from '@/lib/api-client/auth.ts';
import { sameOriginPath } from '@/lib/auth/redirects.ts';

/** The sign-in and sign-up forms. */
export function AuthForm({ mode }: { mode: 'signin' | 'signup' }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const other = mode === 'signup' ? 'signin' : 'signup';
  // The query is only known in the browser (the page is rendered statically): carry callbackUrl
  // over once mounted, so switching forms still comes back to the document afterwards.
  const [switchHref, setSwitchHref] = useState<string>(`/${other}`);
  useEffect(() => setSwitchHref(authSwitchHref(other, location.search)), [other]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setError(null);
    const params = new URLSearchParams(location.search);
    // Only a path of this app: `//evil.example`, `/\evil` or `https://…` would leave it (an open redirect).
    const callbackUrl = sameOriginPath(params.get('callbackUrl'));
    const result = mode === 'signup' ? await signUp({ email, password, name: String(form.get('name') ?? '') }) : await signIn({ email, password, callbackUrl });
    if (result.ok) {
      location.assign(mode === 'signup' ? callbackUrl : sameOriginPath(result.url));
      return;
    }
    setBusy(false);
    setError(result.message);
  }

  const title = mode === 'signup' ? 'Create your account' : 'Sign in to Verso';
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="auth-title" noValidate={false}>
        <Link href="/" className="brand">
          Verso
        </Link>
        <h1 id="auth-title">{title}</h1>
        {mode === 'signup' && (
          <label>
            Name
            <input name="name" autoComplete="name" required maxLength={100} />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
            required
            minLength={mode === 'signup' ? 10 : undefined}
            aria-describedby={mode === 'signup' ? 'password-hint' : undefined}
          />
        </label>
        {mode === 'signup' && (
          <p id="password-hint" className="hint">
            At least 10 characters.
          </p>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="button primary" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : mode === 'signup' ? 'Create account' : 'Sign in'}
        </button>
        <p className="auth-switch">
          {mode === 'signup' ? (
            <>
              Already have an account? <Link href={switchHref}>Sign in</Link>
            </>
          ) : (
            <>
              New to Verso? <Link href={switchHref}>Create an account</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
