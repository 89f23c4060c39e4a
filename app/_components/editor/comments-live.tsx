'use client';
/**
 * The comment threads of the open document, kept live: read once, then every change from the
 * `commentThreadChanged` subscription; anchors kept by an AnchorTracker fed with the session's
 * server ops in order (lib/ot/SPEC.md AN6), shown over the local unconfirmed edits.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type Quill from 'quill';
import type { CollabSession } from '@/lib/api-client/collab-session.ts';
import { COMMENT_THREAD_CHANGED, COMMENT_THREADS } from '@/lib/api-client/comments-queries.ts';
import { threadsInDocumentOrder, type ViewThread } from '@/lib/api-client/comments-view.ts';
import type { CommentThreadFieldsFragment } from '@/lib/api-client/gql/graphql.ts';
import { errorMessage, gqlFetch } from '@/lib/api-client/graphql-fetch.ts';
import { acquireBrowserClient } from '@/lib/api-client/ws-client.ts';
import { AnchorTracker } from '@/lib/ot/anchor-tracker.ts';
import type { TextRange } from '@/lib/ot/anchor.ts';

export type ThreadData = CommentThreadFieldsFragment;

/** A thread with where its text is in the local document (`place`: placed, deleted, or catching up). */
export type LiveThread = ViewThread<ThreadData>;

export interface CommentsLive {
  readonly threads: readonly LiveThread[];
  readonly error: string | null;
  /** Records a thread the person just changed (the subscription brings it too; whichever comes first). */
  readonly upsert: (thread: ThreadData) => void;
}

export function useCommentsLive(documentId: string, session: CollabSession | null, quillRef: RefObject<Quill | null>): CommentsLive {
  const [threads, setThreads] = useState<ReadonlyMap<string, ThreadData>>(new Map());
  const [ranges, setRanges] = useState<ReadonlyMap<string, TextRange | null>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const tracker = useRef<AnchorTracker<string> | null>(null);
  const refetch = useRef<() => void>(() => {});

  /** Ranges in the local document now: the tracker's, carried over the session's unconfirmed edits. */
  const recompute = useCallback(() => {
    const t = tracker.current;
    if (t && session) setRanges(t.local(session.pending));
  }, [session]);

  const track = useCallback(
    (thread: ThreadData) => {
      const t = tracker.current;
      if (!t) return;
      const anchor = thread.anchor ? { range: { index: thread.anchor.index, length: thread.anchor.length }, version: thread.anchor.version } : { range: null, version: t.version };
      // Too old for the ops the tracker keeps: read every thread again.
      if (!t.set(thread.id, anchor)) refetch.current();
    },
    [],
  );

  const upsert = useCallback(
    (thread: ThreadData) => {
      setThreads((current) => new Map(current).set(thread.id, thread));
      track(thread);
      recompute();
    },
    [track, recompute],
  );

  useEffect(() => {
    if (!session) return;
    let live = true;
    const t = new AnchorTracker<string>(session.version);
    tracker.current = t;
    const load = () => {
      gqlFetch(COMMENT_THREADS, { id: documentId }).then(
        ({ document }) => {
          if (!live || !document) return;
          setThreads(new Map(document.commentThreads.map((th) => [th.id, th])));
          for (const th of document.commentThreads) track(th);
          setError(null);
          recompute();
        },
        (e: unknown) => live && setError(errorMessage(e)),
      );
    };
    refetch.current = load;
    const stopOps = session.onServerOp((event) => {
      if (event.kind === 'op' && event.version === t.version + 1) {
        t.applied(event);
      } else if (event.kind === 'reset' || event.version > t.version) {
        // Reloaded, or ops this tracker never saw: anchors restart from a fresh read.
        t.reset(event.version);
        load();
      }
      recompute();
    });
    const { client, dispose } = acquireBrowserClient();
    const stopEvents = client.subscribe<{ commentThreadChanged: ThreadData }>(
      { query: COMMENT_THREAD_CHANGED.toString(), variables: { documentId } },
      {
        next: (message) => {
          const changed = message.data?.commentThreadChanged;
          if (changed && live) upsert(changed);
          if (message.errors?.length) setError(message.errors[0]!.message);
        },
        error: () => {},
        complete: () => {},
      },
    );
    // A reconnected subscription missed what happened meanwhile: read everything again.
    const offConnected = client.on('connected', () => load());
    load();
    return () => {
      live = false;
      stopOps();
      stopEvents();
      offConnected();
      dispose();
      tracker.current = null;
    };
  }, [documentId, session, track, upsert, recompute]);

  // Local edits move ranges before the server confirms them.
  useEffect(() => {
    const quill = quillRef.current;
    if (!quill || !session) return;
    const onChange = () => recompute();
    quill.on('text-change', onChange);
    return () => {
      quill.off('text-change', onChange);
    };
  }, [quillRef, session, recompute]);

  return { threads: threadsInDocumentOrder(threads.values(), ranges), error, upsert };
}
