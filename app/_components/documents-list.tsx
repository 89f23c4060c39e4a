'use client';
import Link from 'next/link';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { DocumentFilter } from '@/lib/api-client/gql/graphql.ts';
import { errorMessage, gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import { CREATE_DOCUMENT, DOCUMENTS, MOVE_DOCUMENT_TO_TRASH, RENAME_DOCUMENT, RESTORE_DOCUMENT_FROM_TRASH } from '@/lib/api-client/queries.ts';
import type { ResultOf } from '@/lib/api-client/typed-document.ts';
import { ImportDocument } from './import-document.tsx';
import { Notices } from './notices.tsx';

type Edge = ResultOf<typeof DOCUMENTS>['documents']['edges'][number];
/** A listed document; search results also carry the excerpt that matched. */
type Row = Edge['node'] & { snippet: Edge['snippet']; highlights: Edge['snippetHighlights'] };

/** Search as you type: the request waits for this pause in typing. */
const SEARCH_DEBOUNCE_MS = 250;

/** A search excerpt with its matched words marked: text nodes only, so no markup from a document is ever rendered. */
function Snippet({ text, highlights }: { text: string; highlights: Row['highlights'] }) {
  const parts: Array<{ text: string; match: boolean }> = [];
  let at = 0;
  for (const h of highlights) {
    if (h.start > at) parts.push({ text: text.slice(at, h.start), match: false });
    parts.push({ text: text.slice(h.start, h.start + h.length), match: true });
    at = h.start + h.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  // Inline layout: a row of its own under the title, meta and actions (the list is a grid).
  return <p className="snippet" style={{ gridColumn: '1 / -1', margin: 0, color: 'var(--muted)', fontSize: '0.9rem' }}>{parts.map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}</p>;
}

const TABS: ReadonlyArray<{ filter: DocumentFilter; label: string; empty: string }> = [
  { filter: 'ALL', label: 'All documents', empty: 'No documents yet. Create one to start writing.' },
  { filter: 'OWNED', label: 'Owned by me', empty: 'You own no documents yet.' },
  { filter: 'SHARED', label: 'Shared with me', empty: 'Nobody has shared a document with you yet.' },
  { filter: 'TRASH', label: 'Trash', empty: 'The trash is empty.' },
];

/** The API's limit (MAX_TITLE_LENGTH in graphql/types/document.ts): longer titles are refused, never cut. */
const MAX_TITLE_LENGTH = 200;

/** Why a title cannot be saved, said before sending it; null when it can. */
function titleProblem(title: string): string | null {
  return title.length > MAX_TITLE_LENGTH ? `A title may have at most ${MAX_TITLE_LENGTH} characters; this one has ${title.length}.` : null;
}

/** A title short enough for a one-line notice. */
function shortTitle(title: string): string {
  const chars = [...title];
  return chars.length > 60 ? `${chars.slice(0, 57).join('').trimEnd()}…` : title;
}

const ROLE_LABEL: Record<Row['myRole'], string> = { OWNER: 'Owner', EDITOR: 'Editor', COMMENTER: 'Commenter', VIEWER: 'Viewer' };

function formatTime(iso: string): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** The documents list: tabs (all, owned, shared with me, trash), full-text search as you type, create, rename, trash and restore. */
export function DocumentsList() {
  const [filter, setFilter] = useState<DocumentFilter>('ALL');
  const [search, setSearch] = useState('');
  const [rows, setRows] = useState<Row[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [newTitle, setNewTitle] = useState('');
  const [renameTitle, setRenameTitle] = useState('');
  const request = useRef(0);
  const searchId = useId();

  const load = useCallback(async (after: string | null) => {
    const ticket = ++request.current;
    setSearching(search.trim() !== '');
    try {
      const { documents } = await gqlFetch(DOCUMENTS, { first: 30, after, search: search.trim() || null, filter });
      if (ticket !== request.current) return;
      const page = documents.edges.map((e) => ({ ...e.node, snippet: e.snippet, highlights: e.snippetHighlights }));
      setRows((previous) => (after && previous ? [...previous, ...page] : page));
      setNext(documents.pageInfo.hasNextPage ? documents.pageInfo.endCursor : null);
      setError(null);
    } catch (e) {
      if (ticket === request.current) setError(errorMessage(e));
    } finally {
      if (ticket === request.current) setSearching(false);
    }
  }, [filter, search]);

  useEffect(() => {
    const timer = setTimeout(() => void load(null), search ? SEARCH_DEBOUNCE_MS : 0);
    return () => clearTimeout(timer);
  }, [load, search]);

  async function act(action: () => Promise<unknown>, done: string) {
    try {
      await action();
      setNotice(done);
      await load(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const title = newTitle.trim();
    if (titleProblem(title)) return;
    try {
      const { createDocument } = await gqlFetch(CREATE_DOCUMENT, { title: title || null });
      location.assign(`/docs/${encodeURIComponent(createDocument.id)}`);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  const tab = TABS.find((t) => t.filter === filter) ?? TABS[0]!;
  return (
    <main className="documents-page">
      <div className="documents-top">
        <h1>Documents</h1>
        <form className="create-form" onSubmit={create}>
          <label className="visually-hidden" htmlFor="new-title">
            Title of the new document
          </label>
          <input
            id="new-title"
            name="title"
            placeholder="Untitled document"
            value={newTitle}
            onChange={(e) => setNewTitle(e.target.value)}
            aria-invalid={titleProblem(newTitle.trim()) !== null}
            aria-describedby="new-title-problem"
          />
          <button className="button primary" type="submit" disabled={titleProblem(newTitle.trim()) !== null}>
            New document
          </button>
          <p id="new-title-problem" className="field-error" role="alert" hidden={!titleProblem(newTitle.trim())}>
            {titleProblem(newTitle.trim())}
          </p>
        </form>
        <ImportDocument />
      </div>
      <div className="documents-tools">
        <div role="tablist" aria-label="Which documents" className="tabs">
          {TABS.map((t) => (
            <button
              key={t.filter}
              role="tab"
              type="button"
              aria-selected={t.filter === filter}
              className={t.filter === filter ? 'tab active' : 'tab'}
              onClick={() => {
                setFilter(t.filter);
                setRows(null);
                setNotice(null);
              }}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div className="search">
          <label htmlFor={searchId}>Search titles and text</label>
          <input id={searchId} type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Words in titles or text…" aria-busy={searching} />
          <span className="search-status muted" role="status" aria-live="polite">
            {searching ? 'Searching…' : ''}
          </span>
        </div>
      </div>
      <Notices notice={notice} error={error} />
      <section role="tabpanel" aria-label={tab.label}>
        {rows === null ? (
          <p className="muted" aria-busy="true">
            Loading…
          </p>
        ) : rows.length === 0 ? (
          <p className="muted empty">{search.trim() ? `No documents match “${search.trim()}”.` : tab.empty}</p>
        ) : (
          <ul className="document-rows">
            {rows.map((row) => (
              <li key={row.id} className="document-row">
                {renaming === row.id ? (
                  <form
                    className="rename-form"
                    onSubmit={(e) => {
                      e.preventDefault();
                      const title = renameTitle.trim();
                      if (titleProblem(title)) return;
                      setRenaming(null);
                      if (title && title !== row.title) void act(() => gqlFetch(RENAME_DOCUMENT, { id: row.id, title }), `Renamed to “${shortTitle(title)}”.`);
                    }}
                  >
                    <label className="visually-hidden" htmlFor={`rename-${row.id}`}>
                      New title for {row.title}
                    </label>
                    <input
                      id={`rename-${row.id}`}
                      name="title"
                      value={renameTitle}
                      onChange={(e) => setRenameTitle(e.target.value)}
                      autoFocus
                      aria-invalid={titleProblem(renameTitle.trim()) !== null}
                      onKeyDown={(e) => e.key === 'Escape' && setRenaming(null)}
                    />
                    <button className="button" type="submit" disabled={titleProblem(renameTitle.trim()) !== null}>
                      Save
                    </button>
                    <button className="button-link" type="button" onClick={() => setRenaming(null)}>
                      Cancel
                    </button>
                    {titleProblem(renameTitle.trim()) && (
                      <p className="field-error" role="alert">
                        {titleProblem(renameTitle.trim())}
                      </p>
                    )}
                  </form>
                ) : filter === 'TRASH' ? (
                  <span className="document-title">{row.title}</span>
                ) : (
                  <Link className="document-title" href={`/docs/${encodeURIComponent(row.id)}`}>
                    {row.title}
                  </Link>
                )}
                <span className="document-meta">
                  <span className={`role role-${row.myRole.toLowerCase()}`}>{ROLE_LABEL[row.myRole]}</span>
                  <span>{filter === 'TRASH' && row.trashedAt ? `Trashed ${formatTime(row.trashedAt)}` : `Edited ${formatTime(row.updatedAt)}`}</span>
                </span>
                <span className="document-actions">
                  {filter === 'TRASH' ? (
                    <button className="button" type="button" onClick={() => void act(() => gqlFetch(RESTORE_DOCUMENT_FROM_TRASH, { id: row.id }), `Restored “${shortTitle(row.title)}”.`)}>
                      Restore<span className="visually-hidden"> {row.title}</span>
                    </button>
                  ) : (
                    <>
                      {(row.myRole === 'OWNER' || row.myRole === 'EDITOR') && renaming !== row.id && (
                        <button
                          className="button-link"
                          type="button"
                          onClick={() => {
                            setRenameTitle(row.title);
                            setRenaming(row.id);
                          }}
                        >
                          Rename<span className="visually-hidden"> {row.title}</span>
                        </button>
                      )}
                      {row.myRole === 'OWNER' && (
                        <button className="button-link danger" type="button" onClick={() => void act(() => gqlFetch(MOVE_DOCUMENT_TO_TRASH, { id: row.id }), `Moved “${shortTitle(row.title)}” to the trash.`)}>
                          Move to trash<span className="visually-hidden"> {row.title}</span>
                        </button>
                      )}
                    </>
                  )}
                </span>
                {row.snippet ? <Snippet text={row.snippet} highlights={row.highlights} /> : null}
              </li>
            ))}
          </ul>
        )}
        {next && (
          <button className="button more" type="button" onClick={() => void load(next)}>
            Show more
          </button>
        )}
      </section>
    </main>
  );
}
