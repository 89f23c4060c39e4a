/**
 * Access to documents and to one's own account: the viewer's grant read from PostgreSQL and
 * decided by `can()` (lib/auth/permissions.ts). Every answer is a value: allowed, or a refusal
 * with UNAUTHENTICATED, NOT_FOUND (it does not exist, or the viewer may not even read it:
 * existence is not leaked), FORBIDDEN (they can read it but not do this, or their API token
 * lacks the scope) or RATE_LIMITED (share-link attempts).
 */
import { can, roleAllows, SCOPE_FOR, type AccountAction, type DocumentAction, type DocumentRole, type LinkAction } from '../auth/permissions.ts';
import { findLink, secretMatches } from '../auth/share-links.ts';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/prisma.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import { rejected, unauthenticated, type DocumentRow, type FoundGrant, type GrantMemo, type Rejected, type Viewer } from './types.ts';

export interface AllowedDocument {
  readonly kind: 'allowed';
  readonly document: DocumentRow;
  readonly role: DocumentRole;
}

export interface DocumentAccess {
  /** The document and the user's grant on it, or null when it does not exist or they have none. */
  loadGrant(userId: string, documentId: string): Promise<FoundGrant | null>;
  /** Whether the viewer may do `action` on the document. */
  check(viewer: Viewer | null, documentId: string, action: DocumentAction): Promise<AllowedDocument | Rejected>;
  /**
   * {@link check} for the per-op path (submitOperation): with `grants` (a WebSocket connection's)
   * the grant is read once and kept until access to the document changes, so a typing editor does
   * not cost a PostgreSQL query per op. The row is as of that read: use its id, not its version or title.
   */
  checkCached(viewer: Viewer | null, documentId: string, action: DocumentAction, grants?: GrantMemo): Promise<AllowedDocument | Rejected>;
  /** Whether the viewer may do `action` on their own account (create documents, manage API tokens). */
  checkAccount(viewer: Viewer | null, action: AccountAction): { kind: 'allowed'; viewer: Viewer } | Rejected;
  /**
   * Whether the viewer may join the document through its share link with `secret`. Attempts are
   * counted per account before the secret is compared, so guessing is bounded; one NOT_FOUND for
   * no such document, link sharing off, or not the current secret.
   */
  checkLinkJoin(viewer: Viewer | null, documentId: string, secret: string): Promise<{ kind: 'allowed'; linkId: string } | Rejected>;
}

export function createDocumentAccess(deps: { prisma: PrismaClient; rateLimiter: RateLimiter; config: Pick<Config, 'rateLimits'> }): DocumentAccess {
  const { prisma } = deps;
  const loadGrant = async (userId: string, documentId: string): Promise<FoundGrant | null> => {
    const member = await prisma.documentMember.findUnique({
      where: { documentId_userId: { documentId, userId } },
      select: { role: true, document: true },
    });
    if (member === null) return null;
    return { document: member.document, grant: { kind: 'document', role: member.role, deleted: member.document.deletedAt !== null } };
  };
  const access: DocumentAccess = {
    loadGrant,
    async check(viewer, documentId, action) {
      if (viewer === null) return unauthenticated();
      return decide(viewer, documentId, action, await loadGrant(viewer.userId, documentId));
    },
    async checkCached(viewer, documentId, action, grants) {
      if (viewer === null || !grants) return access.check(viewer, documentId, action);
      const found = grants.get(documentId) ?? (await grants.load(documentId, () => loadGrant(viewer.userId, documentId)));
      return decide(viewer, documentId, action, found);
    },
    checkAccount(viewer, action) {
      if (viewer === null) return unauthenticated();
      if (!can(viewer, action, { kind: 'account', userId: viewer.userId })) return missingScope(action);
      return { kind: 'allowed', viewer };
    },
    async checkLinkJoin(viewer, documentId, secret) {
      if (viewer === null) return unauthenticated();
      if (!can(viewer, 'join', { kind: 'link', role: 'VIEWER', secretMatches: true, deleted: false })) return missingScope('join');
      const decision = await deps.rateLimiter.consume('link-join', deps.config.rateLimits.linkJoins, viewer.userId);
      if (!decision.allowed) {
        return rejected('RATE_LIMITED', `Too many attempts to open shared links; wait ${decision.retryAfterSeconds} s and open the link again.`, {
          retryAfterSeconds: decision.retryAfterSeconds,
        });
      }
      const [link, document] = await Promise.all([
        findLink(prisma, documentId),
        prisma.document.findUnique({ where: { id: documentId }, select: { deletedAt: true } }),
      ]);
      const resource = { kind: 'link', role: link?.role ?? null, secretMatches: link !== null && secretMatches(secret, link.secretHash), deleted: document?.deletedAt != null } as const;
      if (link === null || document === null || !can(viewer, 'join', resource)) {
        return rejected('NOT_FOUND', 'This link does not open any document: it was turned off or replaced, or only part of it was copied. Ask the owner for the current link.');
      }
      return { kind: 'allowed', linkId: link.id };
    },
  };
  return access;
}

function decide(viewer: Viewer, documentId: string, action: DocumentAction, found: FoundGrant | null): AllowedDocument | Rejected {
  if (found === null || !roleAllows('read', found.grant) && !(action === 'delete' && roleAllows('delete', found.grant))) {
    return rejected('NOT_FOUND', `No document with id "${documentId}" that you can see; check the id or ask its owner to share it with you.`);
  }
  if (!can(viewer, action, found.grant)) {
    if (roleAllows(action, found.grant)) return missingScope(action);
    return rejected('FORBIDDEN', `Your role on this document (${found.grant.role}) does not allow this (${action}); ask an owner for a stronger role.`);
  }
  return { kind: 'allowed', document: found.document, role: found.grant.role as DocumentRole };
}

function missingScope(action: DocumentAction | AccountAction | LinkAction): Rejected {
  const scope = SCOPE_FOR[action];
  return rejected('FORBIDDEN', `This API token lacks the "${scope}" scope needed for this (${action}); create a token with that scope in Settings → API tokens.`, { requiredScope: scope });
}
