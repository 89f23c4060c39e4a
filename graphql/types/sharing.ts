/**
 * Sharing a document, mapped onto the sharing service (lib/documents/sharing.ts): collaborators
 * and their roles, invitations, share links. A document always keeps at least one owner.
 */
import type { DocumentRole } from '../../lib/auth/permissions.ts';
import type { Collaborator } from '../../lib/documents/sharing.ts';
import { builder } from '../builder.ts';
import { orThrow } from '../errors.ts';
import { DocumentRef, RoleEnum, type DocumentShape } from './document.ts';
import { UserRef, type UserShape } from './user.ts';

type CollaboratorShape = Collaborator;

const viewOf = ({ row, role }: DocumentShape): DocumentShape => ({ row, role });

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
    resolve: (d, _args, ctx) => ctx.services.sharing.linkSharing(ctx, d),
  }),
);

const ShareRef = builder.objectRef<{ email: string; role: DocumentRole }>('Share').implement({
  description: 'What `shareDocument` did, in the same shape whether or not an account uses the address.',
  fields: (t) => ({
    email: t.exposeString('email', { description: 'The address shared with, as stored (trimmed, lower-cased).' }),
    role: t.field({ type: RoleEnum, description: 'The role given, or offered until the address has a confirmed account.', resolve: (s) => s.role }),
  }),
});

builder.queryFields((t) => ({
  collaborators: t.field({
    type: [CollaboratorRef],
    description: 'Everyone with a role on the document, owners first. Anyone who can read the document can see this.',
    args: { documentId: t.arg.id({ required: true, description: 'The document.' }) },
    resolve: async (_root, args, ctx) => orThrow(await ctx.services.sharing.collaborators(ctx, String(args.documentId))).collaborators,
  }),
}));

builder.queryFields((t) => ({
  documentInvitations: t.field({
    type: [InvitationRef],
    description: 'Invitations to addresses without a confirmed account yet, oldest first (owners only).',
    args: { documentId: t.arg.id({ required: true, description: 'The document.' }) },
    resolve: async (_root, args, ctx) => orThrow(await ctx.services.sharing.invitations(ctx, String(args.documentId))).invitations,
  }),
}));

builder.mutationFields((t) => ({
  cancelInvitation: t.boolean({
    description: 'Withdraws a pending invitation (owners only): the address will not get the role when its account is created. False when there was none.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      email: t.arg.string({ required: true, description: 'The invited address, as listed in `documentInvitations`.' }),
    },
    resolve: async (_root, args, ctx) => orThrow(await ctx.services.sharing.cancelInvitation(ctx, String(args.documentId), args.email)).cancelled,
  }),
  setLinkSharing: t.field({
    type: DocumentRef,
    description:
      'Turns "anyone with the link" on with a role, changes that role (people who joined through the link get it too), or with a null role turns it off: people who joined through the link lose access at once, open editors included (owners only).',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      role: t.arg({ type: RoleEnum, required: false, description: 'The role the link gives; null turns link sharing off.' }),
    },
    resolve: async (_root, args, ctx) => viewOf(orThrow(await ctx.services.sharing.setLinkSharing(ctx, String(args.documentId), args.role ?? null))),
  }),
  resetShareLink: t.field({
    type: DocumentRef,
    description:
      'Replaces the link with a new one (same role): the old link stops working at once, and people who joined through it lose access, open editors included (owners only). BAD_USER_INPUT when link sharing is off.',
    args: { documentId: t.arg.id({ required: true, description: 'The document.' }) },
    resolve: async (_root, args, ctx) => viewOf(orThrow(await ctx.services.sharing.resetLink(ctx, String(args.documentId)))),
  }),
  joinSharedDocument: t.field({
    type: DocumentRef,
    description:
      "What opening a share link does: gives you the link's role on the document (you then appear among its collaborators, marked as via the link) and answers the document. Someone who already has a role keeps it. NOT_FOUND when the link is off, was replaced or is incomplete; attempts are rate-limited per account.",
    args: {
      documentId: t.arg.id({ required: true, description: 'The document id from the link (`/share/<id>`).' }),
      secret: t.arg.string({ required: true, description: 'The part of the link after `#`.' }),
    },
    resolve: async (_root, args, ctx) => viewOf(orThrow(await ctx.services.sharing.joinByLink(ctx, String(args.documentId), args.secret))),
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
      const { email, role } = orThrow(await ctx.services.sharing.share(ctx, { documentId: String(args.documentId), email: args.email, role: args.role }));
      return { email, role };
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
      const { user, role, addedAt, viaLink } = orThrow(
        await ctx.services.sharing.changeRole(ctx, { documentId: String(args.documentId), userId: String(args.userId), role: args.role }),
      );
      return { user, role, addedAt, viaLink };
    },
  }),
  removeCollaborator: t.boolean({
    description: "Removes a collaborator's access (owners), or your own (anyone: leaving). The last owner cannot be removed. Their live subscriptions end.",
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      userId: t.arg.id({ required: true, description: 'The collaborator to remove (`User.id`); your own id to leave.' }),
    },
    resolve: async (_root, args, ctx) => {
      orThrow(await ctx.services.sharing.remove(ctx, { documentId: String(args.documentId), userId: String(args.userId) }));
      return true;
    },
  }),
}));
