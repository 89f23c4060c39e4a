'use client';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { errorMessage, gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import { API_TOKENS, CREATE_API_TOKEN, REVOKE_API_TOKEN } from '@/lib/api-client/queries.ts';
import type { ResultOf } from '@/lib/api-client/typed-document.ts';
import { AppHeader } from './app-header.tsx';
import { useMe, useRequireSignIn } from './use-me.ts';

type Token = ResultOf<typeof API_TOKENS>['apiTokens'][number];
type Scope = Token['scopes'][number];

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : 'never');

/** The scopes a person can choose (READ is part of every token), with what each allows. */
const SCOPE_CHOICES: ReadonlyArray<{ scope: Scope; label: string; hint: string; checked: boolean }> = [
  { scope: 'WRITE', label: 'Write', hint: 'create and edit documents', checked: true },
  { scope: 'SHARE', label: 'Share', hint: 'invite people and change their roles', checked: false },
  { scope: 'DELETE', label: 'Delete', hint: 'move documents to the trash and back', checked: false },
  { scope: 'ACCOUNT', label: 'Account', hint: 'create and revoke API tokens', checked: false },
];
const SCOPE_LABELS: Record<Scope, string> = { READ: 'read', WRITE: 'write', SHARE: 'share', DELETE: 'delete', ACCOUNT: 'account' };
const LIFETIMES = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: 0, label: 'Never' },
];

function expiry(iso: string | null): string {
  if (!iso) return 'never';
  return new Date(iso).getTime() <= Date.now() ? `expired ${when(iso)}` : when(iso);
}

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
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    if (!name) return;
    const scopes = data.getAll('scope').map(String) as Scope[];
    const days = Number(data.get('lifetime') ?? 0);
    const expiresAt = days > 0 ? new Date(Date.now() + days * 86_400_000).toISOString() : null;
    try {
      const { createApiToken } = await gqlFetch(CREATE_API_TOKEN, { name, scopes: ['READ', ...scopes], expiresAt });
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
          Scripts and integrations use the GraphQL API at <code>/api/graphql</code> with <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as you, within
          the scopes you give it (every token can read what you can read): keep it secret, and revoke it when you no longer need it.
        </p>
        <form className="card token-form" onSubmit={create}>
          <label>
            Token name
            <input name="name" required maxLength={100} placeholder="e.g. Import script" />
          </label>
          <label>
            Expires
            <select name="lifetime" defaultValue="90">
              {LIFETIMES.map((l) => (
                <option key={l.days} value={l.days}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="token-scopes">
            <legend>It may also</legend>
            {SCOPE_CHOICES.map((c) => (
              <label key={c.scope}>
                <input type="checkbox" name="scope" value={c.scope} defaultChecked={c.checked} /> {c.label} <span className="muted small">({c.hint})</span>
              </label>
            ))}
          </fieldset>
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
              className="button primary copy-token"
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
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
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
                  <td>{t.scopes.map((s) => SCOPE_LABELS[s]).join(', ')}</td>
                  <td>{when(t.createdAt)}</td>
                  <td>{when(t.lastUsedAt)}</td>
                  <td>{expiry(t.expiresAt)}</td>
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
