/**
 * Sharing by email without telling who has an account (issue 21 item 5). `shareByEmail` answers
 * the same whatever the address: a verified account using it gets the role at once, any other
 * address gets an invitation that turns into the role when an account with that address is
 * created or verifies it (`acceptInvitations`). An address counts as verified when the account
 * confirmed it by email, or always when no SMTP transport is configured.
 */
import { Prisma, type PrismaClient } from '../db/prisma.ts';
import type { DocumentRole } from './permissions.ts';

/** What happened, for the caller's bookkeeping only: never shown to the person sharing. */
export type ShareOutcome = { readonly kind: 'member'; readonly userId: string; readonly created: boolean } | { readonly kind: 'invited' };

/** Whether an account's address counts as verified: confirmed, or no way to confirm it exists. */
export function emailCountsAsVerified(user: { emailVerified: Date | null }, smtpConfigured: boolean): boolean {
  return !smtpConfigured || user.emailVerified !== null;
}

/**
 * Gives `email` the role on the document: directly to a verified account using it (a new member;
 * an existing member is left to the caller as `created: false`), or as a pending invitation.
 */
export async function shareByEmail(
  prisma: PrismaClient,
  input: { documentId: string; email: string; role: DocumentRole; invitedById: string; smtpConfigured: boolean },
): Promise<ShareOutcome> {
  const user = await prisma.user.findUnique({ where: { email: input.email }, select: { id: true, emailVerified: true } });
  if (user && emailCountsAsVerified(user, input.smtpConfigured)) {
    try {
      await prisma.documentMember.create({ data: { documentId: input.documentId, userId: user.id, role: input.role } });
      return { kind: 'member', userId: user.id, created: true };
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return { kind: 'member', userId: user.id, created: false };
      throw error;
    }
  }
  await prisma.documentInvitation.upsert({
    where: { documentId_email: { documentId: input.documentId, email: input.email } },
    create: { documentId: input.documentId, email: input.email, role: input.role, invitedById: input.invitedById },
    update: { role: input.role, invitedById: input.invitedById },
  });
  return { kind: 'invited' };
}

/**
 * Turns every invitation for the account's (verified) address into a membership, keeping a role
 * the account already has; returns the documents it joined.
 */
export async function acceptInvitations(prisma: PrismaClient, userId: string, email: string): Promise<string[]> {
  return prisma.$transaction(async (tx) => {
    const all = await tx.documentInvitation.findMany({ where: { email }, select: { id: true, documentId: true, role: true, invitedById: true } });
    if (all.length === 0) return [];
    // An invitation stands only while whoever sent it is still an owner of the document: otherwise
    // a removed owner could invite a second address of theirs and come back through it.
    const owners = await tx.documentMember.findMany({
      where: { role: 'OWNER', OR: all.flatMap((i) => (i.invitedById === null ? [] : [{ documentId: i.documentId, userId: i.invitedById }])) },
      select: { documentId: true, userId: true },
    });
    const standing = new Set(owners.map((o) => `${o.documentId}\u0000${o.userId}`));
    const invitations = all.filter((i) => standing.has(`${i.documentId}\u0000${i.invitedById}`));
    if (invitations.length > 0) {
      await tx.documentMember.createMany({ data: invitations.map((i) => ({ documentId: i.documentId, userId, role: i.role })), skipDuplicates: true });
    }
    await tx.documentInvitation.deleteMany({ where: { id: { in: all.map((i) => i.id) } } });
    return invitations.map((i) => i.documentId);
  });
}

/** A pending invitation as owners see it in the share dialog. */
export interface PendingInvitation {
  readonly email: string;
  readonly role: DocumentRole;
  readonly createdAt: Date;
  readonly invitedBy: { readonly id: string; readonly name: string | null; readonly email: string } | null;
}

/** The document's pending invitations, oldest first. */
export async function listInvitations(prisma: PrismaClient, documentId: string): Promise<PendingInvitation[]> {
  return prisma.documentInvitation.findMany({
    where: { documentId },
    select: { email: true, role: true, createdAt: true, invitedBy: { select: { id: true, name: true, email: true } } },
    orderBy: [{ createdAt: 'asc' }, { email: 'asc' }],
  });
}

/** Withdraws the invitation of `email` to the document; false when there was none. */
export async function cancelInvitation(prisma: PrismaClient, documentId: string, email: string): Promise<boolean> {
  const { count } = await prisma.documentInvitation.deleteMany({ where: { documentId, email } });
  return count > 0;
}
