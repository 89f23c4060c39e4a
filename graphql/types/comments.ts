/**
 * Comment threads (issue 17): the schema's types and fields, mapping to lib/documents/comments.ts.
 * Resolvers only map: the service decides and answers values; refusals become errors here.
 */
import type { CommentState, ThreadState } from '../../lib/documents/comments.ts';
import { authorizeDocument } from '../authorize.ts';
import { builder } from '../builder.ts';
import { orThrow, unauthenticated } from '../errors.ts';
import { liveStream, unwrapItem } from '../live-stream.ts';
import { watchAccess } from '../op-stream.ts';
import { DocumentRef } from './document.ts';
import { UserRef } from './user.ts';

export const TextRangeRef = builder.objectRef<{ index: number; length: number; version: number }>('TextRange').implement({
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
    resolve: async (d, args, ctx) => orThrow(await ctx.services.comments.list(ctx, d.row.id, { includeResolved: args.includeResolved ?? false })).threads,
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

/** The arguments the thread and comment writes share: which one, and the text. */
const threadArg = builder.args((t) => ({ threadId: t.id({ required: true, description: 'The thread.' }) }));
const commentArg = builder.args((t) => ({ commentId: t.id({ required: true, description: 'The comment.' }) }));
const bodyArg = (description: string) => builder.args((t) => ({ body: t.string({ required: true, description }) }));

builder.mutationFields((t) => ({
  createCommentThread: t.field({
    type: CommentThreadRef,
    description: 'Opens a thread on a range of text (OWNER, EDITOR, COMMENTER). VERSION_AHEAD when `version` is past head; BAD_USER_INPUT for an empty or too long body, or a range of length 0 or past the end.',
    args: { input: t.arg({ type: CreateCommentThreadInput, required: true, description: 'The range and the first comment.' }) },
    resolve: async (_root, { input }, ctx) => orThrow(await ctx.services.comments.createThread(ctx, { ...input, documentId: String(input.documentId) })).thread,
  }),
  replyToCommentThread: t.field({
    type: CommentRef,
    description: 'Adds a comment to a thread (OWNER, EDITOR, COMMENTER).',
    args: { ...threadArg, ...bodyArg('The reply: 1 to 10,000 characters after trimming.') },
    resolve: async (_root, args, ctx) => orThrow(await ctx.services.comments.reply(ctx, String(args.threadId), args.body)).comment,
  }),
  resolveCommentThread: t.field({
    type: CommentThreadRef,
    description: 'Resolves (`resolved: true`) or reopens a thread (OWNER, EDITOR, COMMENTER).',
    args: { ...threadArg, resolved: t.arg.boolean({ required: true, description: 'True to resolve, false to reopen.' }) },
    resolve: async (_root, args, ctx) => orThrow(await ctx.services.comments.resolve(ctx, String(args.threadId), args.resolved)).thread,
  }),
  editComment: t.field({
    type: CommentRef,
    description: 'Changes the text of a comment: its author only.',
    args: { ...commentArg, ...bodyArg('The new text: 1 to 10,000 characters after trimming.') },
    resolve: async (_root, args, ctx) => orThrow(await ctx.services.comments.edit(ctx, String(args.commentId), args.body)).comment,
  }),
  deleteComment: t.field({
    type: 'Boolean',
    description: 'Deletes a comment: its author, or an owner of the document. The thread stays even when no comment is left.',
    args: commentArg,
    resolve: async (_root, args, ctx) => (orThrow(await ctx.services.comments.remove(ctx, String(args.commentId))), true),
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
      const { comments } = ctx.services;
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
