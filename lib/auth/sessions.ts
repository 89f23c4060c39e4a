/**
 * Database sessions: the cookie holds an opaque random token, the Session row is the truth.
 * next-auth creates and deletes rows the same way through its Prisma adapter (OAuth sign-in,
 * sign-out); these functions serve Verso's own sign-up and credentials sign-in.
 */
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/client.ts';

/** Sessions last 30 days (next-auth's default), extended by next-auth when used after a day. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** A new unguessable session token (256 bits). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface CreatedSession {
  readonly id: string;
  readonly sessionToken: string;
  readonly expires: Date;
}

/** Inserts a Session row with a fresh token: every sign-in gets a new one. */
export async function createSession(prisma: PrismaClient, userId: string, userAgent: string | null): Promise<CreatedSession> {
  const expires = new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000);
  return prisma.session.create({
    data: { userId, sessionToken: newSessionToken(), expires, userAgent: userAgent?.slice(0, 500) ?? null },
    select: { id: true, sessionToken: true, expires: true },
  });
}

/** Deletes the session with this token, if any; returns the deleted row's id. */
export async function deleteSessionByToken(prisma: PrismaClient, sessionToken: string): Promise<string | null> {
  const row = await prisma.session.findUnique({ where: { sessionToken }, select: { id: true } });
  if (!row) return null;
  const { count } = await prisma.session.deleteMany({ where: { id: row.id } });
  return count > 0 ? row.id : null;
}
