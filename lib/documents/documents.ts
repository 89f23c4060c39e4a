/**
 * Documents: finding one, listing (and searching) the viewer's, creating, renaming and the trash.
 * Creating writes the document with its initial content and makes the creator its owner in one
 * transaction; trashing tells live subscriptions on every instance that access changed.
 */
import { randomUUID } from 'node:crypto';
import { ensurePersonalOrganization } from '../auth/organizations.ts';
import type { DocumentRole } from '../auth/permissions.ts';
import type { OpStore } from '../collab/op-store.ts';
import { insertDocument } from '../db/op-store.ts';
import type { Prisma, PrismaClient } from '../db/prisma.ts';
import { emptyDocument, validateDocument } from '../ot/operation.ts';
import type { AccessEvents } from '../pubsub/access-events.ts';
import { searchDocuments, searchQuery, type Snippet } from '../search/search-index.ts';
import type { DocumentAccess } from './access.ts';
import { rejected, unauthenticated, type DocumentRow, type Rejected, type RequestScope } from './types.ts';
import { cursorCodec, pageSizeProblem } from './paging.ts';

export const MAX_TITLE_LENGTH = 200;
export const DEFAULT_TITLE = 'Untitled document';
/** Largest page of `list`. */
export const MAX_DOCUMENTS_PAGE = 100;

export type DocumentFilter = 'ALL' | 'OWNED' | 'SHARED' | 'TRASH';

/** A document as one viewer sees it: the row and their role on it. */
export interface ViewedDocument {
  readonly row: DocumentRow;
  readonly role: DocumentRole;
}

export interface ListedDocument {
  readonly cursor: string;
  readonly node: ViewedDocument;
  /** Search results only: the excerpt around the matched words. */
  readonly snippet?: Snippet;
}

export interface DocumentPage {
  readonly kind: 'page';
  readonly items: ListedDocument[];
  readonly hasNextPage: boolean;
}

export interface Documents {
  /** The document, when it exists, is not in the trash and the viewer has a role on it. */
  find(scope: RequestScope, documentId: string): Promise<({ kind: 'found' } & ViewedDocument) | { kind: 'none' } | Rejected>;
  /** The viewer's documents, most recently changed first, or the best matches of `search` first. */
  list(scope: RequestScope, page: { first: number; after: string | null; search: string | null; filter: DocumentFilter }): Promise<DocumentPage | Rejected>;
  /** A document the viewer owns, in their personal organization; `content` is an unchecked Delta (default empty). */
  create(scope: RequestScope, input: { title: string | null; content: unknown }): Promise<({ kind: 'created' } & ViewedDocument) | Rejected>;
  rename(scope: RequestScope, documentId: string, title: string): Promise<({ kind: 'renamed' } & ViewedDocument) | Rejected>;
  /** Moves it to the trash (owners): collaborators lose access until it is restored; history is kept. */
  trash(scope: RequestScope, documentId: string): Promise<({ kind: 'trashed' } & ViewedDocument) | Rejected>;
  untrash(scope: RequestScope, documentId: string): Promise<({ kind: 'untrashed' } & ViewedDocument) | Rejected>;
}

export interface DocumentsDeps {
  readonly prisma: PrismaClient;
  readonly store: OpStore;
  readonly access: DocumentAccess;
  readonly accessEvents: AccessEvents;
}

// The list's order is (updatedAt, id), so its cursor is the last row's pair.
const listCursor = cursorCodec<{ updatedAt: Date; id: string }>(
  (row) => `${row.updatedAt.toISOString()}|${row.id}`,
  (text) => {
    const [at, id] = text.split('|');
    const updatedAt = new Date(at ?? '');
    return !id || Number.isNaN(updatedAt.getTime()) ? null : { updatedAt, id };
  },
);

// Search results are ranked, so their cursor is a position in the ranking.
const searchCursor = cursorCodec<number>(
  (offset) => `search|${offset}`,
  (text) => {
    const [kind, at] = text.split('|');
    const offset = Number(at);
    return kind !== 'search' || !Number.isSafeInteger(offset) || offset < 0 ? null : offset;
  },
  '`after` is not a cursor of this search; pass `pageInfo.endCursor` from the previous page of the same search.',
);

/** The title to store: trimmed, the default when blank; refused past MAX_TITLE_LENGTH. */
function checkTitle(raw: string | null | undefined): string | Rejected {
  const title = (raw ?? '').trim();
  if (title.length > MAX_TITLE_LENGTH) {
    return rejected('BAD_USER_INPUT', `A title may have at most ${MAX_TITLE_LENGTH} characters; this one has ${title.length}.`);
  }
  return title.length === 0 ? DEFAULT_TITLE : title;
}

export function createDocuments(deps: DocumentsDeps): Documents {
  const { prisma, access } = deps;

  /** `list` with a search: the same documents as the list (same filter, same access), ranked. */
  const search = async (userId: string, input: string, filter: DocumentFilter, first: number, after: string | null): Promise<DocumentPage | Rejected> => {
    const offset = after ? searchCursor.decode(after) : 0;
    if (typeof offset !== 'number') return offset;
    const query = searchQuery(input);
    if (query === null) return { kind: 'page', items: [], hasNextPage: false };
    // Reads only: the background indexer keeps the index current (lib/search/search-indexer.ts).
    const roles: DocumentRole[] | null = filter === 'OWNED' || filter === 'TRASH' ? ['OWNER'] : filter === 'SHARED' ? ['EDITOR', 'COMMENTER', 'VIEWER'] : null;
    const hits = await searchDocuments(prisma, { userId, roles, trash: filter === 'TRASH' }, query, offset, first + 1);
    const items = hits.slice(0, first).map((h, i) => ({ cursor: searchCursor.encode(offset + i + 1), node: { row: h.document, role: h.role }, snippet: h.snippet }));
    return { kind: 'page', items, hasNextPage: hits.length > first };
  };

  return {
    async find(scope, documentId) {
      if (!scope.viewer) return unauthenticated();
      const found = await access.loadGrant(scope.viewer.userId, documentId);
      if (!found || found.document.deletedAt || found.grant.role === null) return { kind: 'none' };
      return { kind: 'found', row: found.document, role: found.grant.role };
    },

    async list(scope, { first, after, search: input, filter }) {
      const viewer = scope.viewer;
      if (!viewer) return unauthenticated();
      const size = pageSizeProblem(first, MAX_DOCUMENTS_PAGE);
      if (size) return size;
      if (input && input.trim() !== '') return search(viewer.userId, input, filter, first, after);
      const position = after ? listCursor.decode(after) : null;
      if (position !== null && 'kind' in position) return position;
      const role: Prisma.DocumentMemberWhereInput['role'] =
        filter === 'OWNED' || filter === 'TRASH' ? 'OWNER' : filter === 'SHARED' ? { not: 'OWNER' } : undefined;
      const rows = await prisma.documentMember.findMany({
        where: {
          userId: viewer.userId,
          ...(role ? { role } : {}),
          document: {
            deletedAt: filter === 'TRASH' ? { not: null } : null,
            ...(position
              ? { OR: [{ updatedAt: { lt: position.updatedAt } }, { updatedAt: position.updatedAt, id: { lt: position.id } }] }
              : {}),
          },
        },
        orderBy: [{ document: { updatedAt: 'desc' } }, { document: { id: 'desc' } }],
        take: first + 1,
        select: { role: true, document: true },
      });
      const items = rows.slice(0, first).map((r) => ({ cursor: listCursor.encode(r.document), node: { row: r.document, role: r.role } }));
      return { kind: 'page', items, hasNextPage: rows.length > first };
    },

    async create(scope, input) {
      const allowed = access.checkAccount(scope.viewer, 'create-document');
      if (allowed.kind === 'rejected') return allowed;
      const { viewer } = allowed;
      const title = checkTitle(input.title);
      if (typeof title !== 'string') return title;
      const content = input.content === undefined || input.content === null ? { ok: true as const, value: emptyDocument() } : validateDocument(input.content);
      if (!content.ok) return rejected(content.code, `content: ${content.message}`);
      const organizationId = await ensurePersonalOrganization(prisma, viewer.userId);
      const id = randomUUID();
      const row = await prisma.$transaction(async (tx) => {
        await insertDocument(tx, { id, organizationId, title, createdById: viewer.userId, content: content.value, createdAt: new Date() });
        await tx.documentMember.create({ data: { documentId: id, userId: viewer.userId, role: 'OWNER' } });
        return tx.document.findUniqueOrThrow({ where: { id } });
      });
      return { kind: 'created', row, role: 'OWNER' };
    },

    async rename(scope, documentId, rawTitle) {
      const allowed = await access.check(scope.viewer, documentId, 'manage');
      if (allowed.kind === 'rejected') return allowed;
      const title = checkTitle(rawTitle);
      if (typeof title !== 'string') return title;
      const row = await prisma.document.update({ where: { id: allowed.document.id }, data: { title } });
      return { kind: 'renamed', row, role: allowed.role };
    },

    async trash(scope, documentId) {
      const allowed = await access.check(scope.viewer, documentId, 'delete');
      if (allowed.kind === 'rejected') return allowed;
      const { document, role } = allowed;
      const row = await prisma.document.update({ where: { id: document.id }, data: { deletedAt: document.deletedAt ?? new Date() } });
      await deps.accessEvents.publish(document.id);
      return { kind: 'trashed', row, role };
    },

    async untrash(scope, documentId) {
      const allowed = await access.check(scope.viewer, documentId, 'delete');
      if (allowed.kind === 'rejected') return allowed;
      const row = await prisma.document.update({ where: { id: allowed.document.id }, data: { deletedAt: null } });
      return { kind: 'untrashed', row, role: allowed.role };
    },
  };
}
