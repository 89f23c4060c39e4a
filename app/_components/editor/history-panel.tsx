'use client';
/**
 * The history panel: revisions newest first, grouped by day, named versions highlighted, authors
 * in their colours; a read-only preview of any version with what changed highlighted; name a
 * version; restore one (a new operation: history is kept, and live editors receive it).
 *
 * The server keeps fine entries (one per author and per pause of a minute, one per restore:
 * lib/collab/SPEC.md H3–H3b). By default the panel shows them by sitting: consecutive plain entries
 * less than ten minutes apart read as one row; "More detail" shows every entry with its exact
 * times and versions. The list follows the document live (at most one reload every 1.5 s).
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type Quill from 'quill';
import { colorFor } from '@/lib/api-client/colors.ts';
import { highlightChanges } from '@/lib/api-client/highlight-changes.ts';
import { HISTORY_VERSIONS, NAME_VERSION, RESTORE_VERSION, REVISIONS, REVISION_PREVIEW, withRefreshedFirstPage } from '@/lib/api-client/history-queries.ts';
import { acquireBrowserClient } from '@/lib/api-client/ws-client.ts';
import { errorMessage, gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import type { ResultOf } from '@/lib/api-client/typed-document.ts';
import { deltaFromJson } from '@/lib/api-client/typed-document.ts';
import { Notices } from '../notices.tsx';

type Revision = NonNullable<ResultOf<typeof REVISIONS>['document']>['revisions']['edges'][number]['node'];

/** Consecutive plain entries closer than this read as one sitting in the default view. */
const SITTING_GAP_MS = 10 * 60_000;
/** The list reloads at most this often while the document moves. */
const RELOAD_EVERY_MS = 1500;

/**
 * Entries as the default view shows them (newest first in, newest first out): runs of plain
 * entries (no name, no restore) of one day, each less than {@link SITTING_GAP_MS} after the
 * previous, merged into one row covering all of them.
 */
export function bySitting(revisions: readonly Revision[]): Revision[] {
  const rows: Revision[] = [];
  for (const r of revisions) {
    const newer = rows[rows.length - 1];
    const plain = (x: Revision) => !x.name && !x.restore;
    if (
      newer &&
      plain(newer) &&
      plain(r) &&
      newer.fromVersion === r.toVersion &&
      dayOf(newer.startedAt) === dayOf(r.createdAt) &&
      new Date(newer.startedAt).getTime() - new Date(r.createdAt).getTime() < SITTING_GAP_MS
    ) {
      const authors = [...r.authors, ...newer.authors.filter((a) => !r.authors.some((b) => b.id === a.id))];
      rows[rows.length - 1] = { ...newer, id: `${newer.id}+${r.id}`, fromVersion: r.fromVersion, startedAt: r.startedAt, authors };
    } else rows.push(r);
  }
  return rows;
}

const dayOf = (iso: string) => {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
};
const timeOf = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
const exactTimeOf = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

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
  /** The editor's version (reloads the list when it moves; others' edits arrive on the panel's own stream). */
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
  const [detail, setDetail] = useState(false);
  const previewQuill = useRef<Quill | null>(null);
  const lastLoad = useRef(0);
  /** Pages of the list loaded so far (the first, then each "More"). */
  const pagesLoaded = useRef(0);

  const load = useCallback(
    async (after: string | null) => {
      try {
        const { document } = await gqlFetch(REVISIONS, { id: documentId, first: 50, after });
        if (!document) throw new Error('The document is no longer available.');
        const page = document.revisions.edges.map((e) => e.node);
        const cursor = document.revisions.pageInfo.hasNextPage ? document.revisions.pageInfo.endCursor : null;
        if (after) {
          pagesLoaded.current += 1;
          setRevisions((previous) => [...(previous ?? []), ...page]);
          setNext(cursor);
        } else if (pagesLoaded.current > 1) {
          // A live refresh while older pages are shown: keep them, and where "More" continues.
          setRevisions((previous) => withRefreshedFirstPage(previous, page));
        } else {
          pagesLoaded.current = 1;
          setRevisions(page);
          setNext(cursor);
        }
        setError(null);
      } catch (e) {
        setError(errorMessage(e));
      }
    },
    [documentId],
  );

  // The editor's own version moves with local edits only; others' edits reach the panel through a
  // stream of versions of its own (a few bytes per batch).
  const [streamVersion, setStreamVersion] = useState(0);
  const openedAt = useRef(headVersion);
  useEffect(() => {
    const { client, dispose } = acquireBrowserClient();
    const stop = client.subscribe<ResultOf<typeof HISTORY_VERSIONS>>(
      { query: HISTORY_VERSIONS.toString(), variables: { documentId, fromVersion: openedAt.current } },
      {
        next: (result) => {
          const last = result.data?.documentOperationBatches.operations.at(-1)?.version;
          if (last !== undefined) setStreamVersion((v) => Math.max(v, last));
        },
        error: () => {},
        complete: () => {},
      },
    );
    return () => {
      stop();
      dispose();
    };
  }, [documentId]);
  const liveVersion = Math.max(headVersion, streamVersion);

  // Follow the document live: reload when it moves on, at most every RELOAD_EVERY_MS (throttled,
  // not debounced: someone typing without a break must not freeze the list).
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (reloadTimer.current) return;
    const wait = Math.max(0, lastLoad.current + RELOAD_EVERY_MS - Date.now());
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = null;
      lastLoad.current = Date.now();
      void load(null);
    }, wait);
  }, [load, liveVersion]);
  useEffect(
    () => () => {
      if (reloadTimer.current) clearTimeout(reloadTimer.current);
      reloadTimer.current = null;
    },
    [],
  );

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
      const what = revision.id.endsWith(':before') ? 'the text from just before that restore' : revision.name ? `“${revision.name}”` : `the version of ${timeOf(revision.createdAt)}`;
      setNotice(`Restored ${what}; the restore is the newest entry (${restoreVersion.duplicate ? 'already applied' : 'history kept'}).`);
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
      <Notices notice={notice} error={error} />
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
      {revisions !== null && revisions.length > 0 && (
        <div className="history-view">
          <button type="button" className="button-link small" aria-pressed={detail} onClick={() => setDetail((d) => !d)}>
            {detail ? 'Fewer details' : 'More detail'}
          </button>
        </div>
      )}
      {revisions === null ? (
        <p className="muted">Loading…</p>
      ) : revisions.length === 0 ? (
        <p className="muted">No changes yet.</p>
      ) : (
        groupByDay(detail ? revisions : bySitting(revisions)).map((group) => (
          <section key={group.day} className="history-day" aria-label={group.day}>
            <h3>{group.day}</h3>
            <ol className="revisions">
              {group.items.map((r) => (
                <li
                  key={r.id}
                  className={`revision${r.name ? ' named' : ''}${r.restore ? ' restore' : ''}${previewing?.id === r.id ? ' selected' : ''}`}
                  data-from-version={r.fromVersion}
                  data-to-version={r.toVersion}
                >
                  <button type="button" className="revision-open" aria-pressed={previewing?.id === r.id} onClick={() => onPreview({ revision: r })}>
                    {r.name && <span className="revision-name">{r.name}</span>}
                    <span className="revision-time">
                      {detail
                        ? `${exactTimeOf(r.startedAt)}${r.startedAt === r.createdAt ? '' : ` – ${exactTimeOf(r.createdAt)}`}`
                        : timeOf(r.startedAt) === timeOf(r.createdAt)
                          ? timeOf(r.createdAt)
                          : `${timeOf(r.startedAt)} – ${timeOf(r.createdAt)}`}
                      {detail ? (
                        <span className="muted small" title={`Version ${r.toVersion}`}>
                          {' '}
                          · {r.toVersion - r.fromVersion === 1 ? `change ${r.toVersion}` : `changes ${r.fromVersion + 1}–${r.toVersion}`}
                        </span>
                      ) : (
                        <span className="muted small" title={`Version ${r.toVersion}`}> · {editCount(r)}</span>
                      )}
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
                  {r.restore && (
                    <button
                      type="button"
                      className="button-link small"
                      onClick={() =>
                        onPreview({ revision: { ...r, id: `${r.id}:before`, toVersion: r.fromVersion, createdAt: r.startedAt, name: 'the text just before this restore', restore: null } })
                      }
                    >
                      Text before this restore
                    </button>
                  )}
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
