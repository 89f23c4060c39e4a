'use client';
import 'quill/dist/quill.snow.css';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { errorMessage, gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import { OPEN_DOCUMENT } from '@/lib/api-client/operations.ts';
import { RENAME_DOCUMENT } from '@/lib/api-client/queries.ts';
import { statusText } from '@/lib/api-client/status-text.ts';
import { CommentsSidebar } from './comments-sidebar.tsx';
import { SuggestionsSidebar } from './suggestions-sidebar.tsx';
import { ExportMenu } from './export-menu.tsx';
import type { SessionFatal } from '@/lib/api-client/collab-session.ts';
import { AppHeader } from '../app-header.tsx';
import { useMe, useRequireSignIn, type Me } from '../use-me.ts';
import { PresenceAvatars } from './presence-avatars.tsx';
import { HistoryPanel, type HistoryPanelProps } from './history-panel.tsx';
import { ShareDialog } from './share-dialog.tsx';
import { UnsentEditsPanel } from './unsent-edits.tsx';
import { useCollabEditor } from './use-collab-editor.ts';

const ROLE_NOTE: Record<string, string> = {
  VIEWER: 'You are a viewer: you see changes live but cannot edit.',
  COMMENTER: 'You are a commenter: your changes to the text are suggestions for an editor to accept or reject, and you can select text and comment (Ctrl+Alt+M).',
};

/** What to tell the person; `wasOpen` when the document was open and then went away. */
function fatalText(fatal: SessionFatal, wasOpen: boolean, unsentShown = false): { title: string; body: string } {
  switch (fatal.code) {
    case 'NOT_FOUND':
    case 'FORBIDDEN':
      // The server does not say which (it never reveals that a document exists to someone who may not read it).
      return wasOpen
        ? {
            title: 'This document is no longer available to you',
            body: `It was deleted or moved to the trash, or its owner stopped sharing it with you. ${unsentShown ? 'Your changes that were not saved are shown above: copy them to keep them.' : 'Changes you had not saved could not be kept.'}`,
          }
        : { title: 'No document here that you can open', body: 'It does not exist, is in the trash, or has not been shared with you. Check the link, or ask its owner to share it.' };
    case 'UNAUTHENTICATED':
      return { title: 'You were signed out', body: 'Sign in again to keep working on this document.' };
    default:
      return { title: 'Cannot open this document', body: fatal.message };
  }
}

function useOnline(): boolean {
  const [online, setOnline] = useState(true);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    update();
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

export function EditorPage({ documentId }: { documentId: string }) {
  const me = useMe();
  useRequireSignIn(me);
  if (me.status === 'error') {
    return (
      <main className="landing">
        <p role="alert">{me.message}</p>
      </main>
    );
  }
  if (me.status !== 'signedIn') return <main className="page-loading" aria-busy="true" />;
  return <Editor documentId={documentId} me={me.me} />;
}

function Editor({ documentId, me }: { documentId: string; me: Me }) {
  const mount = useRef<HTMLDivElement>(null);
  const { state, setTitle, reopen, dismissNotice, dismissUnsent, setSuggesting, quillRef, sessionRef } = useCollabEditor(documentId, mount, true, me.id);
  const [commentsOpen, setCommentsOpen] = useState(true);
  const online = useOnline();
  const [sharing, setSharing] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [previewing, setPreviewing] = useState<Parameters<HistoryPanelProps['onPreview']>[0]>(null);
  const [previewMount, setPreviewMount] = useState<HTMLDivElement | null>(null);
  const [roleNotice, setRoleNotice] = useState<string | null>(null);
  const [titleError, setTitleError] = useState<string | null>(null);
  const savedTitle = useRef('');
  const { fatal } = state;

  useEffect(() => {
    if (state.phase === 'ready') savedTitle.current = state.title;
    // Only when the document (re)opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.phase]);

  useEffect(() => {
    if (state.title) document.title = `${state.title} · Verso`;
  }, [state.title]);

  // Losing edit rights mid-session ends the session; if the document can still be read, open it
  // again with the new role instead of showing a dead end.
  useEffect(() => {
    if (!fatal || fatal.code !== 'FORBIDDEN' || state.phase !== 'ready') return;
    let live = true;
    gqlFetch(OPEN_DOCUMENT, { id: documentId }).then(
      ({ document }) => {
        if (!live || !document) return;
        setRoleNotice(`Your role on this document changed to ${document.myRole.toLowerCase()}.`);
        reopen();
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [fatal, state.phase, documentId, reopen]);

  async function saveTitle() {
    const title = state.title.trim();
    if (!title || title === savedTitle.current) {
      setTitle(savedTitle.current);
      return;
    }
    try {
      const { renameDocument } = await gqlFetch(RENAME_DOCUMENT, { id: documentId, title });
      savedTitle.current = renameDocument.title;
      setTitle(renameDocument.title);
      setTitleError(null);
    } catch (e) {
      setTitleError(errorMessage(e));
    }
  }

  const canEdit = state.role === 'OWNER' || state.role === 'EDITOR';
  // Refused for good (issue 20): no more "waiting to be saved" for edits that never will be.
  const status = fatal && fatal.code !== 'UNAUTHENTICATED' ? { text: 'Not saved', tone: 'error' as const } : statusText(state.status, online, state.resumed);
  const failure = fatal ? fatalText(fatal, state.phase === 'ready', state.unsent !== null) : null;

  return (
    <div className="editor-shell">
      <AppHeader me={me}>
        {state.phase === 'ready' && (
          <div className="editor-title-bar">
            <label className="visually-hidden" htmlFor="doc-title">
              Document title
            </label>
            <input
              id="doc-title"
              className="doc-title"
              value={state.title}
              readOnly={!canEdit}
              onChange={(e) => setTitle(e.target.value)}
              onBlur={() => void saveTitle()}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  (e.target as HTMLInputElement).blur();
                }
                if (e.key === 'Escape') setTitle(savedTitle.current);
              }}
            />
            <span className={`save-status tone-${status.tone}`} role="status" aria-live="polite" data-testid="save-status">
              {status.text}
            </span>
          </div>
        )}
      </AppHeader>
      {state.phase === 'ready' && (
        <div className="editor-actions">
          <Link href="/" className="button-link">
            ← Documents
          </Link>
          <span className="spacer" />
          <PresenceAvatars me={me} peers={state.peers} />
          {(canEdit || state.role === 'COMMENTER') && !fatal && (
            <div className="mode-switch" role="radiogroup" aria-label="Editing mode" data-testid="mode-switch">
              {(['Editing', 'Suggesting'] as const).map((mode) => {
                const on = state.suggesting === (mode === 'Suggesting');
                const unsaved = (state.status?.pendingEdits ?? 0) > 0;
                return (
                  <button
                    key={mode}
                    type="button"
                    role="radio"
                    aria-checked={on}
                    className={`button${on ? ' primary' : ''}`}
                    disabled={!canEdit || (!on && unsaved)}
                    title={!canEdit ? 'Commenters always suggest' : !on && unsaved ? 'Wait until your changes are saved' : undefined}
                    onClick={() => setSuggesting(mode === 'Suggesting')}
                  >
                    {mode}
                  </button>
                );
              })}
            </div>
          )}
          <button type="button" className="button" aria-expanded={historyOpen} onClick={() => { setHistoryOpen((o) => !o); setPreviewing(null); }} disabled={!!fatal}>
            History
          </button>
          <button type="button" className="button" aria-expanded={commentsOpen} onClick={() => setCommentsOpen((o) => !o)} disabled={!!fatal}>
            Comments
          </button>
          <button type="button" className="button" onClick={() => setSharing(true)} disabled={!!fatal}>
            Share
          </button>
          <ExportMenu documentId={documentId} version={previewing?.revision.toVersion ?? null} disabled={!!fatal} />
        </div>
      )}
      {titleError && (
        <p className="form-error banner" role="alert">
          {titleError}
        </p>
      )}
      {(state.notice || roleNotice) && (
        <p className="banner info" role="status">
          {state.notice ?? roleNotice}{' '}
          <button
            type="button"
            className="button-link"
            onClick={() => {
              dismissNotice();
              setRoleNotice(null);
            }}
          >
            Dismiss
          </button>
        </p>
      )}
      {state.phase === 'ready' && !canEdit && state.role && !fatal && <p className="banner read-only">{ROLE_NOTE[state.role]}</p>}
      {state.unsent && <UnsentEditsPanel unsent={state.unsent} role={state.role} onDismiss={dismissUnsent} />}
      {failure && (
        <div className="fatal card" role="alert" data-testid="editor-fatal">
          <h2>{failure.title}</h2>
          <p>{failure.body}</p>
          <p>
            {fatal?.code === 'UNAUTHENTICATED' ? (
              <Link className="button primary" href={`/signin?callbackUrl=${encodeURIComponent(`/docs/${documentId}`)}`}>
                Sign in
              </Link>
            ) : (
              <Link className="button primary" href="/">
                Back to your documents
              </Link>
            )}
          </p>
        </div>
      )}
      <main className="editor-main">
        <div className="editor-column">
          {state.phase === 'loading' && (
            <p className="muted loading-doc" aria-busy="true">
              Opening the document…
            </p>
          )}
          <div ref={mount} className={`editor-mount${canEdit || state.role === 'COMMENTER' ? '' : ' read-only'}`} hidden={state.phase === 'failed' || previewing !== null} />
          {previewing && <div ref={setPreviewMount} className="editor-mount read-only history-preview" data-testid="history-preview" />}
        </div>
        {commentsOpen && state.phase === 'ready' && !fatal && previewing === null && (
          <SuggestionsSidebar
            documentId={documentId}
            meId={me.id}
            role={state.role}
            session={sessionRef.current}
            quillRef={quillRef}
            revision={`${state.status?.version ?? 0}:${state.status?.pendingEdits ?? 0}`}
          />
        )}
        {commentsOpen && state.phase === 'ready' && !fatal && previewing === null && (
          <CommentsSidebar documentId={documentId} meId={me.id} role={state.role} session={sessionRef.current} quillRef={quillRef} />
        )}
        {historyOpen && state.phase === 'ready' && (
          <HistoryPanel
            documentId={documentId}
            headVersion={state.status?.version ?? 0}
            canEdit={canEdit && !fatal}
            onClose={() => {
              setHistoryOpen(false);
              setPreviewing(null);
            }}
            onPreview={setPreviewing}
            previewMount={previewMount}
            previewing={previewing?.revision ?? null}
          />
        )}
      </main>
      {sharing && state.role && <ShareDialog documentId={documentId} title={state.title} myRole={state.role} meId={me.id} onClose={() => setSharing(false)} />}
    </div>
  );
}
