/**
 * Resolver-side access checks: the access service's answers (lib/documents/access.ts) with a
 * refusal thrown as the GraphQL error of the same code and message.
 */
import type { AccountAction, DocumentAction, DocumentRole } from '../lib/auth/permissions.ts';
import type { DocumentRow, FoundGrant } from '../lib/documents/types.ts';
import type { GraphQLContext, Viewer } from './context.ts';
import { orThrow } from './errors.ts';

export type { DocumentRow };

export interface AuthorizedDocument {
  readonly document: DocumentRow;
  readonly role: DocumentRole;
}

/** The document and the viewer's role on it, or null when it does not exist or they have none. */
export function loadDocumentGrant(ctx: GraphQLContext, viewer: Viewer, documentId: string): Promise<FoundGrant | null> {
  return ctx.services.access.loadGrant(viewer.userId, documentId);
}

/** Resolves when the viewer may do `action` on the document; otherwise throws its refusal (UNAUTHENTICATED, NOT_FOUND, FORBIDDEN). */
export async function authorizeDocument(ctx: GraphQLContext, documentId: string, action: DocumentAction): Promise<AuthorizedDocument> {
  const { document, role } = orThrow(await ctx.services.access.check(ctx.viewer, documentId, action));
  return { document, role };
}

/** {@link authorizeDocument} with the connection's kept grants (the per-op path; see `DocumentAccess.checkCached`). */
export async function authorizeDocumentCached(ctx: GraphQLContext, documentId: string, action: DocumentAction): Promise<AuthorizedDocument> {
  const { document, role } = orThrow(await ctx.services.access.checkCached(ctx.viewer, documentId, action, ctx.connection?.grants));
  return { document, role };
}

/** The viewer, when they may do `action` on their own account; otherwise throws UNAUTHENTICATED or FORBIDDEN. */
export function authorizeAccount(ctx: GraphQLContext, action: AccountAction): Viewer {
  return orThrow(ctx.services.access.checkAccount(ctx.viewer, action)).viewer;
}

/** A link the viewer may join: its id, for `joinLink`. */
export interface AuthorizedLink {
  readonly linkId: string;
}

/** Resolves when the viewer may join the document through its share link with `secret` (see `DocumentAccess.checkLinkJoin`). */
export async function authorizeLinkJoin(ctx: GraphQLContext, documentId: string, secret: string): Promise<AuthorizedLink> {
  return { linkId: orThrow(await ctx.services.access.checkLinkJoin(ctx.viewer, documentId, secret)).linkId };
}
