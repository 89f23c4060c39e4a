/**
 * History (issue 6): the revision list, named versions, restoring a version, and blame, mapped
 * onto the history service (lib/documents/history.ts), which holds the rules (H1–H14 in
 * lib/collab/SPEC.md) and the access checks.
 */
import type { BlameSpan } from '../../lib/collab/blame.ts';
import type { StoredRevision } from '../../lib/db/revisions.ts';
import { MAX_BLAME_PAGE, MAX_RESTORE_KEY_LENGTH, MAX_REVISIONS_PAGE, MAX_VERSION_NAME_LENGTH, type BlamePage } from '../../lib/documents/history.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { orThrow } from '../errors.ts';
import { DocumentRef, PageInfoRef } from './document.ts';
import { SubmitOperationPayloadRef, submitPayload } from './operation.ts';
import { UserRef, type UserShape } from './user.ts';

async function usersOf(ctx: GraphQLContext, ids: readonly string[]): Promise<UserShape[]> {
  const users = await Promise.all(ids.map((id) => ctx.services.users.get(id)));
  // Deleted accounts drop out: the ids stay in history, the people are gone.
  return users.filter((u): u is UserShape => u !== null);
}

const RevisionRestoreRef = builder.objectRef<{ version: number | null }>('RevisionRestore').implement({
  description: 'What a restore entry restored.',
  fields: (t) => ({
    version: t.exposeInt('version', { nullable: true, description: 'The version whose content was restored; null when the restore was made with an idempotency key.' }),
  }),
});

export const RevisionRef = builder.objectRef<StoredRevision>('Revision').implement({
  description:
    'A history entry: consecutive operations grouped the way people think of versions. A new entry starts after a pause in editing (a minute), when someone else takes over (after five seconds), after every named version, and for every restore.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier of this entry.' }),
    fromVersion: t.exposeInt('fromVersion', { description: 'The version before the first operation of this entry.' }),
    toVersion: t.exposeInt('toVersion', { description: 'The version after its last operation; `Document.at(version: toVersion)` shows it.' }),
    authors: t.field({
      type: [UserRef],
      description: 'Who made its operations, in order of their first edit (system operations and deleted accounts are left out).',
      resolve: (r, _args, ctx) => usersOf(ctx, r.authorIds),
    }),
    createdAt: t.expose('endedAt', { type: 'DateTime', description: 'Server time of its last operation: when `toVersion` came to be.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'Server time of its first operation.' }),
    name: t.exposeString('name', { nullable: true, description: 'The name someone gave to `toVersion` (nameVersion), if any; a restore is named "Restored …".' }),
    restore: t.field({
      type: RevisionRestoreRef,
      nullable: true,
      description: 'Set when this entry is a restore (restoreVersion): then it is exactly that one operation, and `fromVersion` is the document just before the restore.',
      resolve: (r) => r.restore ?? null,
    }),
  }),
});

const RevisionEdgeRef = builder.objectRef<{ cursor: string; node: StoredRevision }>('RevisionEdge').implement({
  description: 'A history entry in a list, with its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Opaque position of this entry in the list.' }),
    node: t.field({ type: RevisionRef, description: 'The entry.', resolve: (e) => e.node }),
  }),
});

const RevisionConnectionRef = builder
  .objectRef<{ edges: Array<{ cursor: string; node: StoredRevision }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>('RevisionConnection')
  .implement({
    description: 'A page of history entries, newest first.',
    fields: (t) => ({
      edges: t.field({ type: [RevisionEdgeRef], description: 'The entries of this page.', resolve: (c) => c.edges }),
      pageInfo: t.field({ type: PageInfoRef, description: 'Whether older entries follow, and the cursor to get them.', resolve: (c) => c.pageInfo }),
    }),
  });

const BlameSpanRef = builder.objectRef<BlameSpan>('BlameSpan').implement({
  description: 'Consecutive characters inserted by one operation.',
  fields: (t) => ({
    start: t.exposeInt('start', { description: 'Offset of the first character in the document (UTF-16 code units; an embed counts 1).' }),
    length: t.exposeInt('length', { description: 'Number of characters (UTF-16 code units; an embed counts 1).' }),
    text: t.exposeString('text', { description: 'The characters; an embed (image) stands as U+FFFC.' }),
    version: t.exposeInt('version', { description: 'The version whose operation inserted them; 0 for the content the document was created with.' }),
    author: t.field({
      type: UserRef,
      nullable: true,
      description: 'Who inserted them (the creator for version 0); null for system operations and deleted accounts.',
      resolve: (s, _args, ctx) => (s.authorId === null ? null : ctx.services.users.get(s.authorId)),
    }),
  }),
});

const DocumentBlameRef = builder.objectRef<BlamePage>('DocumentBlame').implement({
  description: 'Who wrote each part of the document at one version, a page of spans at a time. Formatting changes do not change authorship.',
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'The version described.' }),
    spans: t.field({
      type: [BlameSpanRef],
      description: 'This page of the text in order, split where the inserting operation changes; all pages together cover the document exactly.',
      resolve: (b) => b.spans,
    }),
    totalSpans: t.exposeInt('total', { description: 'How many spans the whole document has at this version.' }),
    pageInfo: t.field({
      type: PageInfoRef,
      description: 'Whether more spans follow, and the cursor (`after`) for them.',
      resolve: (b) => ({ hasNextPage: b.hasNextPage, endCursor: b.endCursor }),
    }),
  }),
});

builder.objectFields(DocumentRef, (t) => ({
  revisions: t.field({
    type: RevisionConnectionRef,
    description: 'History entries, newest first. A page costs the page, however long the history.',
    args: {
      first: t.arg.int({ defaultValue: 20, description: `Page size, 1 to ${MAX_REVISIONS_PAGE}.` }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: async (d, args, ctx) => {
      const page = orThrow(await ctx.services.history.revisions(ctx, d.row.id, { first: args.first ?? 20, after: args.after ?? null }));
      return { edges: page.items, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null } };
    },
  }),
  blame: t.field({
    type: DocumentBlameRef,
    description: `Who inserted each part of the text at \`version\` (default: head), and in which version; at most ${MAX_BLAME_PAGE} spans a page.`,
    args: {
      version: t.arg.int({ description: 'A version from 0 to the head version; default the head (or the version of `after`).' }),
      first: t.arg.int({ defaultValue: 1000, description: `Spans in this page, 1 to ${MAX_BLAME_PAGE}.` }),
      after: t.arg.string({ description: 'The `pageInfo.endCursor` of the previous page (it carries the version).' }),
    },
    resolve: async (d, args, ctx) =>
      orThrow(await ctx.services.history.blame(ctx, d.row.id, { version: args.version ?? null, first: args.first ?? 1000, after: args.after ?? null })),
  }),
}));

builder.mutationFields((t) => ({
  nameVersion: t.field({
    type: RevisionRef,
    description: 'Names a version (editors and owners); it becomes the end of a history entry carrying the name. Naming it again renames it.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      version: t.arg.int({ required: true, description: 'A version from 1 to the head version.' }),
      name: t.arg.string({ required: true, description: `The name, 1 to ${MAX_VERSION_NAME_LENGTH} characters.` }),
    },
    resolve: async (_root, args, ctx) =>
      orThrow(await ctx.services.history.nameVersion(ctx, { documentId: String(args.documentId), version: args.version, name: args.name })).revision,
  }),
  restoreVersion: t.field({
    type: SubmitOperationPayloadRef,
    description:
      'Brings the document back to the content of `version` by applying one new operation (history is kept), sequenced like any edit so live editors receive it. Pass `clientId` and `clientSeq` to make a retry safe: the same pair answers `duplicate`. When the head already has that content nothing is applied and the answer carries the head version and an empty delta.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      version: t.arg.int({ required: true, description: 'The version whose content to restore, from 0 to the head version.' }),
      clientId: t.arg.string({ description: `Optional idempotency key, at most ${MAX_RESTORE_KEY_LENGTH} characters (e.g. the editor's clientId); requires clientSeq. The op is stored under clientId \`restore:<key>\`.` }),
      clientSeq: t.arg.int({ description: 'Sequence number for `clientId` (the next one that client would use); requires clientId.' }),
    },
    resolve: async (_root, args, ctx) =>
      submitPayload(
        orThrow(
          await ctx.services.history.restore(ctx, { documentId: String(args.documentId), version: args.version, clientId: args.clientId ?? null, clientSeq: args.clientSeq ?? null }),
        ),
      ),
  }),
}));
