/**
 * Comment threads (issue 17): the schema's types and fields, mapping to lib/documents/comments.ts.
 * Resolvers only map: the service decides and answers values; refusals become errors here.
 */
import { GraphQLError } from 'graphql';
import { createComments, type AccessAllowed, type CommentAccess, type CommentErrorCode, type Comments, type CommentState, type Rejected, type ThreadState } from '../../lib/documents/comments.ts';
import { createCommentEvents, type CommentEvents } from '../../lib/documents/comments-events.ts';
import { authorizeDocument } from '../authorize.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext, Services } from '../context.ts';
import { unauthenticated, userError } from '../errors.ts';
import { liveStream, unwrapItem } from '../live-stream.ts';
import { DocumentRef } from './document.ts';
import { watchAccess } from './operation.ts';
import { UserRef } from './user.ts';

// One pub/sub engine per process for comment events.
const eventsByServices = new WeakMap<Services, CommentEvents>();
function eventsOf(services: Services): CommentEvents {
  let events = eventsByServices.get(services);
  if (!events) {
    const logger = services.logger;
    events = createCommentEvents(services.pubsub, services.config.redisPrefix, (error) => logger.warn({ err: error }, 'comment event not published'));
    eventsByServices.set(services, events);
  }
  return events;
}

/** The request's access checks as values (authorizeDocument's errors become refusals). */
function accessOf(ctx: GraphQLContext): CommentAccess {
  return {
    async check(viewer, documentId, action): Promise<AccessAllowed | Rejected> {
      if (viewer === null) return { kind: 'rejected', code: 'UNAUTHENTICATED', message: unauthenticated().message };
      try {
        const { document, role } = await authorizeDocument(ctx, documentId, action);
        return { kind: 'allowed', document, role };
      } catch (error) {
        if (error instanceof GraphQLError && typeof error.extensions.code === 'string') {
          return { kind: 'rejected', code: error.extensions.code as CommentErrorCode, message: error.message, extensions: error.extensions };
        }
        throw error;
      }
    },
  };
}

function commentsOf(ctx: GraphQLContext): Comments {
  const { prisma, collab, rateLimiter, config } = ctx.services;
  return createComments({ prisma, store: collab.store, access: accessOf(ctx), events: eventsOf(ctx.services), rateLimiter, rule: config.rateLimits.comments });
}

/** The value of an answer, or its refusal as a GraphQL error. */
function orThrow<T extends { kind: string }>(answer: T | Rejected): T {
  if (answer.kind !== 'rejected') return answer as T;
  const r = answer as Rejected;
  throw userError(r.code, r.message, { ...r.extensions });
}

const TextRangeRef = builder.objectRef<{ index: number; length: number; version: number }>('TextRange').implement({
  description: 'A span of a document\'s text: UTF-16 offsets in the document at `version`.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Where the span starts (UTF-16 code units; an embed counts 1).' }),
    length: t.exposeInt('length', { description: 'How long it is; at least 1.' }),
    version: t.exposeInt('version', { description: 'The document version the offsets refer to.' }),
  }),
});

const CommentRef = builder.objectRef<CommentState>('Comment').implement({
  description: 'One comment of a thread.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    author: t.field({
      type: UserRef,
      nullable: true,
      description: 'Who wrote it; null once their account is deleted.',
      resolve: (c, _args, ctx) => (c.authorId === null ? null : ctx.services.users.get(c.authorId)),
    }),
    body: t.exposeString('body', { description: 'Its text (plain text; line breaks kept).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was written.' }),
    editedAt: t.expose('editedAt', { type: 'DateTime', nullable: true, description: 'When its author last edited it; null if never.' }),
  }),
});

const CommentThreadRef = builder.objectRef<ThreadState>('CommentThread').implement({
  description: 'A discussion on a range of a document\'s text. Its anchor moves with every edit (lib/ot/SPEC.md AN1–AN8).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    anchor: t.field({
      type: TextRangeRef,
      nullable: true,
      description:
        'The commented text at the document\'s head: text typed strictly inside it joins it, text typed at its start or end does not, deleted text leaves it. Null once all of it is deleted (the thread stays, with its quote).',
      resolve: (th) => (th.anchor.range === null ? null : { ...th.anchor.range, version: th.anchor.version }),
    }),
    quote: t.exposeString('quote', { description: 'The text the thread was opened on (an embed shows as U+FFFC).' }),
    resolved: t.exposeBoolean('resolved', { description: 'True once someone resolved it (until reopened).' }),
    comments: t.field({ type: [CommentRef], description: 'Oldest first; the first one opened the thread. Empty when all were deleted.', resolve: (th) => [...th.comments] }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the thread was opened.' }),
  }),
});

builder.objectField(DocumentRef, 'commentThreads', (t) =>
  t.field({
    type: [CommentThreadRef],
    description: 'Comment threads on this document, oldest first, with anchors at head. Everyone who can read the document can read them.',
    args: { includeResolved: t.arg.boolean({ defaultValue: false, description: 'Also list resolved threads.' }) },
    resolve: async (d, args, ctx) => orThrow(await commentsOf(ctx).list(ctx, d.row.id, { includeResolved: args.includeResolved ?? false })).threads,
  }),
);

const CreateCommentThreadInput = builder.inputType('CreateCommentThreadInput', {
  description: 'A new thread on a range of the document as seen at `version`.',
  fields: (t) => ({
    documentId: t.id({ required: true, description: 'The document.' }),
    version: t.int({ required: true, description: 'The version the range refers to (the one your editor has); ranges at older versions are carried to head.' }),
    index: t.int({ required: true, description: 'Where the range starts (UTF-16 offset at `version`).' }),
    length: t.int({ required: true, description: 'Its length, at least 1.' }),
    body: t.string({ required: true, description: 'The first comment: 1 to 10,000 characters after trimming.' }),
  }),
});

builder.mutationFields((t) => ({
  createCommentThread: t.field({
    type: CommentThreadRef,
    description: 'Opens a thread on a range of text (OWNER, EDITOR, COMMENTER). VERSION_AHEAD when `version` is past head; BAD_USER_INPUT for an empty or too long body, or a range of length 0 or past the end.',
    args: { input: t.arg({ type: CreateCommentThreadInput, required: true, description: 'The range and the first comment.' }) },
    resolve: async (_root, { input }, ctx) => orThrow(await commentsOf(ctx).createThread(ctx, { ...input, documentId: String(input.documentId) })).thread,
  }),
  replyToCommentThread: t.field({
    type: CommentRef,
    description: 'Adds a comment to a thread (OWNER, EDITOR, COMMENTER).',
    args: {
      threadId: t.arg.id({ required: true, description: 'The thread.' }),
      body: t.arg.string({ required: true, description: 'The reply: 1 to 10,000 characters after trimming.' }),
    },
    resolve: async (_root, args, ctx) => orThrow(await commentsOf(ctx).reply(ctx, String(args.threadId), args.body)).comment,
  }),
  resolveCommentThread: t.field({
    type: CommentThreadRef,
    description: 'Resolves (`resolved: true`) or reopens a thread (OWNER, EDITOR, COMMENTER).',
    args: {
      threadId: t.arg.id({ required: true, description: 'The thread.' }),
      resolved: t.arg.boolean({ required: true, description: 'True to resolve, false to reopen.' }),
    },
    resolve: async (_root, args, ctx) => orThrow(await commentsOf(ctx).resolve(ctx, String(args.threadId), args.resolved)).thread,
  }),
  editComment: t.field({
    type: CommentRef,
    description: 'Changes the text of a comment: its author only.',
    args: {
      commentId: t.arg.id({ required: true, description: 'The comment.' }),
      body: t.arg.string({ required: true, description: 'The new text: 1 to 10,000 characters after trimming.' }),
    },
    resolve: async (_root, args, ctx) => orThrow(await commentsOf(ctx).edit(ctx, String(args.commentId), args.body)).comment,
  }),
  deleteComment: t.field({
    type: 'Boolean',
    description: 'Deletes a comment: its author, or an owner of the document. The thread stays even when no comment is left.',
    args: { commentId: t.arg.id({ required: true, description: 'The comment.' }) },
    resolve: async (_root, args, ctx) => (orThrow(await commentsOf(ctx).remove(ctx, String(args.commentId))), true),
  }),
}));

builder.subscriptionFields((t) => ({
  commentThreadChanged: t.field({
    type: CommentThreadRef,
    description:
      "A thread's new state after any change to it: created, replied, resolved or reopened, a comment edited or deleted (a thread with no comments left comes with `comments: []`). Everyone who can read the document may subscribe.",
    args: { documentId: t.arg.id({ required: true, description: 'The document.' }) },
    subscribe: async (_root, args, ctx) => {
      if (!ctx.viewer) throw unauthenticated();
      const documentId = String(args.documentId);
      await authorizeDocument(ctx, documentId, 'read');
      const comments = commentsOf(ctx);
      return liveStream<ThreadState>(ctx, {
        async start(push, fail) {
          const stopAccess = await watchAccess(ctx, documentId, fail);
          const unsubscribe = await comments.watch(documentId, push);
          return () => {
            stopAccess();
            unsubscribe();
          };
        },
      });
    },
    resolve: (item) => unwrapItem(item),
  }),
}));
