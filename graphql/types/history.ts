/**
 * History (issue 6): the revision list, named versions, restoring a version, and blame.
 * Reads authorise `read`; naming authorises `manage`, restoring `edit` (lib/auth/permissions.ts).
 * Rules H1–H14 are in lib/collab/SPEC.md.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { BlameSpan } from '../../lib/collab/blame.ts';
import { nameVersion, restoreClientId, revisionsPage, type StoredRevision } from '../../lib/db/revisions.ts';
import { authorizeDocument } from '../authorize.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { deltaJson, headState, stateAt } from '../document-state.ts';
import { userError } from '../errors.ts';
import { blameWithText, changeBetweenVersions, MAX_BLAME_PAGE } from '../history-state.ts';
import { DocumentRef, PageInfoRef } from './document.ts';
import { MAX_CLIENT_ID_LENGTH, SubmitOperationPayloadRef, submitForViewer, type SubmitPayload } from './operation.ts';
import { UserRef, type UserShape } from './user.ts';

const MAX_REVISIONS_PAGE = 100;
export const MAX_VERSION_NAME_LENGTH = 200;
/** A restore's key is stored behind the `restore:` prefix [H3b], within the clientId limit. */
const MAX_RESTORE_KEY_LENGTH = MAX_CLIENT_ID_LENGTH - 'restore:'.length;

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

const encodeCursor = (toVersion: number): string => Buffer.from(`rev:${toVersion}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const match = /^rev:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw userError('BAD_USER_INPUT', '`after` is not a cursor this API gave out; pass `pageInfo.endCursor` from the previous page.');
  return Number(match[1]);
}

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

interface BlamePage {
  version: number;
  spans: BlameSpan[];
  total: number;
  skip: number;
}

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
      resolve: (b) => {
        const next = b.skip + b.spans.length;
        return { hasNextPage: next < b.total, endCursor: b.spans.length > 0 ? encodeBlameCursor(b.version, next) : null };
      },
    }),
  }),
});

const encodeBlameCursor = (version: number, skip: number): string => Buffer.from(`blame:${version}:${skip}`).toString('base64url');
function decodeBlameCursor(cursor: string): { version: number; skip: number } {
  const match = /^blame:(\d{1,15}):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw userError('BAD_USER_INPUT', '`after` is not a blame cursor this API gave out; pass `pageInfo.endCursor` from the previous page.');
  return { version: Number(match[1]), skip: Number(match[2]) };
}

builder.objectFields(DocumentRef, (t) => ({
  revisions: t.field({
    type: RevisionConnectionRef,
    description: 'History entries, newest first. A page costs the page, however long the history.',
    args: {
      first: t.arg.int({ defaultValue: 20, description: `Page size, 1 to ${MAX_REVISIONS_PAGE}.` }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: async (d, args, ctx) => {
      await authorizeDocument(ctx, d.row.id, 'read');
      const first = args.first ?? 20;
      if (first < 1 || first > MAX_REVISIONS_PAGE) throw userError('BAD_USER_INPUT', `first must be from 1 to ${MAX_REVISIONS_PAGE}, got ${first}.`);
      const before = args.after ? decodeCursor(args.after) : undefined;
      const page = await revisionsPage(ctx.services.prisma, d.row.id, { first, ...(before === undefined ? {} : { beforeToVersion: before }) });
      const edges = page.revisions.map((node) => ({ cursor: encodeCursor(node.toVersion), node }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
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
    resolve: async (d, args, ctx) => {
      await authorizeDocument(ctx, d.row.id, 'read');
      const first = args.first ?? 1000;
      if (first < 1 || first > MAX_BLAME_PAGE) throw userError('BAD_USER_INPUT', `first must be from 1 to ${MAX_BLAME_PAGE}, got ${first}.`);
      const cursor = args.after ? decodeBlameCursor(args.after) : null;
      if (cursor && args.version != null && args.version !== cursor.version) {
        throw userError('BAD_USER_INPUT', `\`after\` continues the blame of version ${cursor.version}, not ${args.version}; leave \`version\` out or start again without \`after\`.`);
      }
      const version = cursor?.version ?? args.version ?? (await headState(ctx, d.row.id)).version;
      const skip = cursor?.skip ?? 0;
      const { spans, total } = await blameWithText(ctx, d.row.id, version, { skip, first });
      return { version, spans, total, skip };
    },
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
    resolve: async (_root, args, ctx) => {
      const { document } = await authorizeDocument(ctx, String(args.documentId), 'manage');
      const name = args.name.trim();
      if (name.length === 0 || name.length > MAX_VERSION_NAME_LENGTH) {
        throw userError('BAD_USER_INPUT', `A version name must have 1 to ${MAX_VERSION_NAME_LENGTH} characters (after trimming); this one has ${name.length}.`);
      }
      const result = await nameVersion(ctx.services.prisma, { documentId: document.id, version: args.version, name, createdById: ctx.viewer?.userId ?? null });
      if (result.kind === 'rejected') throw userError(result.code, result.message);
      return result.revision;
    },
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
    resolve: (_root, args, ctx) => restore(ctx, String(args.documentId), args.version, args.clientId ?? null, args.clientSeq ?? null),
  }),
}));

/** restoreVersion [H14]: the change from head to `version`, submitted at the head version. */
async function restore(ctx: GraphQLContext, documentId: string, version: number, clientId: string | null, clientSeq: number | null): Promise<SubmitPayload> {
  const { document } = await authorizeDocument(ctx, documentId, 'edit');
  if ((clientId === null) !== (clientSeq === null)) {
    throw userError('BAD_USER_INPUT', 'Pass both clientId and clientSeq (to make the restore safe to retry), or neither.');
  }
  if (clientId !== null && (clientId.length === 0 || clientId.length > MAX_RESTORE_KEY_LENGTH)) {
    throw userError('BAD_USER_INPUT', `clientId must have 1 to ${MAX_RESTORE_KEY_LENGTH} characters.`);
  }
  if (clientId !== null && clientSeq !== null) {
    // A retry of a restore that was applied must not restore again over later edits.
    const previous = await ctx.services.collab.store.findByClientSeq(document.id, restoreClientId(version, { clientId }, ''), clientSeq);
    // Only the caller's own op [PL7]: another user's key goes on to the sequencer, which refuses it.
    if (previous && previous.authorId === ctx.viewer!.userId) return { version: previous.version, delta: deltaJson(previous.delta), duplicate: true };
  }
  const [head, target] = await Promise.all([headState(ctx, document.id), stateAt(ctx, document.id, version)]);
  // Compare contents, not the change: composed ops may hold no-op parts (a format set and unset).
  if (isDeepStrictEqual(head.content.ops, target.content.ops)) return { version: head.version, delta: { ops: [] }, duplicate: false };
  const delta = await changeBetweenVersions(ctx, document.id, head.version, version, target.content);
  const payload = await submitForViewer(ctx, {
    documentId: document.id,
    baseVersion: head.version,
    // Without a key every restore is a new op: a unique clientId makes (clientId, 1) unique.
    clientId: restoreClientId(version, clientId === null ? null : { clientId }, randomUUID()),
    clientSeq: clientSeq ?? 1,
    delta: deltaJson(delta),
  });
  if (!payload.duplicate) await closeRestoreEntry(ctx, document.id, payload.version, version);
  return payload;
}

/**
 * Names the restore's version [H3b] so that the restore is an entry of its own op (the op opened
 * it; the name closes it, splitting off anything committed meanwhile). The restore is durable
 * already: a failure here is logged, not answered.
 */
async function closeRestoreEntry(ctx: GraphQLContext, documentId: string, restoredAt: number, restoredVersion: number): Promise<void> {
  try {
    const source = await ctx.services.prisma.namedVersion.findUnique({ where: { documentId_version: { documentId, version: restoredVersion } }, select: { name: true } });
    const state = source ? null : await stateAt(ctx, documentId, restoredVersion);
    const label = source ? `“${source.name}”` : `the text of ${state!.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const name = `Restored ${label}`.slice(0, MAX_VERSION_NAME_LENGTH);
    const result = await nameVersion(ctx.services.prisma, { documentId, version: restoredAt, name, createdById: ctx.viewer?.userId ?? null });
    if (result.kind === 'rejected') ctx.logger.warn({ documentId, restoredAt, code: result.code }, 'restore entry not named');
  } catch (error) {
    ctx.logger.warn({ documentId, restoredAt, err: error }, 'restore entry not named');
  }
}
