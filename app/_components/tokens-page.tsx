'use client';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { errorMessage, gqlFetch } from '@/lib/client/http.ts';
import { API_TOKENS, CREATE_API_TOKEN, REVOKE_API_TOKEN } from '@/lib/client/queries.ts';
import type { ResultOf } from '@/lib/client/typed-document.ts';
import { AppHeader } from './app-header.tsx';
import { useMe, useRequireSignIn } from './use-me.ts';

type Token = ResultOf<typeof API_TOKENS>['apiTokens'][number];

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : 'never');

/** Settings → API tokens: create (the secret is shown once), list, revoke. */
export function TokensPage() {
  const state = useMe();
  useRequireSignIn(state);
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  const load = useCallback(async () => {
    try {
      setTokens((await gqlFetch(API_TOKENS, {})).apiTokens);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);
  useEffect(() => {
    if (state.status === 'signedIn') void load();
  }, [state.status, load]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (!name) return;
    try {
      const { createApiToken } = await gqlFetch(CREATE_API_TOKEN, { name });
      setSecret({ name: createApiToken.apiToken.name, token: createApiToken.token });
      setCopied(false);
      form.reset();
      setError(null);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function revoke(token: Token) {
    if (!window.confirm(`Revoke “${token.name}”? Scripts using it stop working at once.`)) return;
    try {
      await gqlFetch(REVOKE_API_TOKEN, { id: token.id });
      if (secret?.name === token.name) setSecret(null);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  if (state.status !== 'signedIn') return <main className="page-loading" aria-busy="true" />;
  return (
    <>
      <AppHeader me={state.me} />
      <main className="settings-page">
        <h1>API tokens</h1>
        <p className="muted">
          Scripts and integrations use the GraphQL API at <code>/api/graphql</code> with <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as you: keep it
          secret, and revoke it when you no longer need it.
        </p>
        <form className="card token-form" onSubmit={create}>
          <label>
            Token name
            <input name="name" required maxLength={100} placeholder="e.g. Import script" />
          </label>
          <button className="button primary" type="submit">
            Create token
          </button>
        </form>
        {secret && (
          <div className="card token-secret" role="status">
            <p>
              <strong>Copy the token “{secret.name}” now.</strong> It will not be shown again.
            </p>
            <code className="secret" data-testid="new-token">
              {secret.token}
            </code>
            <button
              className="button"
              type="button"
              onClick={async () => {
                await navigator.clipboard.writeText(secret.token);
                setCopied(true);
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {tokens === null ? (
          <p className="muted">Loading…</p>
        ) : tokens.length === 0 ? (
          <p className="muted">You have no API tokens.</p>
        ) : (
          <table className="tokens-table">
            <caption className="visually-hidden">Your API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{when(t.createdAt)}</td>
                  <td>{when(t.lastUsedAt)}</td>
                  <td>
                    <button className="button-link danger" type="button" onClick={() => void revoke(t)}>
                      Revoke<span className="visually-hidden"> {t.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </>
  );
}
