'use client';
/**
 * Binds a Quill 2 editor to a CollabSession over graphql-ws: local user edits go to the session,
 * remote operations come back into Quill (source 'api', so Quill's history, configured with
 * `userOnly`, undoes one's own edits only), selections become presence, and other people's
 * selections are drawn over the editor.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import type Quill from 'quill';
import { Delta } from '@/lib/ot/operation.ts';
import { suggestionIdFor, toSuggestion } from '@/lib/ot/suggestion.ts';
import { CollabSession, type Peer, type SessionFatal, type SessionStatus } from '@/lib/api-client/collab-session.ts';
import { RemoteCursors } from '@/lib/api-client/remote-cursors.ts';
import { acquireBrowserClient } from '@/lib/api-client/ws-client.ts';
import { claimSnapshot, holdRecord, saveSnapshot } from '@/lib/api-client/offline-store.ts';
import { registerSuggestionFormats, SUGGESTION_FORMATS } from './suggestion-formats.ts';

export type Role = 'OWNER' | 'EDITOR' | 'COMMENTER' | 'VIEWER';

export interface UnsentEdits {
  /** The text the refused edits inserted, in order. */
  readonly text: string;
  /** Characters they deleted (those cannot be shown as text). */
  readonly deleted: number;
  /** Why the server did not take them (its message), when it was not a role change. */
  readonly reason: string | null;
}

const canEditAs = (role: string | null) => role === 'OWNER' || role === 'EDITOR';
/** Who may change the text at all: editors directly or as suggestions, commenters as suggestions only (issue 18). */
const canWriteAs = (role: string | null) => canEditAs(role) || role === 'COMMENTER';

/** What a refused op did, for the person: its inserted text and how much it deleted. */
function unsentEdits(op: Delta, earlier: UnsentEdits | null, reason: string | null = null): UnsentEdits {
  let text = earlier?.text ?? '';
  let deleted = earlier?.deleted ?? 0;
  for (const component of op.ops) {
    if (typeof component.insert === 'string') text += component.insert;
    else if (component.delete) deleted += component.delete;
  }
  return { text, deleted, reason: reason ?? earlier?.reason ?? null };
}

export interface CollabEditorState {
  readonly phase: 'loading' | 'ready' | 'failed';
  readonly title: string;
  readonly role: Role | null;
  readonly status: SessionStatus | null;
  readonly peers: readonly Peer[];
  readonly fatal: SessionFatal | null;
  /** Something the person should know that does not stop them (e.g. edits that could not be kept). */
  readonly notice: string | null;
  /**
   * Text typed before a role change reached this editor that the server no longer accepted: kept
   * here, shown with a way to copy it (issue 19), until the person dismisses it.
   */
  readonly unsent: UnsentEdits | null;
  readonly clientId: string | null;
  /** Edits from the last visit (kept in IndexedDB) that the server has not confirmed yet. */
  readonly resumed: number;
  /** Suggesting mode (issue 18): always for commenters; an editor's choice otherwise. */
  readonly suggesting: boolean;
}

const TOOLBAR = [
  [{ header: [1, 2, 3, false] }],
  ['bold', 'italic', 'underline', 'strike'],
  [{ list: 'ordered' }, { list: 'bullet' }],
  ['link', 'blockquote', 'code', 'code-block'],
  ['clean'],
];
/** Quill formats the server's attribute allow-list accepts (lib/ot/attributes.ts), minus images and the like. */
const FORMATS = ['header', 'bold', 'italic', 'underline', 'strike', 'list', 'indent', 'link', 'blockquote', 'code', 'code-block', ...SUGGESTION_FORMATS];

const TOOL_LABELS: Record<string, string> = {
  bold: 'Bold (Ctrl+B)',
  italic: 'Italic (Ctrl+I)',
  underline: 'Underline (Ctrl+U)',
  strike: 'Strikethrough',
  link: 'Link (Ctrl+K)',
  blockquote: 'Quote',
  code: 'Inline code',
  'code-block': 'Code block',
  clean: 'Clear formatting',
};

function labelToolbar(toolbar: HTMLElement): void {
  toolbar.setAttribute('role', 'toolbar');
  toolbar.setAttribute('aria-label', 'Formatting');
  for (const button of toolbar.querySelectorAll<HTMLButtonElement>('button')) {
    const format = [...button.classList].find((c) => c.startsWith('ql-'))?.slice(3) ?? '';
    const label = format === 'list' ? (button.value === 'ordered' ? 'Numbered list' : 'Bulleted list') : TOOL_LABELS[format];
    if (label) {
      button.setAttribute('aria-label', label);
      button.title = label;
    }
  }
  const picker = toolbar.querySelector('.ql-header .ql-picker-label');
  picker?.setAttribute('aria-label', 'Text style: heading or normal');
}

/**
 * `userId` keys the offline store: unconfirmed edits are kept per user and document and resumed
 * when the same person opens the document again (issue 20).
 */
export function useCollabEditor(documentId: string, mount: RefObject<HTMLDivElement | null>, enabled: boolean, userId: string) {
  const [state, setState] = useState<CollabEditorState>({ phase: 'loading', title: '', role: null, status: null, peers: [], fatal: null, notice: null, unsent: null, clientId: null, resumed: 0, suggesting: false });
  const sessionRef = useRef<CollabSession | null>(null);
  const quillRef = useRef<Quill | null>(null);
  const [generation, setGeneration] = useState(0);
  // Read by the text-change handler; the state copy is for rendering.
  const suggestingRef = useRef(false);

  useEffect(() => {
    const host = mount.current;
    if (!enabled || !host) return;
    let disposed = false;
    let session: CollabSession | null = null;
    let cursors: RemoteCursors | null = null;
    const cleanups: Array<() => void> = [];
    const { client, dispose } = acquireBrowserClient();
    const patch = (p: Partial<CollabEditorState>) => !disposed && setState((s) => ({ ...s, ...p }));

    const beforeUnload = (event: BeforeUnloadEvent) => {
      if (session && session.status.pendingEdits > 0) {
        event.preventDefault();
        event.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', beforeUnload);
    // Closing or hiding the tab: store the last changes now, even while an earlier write runs
    // (a closing page runs no later task, so a write queued behind it would never start).
    const hidden = () => void session?.flushPending();
    window.addEventListener('pagehide', hidden);
    document.addEventListener('visibilitychange', hidden);

    void (async () => {
      const { default: QuillClass } = await import('quill');
      if (disposed) return;
      registerSuggestionFormats(QuillClass);
      host.replaceChildren();
      const surface = document.createElement('div');
      host.appendChild(surface);
      const quill = new QuillClass(surface, {
        theme: 'snow',
        readOnly: true,
        formats: FORMATS,
        placeholder: 'Start writing…',
        // Tooltips (the link box) are kept inside the editor, not merely inside the window.
        bounds: host,
        modules: { toolbar: TOOLBAR, history: { userOnly: true, delay: 500, maxStack: 500 } },
      });
      quillRef.current = quill;
      const toolbar = host.querySelector<HTMLElement>('.ql-toolbar');
      if (toolbar) labelToolbar(toolbar);
      quill.root.setAttribute('aria-label', 'Document text');
      quill.root.setAttribute('role', 'textbox');
      quill.root.setAttribute('aria-multiline', 'true');
      cursors = new RemoteCursors(quill);
      const resize = new ResizeObserver(() => cursors?.refresh());
      resize.observe(quill.root);
      cleanups.push(() => resize.disconnect());

      try {
        // Edits a closed tab kept (never those of a tab still open: each tab has its own record).
        const claimed = await claimSnapshot(userId, documentId);
        const stored = claimed?.snapshot ?? null;
        const clientId = stored?.clientId ?? globalThis.crypto.randomUUID();
        const release = claimed?.release ?? (await holdRecord(clientId));
        if (disposed) return release();
        cleanups.push(release);
        const options = {
          client,
          documentId,
          clientId,
          // Each change is stored as it happens, and an op is sent only once stored (issue 20).
          onPendingChange: (snapshot: Parameters<typeof saveSnapshot>[3]) => saveSnapshot(userId, documentId, clientId, snapshot),
          onRemoteOp: (op) => {
            quill.updateContents(op, 'api');
            cursors?.refresh();
          },
          onReload: (content: Delta, lost: Delta | null) => {
            quill.setContents(content, 'api');
            quill.history.clear();
            if (lost && lost.ops.length > 0 && !disposed) {
              const reason = 'The document changed too much on the server while these edits waited to be sent, so they could not be applied.';
              setState((s) => ({ ...s, unsent: unsentEdits(lost, s.unsent, reason), notice: 'The document was reloaded from the server; your unsaved changes are shown below so you can copy them.' }));
            }
          },
          onStatus: (status: SessionStatus) => patch({ status, resumed: session?.resumedEdits ?? 0 }),
          onPeers: (peers) => {
            cursors?.update(peers.values());
            patch({ peers: [...peers.values()] });
          },
          onFatal: (fatal) => {
            quill.disable();
            patch({ fatal });
          },
          // A role change reaches every open editor within a second (issue 19): promotion
          // enables editing at once, demotion makes the text read-only at once.
          onRole: (role) => {
            const canEdit = canEditAs(role);
            const canWrite = canWriteAs(role);
            // A commenter only suggests; an editor keeps the mode they chose.
            if (!canEdit) setSuggesting(role === 'COMMENTER');
            quill.enable(canWrite);
            quill.root.setAttribute('aria-readonly', String(!canWrite));
            patch({
              role: role as Role,
              notice: `Your role on this document changed to ${role.toLowerCase()}: ${canEdit ? 'you can edit it now' : canWrite ? 'your changes are suggestions now' : 'the text is read-only now'}.`,
            });
          },
          onUnsent: (op: Delta, message: string, why: 'role' | 'refused') => {
            if (!disposed) setState((s) => ({ ...s, unsent: unsentEdits(op, s.unsent, why === 'role' ? null : message) }));
          },
        } satisfies Parameters<typeof CollabSession.open>[0];
        session = stored ? CollabSession.resume(options, stored) : await CollabSession.open(options);
      } catch (error) {
        const e = error as { code?: unknown; message?: unknown };
        patch({ phase: 'failed', fatal: { code: typeof e.code === 'string' ? e.code : 'NETWORK_ERROR', message: typeof e.message === 'string' ? e.message : 'Cannot open the document.' } });
        return;
      }
      if (disposed) {
        void session.close();
        return;
      }
      sessionRef.current = session;
      const opened = session;
      quill.setContents(opened.document, 'silent');
      quill.history.clear();
      const role = opened.role as Role;
      const canEdit = canWriteAs(role);
      if (canEdit) quill.enable();
      quill.root.setAttribute('aria-readonly', String(!canEdit));
      if (role === 'COMMENTER') setSuggesting(true);
      // Ids of this editor's own suggestions, `<clientId>:<n>` (SG6): unique across page loads.
      let nextSuggestion = Date.now();

      quill.on('text-change', (delta, _old, source) => {
        if (source !== 'user') {
          cursors?.refresh();
          return;
        }
        let local = new Delta(delta.ops);
        if (suggestingRef.current) {
          // Suggesting: apply and send exactly the suggestion form of the change (SG4).
          const before = opened.document;
          const converted = toSuggestion(before, local, { author: userId, id: suggestionIdFor(opened.clientId, nextSuggestion++) });
          if (!converted.ok) {
            quill.setContents(before, 'silent');
            patch({ notice: converted.message });
            return;
          }
          local = converted.value;
          quill.updateContents(new Delta(delta.ops).invert(before).compose(local), 'silent');
          // Quill's undo stack holds the plain change, not what was applied: withdraw with Reject instead.
          quill.history.clear();
        }
        const result = opened.applyLocal(local);
        if (result.kind === 'refused') {
          // The edit cannot be sent (too large, or not allowed): undo it on screen too.
          quill.setContents(opened.document, 'silent');
          patch({ notice: result.message });
        }
        // Quill moves the caret silently while typing (and keyboard navigation does not always
        // reach selection-change), so read where it really is: others see our caret from this.
        const range = quill.getSelection();
        if (range) opened.setSelection({ index: range.index, length: range.length });
        cursors?.refresh();
      });
      quill.on('selection-change', (range) => {
        // Keep showing where we were when the editor loses focus (range null).
        if (range) opened.setSelection({ index: range.index, length: range.length });
      });
      patch({ phase: 'ready', title: opened.title, role, status: opened.status, clientId: opened.clientId, resumed: opened.resumedEdits });
      if (canEdit) quill.focus();
    })();

    function setSuggesting(on: boolean): void {
      suggestingRef.current = on;
      if (session) session.suggesting = on;
      patch({ suggesting: on });
    }
    cleanups.push(() => (suggestingRef.current = false));

    return () => {
      disposed = true;
      window.removeEventListener('beforeunload', beforeUnload);
      window.removeEventListener('pagehide', hidden);
      document.removeEventListener('visibilitychange', hidden);
      void session?.flushPending();
      for (const f of cleanups) f();
      cursors?.destroy();
      void session?.close();
      sessionRef.current = null;
      quillRef.current = null;
      dispose();
    };
  }, [documentId, mount, enabled, generation, userId]);

  return {
    state,
    setTitle: (title: string) => setState((s) => ({ ...s, title })),
    /** Opens the document again from scratch (after access changed). */
    reopen: () => {
      setState({ phase: 'loading', title: '', role: null, status: null, peers: [], fatal: null, notice: null, unsent: null, clientId: null, resumed: 0, suggesting: false });
      setGeneration((g) => g + 1);
    },
    dismissNotice: () => setState((s) => ({ ...s, notice: null })),
    /** Editing or Suggesting (editors and owners; commenters always suggest). Only with nothing unsaved. */
    setSuggesting: (on: boolean) => {
      const session = sessionRef.current;
      if (!session || !canEditAs(session.role) || session.status.pendingEdits > 0) return;
      suggestingRef.current = on;
      session.suggesting = on;
      setState((s) => ({ ...s, suggesting: on }));
    },
    dismissUnsent: () => setState((s) => ({ ...s, unsent: null })),
    quillRef,
    sessionRef,
  };
}
