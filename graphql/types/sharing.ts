/**
 * Sharing a document: collaborators and their roles. Owners share by email, change roles and
 * remove people, see and cancel pending invitations, and share by link; anyone may leave. A
 * document always keeps at least one owner.
 */
import { emailProblem, normalizeEmail } from '../../lib/auth/email.ts';
import { cancelInvitation, listInvitations, shareByEmail } from '../../lib/auth/invitations.ts';
import { findLink, joinLink, linkSecret, replaceLink, setLink, shareUrl } from '../../lib/auth/share-links.ts';
import type { DocumentRole } from '../../lib/auth/permissions.ts';
import { Prisma, type PrismaClient } from '../../lib/db/prisma.ts';
import { authorizeDocument, authorizeLinkJoin } from '../authorize.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { userError } from '../errors.ts';
import { DocumentRef, RoleEnum, type DocumentShape } from './document.ts';
import { UserRef, type UserShape } from './user.ts';

interface CollaboratorShape {
  readonly user: UserShape;
  readonly role: DocumentRole;
  readonly addedAt: Date;
  readonly viaLink: boolean;
}

const CollaboratorRef = builder.objectRef<CollaboratorShape>('Collaborator').implement({
  description: 'A person with a role on a document.',
  fields: (t) => ({
    user: t.field({ type: UserRef, description: 'The person.', resolve: (c) => c.user }),
    role: t.field({ type: RoleEnum, description: 'Their role on the document.', resolve: (c) => c.role }),
    addedAt: t.expose('addedAt', { type: 'DateTime', description: 'When they were given access.' }),
    viaLink: t.exposeBoolean('viaLink', {
      description:
        "True when they joined through the share link: their role follows the link's, and they lose access when the link is turned off or replaced. Changing their role (or sharing with them by email) makes it a role of their own.",
    }),
  }),
});

const LinkSharingRef = builder.objectRef<{ role: DocumentRole; url: string }>('LinkSharing').implement({
  description: '"Anyone with the link": the role the link gives and the link itself.',
  fields: (t) => ({
    role: t.field({ type: RoleEnum, description: 'The role anyone who opens the link (signed in) gets.', resolve: (l) => l.role }),
    url: t.exposeString('url', { description: 'The link to copy. Its secret is after `#`, so it is never sent to a server in a request line.' }),
  }),
});

const InvitationRef = builder
  .objectRef<{ email: string; role: DocumentRole; createdAt: Date; invitedBy: UserShape | null }>('DocumentInvitation')
  .implement({
    description: 'A role offered to an email address that has no confirmed account yet; it becomes a collaborator when one is created.',
    fields: (t) => ({
      email: t.exposeString('email', { description: 'The address invited (trimmed, lower-cased).' }),
      role: t.field({ type: RoleEnum, description: 'The role it will get.', resolve: (i) => i.role }),
      invitedBy: t.field({ type: UserRef, nullable: true, description: 'Who invited it; null once their account is deleted.', resolve: (i) => i.invitedBy }),
      createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was invited (or last invited again).' }),
    }),
  });

builder.objectField(DocumentRef, 'linkSharing', (t) =>
  t.field({
    type: LinkSharingRef,
    nullable: true,
    description: 'Sharing by link: null when it is off, and for anyone but owners.',
    resolve: async (d, _args, ctx) => {
      if (d.role !== 'OWNER' || !ctx.viewer || (ctx.viewer.scopes && !ctx.viewer.scopes.has('share'))) return null;
      const link = await findLink(ctx.services.prisma, d.row.id);
      if (!link) return null;
      return { role: link.role, url: shareUrl(ctx.services.config.appOrigin, d.row.id, linkSecret(ctx.services.config.authSecret, link.id)) };
    },
  }),
);

const ShareRef = builder.objectRef<{ email: string; role: DocumentRole }>('Share').implement({
  description: 'What `shareDocument` did, in the same shape whether or not an account uses the address.',
  fields: (t) => ({
    email: t.exposeString('email', { description: 'The address shared with, as stored (trimmed, lower-cased).' }),
    role: t.field({ type: RoleEnum, description: 'The role given, or offered until the address has a confirmed account.', resolve: (s) => s.role }),
  }),
});

const memberSelect = { role: true, createdAt: true, linkId: true, user: { select: { id: true, name: true, email: true } } } as const;

type Tx = Prisma.TransactionClient;

/**
 * Changes (or removes, with role null) one member's role inside a transaction that first locks
 * the document's owner rows, so two concurrent demotions cannot both see "another owner remains"
 * and leave the document ownerless.
 */
async function changeMember(prisma: PrismaClient, documentId: string, userId: string, role: DocumentRole | null): Promise<CollaboratorShape | null> {
  return prisma.$transaction(async (tx: Tx) => {
    const owners = await tx.$queryRaw<Array<{ user_id: string }>>`
      SELECT user_id FROM document_members WHERE document_id = ${documentId} AND role = 'OWNER' FOR UPDATE`;
    const current = await tx.documentMember.findUnique({ where: { documentId_userId: { documentId, userId } }, select: { role: true } });
    if (!current) throw userError('NOT_FOUND', 'That person is not a collaborator on this document; list collaborators to see who is.');
    if (current.role === 'OWNER' && role !== 'OWNER' && owners.filter((o) => o.user_id !== userId).length === 0) {
      throw userError('FORBIDDEN', 'A document needs at least one owner: make someone else an owner first.');
    }
    if (role === null) {
      await tx.documentMember.delete({ where: { documentId_userId: { documentId, userId } } });
      return null;
    }
    // An owner's choice: a link membership becomes the person's own and outlives the link.
    const row = await tx.documentMember.update({ where: { documentId_userId: { documentId, userId } }, data: { role, linkId: null }, select: memberSelect });
    return { user: row.user, role: row.role, addedAt: row.createdAt, viaLink: false };
  });
}

async function announce(ctx: GraphQLContext, documentId: string): Promise<void> {
  try {
    await ctx.services.accessEvents.publish(documentId);
  } catch (error) {
    // The change is committed; live subscriptions also re-check access whenever their Redis
    // subscriber connection comes back, which is when a lost message could have gone missing.
    ctx.logger.warn({ err: error, documentId }, 'could not publish an access change');
  }
}

builder.queryFields((t) => ({
  collaborators: t.field({
    type: [CollaboratorRef],
    description: 'Everyone with a role on the document, owners first. Anyone who can read the document can see this.',
    args: { documentId: t.arg.id({ required: true, description: 'The document.' }) },
    resolve: async (_root, args, ctx) => {
      const { document, role } = await authorizeDocument(ctx, String(args.documentId), 'read');
      const rows = await ctx.services.prisma.documentMember.findMany({ where: { documentId: document.id }, select: memberSelect, orderBy: { createdAt: 'asc' } });
      const rank = (r: DocumentRole) => ['OWNER', 'EDITOR', 'COMMENTER', 'VIEWER'].indexOf(r);
      const viewerId = ctx.viewer!.userId;
      // Owners manage sharing by email and see every collaborator's address; others see names (and their own address).
      const seesEmail = (userId: string) => role === 'OWNER' || userId === viewerId;
      return rows
        .map((r) => ({ user: { ...r.user, ...(seesEmail(r.user.id) ? { emailVisibleTo: viewerId } : {}) }, role: r.role, addedAt: r.createdAt, viaLink: r.linkId !== null }))
        .sort((a, b) => rank(a.role) - rank(b.role));
    },
  }),
}));

/** The document again, as its owner sees it after a sharing change. */
async function ownerView(ctx: GraphQLContext, documentId: string): Promise<DocumentShape> {
  const { document, role } = await authorizeDocument(ctx, documentId, 'read');
  return { row: document, role };
}

builder.queryFields((t) => ({
  documentInvitations: t.field({
    type: [InvitationRef],
    description: 'Invitations to addresses without a confirmed account yet, oldest first (owners only).',
    args: { documentId: t.arg.id({ required: true, description: 'The document.' }) },
    resolve: async (_root, args, ctx) => {
      const { document } = await authorizeDocument(ctx, String(args.documentId), 'share');
      const viewerId = ctx.viewer!.userId;
      // Owners see every collaborator's address; the inviter is one (or was).
      return (await listInvitations(ctx.services.prisma, document.id)).map((i) => ({ ...i, invitedBy: i.invitedBy && { ...i.invitedBy, emailVisibleTo: viewerId } }));
    },
  }),
}));

builder.mutationFields((t) => ({
  cancelInvitation: t.boolean({
    description: 'Withdraws a pending invitation (owners only): the address will not get the role when its account is created. False when there was none.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      email: t.arg.string({ required: true, description: 'The invited address, as listed in `documentInvitations`.' }),
    },
    resolve: async (_root, args, ctx) => {
      const { document } = await authorizeDocument(ctx, String(args.documentId), 'share');
      return cancelInvitation(ctx.services.prisma, document.id, normalizeEmail(args.email));
    },
  }),
  setLinkSharing: t.field({
    type: DocumentRef,
    description:
      'Turns "anyone with the link" on with a role, changes that role (people who joined through the link get it too), or with a null role turns it off: people who joined through the link lose access at once, open editors included (owners only).',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      role: t.arg({ type: RoleEnum, required: false, description: 'The role the link gives; null turns link sharing off.' }),
    },
    resolve: async (_root, args, ctx) => {
      const { document } = await authorizeDocument(ctx, String(args.documentId), 'share');
      if (args.role === 'OWNER') throw userError('BAD_USER_INPUT', 'A link cannot make people owners; choose EDITOR, COMMENTER or VIEWER, and make someone an owner by email.');
      if (await setLink(ctx.services.prisma, ctx.services.config.authSecret, document.id, args.role ?? null)) await announce(ctx, document.id);
      return ownerView(ctx, document.id);
    },
  }),
  resetShareLink: t.field({
    type: DocumentRef,
    description:
      'Replaces the link with a new one (same role): the old link stops working at once, and people who joined through it lose access, open editors included (owners only). BAD_USER_INPUT when link sharing is off.',
    args: { documentId: t.arg.id({ required: true, description: 'The document.' }) },
    resolve: async (_root, args, ctx) => {
      const { document } = await authorizeDocument(ctx, String(args.documentId), 'share');
      if (!(await replaceLink(ctx.services.prisma, ctx.services.config.authSecret, document.id))) {
        throw userError('BAD_USER_INPUT', 'Link sharing is off for this document; turn it on with setLinkSharing to get a link.');
      }
      await announce(ctx, document.id);
      return ownerView(ctx, document.id);
    },
  }),
  joinSharedDocument: t.field({
    type: DocumentRef,
    description:
      "What opening a share link does: gives you the link's role on the document (you then appear among its collaborators, marked as via the link) and answers the document. Someone who already has a role keeps it. NOT_FOUND when the link is off, was replaced or is incomplete; attempts are rate-limited per account.",
    args: {
      documentId: t.arg.id({ required: true, description: 'The document id from the link (`/share/<id>`).' }),
      secret: t.arg.string({ required: true, description: 'The part of the link after `#`.' }),
    },
    resolve: async (_root, args, ctx) => {
      const documentId = String(args.documentId);
      const { linkId } = await authorizeLinkJoin(ctx, documentId, args.secret);
      if (!(await joinLink(ctx.services.prisma, linkId, documentId, ctx.viewer!.userId))) {
        throw userError('NOT_FOUND', 'This link was turned off or replaced just now; ask the owner for the current link.');
      }
      return ownerView(ctx, documentId);
    },
  }),
  shareDocument: t.field({
    type: ShareRef,
    description:
      'Shares the document with an email address (owners only; rate-limited per account). The answer is the same whether or not an account uses the address: a verified account gets the role at once (sharing again with a collaborator changes their role); any other address gets an invitation that becomes the role when an account with that address is created and its address confirmed.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document to share.' }),
      email: t.arg.string({ required: true, description: 'The address to share with; it need not have an account yet.' }),
      role: t.arg({ type: RoleEnum, required: true, description: 'The role to give.' }),
    },
    resolve: async (_root, args, ctx) => {
      const { document } = await authorizeDocument(ctx, String(args.documentId), 'share');
      const email = normalizeEmail(args.email);
      const problem = emailProblem(email);
      if (problem) throw userError('BAD_USER_INPUT', problem);
      const viewer = ctx.viewer!;
      const decision = await ctx.services.rateLimiter.consume('share', ctx.services.config.rateLimits.shares, viewer.userId);
      if (!decision.allowed) {
        throw userError('RATE_LIMITED', `Too many shares in a short time; wait ${decision.retryAfterSeconds} s and share again.`, { retryAfterSeconds: decision.retryAfterSeconds });
      }
      const outcome = await shareByEmail(ctx.services.prisma, {
        documentId: document.id,
        email,
        role: args.role,
        invitedById: viewer.userId,
        smtpConfigured: ctx.services.config.smtpUrl !== null,
      });
      // Already a collaborator: this is a role change (with the last-owner rule).
      if (outcome.kind === 'member' && !outcome.created) await changeMember(ctx.services.prisma, document.id, outcome.userId, args.role);
      if (outcome.kind === 'member') await announce(ctx, document.id);
      return { email, role: args.role };
    },
  }),
  updateCollaboratorRole: t.field({
    type: CollaboratorRef,
    description: "Changes a collaborator's role (owners only). The last owner cannot be demoted.",
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      userId: t.arg.id({ required: true, description: 'The collaborator (`User.id`).' }),
      role: t.arg({ type: RoleEnum, required: true, description: 'Their new role.' }),
    },
    resolve: async (_root, args, ctx) => {
      const { document } = await authorizeDocument(ctx, String(args.documentId), 'share');
      const changed = await changeMember(ctx.services.prisma, document.id, String(args.userId), args.role);
      await announce(ctx, document.id);
      return changed!;
    },
  }),
  removeCollaborator: t.boolean({
    description: "Removes a collaborator's access (owners), or your own (anyone: leaving). The last owner cannot be removed. Their live subscriptions end.",
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      userId: t.arg.id({ required: true, description: 'The collaborator to remove (`User.id`); your own id to leave.' }),
    },
    resolve: async (_root, args, ctx) => {
      const userId = String(args.userId);
      const leaving = ctx.viewer?.userId === userId;
      // Leaving gives up a role (an owner's included), which a read-only token must not be able to do.
      if (leaving && ctx.viewer?.scopes && !ctx.viewer.scopes.has('share')) {
        throw userError('FORBIDDEN', 'Leaving a document with an API token needs the SHARE scope; leave from the app, or use a token that has it.', { requiredScope: 'SHARE' });
      }
      const { document } = await authorizeDocument(ctx, String(args.documentId), leaving ? 'read' : 'share');
      await changeMember(ctx.services.prisma, document.id, userId, null);
      await announce(ctx, document.id);
      return true;
    },
  }),
}));
