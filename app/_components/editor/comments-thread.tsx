'use client';
/** One comment thread in the sidebar: its quote, comments, reply box, resolve/reopen, edit and delete. */
import { useState } from 'react';
import { DELETE_COMMENT, EDIT_COMMENT, REPLY_TO_COMMENT_THREAD, RESOLVE_COMMENT_THREAD } from '@/lib/api-client/comments-queries.ts';
import { errorMessage, gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import type { LiveThread, ThreadData } from './comments-live.tsx';

export interface ThreadCardProps {
  readonly live: LiveThread;
  readonly meId: string;
  /** OWNER, EDITOR and COMMENTER comment; VIEWER reads. */
  readonly canComment: boolean;
  readonly isOwner: boolean;
  readonly active: boolean;
  readonly top: number | null;
  readonly onActivate: () => void;
  readonly onChanged: (thread: ThreadData) => void;
  readonly cardRef: (element: HTMLElement | null) => void;
}

const time = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function ThreadCard({ live, meId, canComment, isOwner, active, top, onActivate, onChanged, cardRef }: ThreadCardProps) {
  const { thread, range, place } = live;
  const [reply, setReply] = useState('');
  const [editing, setEditing] = useState<{ id: string; body: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const resolve = (resolved: boolean) =>
    run(async () => onChanged((await gqlFetch(RESOLVE_COMMENT_THREAD, { threadId: thread.id, resolved })).resolveCommentThread));
  const sendReply = () =>
    run(async () => {
      await gqlFetch(REPLY_TO_COMMENT_THREAD, { threadId: thread.id, body: reply });
      setReply('');
    });
  const saveEdit = () =>
    run(async () => {
      if (!editing) return;
      await gqlFetch(EDIT_COMMENT, { commentId: editing.id, body: editing.body });
      setEditing(null);
    });
  const remove = (commentId: string) => run(() => gqlFetch(DELETE_COMMENT, { commentId }));

  return (
    <article
      ref={cardRef}
      className={`comment-thread card${active ? ' active' : ''}${thread.resolved ? ' resolved' : ''}`}
      style={top === null ? undefined : { top }}
      data-testid="comment-thread"
      data-thread-id={thread.id}
      data-resolved={String(thread.resolved)}
      data-anchor={place.kind}
      data-anchor-index={range?.index ?? ''}
      data-anchor-length={range?.length ?? ''}
      aria-label={`Comment thread on “${thread.quote.slice(0, 60)}”`}
      onClick={onActivate}
    >
      <blockquote className={`comment-quote${place.kind === 'deleted' ? ' deleted' : ''}`}>
        {place.kind === 'deleted' && <span className="comment-deleted-note">The commented text was deleted: </span>}
        {thread.quote}
      </blockquote>
      {thread.resolved && <p className="comment-resolved-note muted">Resolved</p>}
      <ol className="comment-list">
        {thread.comments.map((c) => (
          <li key={c.id} className="comment" data-testid="comment">
            <p className="comment-meta">
              <strong>{c.author?.name ?? (c.author ? 'Someone' : 'Deleted account')}</strong>{' '}
              <time dateTime={c.createdAt}>{time(c.createdAt)}</time>
              {c.editedAt && <span className="muted"> (edited)</span>}
            </p>
            {editing && editing.id === c.id ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void saveEdit();
                }}
              >
                <textarea aria-label="Edit your comment" value={editing.body} onChange={(e) => setEditing({ id: c.id, body: e.target.value })} rows={3} />
                <div className="comment-buttons">
                  <button type="submit" className="button primary" disabled={busy}>
                    Save
                  </button>
                  <button type="button" className="button" onClick={() => setEditing(null)}>
                    Cancel
                  </button>
                </div>
              </form>
            ) : (
              <p className="comment-body">{c.body}</p>
            )}
            {canComment && editing?.id !== c.id && (c.author?.id === meId || isOwner) && (
              <div className="comment-buttons">
                {c.author?.id === meId && (
                  <button type="button" className="button-link" onClick={() => setEditing({ id: c.id, body: c.body })}>
                    Edit
                  </button>
                )}
                <button type="button" className="button-link" disabled={busy} onClick={() => void remove(c.id)}>
                  Delete
                </button>
              </div>
            )}
          </li>
        ))}
      </ol>
      {thread.comments.length === 0 && <p className="muted">All comments of this thread were deleted.</p>}
      {canComment && !thread.resolved && (
        <form
          className="comment-reply"
          onSubmit={(e) => {
            e.preventDefault();
            void sendReply();
          }}
        >
          <textarea aria-label="Reply" placeholder="Reply…" value={reply} onChange={(e) => setReply(e.target.value)} rows={active ? 2 : 1} />
          {reply.trim() && (
            <button type="submit" className="button primary" disabled={busy}>
              Reply
            </button>
          )}
        </form>
      )}
      {canComment && (
        <div className="comment-buttons">
          <button type="button" className="button" disabled={busy} onClick={() => void resolve(!thread.resolved)}>
            {thread.resolved ? 'Reopen' : 'Resolve'}
          </button>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
