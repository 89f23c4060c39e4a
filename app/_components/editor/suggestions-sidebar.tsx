'use client';
/**
 * The open suggestions of the document (issue 18) beside the comments, while there are any: read from the text the
 * editor has (suggestions are marked text, so they follow every op live), with Accept and Reject
 * for owners and editors and Withdraw for a suggestion's author. Names come from
 * `Document.suggestions`, fetched when an unknown suggester appears.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import type Quill from 'quill';
import type { CollabSession } from '@/lib/api-client/collab-session.ts';
import { colorFor } from '@/lib/api-client/colors.ts';
import { errorMessage, gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import { ACCEPT_SUGGESTION, DOCUMENT_SUGGESTIONS, REJECT_SUGGESTION } from '@/lib/api-client/operations.ts';
import { openSuggestions } from '@/lib/ot/suggestion-marks.ts';

export interface SuggestionsSidebarProps {
  readonly documentId: string;
  readonly meId: string;
  readonly role: string | null;
  readonly session: CollabSession | null;
  readonly quillRef: RefObject<Quill | null>;
  /** Changes whenever the editor's text may have (the session's version and unsaved edits). */
  readonly revision: string;
}

const quote = (text: string) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);

export function SuggestionsSidebar({ documentId, meId, role, session, quillRef, revision }: SuggestionsSidebarProps) {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const suggestions = session ? openSuggestions(session.document) : [];
  const canResolve = role === 'OWNER' || role === 'EDITOR';
  const unknown = suggestions.some((s) => s.author !== meId && !names.has(s.author));

  const mounted = useRef(true);
  const fetching = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  // One request at a time; while a suggester stays unknown, asked again as the text changes.
  useEffect(() => {
    if (!unknown || fetching.current) return;
    fetching.current = true;
    gqlFetch(DOCUMENT_SUGGESTIONS, { id: documentId })
      .then(({ document }) => {
        if (!mounted.current || !document) return;
        setNames((old) => {
          const next = new Map(old);
          for (const s of document.suggestions) if (s.author) next.set(s.author.id, s.author.name ?? 'Someone');
          return next;
        });
      })
      .catch(() => {})
      .finally(() => (fetching.current = false));
  }, [unknown, documentId, revision]);

  async function resolve(id: string, accept: boolean) {
    setBusy(id);
    setError(null);
    try {
      const variables = { documentId, suggestionId: id };
      await (accept ? gqlFetch(ACCEPT_SUGGESTION, variables) : gqlFetch(REJECT_SUGGESTION, variables));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  }

  // Shown only while there are some: the text keeps its width otherwise.
  if (suggestions.length === 0 && error === null) return null;
  return (
    <aside className="comments-sidebar suggestions-sidebar" aria-label="Suggestions" data-testid="suggestions-sidebar">
      <div className="comments-head">
        <h2>Suggestions</h2>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {suggestions.map((s) => {
        const mine = s.author === meId;
        const who = mine ? 'You' : (names.get(s.author) ?? 'Someone');
        return (
          <div
            key={s.id}
            className="comment-thread card"
            data-testid="suggestion"
            onClick={() => {
              const range = s.ranges[0];
              if (range) quillRef.current?.setSelection(range.index, range.length, 'silent');
            }}
          >
            <p>
              <strong style={{ color: colorFor(s.author) }}>{who}</strong>
            </p>
            {s.insertedText && (
              <p>
                Add: <ins style={{ color: colorFor(s.author) }}>{quote(s.insertedText)}</ins>
              </p>
            )}
            {s.deletedText && (
              <p>
                Delete: <del style={{ color: colorFor(s.author) }}>{quote(s.deletedText)}</del>
              </p>
            )}
            <div className="comment-buttons">
              {canResolve && (
                <button type="button" className="button primary" disabled={busy !== null} onClick={() => void resolve(s.id, true)}>
                  Accept
                </button>
              )}
              {(canResolve || mine) && (
                <button type="button" className="button" disabled={busy !== null} onClick={() => void resolve(s.id, false)}>
                  {canResolve ? 'Reject' : 'Withdraw'}
                </button>
              )}
            </div>
          </div>
        );
      })}
    </aside>
  );
}
