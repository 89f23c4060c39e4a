/** Email and password accounts: creating one, and checking a password at sign-in. */
import { Prisma, type PrismaClient } from '../db/prisma.ts';
import { emailProblem, normalizeEmail } from './email.ts';
import { hashPassword, passwordProblem, verifyPassword, verifyPasswordAgainstNothing } from './password.ts';
import { codePointLength, lineProblem } from './text.ts';

/** Longest display name accepted. */
export const MAX_NAME_LENGTH = 100;

export interface SignUpInput {
  readonly email: unknown;
  readonly password: unknown;
  readonly name?: unknown;
}

export interface AccountUser {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
}

/** Expected outcomes of a sign-up, as values. */
export type SignUpResult =
  | { readonly kind: 'created'; readonly user: AccountUser; readonly organizationId: string }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'taken'; readonly message: string };

/**
 * Creates an account with its personal organization (one transaction: no account is ever left
 * without one). The email is stored lower-cased; a taken email answers `taken`, whatever the race.
 */
export async function signUpWithPassword(prisma: PrismaClient, input: SignUpInput, hash: (password: string) => Promise<string> = hashPassword): Promise<SignUpResult> {
  if (typeof input.email !== 'string' || typeof input.password !== 'string') {
    return { kind: 'invalid', message: 'Send JSON with "email" and "password" strings (and optionally "name").' };
  }
  if (input.name !== undefined && input.name !== null && typeof input.name !== 'string') {
    return { kind: 'invalid', message: '"name" must be a string.' };
  }
  const email = normalizeEmail(input.email);
  const name = typeof input.name === 'string' && input.name.trim().length > 0 ? input.name.trim() : null;
  // Every check runs before the (deliberately slow) hash: a refused input costs nothing.
  const problem =
    emailProblem(email) ??
    (name ? lineProblem('Name', name) : null) ??
    (name && codePointLength(name) > MAX_NAME_LENGTH ? `Name too long: at most ${MAX_NAME_LENGTH} characters.` : null) ??
    passwordProblem(input.password, { email, name });
  if (problem) return { kind: 'invalid', message: problem };
  const passwordHash = await hash(input.password);
  try {
    return await prisma.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, name, passwordHash }, select: { id: true, email: true, name: true } });
      const organization = await tx.organization.create({
        data: { name: `${name ?? email.split('@')[0]}'s documents`, personalOwnerId: user.id, memberships: { create: { userId: user.id, role: 'OWNER' } } },
        select: { id: true },
      });
      return { kind: 'created' as const, user, organizationId: organization.id };
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return { kind: 'taken', message: 'An account with this email already exists; sign in instead.' };
    }
    throw error;
  }
}

/**
 * The account whose password this is, or null. Unknown emails and OAuth-only accounts cost the
 * same scrypt work as a wrong password, so timing does not reveal which emails exist.
 */
export async function verifyCredentials(prisma: PrismaClient, email: string, password: string): Promise<AccountUser | null> {
  const user = await prisma.user.findUnique({ where: { email: normalizeEmail(email) }, select: { id: true, email: true, name: true, passwordHash: true } });
  if (!user?.passwordHash) {
    await verifyPasswordAgainstNothing(password);
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  return { id: user.id, email: user.email, name: user.name };
}

/** What {@link claimUnconfirmedAccount} took over: the account, and the credentials it ended. */
export interface ClaimedAccount {
  readonly userId: string;
  readonly sessionIds: readonly string[];
  readonly tokenIds: readonly string[];
}

/**
 * An OAuth sign-in whose provider vouches for `email` takes over the account that registered the
 * address with a password and never confirmed it (issue 21 item 5): without this, whoever
 * pre-registered a colleague's address kept it, and the colleague's OAuth sign-in was refused.
 *
 * Policy: the address's proven owner gets the account (and with it whatever was shared with the
 * address); whoever registered it loses every way in at once: the password is cleared, its
 * sessions are deleted and its API tokens revoked (the caller closes their live connections).
 * The OAuth identity is linked, the address counts as confirmed, the provider's name replaces the
 * chosen one. Nothing happens (null) when no such account exists, when its address was confirmed,
 * when it already has an OAuth identity linked, or when this OAuth identity belongs to an account.
 */
export async function claimUnconfirmedAccount(
  prisma: PrismaClient,
  input: { readonly email: string; readonly name: string | null; readonly type: string; readonly provider: string; readonly providerAccountId: string },
): Promise<ClaimedAccount | null> {
  const email = normalizeEmail(input.email);
  return prisma.$transaction(async (tx) => {
    // Locks the account's row: two sign-ins racing for it take it over once.
    const [row] = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM users WHERE email = ${email} AND email_verified IS NULL FOR UPDATE`;
    if (!row) return null;
    const linked = await tx.account.findFirst({
      where: { OR: [{ userId: row.id }, { provider: input.provider, providerAccountId: input.providerAccountId }] },
      select: { userId: true },
    });
    if (linked) return null;
    const sessions = await tx.session.findMany({ where: { userId: row.id }, select: { id: true } });
    await tx.session.deleteMany({ where: { userId: row.id } });
    const tokens = await tx.apiToken.findMany({ where: { userId: row.id, revokedAt: null }, select: { id: true } });
    await tx.apiToken.updateMany({ where: { id: { in: tokens.map((t) => t.id) } }, data: { revokedAt: new Date() } });
    await tx.user.update({
      where: { id: row.id },
      data: { passwordHash: null, emailVerified: new Date(), ...(input.name ? { name: input.name } : {}) },
    });
    await tx.account.create({ data: { userId: row.id, type: input.type, provider: input.provider, providerAccountId: input.providerAccountId } });
    return { userId: row.id, sessionIds: sessions.map((s) => s.id), tokenIds: tokens.map((t) => t.id) };
  });
}
