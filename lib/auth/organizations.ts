/** Every user has exactly one personal organization: where their new documents go. */
import { Prisma, type PrismaClient } from '../db/prisma.ts';

/**
 * The id of the user's personal organization, creating it (with an OWNER membership) when
 * missing. Race-safe: two concurrent first sign-ins both try to create it, the unique
 * `personalOwnerId` lets one win, and the loser reads the winner's row.
 */
export async function ensurePersonalOrganization(prisma: PrismaClient, userId: string): Promise<string> {
  const existing = await prisma.organization.findUnique({ where: { personalOwnerId: userId }, select: { id: true } });
  if (existing) return existing.id;
  const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { name: true, email: true } });
  try {
    const created = await prisma.organization.create({
      data: {
        name: `${user.name ?? user.email.split('@')[0] ?? 'Personal'}'s documents`,
        personalOwnerId: userId,
        memberships: { create: { userId, role: 'OWNER' } },
      },
      select: { id: true },
    });
    return created.id;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const winner = await prisma.organization.findUniqueOrThrow({ where: { personalOwnerId: userId }, select: { id: true } });
      return winner.id;
    }
    throw error;
  }
}
