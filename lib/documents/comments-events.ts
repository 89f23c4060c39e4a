/**
 * "This thread changed", published after every change to a thread (created, replied, resolved or
 * reopened, a comment edited or deleted) with the thread's new state, so `commentThreadChanged`
 * subscribers on every instance get it without reading the database. The same state goes to every
 * subscriber: it holds nothing that depends on who reads it (authors are ids).
 */
import type { Anchor } from '../ot/anchor.ts';
import { createPubSubEngine, type PubSubConnections } from '../pubsub/connections.ts';

/** One comment as services answer it. */
export interface CommentState {
  readonly id: string;
  readonly threadId: string;
  readonly authorId: string | null;
  readonly body: string;
  readonly createdAt: Date;
  readonly editedAt: Date | null;
}

/** A thread as services answer it: its anchor carried to the head version it was read at. */
export interface ThreadState {
  readonly id: string;
  readonly documentId: string;
  readonly anchor: Anchor;
  readonly quote: string;
  readonly resolved: boolean;
  /** Oldest first; the first one opened the thread. */
  readonly comments: readonly CommentState[];
  readonly createdAt: Date;
}

export interface CommentEvents {
  /** Tells every instance's subscribers the thread's new state. Best effort: never fails (the change is committed). */
  publish(thread: ThreadState): Promise<void>;
  /** Calls `listener` with every changed thread of `documentId`; resolves to the unsubscribe function. */
  subscribe(documentId: string, listener: (thread: ThreadState) => void): Promise<() => void>;
}

const date = (value: unknown): Date => new Date(String(value));

/** The state back from its JSON form (dates travel as strings). Trusted: only this module publishes. */
function revive(json: unknown): ThreadState {
  const t = json as ThreadState & { createdAt: string; comments: (CommentState & { createdAt: string; editedAt: string | null })[] };
  return {
    ...t,
    createdAt: date(t.createdAt),
    comments: t.comments.map((c) => ({ ...c, createdAt: date(c.createdAt), editedAt: c.editedAt === null ? null : date(c.editedAt) })),
  };
}

export function createCommentEvents(connections: PubSubConnections, prefix: string, onError: (error: unknown) => void = () => {}): CommentEvents {
  const pubsub = createPubSubEngine(connections);
  const channel = (documentId: string) => `${prefix}doc:${documentId}:comments`;
  return {
    publish: (thread) => pubsub.publish(channel(thread.documentId), thread).catch(onError),
    async subscribe(documentId, listener) {
      const id = await pubsub.subscribe(channel(documentId), (message: unknown) => listener(revive(message)));
      let done = false;
      return () => {
        if (!done) pubsub.unsubscribe(id);
        done = true;
      };
    },
  };
}
