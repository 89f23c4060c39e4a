/**
 * Documents: the Document type, listing and reading, creating, renaming and the trash, mapped
 * onto the documents service (lib/documents/documents.ts). Content and history fields authorise
 * through `authorizeDocument` (one `can()`).
 */
import { DOCUMENT_ROLES, type DocumentRole } from '../../lib/auth/permissions.ts';
import { DEFAULT_TITLE, MAX_DOCUMENTS_PAGE as MAX_PAGE, MAX_TITLE_LENGTH, type ListedDocument, type ViewedDocument } from '../../lib/documents/documents.ts';
import { authorizeDocument } from '../authorize.ts';
import { builder } from '../builder.ts';
import { deltaJson, headState, stateAt } from '../document-state.ts';
import { orThrow } from '../errors.ts';

/** A document as seen by the viewer: the row and the viewer's role on it. */
export type DocumentShape = ViewedDocument;

export { DEFAULT_TITLE, MAX_TITLE_LENGTH };

export const RoleEnum = builder.enumType('Role', {
  description: "A person's role on one document.",
  values: {
    OWNER: { description: 'Everything, including sharing, trashing and restoring from the trash.' },
    EDITOR: { description: 'Read and edit content, rename, name and restore versions.' },
    COMMENTER: { description: 'Read, with live updates (comments are not available yet).' },
    VIEWER: { description: 'Read only, with live updates.' },
  } satisfies Record<DocumentRole, unknown>,
});

export const DocumentFilterEnum = builder.enumType('DocumentFilter', {
  description: 'Which documents `documents` lists.',
  values: {
    ALL: { description: 'Every document you can open (not in the trash).' },
    OWNED: { description: 'Documents you own.' },
    SHARED: { description: 'Documents others shared with you ("shared with me").' },
    TRASH: { description: 'Documents you own that are in the trash.' },
  },
});

export const DocumentSnapshotRef = builder
  .objectRef<{ version: number; content: unknown; createdAt: Date }>('DocumentSnapshot')
  .implement({
    description: 'The document as it was after a number of operations.',
    fields: (t) => ({
      version: t.exposeInt('version', { description: 'Number of operations applied to reach this state.' }),
      content: t.field({ type: 'JSON', description: 'The rich-text Delta at this version.', resolve: (s) => s.content }),
      createdAt: t.expose('createdAt', { type: 'DateTime', description: 'Server time of the operation that produced this version (creation time for 0).' }),
    }),
  });

export const DocumentRef = builder.objectRef<DocumentShape>('Document').implement({
  description: 'A collaborative rich-text document.',
  fields: (t) => ({
    id: t.id({ description: 'Stable identifier, the same as in the web route /docs/<id>.', resolve: (d) => d.row.id }),
    title: t.string({ description: 'Title shown in lists and the editor.', resolve: (d) => d.row.title }),
    version: t.int({
      description: 'Head version: the number of operations applied. Consistent with `content` in the same response.',
      resolve: async (d, _args, ctx) => (d.row.deletedAt ? d.row.version : (await headState(ctx, d.row.id)).version),
    }),
    content: t.field({
      type: 'JSON',
      description: 'The rich-text Delta at head (`{ "ops": [...] }`); always ends with a newline.',
      resolve: async (d, _args, ctx) => {
        await authorizeDocument(ctx, d.row.id, 'read');
        return deltaJson((await headState(ctx, d.row.id)).content);
      },
    }),
    myRole: t.field({ type: RoleEnum, description: 'Your role on this document.', resolve: (d) => d.role }),
    createdAt: t.field({ type: 'DateTime', description: 'When the document was created.', resolve: (d) => d.row.createdAt }),
    updatedAt: t.field({ type: 'DateTime', description: 'When the document or its content last changed.', resolve: (d) => d.row.updatedAt }),
    trashedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the document was moved to the trash; null when it is not in the trash.',
      resolve: (d) => d.row.deletedAt,
    }),
    at: t.field({
      type: DocumentSnapshotRef,
      description: 'The document as it was after `version` operations (0 is its initial content).',
      args: { version: t.arg.int({ required: true, description: 'A version from 0 to the head version.' }) },
      resolve: async (d, { version }, ctx) => {
        await authorizeDocument(ctx, d.row.id, 'read');
        const state = await stateAt(ctx, d.row.id, version);
        return { version: state.version, content: deltaJson(state.content), createdAt: state.createdAt };
      },
    }),
    diff: t.field({
      type: 'JSON',
      description: 'A Delta that turns the document at `fromVersion` into the document at `toVersion`.',
      args: {
        fromVersion: t.arg.int({ required: true, description: 'The version to start from.' }),
        toVersion: t.arg.int({ required: true, description: 'The version to arrive at.' }),
      },
      resolve: async (d, { fromVersion, toVersion }, ctx) => {
        await authorizeDocument(ctx, d.row.id, 'read');
        // The ops in between, composed (cheap for nearby versions); a text diff for distant ones.
        return deltaJson(orThrow(await ctx.services.history.changeBetween(ctx, d.row.id, fromVersion, toVersion)).delta);
      },
    }),
  }),
});

export const PageInfoRef = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo').implement({
  description: 'Where a page of a list ends.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'Whether more items follow this page.' }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Pass as `after` to get the next page.' }),
  }),
});

const TextSpanRef = builder.objectRef<{ start: number; length: number }>('TextSpan').implement({
  description: 'A part of a string: UTF-16 offset and length.',
  fields: (t) => ({
    start: t.exposeInt('start', { description: 'Offset of its first character (UTF-16 code units).' }),
    length: t.exposeInt('length', { description: 'Its length (UTF-16 code units).' }),
  }),
});

type DocumentEdgeShape = ListedDocument;

const DocumentEdgeRef = builder.objectRef<DocumentEdgeShape>('DocumentEdge').implement({
  description: 'A document in a list, with its cursor (and, in search results, an excerpt).',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Opaque position of this document in the list.' }),
    node: t.field({ type: DocumentRef, description: 'The document.', resolve: (e) => e.node }),
    snippet: t.string({
      nullable: true,
      description:
        'Search results only: a short excerpt of the content around the matched words, as plain text (never markup); when only the title matched, the beginning of the text, unmarked. Null outside a search.',
      resolve: (e) => e.snippet?.text ?? null,
    }),
    snippetHighlights: t.field({
      type: [TextSpanRef],
      description: 'The parts of `snippet` that matched the search, in order (empty outside a search). Show them marked, e.g. in <mark>, as text.',
      resolve: (e) => e.snippet?.highlights ?? [],
    }),
  }),
});

const DocumentConnectionRef = builder
  .objectRef<{ edges: DocumentEdgeShape[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>('DocumentConnection')
  .implement({
    description: 'A page of documents, most recently changed first (best match first when searching).',
    fields: (t) => ({
      edges: t.field({ type: [DocumentEdgeRef], description: 'The documents of this page.', resolve: (c) => c.edges }),
      pageInfo: t.field({ type: PageInfoRef, description: 'Whether more follow, and the cursor to get them.', resolve: (c) => c.pageInfo }),
    }),
  });

builder.queryFields((t) => ({
  document: t.field({
    type: DocumentRef,
    nullable: true,
    description: 'A document by id; null if it does not exist, is in the trash, or you may not read it.',
    args: { id: t.arg.id({ required: true, description: 'The document id.' }) },
    resolve: async (_root, { id }, ctx) => {
      const found = orThrow(await ctx.services.documents.find(ctx, String(id)));
      return found.kind === 'found' ? { row: found.row, role: found.role } : null;
    },
  }),
  documents: t.field({
    type: DocumentConnectionRef,
    description: 'Documents you can open, most recently changed first, a page at a time.',
    args: {
      first: t.arg.int({ defaultValue: 20, description: `Page size, 1 to ${MAX_PAGE}.` }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
      search: t.arg.string({
        description:
          'Full-text search: only documents whose title or content has every word given (each as a prefix, case-insensitive), best match first, each with a `snippet`. Edits are found within a few seconds. Blank: no search.',
      }),
      filter: t.arg({ type: DocumentFilterEnum, defaultValue: 'ALL', description: 'Which documents to list.' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = orThrow(
        await ctx.services.documents.list(ctx, { first: args.first ?? 20, after: args.after ?? null, search: args.search ?? null, filter: args.filter ?? 'ALL' }),
      );
      return { edges: page.items, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null } };
    },
  }),
}));

builder.mutationFields((t) => ({
  createDocument: t.field({
    type: DocumentRef,
    description: 'Creates a document that you own, in your personal organization.',
    args: {
      title: t.arg.string({ description: `Title (default "${DEFAULT_TITLE}"), at most ${MAX_TITLE_LENGTH} characters.` }),
      content: t.arg({ type: 'JSON', description: 'Initial rich-text Delta (inserts only, ending with a newline); default empty.' }),
    },
    resolve: async (_root, args, ctx) => {
      const { row, role } = orThrow(await ctx.services.documents.create(ctx, { title: args.title ?? null, content: args.content }));
      return { row, role };
    },
  }),
  renameDocument: t.field({
    type: DocumentRef,
    description: 'Changes a document title (editors and owners).',
    args: {
      id: t.arg.id({ required: true, description: 'The document id.' }),
      title: t.arg.string({ required: true, description: `New title, at most ${MAX_TITLE_LENGTH} characters.` }),
    },
    resolve: async (_root, args, ctx) => {
      const { row, role } = orThrow(await ctx.services.documents.rename(ctx, String(args.id), args.title));
      return { row, role };
    },
  }),
  moveDocumentToTrash: t.field({
    type: DocumentRef,
    description: 'Moves a document to the trash (owners). Collaborators lose access until it is restored; history is kept.',
    args: { id: t.arg.id({ required: true, description: 'The document id.' }) },
    resolve: async (_root, args, ctx) => {
      const { row, role } = orThrow(await ctx.services.documents.trash(ctx, String(args.id)));
      return { row, role };
    },
  }),
  restoreDocumentFromTrash: t.field({
    type: DocumentRef,
    description: 'Takes a document out of the trash (owners).',
    args: { id: t.arg.id({ required: true, description: 'The document id.' }) },
    resolve: async (_root, args, ctx) => {
      const { row, role } = orThrow(await ctx.services.documents.untrash(ctx, String(args.id)));
      return { row, role };
    },
  }),
}));

export { DOCUMENT_ROLES };
