/**
 * Suggestions (issue 18): the schema's type, field and mutations, mapping to
 * lib/documents/suggestions.ts. Resolvers only map: the service decides and answers values;
 * refusals become errors here (with `extensions.reason` for refusals of the op, SG13).
 * Clients follow suggestions live through the document's op stream: they are marked text.
 */
import type { SuggestionState } from '../../lib/documents/suggestions.ts';
import { builder } from '../builder.ts';
import { orThrow } from '../errors.ts';
import { TextRangeRef } from './comments.ts';
import { DocumentRef } from './document.ts';
import { SubmitOperationInput, SubmitOperationPayloadRef, submitPayload } from './operation.ts';
import { UserRef } from './user.ts';

const SuggestionRef = builder.objectRef<SuggestionState>('Suggestion').implement({
  description: 'A proposed change: text marked as a proposed insertion and/or deletion until it is accepted or rejected (lib/ot/SPEC.md SG1–SG18).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier; the marks in the content carry it.' }),
    author: t.field({
      type: UserRef,
      nullable: true,
      description: 'Who proposed it; null once their account is deleted.',
      resolve: (s, _args, ctx) => ctx.services.users.get(s.authorId),
    }),
    insertedText: t.exposeString('insertedText', { description: 'The text it proposes to insert, in document order; "" when it only deletes.' }),
    deletedText: t.exposeString('deletedText', { description: 'The text it proposes to delete, in document order; "" when it only inserts.' }),
    ranges: t.field({ type: [TextRangeRef], description: 'Where its marked text is at head.', resolve: (s) => [...s.ranges] }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was proposed.' }),
  }),
});

builder.objectField(DocumentRef, 'suggestions', (t) =>
  t.field({
    type: [SuggestionRef],
    description: 'The open suggestions at head, in document order. Everyone who can read the document can read them.',
    resolve: async (d, _args, ctx) => orThrow(await ctx.services.suggestions.list(ctx, d.row.id)).suggestions,
  }),
);

builder.mutationFields((t) => ({
  suggestOperation: t.field({
    type: SubmitOperationPayloadRef,
    description:
      "Records an operation as the caller's suggestion (OWNER, EDITOR, COMMENTER): carried to head like submitOperation's, then inserted text is kept and marked as a proposed insertion and deleted text is kept and marked as a proposed deletion. Format changes cannot be suggested (BAD_USER_INPUT, reason FORMAT_NOT_SUGGESTIBLE).",
    args: { input: t.arg({ type: SubmitOperationInput, required: true, description: 'The operation and where it was made.' }) },
    resolve: async (_root, { input }, ctx) =>
      submitPayload(orThrow(await ctx.services.suggestions.suggest(ctx, { ...input, documentId: String(input.documentId), delta: input.delta }))),
  }),
  acceptSuggestion: t.field({
    type: SubmitOperationPayloadRef,
    description: 'Accepts a suggestion (OWNER, EDITOR) with one new operation: proposed insertions stay, unmarked; proposed deletions are deleted.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      suggestionId: t.arg.id({ required: true, description: 'The suggestion.' }),
    },
    resolve: async (_root, args, ctx) => submitPayload(orThrow(await ctx.services.suggestions.resolve(ctx, String(args.documentId), String(args.suggestionId), true))),
  }),
  rejectSuggestion: t.field({
    type: SubmitOperationPayloadRef,
    description: 'Rejects a suggestion (OWNER, EDITOR; its author withdraws it) with one new operation: proposed insertions are deleted; proposed deletions stay, unmarked.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      suggestionId: t.arg.id({ required: true, description: 'The suggestion.' }),
    },
    resolve: async (_root, args, ctx) => submitPayload(orThrow(await ctx.services.suggestions.resolve(ctx, String(args.documentId), String(args.suggestionId), false))),
  }),
}));
