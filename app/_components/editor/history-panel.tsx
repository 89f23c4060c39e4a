'use client';
/**
 * The history panel: revisions newest first, grouped by day, named versions highlighted, authors
 * in their colours; a read-only preview of any version with what changed highlighted; name a
 * version; restore one (a new operation: history is kept, and live editors receive it).
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type Quill from 'quill';
import { colorFor } from '@/lib/client/colors.ts';
import { highlightChanges } from '@/lib/client/highlight-changes.ts';
import { NAME_VERSION, RESTORE_VERSION, REVISIONS, REVISION_PREVIEW } from '@/lib/client/history-queries.ts';
import { errorMessage, gqlFetch } from '@/lib/client/http.ts';
import type { ResultOf } from '@/lib/client/typed-document.ts';
import { deltaFromJson } from '@/lib/client/typed-document.ts';

type Revision = NonNullable<ResultOf<typeof REVISIONS>['document']>['revisions']['edges'][number]['node'];

const dayOf = (iso: string) => {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
};
const timeOf = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

function groupByDay(revisions: Revision[]): Array<{ day: string; items: Revision[] }> {
  const groups: Array<{ day: string; items: Revision[] }> = [];
  for (const r of revisions) {
    const day = dayOf(r.createdAt);
    const last = groups[groups.length - 1];
    if (last && last.day === day) last.items.push(r);
    else groups.push({ day, items: [r] });
  }
  return groups;
}

export interface HistoryPanelProps {
  documentId: string;
  /** The live head version (reloads the list when it moves). */
  headVersion: number;
  canEdit: boolean;
  onClose: () => void;
  /** Shows (or, with null, hides) the preview in place of the editor. */
  onPreview: (preview: { revision: Revision } | null) => void;
  previewMount: HTMLDivElement | null;
  previewing: Revision | null;
}

/** What a person can read in an entry: how many edits it holds (the version number is in its tooltip). */
function editCount(r: { fromVersion: number; toVersion: number }): string {
  const n = r.toVersion - r.fromVersion;
  return n === 1 ? '1 edit' : `${n.toLocaleString()} edits`;
}

export function HistoryPanel({ documentId, headVersion, canEdit, onClose, onPreview, previewMount, previewing }: HistoryPanelProps) {
  const [revisions, setRevisions] = useState<Revision[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [naming, setNaming] = useState<string | null>(null);
  const previewQuill = useRef<Quill | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      try {
        const { document } = await gqlFetch(REVISIONS, { id: documentId, first: 50, after });
        if (!document) throw new Error('The document is no longer available.');
        const page = document.revisions.edges.map((e) => e.node);
        setRevisions((previous) => (after && previous ? [...previous, ...page] : page));
        setNext(document.revisions.pageInfo.hasNextPage ? document.revisions.pageInfo.endCursor : null);
        setError(null);
      } catch (e) {
        setError(errorMessage(e));
      }
    },
    [documentId],
  );

  // Reload when the document moves on (debounced: typing produces many versions).
  useEffect(() => {
    const timer = setTimeout(() => void load(null), revisions === null ? 0 : 1500);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load, headVersion]);

  // Render the preview of the selected revision into the mount the editor page gives us.
  useEffect(() => {
    if (!previewing || !previewMount) return;
    let live = true;
    void (async () => {
      try {
        const [{ default: QuillClass }, { document: found }] = await Promise.all([
          import('quill'),
          gqlFetch(REVISION_PREVIEW, { id: documentId, fromVersion: previewing.fromVersion, toVersion: previewing.toVersion }),
        ]);
        if (!live) return;
        if (!found) throw new Error('The document is no longer available.');
        if (!previewQuill.current) {
          previewMount.replaceChildren();
          const surface = document.createElement('div');
          previewMount.appendChild(surface);
          previewQuill.current = new QuillClass(surface, { theme: 'snow', readOnly: true, modules: { toolbar: false } });
          previewQuill.current.root.setAttribute('aria-label', 'Preview of the selected version (read-only)');
        }
        previewQuill.current.setContents(highlightChanges(deltaFromJson(found.at.content), deltaFromJson(found.diff)), 'silent');
      } catch (e) {
        if (live) setError(errorMessage(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [previewing, previewMount, documentId]);

  useEffect(() => {
    if (!previewing) previewQuill.current = null;
  }, [previewing]);

  async function restore(revision: Revision) {
    try {
      const { restoreVersion } = await gqlFetch(RESTORE_VERSION, { documentId, version: revision.toVersion });
      setNotice(`Restored the version of ${timeOf(revision.createdAt)}${revision.name ? ` (“${revision.name}”)` : ''} as version ${restoreVersion.version}.`);
      onPreview(null);
      await load(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function name(event: FormEvent<HTMLFormElement>, revision: Revision) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('name') ?? '').trim();
    if (!value) return;
    try {
      await gqlFetch(NAME_VERSION, { documentId, version: revision.toVersion, name: value });
      setNaming(null);
      setNotice(`Named this version “${value}”.`);
      await load(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <aside className="history-panel" aria-labelledby="history-title">
      <div className="history-head">
        <h2 id="history-title">History</h2>
        <button type="button" className="button-link" onClick={onClose} aria-label="Close history">
          ✕
        </button>
      </div>
      <p className="notice" role="status" aria-live="polite">
        {notice}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {previewing && (
        <div className="history-previewing card">
          <p>
            Previewing <strong>{previewing.name ?? `the version of ${timeOf(previewing.createdAt)}`}</strong>. Added text is <span className="key-inserted">green</span>, removed
            text <span className="key-deleted">struck through</span>.
          </p>
          <div className="history-preview-actions">
            {canEdit && (
              <button type="button" className="button primary" onClick={() => void restore(previewing)}>
                Restore this version
              </button>
            )}
            <button type="button" className="button" onClick={() => onPreview(null)}>
              Back to editing
            </button>
          </div>
        </div>
      )}
      {revisions === null ? (
        <p className="muted">Loading…</p>
      ) : revisions.length === 0 ? (
        <p className="muted">No changes yet.</p>
      ) : (
        groupByDay(revisions).map((group) => (
          <section key={group.day} className="history-day" aria-label={group.day}>
            <h3>{group.day}</h3>
            <ol className="revisions">
              {group.items.map((r) => (
                <li key={r.id} className={`revision${r.name ? ' named' : ''}${previewing?.id === r.id ? ' selected' : ''}`}>
                  <button type="button" className="revision-open" aria-pressed={previewing?.id === r.id} onClick={() => onPreview({ revision: r })}>
                    {r.name && <span className="revision-name">{r.name}</span>}
                    <span className="revision-time">
                      {timeOf(r.startedAt) === timeOf(r.createdAt) ? timeOf(r.createdAt) : `${timeOf(r.startedAt)} – ${timeOf(r.createdAt)}`}
                      <span className="muted small" title={`Version ${r.toVersion}`}> · {editCount(r)}</span>
                    </span>
                    <span className="revision-authors">
                      {r.authors.length === 0 ? (
                        <span className="muted small">Created</span>
                      ) : (
                        r.authors.map((a) => (
                          <span key={a.id} className="author">
                            <span className="author-dot" style={{ background: colorFor(a.id) }} aria-hidden="true" />
                            {a.name ?? 'Someone'}
                          </span>
                        ))
                      )}
                    </span>
                  </button>
                  {canEdit &&
                    (naming === r.id ? (
                      <form className="name-form" onSubmit={(e) => void name(e, r)}>
                        <label className="visually-hidden" htmlFor={`name-${r.id}`}>
                          Name for this version
                        </label>
                        <input id={`name-${r.id}`} name="name" defaultValue={r.name ?? ''} maxLength={200} autoFocus placeholder="e.g. First draft" />
                        <button type="submit" className="button">
                          Save
                        </button>
                        <button type="button" className="button-link" onClick={() => setNaming(null)}>
                          Cancel
                        </button>
                      </form>
                    ) : (
                      <button type="button" className="button-link small" onClick={() => setNaming(r.id)}>
                        {r.name ? 'Rename version' : 'Name this version'}
                      </button>
                    ))}
                </li>
              ))}
            </ol>
          </section>
        ))
      )}
      {next && (
        <button type="button" className="button more" onClick={() => void load(next)}>
          Older changes
        </button>
      )}
    </aside>
  );
}
