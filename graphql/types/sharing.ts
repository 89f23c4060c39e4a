/**
 * Sharing a document: collaborators and their roles. Owners share by email, change roles and
 * remove people; anyone may leave. A document always keeps at least one owner.
 */
import { emailProblem, normalizeEmail } from '../../lib/auth/email.ts';
import { shareByEmail } from '../../lib/auth/invitations.ts';
import type { DocumentRole } from '../../lib/auth/permissions.ts';
import { Prisma, type PrismaClient } from '../../lib/db/client.ts';
import { authorizeDocument } from '../authorize.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { userError } from '../errors.ts';
import { RoleEnum } from './document.ts';
import { UserRef, type UserShape } from './user.ts';

interface CollaboratorShape {
  readonly user: UserShape;
  readonly role: DocumentRole;
  readonly addedAt: Date;
}

const CollaboratorRef = builder.objectRef<CollaboratorShape>('Collaborator').implement({
  description: 'A person with a role on a document.',
  fields: (t) => ({
    user: t.field({ type: UserRef, description: 'The person.', resolve: (c) => c.user }),
    role: t.field({ type: RoleEnum, description: 'Their role on the document.', resolve: (c) => c.role }),
    addedAt: t.expose('addedAt', { type: 'DateTime', description: 'When they were given access.' }),
  }),
});

const ShareRef = builder.objectRef<{ email: string; role: DocumentRole }>('Share').implement({
  description: 'What `shareDocument` did, in the same shape whether or not an account uses the address.',
  fields: (t) => ({
    email: t.exposeString('email', { description: 'The address shared with, as stored (trimmed, lower-cased).' }),
    role: t.field({ type: RoleEnum, description: 'The role given, or offered until the address has a confirmed account.', resolve: (s) => s.role }),
  }),
});

const memberSelect = { role: true, createdAt: true, user: { select: { id: true, name: true, email: true } } } as const;

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
    const row = await tx.documentMember.update({ where: { documentId_userId: { documentId, userId } }, data: { role }, select: memberSelect });
    return { user: row.user, role: row.role, addedAt: row.createdAt };
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
        .map((r) => ({ user: { ...r.user, ...(seesEmail(r.user.id) ? { emailVisibleTo: viewerId } : {}) }, role: r.role, addedAt: r.createdAt }))
        .sort((a, b) => rank(a.role) - rank(b.role));
    },
  }),
}));

builder.mutationFields((t) => ({
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
