'use client';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Role } from '@/lib/api-client/gql/graphql.ts';
import { errorMessage, gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import { COLLABORATORS, REMOVE_COLLABORATOR, SHARE_DOCUMENT, UPDATE_COLLABORATOR_ROLE } from '@/lib/api-client/queries.ts';
import type { ResultOf } from '@/lib/api-client/typed-document.ts';
import { colorFor, initials } from '@/lib/api-client/colors.ts';
import { PendingInvitations, ShareLinkSection } from './share-link-section.tsx';
import { Notices } from '../notices.tsx';

type Collaborator = ResultOf<typeof COLLABORATORS>['collaborators'][number];

const ROLES: ReadonlyArray<{ role: Role; label: string; hint: string }> = [
  { role: 'VIEWER', label: 'Viewer', hint: 'can read, with live updates' },
  { role: 'COMMENTER', label: 'Commenter', hint: 'can read (comments are coming)' },
  { role: 'EDITOR', label: 'Editor', hint: 'can edit, rename and restore versions' },
  { role: 'OWNER', label: 'Owner', hint: 'can also share and delete' },
];

/** How a collaborator is named: their name; their address where it is shown (owners, yourself); never blank. */
const nameOf = (user: { name: string | null; email: string | null }) => user.name ?? user.email ?? 'Unnamed collaborator';

/**
 * Share a document: invite by email with a role; list, change and remove collaborators; see and
 * cancel pending invitations; share by link (owners).
 */
export function ShareDialog({ documentId, title, myRole, meId, onClose }: { documentId: string; title: string; myRole: Role; meId: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [people, setPeople] = useState<Collaborator[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Bumped after every change, so the pending invitations list reloads too.
  const [changes, setChanges] = useState(0);
  const owner = myRole === 'OWNER';

  const load = useCallback(async () => {
    try {
      setPeople((await gqlFetch(COLLABORATORS, { documentId })).collaborators);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [documentId]);

  useEffect(() => {
    dialog.current?.showModal();
    void load();
  }, [load]);

  /** Runs an action; true when it succeeded (the error is shown otherwise). `succeeded` runs before the notice shows. */
  async function act(action: () => Promise<unknown>, done: string, succeeded?: () => void): Promise<boolean> {
    setError(null);
    try {
      await action();
      succeeded?.();
      setNotice(done);
      setChanges((n) => n + 1);
      await load();
      return true;
    } catch (e) {
      setError(errorMessage(e));
      setNotice(null);
      return false;
    }
  }

  async function invite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    const role = String(data.get('role') ?? 'VIEWER') as Role;
    if (!email) return;
    // The same notice whether or not an account uses the address (nothing to learn from it).
    // Cleared as the notice appears (not after the list reloads); after an error the address stays
    // in the field, to correct or send again.
    await act(() => gqlFetch(SHARE_DOCUMENT, { documentId, email, role }), `Shared with ${email}.`, () => form.reset());
  }

  return (
    <dialog ref={dialog} className="share-dialog" aria-labelledby="share-title" onClose={onClose}>
      <div className="dialog-head">
        <h2 id="share-title">Share “{title}”</h2>
        <button type="button" className="button-link" onClick={() => dialog.current?.close()} aria-label="Close sharing">
          ✕
        </button>
      </div>
      {owner ? (
        <form className="invite-form" onSubmit={invite}>
          <div className="field grow">
            <label htmlFor="invite-email">Email</label>
            <input id="invite-email" name="email" type="email" required placeholder="name@example.com" autoFocus />
          </div>
          <div className="field">
            <label htmlFor="invite-role">Role</label>
            <select id="invite-role" name="role" defaultValue="EDITOR">
              {ROLES.map((r) => (
                <option key={r.role} value={r.role}>
                  {r.label}
                </option>
              ))}
            </select>
          </div>
          <button className="button primary" type="submit">
            Invite
          </button>
        </form>
      ) : (
        <p className="muted">Only owners can invite people or change roles.</p>
      )}
      <Notices notice={notice} error={error} />
      {owner && <ShareLinkSection documentId={documentId} act={act} onChanged={() => void load()} />}
      <h3>People with access</h3>
      {people === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="collaborators">
          {people.map((c) => (
            <li key={c.user.id}>
              <span className="avatar" style={{ background: colorFor(c.user.id) }} aria-hidden="true">
                {initials(c.user.name, c.user.email)}
              </span>
              <span className="who">
                <span>
                  {nameOf(c.user)}
                  {c.user.id === meId ? ' (you)' : ''}
                </span>
                {c.user.email && <span className="muted small">{c.user.email}</span>}
                {c.viaLink && <span className="muted small">Joined through the link</span>}
              </span>
              {owner && c.user.id !== meId ? (
                <>
                  <label className="visually-hidden" htmlFor={`role-${c.user.id}`}>
                    Role of {nameOf(c.user)}
                  </label>
                  <select
                    id={`role-${c.user.id}`}
                    value={c.role}
                    onChange={(e) =>
                      void act(() => gqlFetch(UPDATE_COLLABORATOR_ROLE, { documentId, userId: c.user.id, role: e.target.value as Role }), `${nameOf(c.user)} is now ${e.target.value.toLowerCase()}.`)
                    }
                  >
                    {ROLES.map((r) => (
                      <option key={r.role} value={r.role}>
                        {r.label}
                      </option>
                    ))}
                  </select>
                  <button
                    type="button"
                    className="button-link danger"
                    onClick={() => void act(() => gqlFetch(REMOVE_COLLABORATOR, { documentId, userId: c.user.id }), `Removed ${nameOf(c.user)}.`)}
                  >
                    Remove<span className="visually-hidden"> {nameOf(c.user)}</span>
                  </button>
                </>
              ) : (
                <span className={`role role-${c.role.toLowerCase()}`}>{ROLES.find((r) => r.role === c.role)?.label}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {owner && <PendingInvitations documentId={documentId} act={act} version={changes} />}
      <p className="muted small">{ROLES.map((r) => `${r.label}s ${r.hint}`).join('; ')}.</p>
    </dialog>
  );
}
