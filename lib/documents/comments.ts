/**
 * Comment threads on ranges of a document's text (issue 17). Every method answers a `{ kind }`
 * value or a `Rejected` with a stable code and a message a person can act on; only bugs throw.
 *
 * Who may do what (all through `can()`): OWNER, EDITOR and COMMENTER open threads, reply, resolve
 * and reopen (`comment`); VIEWER reads them (`read`); a comment is edited by its author only and
 * deleted by its author or an owner (`editComment`, `deleteComment` on a `CommentResource`). A thread is found through its document, so one
 * on a document you cannot read is NOT_FOUND and one you can read but not comment on is FORBIDDEN.
 *
 * Anchors are stored as a range at a version and carried to head when read
 * (./comments-anchors.ts); changes are published to `commentThreadChanged` subscribers
 * (./comments-events.ts). Nothing here runs when ops are submitted.
 */
import { documentAt } from '../collab/document-loader.ts';
import type { OpStore } from '../collab/op-store.ts';
import type { PrismaClient } from '../db/prisma.ts';
import { can, type CommentResource, type DocumentAction } from '../auth/permissions.ts';
import type { RateLimitRule } from '../config.ts';
import { rangeText, validateRange, type Anchor } from '../ot/anchor.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { AllowedDocument, DocumentAccess } from './access.ts';
import { carryToHead, type StoredAnchor } from './comments-anchors.ts';
import type { CommentEvents, CommentState, ThreadState } from './comments-events.ts';
import { checkCommentBody, MAX_COMMENTS_PER_THREAD, MAX_THREADS_PER_DOCUMENT } from './comments-input.ts';
import { rejected, type Rejected, type RequestScope } from './types.ts';

export type { CommentState, ThreadState } from './comments-events.ts';

/** Longest range a thread may be opened on (UTF-16 code units, about 20 pages): its quote is stored. */
export const MAX_ANCHOR_LENGTH = 100_000;

export interface CommentsDeps {
  readonly prisma: PrismaClient;
  readonly store: OpStore;
  readonly access: DocumentAccess;
  readonly events: CommentEvents;
  /** Comment writes (open, reply, edit) per account: `rule` of `rateLimiter`. */
  readonly rateLimiter: RateLimiter;
  readonly rule: RateLimitRule;
}

/** What `createThread` takes (API.md `CreateCommentThreadInput`). */
export interface CreateThreadInput {
  readonly documentId: string;
  readonly version: number;
  readonly index: number;
  readonly length: number;
  readonly body: string;
}

export interface Comments {
  /** The document's threads (open ones unless `includeResolved`), oldest first, anchors at head. */
  list(req: RequestScope, documentId: string, options: { readonly includeResolved: boolean }): Promise<{ kind: 'threads'; threads: ThreadState[] } | Rejected>;
  /** Opens a thread on a range as seen at `version` [AN1]; the anchor is carried to head. */
  createThread(req: RequestScope, input: CreateThreadInput): Promise<{ kind: 'created'; thread: ThreadState } | Rejected>;
  reply(req: RequestScope, threadId: string, body: string): Promise<{ kind: 'replied'; comment: CommentState; thread: ThreadState } | Rejected>;
  /** Resolves (`resolved: true`) or reopens a thread; doing what is already so changes nothing and still answers it. */
  resolve(req: RequestScope, threadId: string, resolved: boolean): Promise<{ kind: 'resolved'; thread: ThreadState } | Rejected>;
  /** Its author only. */
  edit(req: RequestScope, commentId: string, body: string): Promise<{ kind: 'edited'; comment: CommentState; thread: ThreadState } | Rejected>;
  /** Its author, or an owner of the document. The thread stays, even with no comments left. */
  remove(req: RequestScope, commentId: string): Promise<{ kind: 'deleted'; thread: ThreadState } | Rejected>;
  /** Calls `listener` with each changed thread of the document (no access check: the caller's). */
  watch(documentId: string, listener: (thread: ThreadState) => void): Promise<() => void>;
}

const THREAD_INCLUDE = { comments: { orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }] } };

interface ThreadRow {
  readonly id: string;
  readonly documentId: string;
  readonly quote: string;
  readonly anchorIndex: number | null;
  readonly anchorLength: number | null;
  readonly anchorVersion: number;
  readonly resolvedAt: Date | null;
  readonly createdAt: Date;
  readonly comments: readonly CommentState[];
}

const storedAnchor = (row: ThreadRow): StoredAnchor => ({
  threadId: row.id,
  anchor: { range: row.anchorIndex === null || row.anchorLength === null ? null : { index: row.anchorIndex, length: row.anchorLength }, version: row.anchorVersion },
});

const commentState = (c: CommentState): CommentState => ({ id: c.id, threadId: c.threadId, authorId: c.authorId, body: c.body, createdAt: c.createdAt, editedAt: c.editedAt });

export function createComments(deps: CommentsDeps): Comments {
  const { prisma, store, access, events, rateLimiter, rule } = deps;

  /** Counts one comment write of an account that may comment; refuses past the rule. */
  async function charge(userId: string): Promise<Rejected | null> {
    const decision = await rateLimiter.consume('comments', rule, userId);
    if (decision.allowed) return null;
    return rejected('RATE_LIMITED', `Too many comments in a short time; wait ${decision.retryAfterSeconds} s and send it again.`, { retryAfterSeconds: decision.retryAfterSeconds });
  }

  /** Writes carried anchors back, only over older ones (readers racing write the same answers, AN5). */
  async function rebase(list: readonly StoredAnchor[]): Promise<void> {
    if (list.length === 0) return;
    const ids = list.map((s) => s.threadId);
    const indexes = list.map((s) => s.anchor.range?.index ?? null);
    const lengths = list.map((s) => s.anchor.range?.length ?? null);
    const versions = list.map((s) => s.anchor.version);
    await prisma.$executeRaw`
      UPDATE comment_threads AS t SET anchor_index = v.i, anchor_length = v.l, anchor_version = v.ver
      FROM unnest(${ids}::text[], ${indexes}::int[], ${lengths}::int[], ${versions}::int[]) AS v(id, i, l, ver)
      WHERE t.id = v.id AND t.anchor_version < v.ver`;
  }

  /** Rows to states with anchors carried to `head`, writing back those carried far. */
  async function statesAt(req: RequestScope, documentId: string, head: number, rows: readonly ThreadRow[]): Promise<ThreadState[]> {
    const carried = await carryToHead(store, documentId, head, rows.map(storedAnchor));
    // A failed write-back only means the next read carries further; the answer is right anyway.
    await rebase(carried.rebase).catch((error: unknown) => req.logger.warn({ err: error, documentId }, 'comment anchors: re-base failed'));
    return rows.map((row) => ({
      id: row.id,
      documentId: row.documentId,
      anchor: carried.atHead.get(row.id)!,
      quote: row.quote,
      resolved: row.resolvedAt !== null,
      comments: row.comments.map(commentState),
      createdAt: row.createdAt,
    }));
  }

  async function threadState(req: RequestScope, threadId: string, head: number): Promise<ThreadState> {
    const row = await prisma.commentThread.findUniqueOrThrow({ where: { id: threadId }, include: THREAD_INCLUDE });
    const [state] = await statesAt(req, row.documentId, head, [row]);
    return state!;
  }

  /** The thread's document and the viewer's access to do `action` there. */
  async function threadAccess(req: RequestScope, threadId: string, action: DocumentAction): Promise<AllowedDocument | Rejected> {
    if (req.viewer === null) return access.check(null, '', action);
    const thread = await prisma.commentThread.findUnique({ where: { id: threadId }, select: { documentId: true } });
    const allowed = thread === null ? null : await access.check(req.viewer, thread.documentId, action);
    if (allowed === null || (allowed.kind === 'rejected' && allowed.code === 'NOT_FOUND')) {
      return rejected('NOT_FOUND', `No comment thread with id "${threadId}" that you can see; it may have been deleted with its document. Reload the threads.`);
    }
    return allowed;
  }

  /** A comment, its thread and the viewer's access to the thread's document for `action`. */
  async function commentAccess(req: RequestScope, commentId: string, action: DocumentAction) {
    if (req.viewer === null) return { allowed: await access.check(null, '', action), comment: null };
    const comment = await prisma.comment.findUnique({ where: { id: commentId }, include: { thread: { select: { documentId: true } } } });
    const allowed = comment === null ? null : await access.check(req.viewer, comment.thread.documentId, action);
    if (allowed === null || (allowed.kind === 'rejected' && allowed.code === 'NOT_FOUND')) {
      return { allowed: rejected('NOT_FOUND', `No comment with id "${commentId}" that you can see; it may have been deleted. Reload the threads.`), comment: null };
    }
    return { allowed, comment };
  }

  /** The comment as `can()` sees it: its author and the viewer's grant on its document. */
  function commentResource(comment: { authorId: string | null }, allowed: AllowedDocument): CommentResource {
    return { kind: 'comment', authorId: comment.authorId, document: { kind: 'document', role: allowed.role, deleted: allowed.document.deletedAt !== null } };
  }

  async function changed(req: RequestScope, threadId: string, head: number): Promise<ThreadState> {
    const thread = await threadState(req, threadId, head);
    await events.publish(thread);
    return thread;
  }

  return {
    async list(req, documentId, { includeResolved }) {
      const allowed = await access.check(req.viewer, documentId, 'read');
      if (allowed.kind === 'rejected') return allowed;
      const rows = await prisma.commentThread.findMany({
        where: { documentId, ...(includeResolved ? {} : { resolvedAt: null }) },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        include: THREAD_INCLUDE,
      });
      return { kind: 'threads', threads: await statesAt(req, documentId, allowed.document.version, rows) };
    },

    async createThread(req, input) {
      const body = checkCommentBody(input.body);
      if (body.kind === 'rejected') return body;
      const allowed = await access.check(req.viewer, input.documentId, 'comment');
      if (allowed.kind === 'rejected') return allowed;
      const limited = await charge(req.viewer!.userId);
      if (limited) return limited;
      const head = allowed.document.version;
      if (!Number.isSafeInteger(input.version) || input.version < 0) {
        return rejected('BAD_USER_INPUT', `version must be a whole number ≥ 0 (the version your selection was made at); got ${input.version}.`);
      }
      if (input.version > head) {
        return rejected('VERSION_AHEAD', `Version ${input.version} is past the document's head version ${head}; reload the document and select the text again.`);
      }
      const at = await documentAt(store, input.documentId, input.version);
      if (at.kind === 'rejected') return rejected(at.code, `${at.message} Select the text again in the current document.`);
      const range = validateRange(at.state.content, input.index, input.length);
      if (!range.ok) return rejected('BAD_USER_INPUT', range.message);
      if (range.value.length > MAX_ANCHOR_LENGTH) {
        return rejected('BAD_USER_INPUT', `The selection is ${range.value.length} characters long; a thread may be opened on at most ${MAX_ANCHOR_LENGTH}. Select a shorter passage.`);
      }
      if ((await prisma.commentThread.count({ where: { documentId: input.documentId } })) >= MAX_THREADS_PER_DOCUMENT) {
        return rejected('LIMIT_EXCEEDED', `This document already has ${MAX_THREADS_PER_DOCUMENT} comment threads, the most it may have; delete old threads' comments or ask an owner to clean up.`);
      }
      const carried = await carryToHead(store, input.documentId, head, [{ threadId: '', anchor: { range: range.value, version: input.version } }]);
      const anchor: Anchor = carried.atHead.get('')!;
      const row = await prisma.commentThread.create({
        data: {
          documentId: input.documentId,
          quote: rangeText(at.state.content, range.value),
          anchorIndex: anchor.range?.index ?? null,
          anchorLength: anchor.range?.length ?? null,
          anchorVersion: anchor.version,
          comments: { create: { authorId: req.viewer!.userId, body: body.body } },
        },
        include: THREAD_INCLUDE,
      });
      const [thread] = await statesAt(req, input.documentId, head, [row]);
      await events.publish(thread!);
      return { kind: 'created', thread: thread! };
    },

    async reply(req, threadId, text) {
      const body = checkCommentBody(text);
      if (body.kind === 'rejected') return body;
      const allowed = await threadAccess(req, threadId, 'comment');
      if (allowed.kind === 'rejected') return allowed;
      const limited = await charge(req.viewer!.userId);
      if (limited) return limited;
      if ((await prisma.comment.count({ where: { threadId } })) >= MAX_COMMENTS_PER_THREAD) {
        return rejected('LIMIT_EXCEEDED', `This thread already has ${MAX_COMMENTS_PER_THREAD} comments, the most one may have; open a new thread to go on.`);
      }
      const comment = await prisma.comment.create({ data: { threadId, authorId: req.viewer!.userId, body: body.body } });
      return { kind: 'replied', comment: commentState(comment), thread: await changed(req, threadId, allowed.document.version) };
    },

    async resolve(req, threadId, resolved) {
      const allowed = await threadAccess(req, threadId, 'comment');
      if (allowed.kind === 'rejected') return allowed;
      // Only a change of state moves resolvedAt: resolving twice keeps the first time.
      await prisma.commentThread.updateMany({
        where: { id: threadId, resolvedAt: resolved ? null : { not: null } },
        data: { resolvedAt: resolved ? new Date() : null },
      });
      return { kind: 'resolved', thread: await changed(req, threadId, allowed.document.version) };
    },

    async edit(req, commentId, text) {
      const body = checkCommentBody(text);
      if (body.kind === 'rejected') return body;
      const { allowed, comment } = await commentAccess(req, commentId, 'comment');
      if (allowed.kind === 'rejected') return allowed;
      if (!can(req.viewer, 'editComment', commentResource(comment!, allowed))) {
        return rejected('FORBIDDEN', 'Only its author can edit a comment; reply to it instead.');
      }
      const limited = await charge(req.viewer!.userId);
      if (limited) return limited;
      const updated = await prisma.comment.update({ where: { id: commentId }, data: { body: body.body, editedAt: new Date() } });
      return { kind: 'edited', comment: commentState(updated), thread: await changed(req, comment!.threadId, allowed.document.version) };
    },

    async remove(req, commentId) {
      const { allowed, comment } = await commentAccess(req, commentId, 'comment');
      if (allowed.kind === 'rejected') return allowed;
      if (!can(req.viewer, 'deleteComment', commentResource(comment!, allowed))) {
        return rejected('FORBIDDEN', "Only its author or an owner of the document can delete a comment; ask an owner to remove it.");
      }
      // deleteMany: a comment deleted meanwhile by someone else is not an error.
      await prisma.comment.deleteMany({ where: { id: commentId } });
      return { kind: 'deleted', thread: await changed(req, comment!.threadId, allowed.document.version) };
    },

    watch: (documentId, listener) => events.subscribe(documentId, listener),
  };
}
