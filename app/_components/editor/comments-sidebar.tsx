'use client';
/**
 * The comments sidebar (issue 17): threads beside the text, each next to its anchor, the anchored
 * text highlighted; a comment button beside a selection (./comments-selection-button.tsx), one in
 * the header, and Ctrl+Alt+M; "show resolved"; live as
 * others comment and type. Viewers see threads read-only.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type Quill from 'quill';
import type { CollabSession } from '@/lib/api-client/collab-session.ts';
import { placeComment } from '@/lib/api-client/comments-placement.ts';
import { CREATE_COMMENT_THREAD } from '@/lib/api-client/comments-queries.ts';
import { errorMessage, gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import { carryRange, type TextRange } from '@/lib/ot/anchor.ts';
import type { Delta } from '@/lib/ot/operation.ts';
import { CommentHighlights } from './comments-highlights.tsx';
import { useCommentsLive } from './comments-live.tsx';
import { SelectionCommentButton } from './comments-selection-button.tsx';
import { ThreadCard } from './comments-thread.tsx';

export interface CommentsSidebarProps {
  readonly documentId: string;
  readonly meId: string;
  readonly role: string | null;
  readonly session: CollabSession | null;
  readonly quillRef: RefObject<Quill | null>;
}

/** Space between two cards pushed apart. */
const GAP = 8;

export function CommentsSidebar({ documentId, meId, role, session, quillRef }: CommentsSidebarProps) {
  const { threads, error: loadError, upsert } = useCommentsLive(documentId, session, quillRef);
  const [showResolved, setShowResolved] = useState(false);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [draft, setDraft] = useState<{ range: TextRange | null; body: string } | null>(null);
  /** The draft's range now, carried over every text change as it happens (state lags a render behind). */
  const draftRange = useRef<TextRange | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tops, setTops] = useState<ReadonlyMap<string, number>>(new Map());
  const highlights = useRef<CommentHighlights | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const draftRef = useRef<HTMLElement | null>(null);
  const cards = useRef(new Map<string, HTMLElement>());
  const canComment = role === 'OWNER' || role === 'EDITOR' || role === 'COMMENTER';
  const visible = threads.filter((t) => showResolved || !t.thread.resolved);
  const visibleRef = useRef(visible);
  visibleRef.current = visible;

  /** Opens the new-thread form on `range`, or on the editor's selection (header button, Ctrl+Alt+M). */
  const startComment = useCallback((range?: TextRange) => {
    const quill = quillRef.current;
    const selection = range ?? quill?.getSelection() ?? null;
    if (!selection || selection.length === 0) {
      setError('Select the text you want to comment on first.');
      return;
    }
    setError(null);
    draftRange.current = { index: selection.index, length: selection.length };
    setDraft({ range: draftRange.current, body: '' });
  }, [quillRef]);

  // The highlight layer lives on the editor for as long as the session does.
  useEffect(() => {
    const quill = quillRef.current;
    if (!quill || !session) return;
    const layer = new CommentHighlights(quill);
    highlights.current = layer;
    const resize = new ResizeObserver(() => layer.refresh());
    resize.observe(quill.root);
    return () => {
      resize.disconnect();
      layer.destroy();
      highlights.current = null;
    };
  }, [quillRef, session]);

  // A draft's range moves with the text until it is sent; the caret inside a thread's text makes it active.
  useEffect(() => {
    const quill = quillRef.current;
    if (!quill || !session) return;
    const onText = (delta: Delta) => {
      if (draftRange.current === null) return;
      const range = carryRange(draftRange.current, delta);
      draftRange.current = range;
      setDraft((d) => (d ? { ...d, range } : d));
    };
    const onSelection = (range: { index: number; length: number } | null) => {
      if (!range) return;
      const hit = visibleRef.current.find((t) => t.range && range.index >= t.range.index && range.index <= t.range.index + t.range.length);
      if (hit) setActiveId(hit.thread.id);
    };
    quill.on('text-change', onText);
    quill.on('selection-change', onSelection);
    return () => {
      quill.off('text-change', onText);
      quill.off('selection-change', onSelection);
    };
  }, [quillRef, session]);

  // Ctrl+Alt+M (⌘+Option+M) opens a comment on the selection, as in other editors.
  useEffect(() => {
    if (!canComment) return;
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.altKey && e.code === 'KeyM') {
        e.preventDefault();
        startComment();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canComment, startComment]);

  useEffect(() => {
    const list = [...visible.flatMap((t) => (t.range ? [{ threadId: t.thread.id, range: t.range, active: t.thread.id === activeId, resolved: t.thread.resolved }] : []))];
    if (draft?.range) list.push({ threadId: 'draft', range: draft.range, active: true, resolved: false });
    highlights.current?.update(list);
  }, [visible, activeId, draft]);

  // Each card beside its text: at its anchor's height, pushed down past the card above it.
  useLayoutEffect(() => {
    const quill = quillRef.current;
    const list = listRef.current;
    if (!quill || !list) return;
    const offset = quill.container.getBoundingClientRect().top - list.getBoundingClientRect().top;
    const next = new Map<string, number>();
    let floor = 0;
    const place = (id: string, range: TextRange | null, element: HTMLElement | null | undefined) => {
      const wanted = range ? offset + (quill.getBounds(range.index, 0)?.top ?? 0) : floor;
      const top = Math.max(wanted, floor);
      next.set(id, top);
      floor = top + (element?.offsetHeight ?? 0) + GAP;
    };
    const entries = visible.map((t) => ({ id: t.thread.id, range: t.range }));
    if (draft) entries.push({ id: 'draft', range: draft.range });
    entries.sort((a, b) => (a.range && b.range ? a.range.index - b.range.index : a.range ? -1 : b.range ? 1 : 0));
    for (const e of entries) place(e.id, e.range, e.id === 'draft' ? draftRef.current : cards.current.get(e.id));
    list.style.minHeight = `${floor}px`;
    setTops((old) => (old.size === next.size && [...next].every(([k, v]) => old.get(k) === v) ? old : next));
  });

  async function submitDraft() {
    if (!session || !draft) return;
    setBusy(true);
    setError(null);
    try {
      // Where the selection is once nothing is unconfirmed, not where it was when Comment was pressed.
      const placed = await placeComment(session, () => draftRange.current);
      const { createCommentThread } = await gqlFetch(CREATE_COMMENT_THREAD, { input: { documentId, ...placed, body: draft.body } });
      upsert(createCommentThread);
      setActiveId(createCommentThread.id);
      draftRange.current = null;
      setDraft(null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <aside className="comments-sidebar" aria-label="Comments" data-testid="comments-sidebar">
      <SelectionCommentButton quillRef={quillRef} canComment={canComment && session !== null} onComment={startComment} />
      <div className="comments-head">
        <h2>Comments</h2>
        {canComment && (
          <button type="button" className="button primary" onMouseDown={(e) => e.preventDefault()} onClick={() => startComment()} title="Comment on the selected text (Ctrl+Alt+M)">
            Comment
          </button>
        )}
      </div>
      <label className="comments-toggle">
        <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} /> Show resolved
      </label>
      {!canComment && <p className="muted">You can read comments; your role does not allow adding them.</p>}
      {(error ?? loadError) && (
        <p className="form-error" role="alert">
          {error ?? loadError}
        </p>
      )}
      <div className="comments-list" ref={listRef}>
        {draft && (
          <form
            ref={(el) => {
              draftRef.current = el;
            }}
            className="comment-thread card active comment-draft"
            style={{ top: tops.get('draft') ?? 0 }}
            onSubmit={(e) => {
              e.preventDefault();
              void submitDraft();
            }}
          >
            <textarea aria-label="New comment" placeholder="Add a comment…" autoFocus rows={3} value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} />
            <div className="comment-buttons">
              <button type="submit" className="button primary" disabled={busy || !draft.body.trim()}>
                Comment
              </button>
              <button
                type="button"
                className="button"
                onClick={() => {
                  draftRange.current = null;
                  setDraft(null);
                }}
              >
                Cancel
              </button>
            </div>
          </form>
        )}
        {visible.map((live) => (
          <ThreadCard
            key={live.thread.id}
            live={live}
            meId={meId}
            canComment={canComment}
            isOwner={role === 'OWNER'}
            active={live.thread.id === activeId}
            top={tops.get(live.thread.id) ?? null}
            onActivate={() => setActiveId(live.thread.id)}
            onChanged={upsert}
            cardRef={(el) => {
              if (el) cards.current.set(live.thread.id, el);
              else cards.current.delete(live.thread.id);
            }}
          />
        ))}
        {visible.length === 0 && !draft && <p className="muted">{threads.length === 0 ? 'No comments yet. Select text and press Comment.' : 'No open comments.'}</p>}
      </div>
    </aside>
  );
}
