/**
 * Resolver-side access checks: look up the viewer's grant on a document and ask `can()`.
 */
import { can, roleAllows, SCOPE_FOR, type AccountAction, type DocumentAction, type DocumentGrant, type DocumentRole, type LinkAction } from '../lib/auth/permissions.ts';
import { findLink, secretMatches } from '../lib/auth/share-links.ts';
import type { GraphQLContext, Viewer } from './context.ts';
import { unauthenticated, userError } from './errors.ts';

export interface DocumentRow {
  readonly id: string;
  readonly organizationId: string;
  readonly title: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deletedAt: Date | null;
}

export interface AuthorizedDocument {
  readonly document: DocumentRow;
  readonly role: DocumentRole;
}

/** The document and the viewer's role on it, or null when it does not exist or they have none. */
export async function loadDocumentGrant(ctx: GraphQLContext, viewer: Viewer, documentId: string): Promise<{ document: DocumentRow; grant: DocumentGrant } | null> {
  const member = await ctx.services.prisma.documentMember.findUnique({
    where: { documentId_userId: { documentId, userId: viewer.userId } },
    select: { role: true, document: true },
  });
  if (member === null) return null;
  return { document: member.document, grant: { kind: 'document', role: member.role, deleted: member.document.deletedAt !== null } };
}

/**
 * Resolves when the viewer may do `action` on the document; otherwise throws UNAUTHENTICATED,
 * NOT_FOUND (it does not exist, or the viewer may not even read it: existence is not leaked)
 * or FORBIDDEN (they can read it but not do this).
 */
export async function authorizeDocument(ctx: GraphQLContext, documentId: string, action: DocumentAction): Promise<AuthorizedDocument> {
  const viewer = ctx.viewer;
  if (viewer === null) throw unauthenticated();
  return decide(viewer, documentId, action, await loadDocumentGrant(ctx, viewer, documentId));
}

/**
 * {@link authorizeDocument} for the per-op path (submitOperation): on a WebSocket connection the
 * grant is read once and kept until access to the document changes (graphql/grant-cache.ts), so
 * a typing editor does not cost a PostgreSQL query per op. The returned row is as of that read:
 * use its id, not its version or title.
 */
export async function authorizeDocumentCached(ctx: GraphQLContext, documentId: string, action: DocumentAction): Promise<AuthorizedDocument> {
  const viewer = ctx.viewer;
  const cache = ctx.connection?.grants;
  if (viewer === null || !cache) return authorizeDocument(ctx, documentId, action);
  const found = cache.get(documentId) ?? (await cache.load(documentId, () => loadDocumentGrant(ctx, viewer, documentId)));
  return decide(viewer, documentId, action, found);
}

function decide(viewer: Viewer, documentId: string, action: DocumentAction, found: { document: DocumentRow; grant: DocumentGrant } | null): AuthorizedDocument {
  if (found === null || !roleAllows('read', found.grant) && !(action === 'delete' && roleAllows('delete', found.grant))) {
    throw userError('NOT_FOUND', `No document with id "${documentId}" that you can see; check the id or ask its owner to share it with you.`);
  }
  if (!can(viewer, action, found.grant)) {
    if (roleAllows(action, found.grant)) throw missingScope(action);
    throw userError('FORBIDDEN', `Your role on this document (${found.grant.role}) does not allow this (${action}); ask an owner for a stronger role.`);
  }
  return { document: found.document, role: found.grant.role as DocumentRole };
}

function missingScope(action: DocumentAction | AccountAction | LinkAction) {
  const scope = SCOPE_FOR[action];
  return userError('FORBIDDEN', `This API token lacks the "${scope}" scope needed for this (${action}); create a token with that scope in Settings → API tokens.`, { requiredScope: scope });
}

/**
 * Resolves with the viewer when they may do `action` on their own account (create documents,
 * manage API tokens): throws UNAUTHENTICATED without a credential, FORBIDDEN when the API token
 * used lacks the scope.
 */
export function authorizeAccount(ctx: GraphQLContext, action: AccountAction): Viewer {
  const viewer = ctx.viewer;
  if (viewer === null) throw unauthenticated();
  if (!can(viewer, action, { kind: 'account', userId: viewer.userId })) throw missingScope(action);
  return viewer;
}

/** A link the viewer may join: its id, for `joinLink`. */
export interface AuthorizedLink {
  readonly linkId: string;
}

/**
 * Resolves when the viewer may join the document through its share link with `secret`; throws
 * UNAUTHENTICATED, RATE_LIMITED (attempts per account, counted before the secret is compared so
 * that guessing is bounded), FORBIDDEN (an API token without the share scope) or NOT_FOUND (no
 * such document, link sharing off, or not the current secret: one answer for all of them).
 */
export async function authorizeLinkJoin(ctx: GraphQLContext, documentId: string, secret: string): Promise<AuthorizedLink> {
  const viewer = ctx.viewer;
  if (viewer === null) throw unauthenticated();
  if (!can(viewer, 'join', { kind: 'link', role: 'VIEWER', secretMatches: true, deleted: false })) throw missingScope('join');
  const decision = await ctx.services.rateLimiter.consume('link-join', ctx.services.config.rateLimits.linkJoins, viewer.userId);
  if (!decision.allowed) {
    throw userError('RATE_LIMITED', `Too many attempts to open shared links; wait ${decision.retryAfterSeconds} s and open the link again.`, {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
  const [link, document] = await Promise.all([
    findLink(ctx.services.prisma, documentId),
    ctx.services.prisma.document.findUnique({ where: { id: documentId }, select: { deletedAt: true } }),
  ]);
  const resource = { kind: 'link', role: link?.role ?? null, secretMatches: link !== null && secretMatches(secret, link.secretHash), deleted: document?.deletedAt != null } as const;
  if (link === null || document === null || !can(viewer, 'join', resource)) {
    throw userError('NOT_FOUND', 'This link does not open any document: it was turned off or replaced, or only part of it was copied. Ask the owner for the current link.');
  }
  return { linkId: link.id };
}
