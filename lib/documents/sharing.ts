/**
 * Sharing a document: collaborators and their roles. Owners share by email, change roles and
 * remove people, see and cancel pending invitations, and share by link; anyone may leave. A
 * document always keeps at least one owner (the last-owner rule, {@link changeMember}). Every
 * change of access is announced to live subscriptions on every instance.
 */
import { emailProblem, normalizeEmail } from '../auth/email.ts';
import { cancelInvitation, listInvitations, shareByEmail, type PendingInvitation } from '../auth/invitations.ts';
import type { DocumentRole } from '../auth/permissions.ts';
import { findLink, joinLink, linkSecret, replaceLink, setLink, shareUrl } from '../auth/share-links.ts';
import type { Config } from '../config.ts';
import type { Prisma, PrismaClient } from '../db/prisma.ts';
import type { AccessEvents } from '../pubsub/access-events.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { DocumentAccess } from './access.ts';
import type { ViewedDocument } from './documents.ts';
import { rejected, type Rejected, type RequestScope } from './types.ts';

/** A person as a sharing answer shows them; `emailVisibleTo` is set where the address is the viewer's to see. */
export interface SharedUser {
  readonly id: string;
  readonly name: string | null;
  readonly email: string;
  readonly emailVisibleTo?: string;
}

export interface Collaborator {
  readonly user: SharedUser;
  readonly role: DocumentRole;
  readonly addedAt: Date;
  /** Joined through the share link: the role follows the link's. */
  readonly viaLink: boolean;
}

export interface Invitation extends Omit<PendingInvitation, 'invitedBy'> {
  readonly invitedBy: SharedUser | null;
}

export interface Sharing {
  /** Everyone with a role on the document, owners first (anyone who can read it). Owners, and each person for themselves, see addresses. */
  collaborators(scope: RequestScope, documentId: string): Promise<{ kind: 'collaborators'; collaborators: Collaborator[] } | Rejected>;
  /** Pending invitations, oldest first (owners). */
  invitations(scope: RequestScope, documentId: string): Promise<{ kind: 'invitations'; invitations: Invitation[] } | Rejected>;
  /** Withdraws a pending invitation (owners); `cancelled` is false when there was none. */
  cancelInvitation(scope: RequestScope, documentId: string, email: string): Promise<{ kind: 'cancelled'; cancelled: boolean } | Rejected>;
  /** "Anyone with the link" as the viewer may see it: null unless they own the document (and their token may share). */
  linkSharing(scope: RequestScope, document: ViewedDocument): Promise<{ role: DocumentRole; url: string } | null>;
  /** Turns link sharing on with `role`, changes its role, or with null turns it off (owners). */
  setLinkSharing(scope: RequestScope, documentId: string, role: DocumentRole | null): Promise<({ kind: 'changed' } & ViewedDocument) | Rejected>;
  /** Replaces the link with a new one, same role (owners). */
  resetLink(scope: RequestScope, documentId: string): Promise<({ kind: 'changed' } & ViewedDocument) | Rejected>;
  /** Gives the viewer the link's role (someone who has a role keeps it). */
  joinByLink(scope: RequestScope, documentId: string, secret: string): Promise<({ kind: 'joined' } & ViewedDocument) | Rejected>;
  /** Shares with an address (owners; rate-limited per account): the same answer whether or not an account uses it. */
  share(scope: RequestScope, input: { documentId: string; email: string; role: DocumentRole }): Promise<{ kind: 'shared'; email: string; role: DocumentRole } | Rejected>;
  /** Changes a collaborator's role (owners); the last owner cannot be demoted. */
  changeRole(scope: RequestScope, input: { documentId: string; userId: string; role: DocumentRole }): Promise<({ kind: 'changed' } & Collaborator) | Rejected>;
  /** Removes a collaborator (owners), or the viewer themselves (leaving); the last owner cannot be removed. */
  remove(scope: RequestScope, input: { documentId: string; userId: string }): Promise<{ kind: 'removed' } | Rejected>;
}

export interface SharingDeps {
  readonly prisma: PrismaClient;
  readonly access: DocumentAccess;
  readonly accessEvents: AccessEvents;
  readonly rateLimiter: RateLimiter;
  readonly config: Pick<Config, 'appOrigin' | 'authSecret' | 'rateLimits' | 'smtpUrl'>;
}

const memberSelect = { role: true, createdAt: true, linkId: true, user: { select: { id: true, name: true, email: true } } } as const;

const ROLE_RANK: readonly DocumentRole[] = ['OWNER', 'EDITOR', 'COMMENTER', 'VIEWER'];

export function createSharing(deps: SharingDeps): Sharing {
  const { prisma, access, config } = deps;

  /**
   * Changes (or removes, with role null) one member's role inside a transaction that first locks
   * the document's owner rows, so two concurrent demotions cannot both see "another owner remains"
   * and leave the document ownerless. A refusal is answered from inside the transaction, before
   * anything is written; the locks end with it.
   */
  const changeMember = (documentId: string, userId: string, role: DocumentRole | null): Promise<({ kind: 'changed' } & Collaborator) | { kind: 'removed' } | Rejected> =>
    prisma.$transaction(async (tx: Prisma.TransactionClient) => {
      const owners = await tx.$queryRaw<Array<{ user_id: string }>>`
        SELECT user_id FROM document_members WHERE document_id = ${documentId} AND role = 'OWNER' FOR UPDATE`;
      const current = await tx.documentMember.findUnique({ where: { documentId_userId: { documentId, userId } }, select: { role: true } });
      if (!current) return rejected('NOT_FOUND', 'That person is not a collaborator on this document; list collaborators to see who is.');
      if (current.role === 'OWNER' && role !== 'OWNER' && owners.filter((o) => o.user_id !== userId).length === 0) {
        return rejected('FORBIDDEN', 'A document needs at least one owner: make someone else an owner first.');
      }
      if (role === null) {
        await tx.documentMember.delete({ where: { documentId_userId: { documentId, userId } } });
        return { kind: 'removed' as const };
      }
      // An owner's choice: a link membership becomes the person's own and outlives the link.
      const row = await tx.documentMember.update({ where: { documentId_userId: { documentId, userId } }, data: { role, linkId: null }, select: memberSelect });
      return { kind: 'changed' as const, user: row.user, role: row.role, addedAt: row.createdAt, viaLink: false };
    });

  const announce = async (scope: RequestScope, documentId: string): Promise<void> => {
    try {
      await deps.accessEvents.publish(documentId);
    } catch (error) {
      // The change is committed; live subscriptions also re-check access whenever their Redis
      // subscriber connection comes back, which is when a lost message could have gone missing.
      scope.logger.warn({ err: error, documentId }, 'could not publish an access change');
    }
  };

  /** The document again, as its owner sees it after a sharing change. */
  const ownerView = async <K extends string>(scope: RequestScope, documentId: string, kind: K): Promise<({ kind: K } & ViewedDocument) | Rejected> => {
    const allowed = await access.check(scope.viewer, documentId, 'read');
    return allowed.kind === 'rejected' ? allowed : { kind, row: allowed.document, role: allowed.role };
  };

  return {
    async collaborators(scope, documentId) {
      const allowed = await access.check(scope.viewer, documentId, 'read');
      if (allowed.kind === 'rejected') return allowed;
      const { document, role } = allowed;
      const rows = await prisma.documentMember.findMany({ where: { documentId: document.id }, select: memberSelect, orderBy: { createdAt: 'asc' } });
      const viewerId = scope.viewer!.userId;
      // Owners manage sharing by email and see every collaborator's address; others see names (and their own address).
      const seesEmail = (userId: string) => role === 'OWNER' || userId === viewerId;
      const collaborators = rows
        .map((r) => ({ user: { ...r.user, ...(seesEmail(r.user.id) ? { emailVisibleTo: viewerId } : {}) }, role: r.role, addedAt: r.createdAt, viaLink: r.linkId !== null }))
        .sort((a, b) => ROLE_RANK.indexOf(a.role) - ROLE_RANK.indexOf(b.role));
      return { kind: 'collaborators', collaborators };
    },

    async invitations(scope, documentId) {
      const allowed = await access.check(scope.viewer, documentId, 'share');
      if (allowed.kind === 'rejected') return allowed;
      const viewerId = scope.viewer!.userId;
      // Owners see every collaborator's address; the inviter is one (or was).
      const invitations = (await listInvitations(prisma, allowed.document.id)).map((i) => ({ ...i, invitedBy: i.invitedBy && { ...i.invitedBy, emailVisibleTo: viewerId } }));
      return { kind: 'invitations', invitations };
    },

    async cancelInvitation(scope, documentId, email) {
      const allowed = await access.check(scope.viewer, documentId, 'share');
      if (allowed.kind === 'rejected') return allowed;
      return { kind: 'cancelled', cancelled: await cancelInvitation(prisma, allowed.document.id, normalizeEmail(email)) };
    },

    async linkSharing(scope, document) {
      if (document.role !== 'OWNER' || !scope.viewer || (scope.viewer.scopes && !scope.viewer.scopes.has('share'))) return null;
      const link = await findLink(prisma, document.row.id);
      if (!link) return null;
      return { role: link.role, url: shareUrl(config.appOrigin, document.row.id, linkSecret(config.authSecret, link.id)) };
    },

    async setLinkSharing(scope, documentId, role) {
      const allowed = await access.check(scope.viewer, documentId, 'share');
      if (allowed.kind === 'rejected') return allowed;
      if (role === 'OWNER') return rejected('BAD_USER_INPUT', 'A link cannot make people owners; choose EDITOR, COMMENTER or VIEWER, and make someone an owner by email.');
      if (await setLink(prisma, config.authSecret, allowed.document.id, role)) await announce(scope, allowed.document.id);
      return ownerView(scope, allowed.document.id, 'changed');
    },

    async resetLink(scope, documentId) {
      const allowed = await access.check(scope.viewer, documentId, 'share');
      if (allowed.kind === 'rejected') return allowed;
      if (!(await replaceLink(prisma, config.authSecret, allowed.document.id))) {
        return rejected('BAD_USER_INPUT', 'Link sharing is off for this document; turn it on with setLinkSharing to get a link.');
      }
      await announce(scope, allowed.document.id);
      return ownerView(scope, allowed.document.id, 'changed');
    },

    async joinByLink(scope, documentId, secret) {
      const allowed = await access.checkLinkJoin(scope.viewer, documentId, secret);
      if (allowed.kind === 'rejected') return allowed;
      if (!(await joinLink(prisma, allowed.linkId, documentId, scope.viewer!.userId))) {
        return rejected('NOT_FOUND', 'This link was turned off or replaced just now; ask the owner for the current link.');
      }
      return ownerView(scope, documentId, 'joined');
    },

    async share(scope, input) {
      const allowed = await access.check(scope.viewer, input.documentId, 'share');
      if (allowed.kind === 'rejected') return allowed;
      const { document } = allowed;
      const email = normalizeEmail(input.email);
      const problem = emailProblem(email);
      if (problem) return rejected('BAD_USER_INPUT', problem);
      const viewer = scope.viewer!;
      const decision = await deps.rateLimiter.consume('share', config.rateLimits.shares, viewer.userId);
      if (!decision.allowed) {
        return rejected('RATE_LIMITED', `Too many shares in a short time; wait ${decision.retryAfterSeconds} s and share again.`, { retryAfterSeconds: decision.retryAfterSeconds });
      }
      const outcome = await shareByEmail(prisma, {
        documentId: document.id,
        email,
        role: input.role,
        invitedById: viewer.userId,
        smtpConfigured: config.smtpUrl !== null,
      });
      // Already a collaborator: this is a role change (with the last-owner rule).
      if (outcome.kind === 'member' && !outcome.created) {
        const changed = await changeMember(document.id, outcome.userId, input.role);
        if (changed.kind === 'rejected') return changed;
      }
      if (outcome.kind === 'member') await announce(scope, document.id);
      return { kind: 'shared', email, role: input.role };
    },

    async changeRole(scope, input) {
      const allowed = await access.check(scope.viewer, input.documentId, 'share');
      if (allowed.kind === 'rejected') return allowed;
      const changed = await changeMember(allowed.document.id, input.userId, input.role);
      if (changed.kind === 'rejected') return changed;
      if (changed.kind !== 'changed') throw new Error('changeMember removed a member it was asked to give a role');
      await announce(scope, allowed.document.id);
      return changed;
    },

    async remove(scope, input) {
      const leaving = scope.viewer?.userId === input.userId;
      // Leaving gives up a role (an owner's included), which a read-only token must not be able to do.
      if (leaving && scope.viewer?.scopes && !scope.viewer.scopes.has('share')) {
        return rejected('FORBIDDEN', 'Leaving a document with an API token needs the SHARE scope; leave from the app, or use a token that has it.', { requiredScope: 'SHARE' });
      }
      const allowed = await access.check(scope.viewer, input.documentId, leaving ? 'read' : 'share');
      if (allowed.kind === 'rejected') return allowed;
      const removed = await changeMember(allowed.document.id, input.userId, null);
      if (removed.kind === 'rejected') return removed;
      await announce(scope, allowed.document.id);
      return { kind: 'removed' };
    },
  };
}
