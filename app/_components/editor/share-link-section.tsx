'use client';
import { useCallback, useEffect, useState } from 'react';
import type { Role } from '@/lib/api-client/gql/graphql.ts';
import { gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import { CANCEL_INVITATION, DOCUMENT_INVITATIONS, LINK_SHARING, RESET_SHARE_LINK, SET_LINK_SHARING } from '@/lib/api-client/queries.ts';
import type { ResultOf } from '@/lib/api-client/typed-document.ts';

type LinkSharing = NonNullable<NonNullable<ResultOf<typeof LINK_SHARING>['document']>['linkSharing']>;
type Invitation = ResultOf<typeof DOCUMENT_INVITATIONS>['documentInvitations'][number];
/** Runs an action with the dialog's notice and error handling; true when it succeeded. */
type Act = (action: () => Promise<unknown>, done: string) => Promise<boolean>;

const LINK_ROLES: ReadonlyArray<{ role: Role; label: string }> = [
  { role: 'VIEWER', label: 'Viewer' },
  { role: 'COMMENTER', label: 'Commenter' },
  { role: 'EDITOR', label: 'Editor' },
];

/** "Anyone with the link" (owners): turn on with a role, copy, change the role, replace, turn off. */
export function ShareLinkSection({ documentId, act, onChanged }: { documentId: string; act: Act; onChanged: () => void }) {
  const [link, setLink] = useState<LinkSharing | null | undefined>(undefined);
  const [copied, setCopied] = useState(false);

  const load = useCallback(async () => {
    setLink((await gqlFetch(LINK_SHARING, { id: documentId })).document?.linkSharing ?? null);
  }, [documentId]);
  useEffect(() => {
    void load().catch(() => setLink(null));
  }, [load]);

  async function change(action: () => Promise<{ linkSharing: LinkSharing | null }>, done: string) {
    let next: LinkSharing | null = null;
    if (await act(async () => (next = (await action()).linkSharing), done)) {
      setLink(next);
      setCopied(false);
      onChanged();
    }
  }

  const setRole = (role: Role | null) =>
    change(async () => (await gqlFetch(SET_LINK_SHARING, { documentId, role })).setLinkSharing, role ? `Anyone with the link can now open it as ${role.toLowerCase()}.` : 'Link sharing is off; the link no longer works.');

  async function copy(url: string) {
    await navigator.clipboard.writeText(url).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  }

  if (link === undefined) return <p className="muted">Loading the link…</p>;
  return (
    <section className="share-link" aria-labelledby="share-link-title">
      <h3 id="share-link-title">Anyone with the link</h3>
      <div className="invite-form">
        <div className="field">
          <label htmlFor="link-role">Access</label>
          <select id="link-role" value={link?.role ?? 'OFF'} onChange={(e) => void setRole(e.target.value === 'OFF' ? null : (e.target.value as Role))}>
            <option value="OFF">Off: only people added</option>
            {LINK_ROLES.map((r) => (
              <option key={r.role} value={r.role}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        {link && (
          <>
            <div className="field grow">
              <label htmlFor="link-url">Link</label>
              <input id="link-url" readOnly value={link.url} onFocus={(e) => e.currentTarget.select()} />
            </div>
            <button type="button" className="button primary" onClick={() => void copy(link.url)}>
              {copied ? 'Copied' : 'Copy link'}
            </button>
            <button
              type="button"
              className="button-link danger"
              onClick={() => void change(async () => (await gqlFetch(RESET_SHARE_LINK, { documentId })).resetShareLink, 'The link was replaced: the old one no longer works, and people who joined through it lost access.')}
            >
              Replace link
            </button>
          </>
        )}
      </div>
      {link && <p className="muted small">Signed-in people who open it become {link.role.toLowerCase()}s until the link is turned off or replaced.</p>}
    </section>
  );
}

/** Invitations to addresses without an account yet (owners): listed, each can be cancelled. */
export function PendingInvitations({ documentId, act, version }: { documentId: string; act: Act; version: number }) {
  const [invitations, setInvitations] = useState<Invitation[] | null>(null);
  const load = useCallback(async () => {
    setInvitations((await gqlFetch(DOCUMENT_INVITATIONS, { documentId })).documentInvitations);
  }, [documentId]);
  useEffect(() => {
    void load().catch(() => setInvitations([]));
  }, [load, version]);

  if (!invitations || invitations.length === 0) return null;
  return (
    <section aria-labelledby="pending-title">
      <h3 id="pending-title">Invited, no account yet</h3>
      <ul className="collaborators">
        {invitations.map((i) => (
          <li key={i.email}>
            <span className="who">
              <span>{i.email}</span>
              <span className="muted small">Gets {i.role.toLowerCase()} access when they sign up</span>
            </span>
            <button type="button" className="button-link danger" onClick={() => void act(() => gqlFetch(CANCEL_INVITATION, { documentId, email: i.email }), `Cancelled the invitation of ${i.email}.`).then(() => load())}>
              Cancel invitation<span className="visually-hidden"> of {i.email}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
