/**
 * Confirming that a person owns their address before it receives shares (issue 21 item 5), when
 * an SMTP transport is configured: a one-time link (`/api/auth/verify-email`), valid 24 hours,
 * whose secret is stored hashed in next-auth's verification_tokens table.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/prisma.ts';
import { acceptInvitations } from './invitations.ts';
import type { Mailer } from './mailer.ts';

/** How long a confirmation link works. */
export const VERIFICATION_TTL_MS = 24 * 60 * 60 * 1000;
/** The route the link opens. */
export const VERIFY_EMAIL_PATH = '/api/auth/verify-email';

const identifierFor = (email: string) => `verify-email:${email}`;
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Sends a fresh confirmation link to the account's address (earlier links stop working). */
export async function sendVerificationEmail(prisma: PrismaClient, mailer: Mailer, appOrigin: string, user: { email: string; name: string | null }): Promise<void> {
  const secret = randomBytes(32).toString('base64url');
  const identifier = identifierFor(user.email);
  await prisma.$transaction([
    prisma.verificationToken.deleteMany({ where: { identifier } }),
    prisma.verificationToken.create({ data: { identifier, token: hash(secret), expires: new Date(Date.now() + VERIFICATION_TTL_MS) } }),
  ]);
  const link = `${appOrigin}${VERIFY_EMAIL_PATH}?${new URLSearchParams({ email: user.email, token: secret })}`;
  await mailer.send({
    to: user.email,
    subject: 'Confirm your email address for Verso',
    text: [
      `Hello${user.name ? ` ${user.name}` : ''},`,
      '',
      'Open this link to confirm that this address is yours. Documents shared with it reach you once it is confirmed.',
      '',
      link,
      '',
      'The link works for 24 hours. If you did not create a Verso account, ignore this message.',
    ].join('\n'),
  });
}

/** Outcome of opening a confirmation link. */
export type VerifyEmailResult = { readonly kind: 'verified'; readonly userId: string } | { readonly kind: 'invalid' };

/**
 * Consumes a confirmation link: marks the address verified and turns its pending invitations into
 * memberships. Unknown, used or expired links answer `invalid`.
 */
export async function verifyEmail(prisma: PrismaClient, email: string, secret: string): Promise<VerifyEmailResult> {
  const identifier = identifierFor(email);
  const { count } = await prisma.verificationToken.deleteMany({ where: { identifier, token: hash(secret), expires: { gt: new Date() } } });
  if (count === 0) return { kind: 'invalid' };
  const user = await prisma.user.findUnique({ where: { email }, select: { id: true } });
  if (!user) return { kind: 'invalid' };
  await prisma.user.update({ where: { id: user.id }, data: { emailVerified: new Date() } });
  await acceptInvitations(prisma, user.id, email);
  return { kind: 'verified', userId: user.id };
}
