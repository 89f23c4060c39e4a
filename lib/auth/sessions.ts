/**
 * Database sessions: the cookie holds an opaque random token, the Session row is the truth.
 * next-auth creates and deletes rows the same way through its Prisma adapter (OAuth sign-in,
 * sign-out); these functions serve Verso's own sign-up and credentials sign-in.
 *
 * Rows store a SHA-256 hash of the token, never the token itself (like API tokens): whoever
 * reads the table, a backup or the embedded database's files cannot act as the person. A fast
 * hash suffices, as the token has 256 bits of entropy.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Adapter } from 'next-auth/adapters';
import type { PrismaClient } from '../db/prisma.ts';

/** Sessions last 30 days (next-auth's default), extended by next-auth when used after a day. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** A new unguessable session token (256 bits). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of a session token, hex: the stored and looked-up form (`sessions.session_token`). */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface CreatedSession {
  readonly id: string;
  /** The token for the cookie: returned here, stored only as its hash. */
  readonly sessionToken: string;
  readonly expires: Date;
}

/** Inserts a Session row with a fresh token: every sign-in gets a new one. */
export async function createSession(prisma: PrismaClient, userId: string, userAgent: string | null): Promise<CreatedSession> {
  const expires = new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000);
  const sessionToken = newSessionToken();
  const row = await prisma.session.create({
    data: { userId, sessionToken: hashSessionToken(sessionToken), expires, userAgent: userAgent?.slice(0, 500) ?? null },
    select: { id: true, expires: true },
  });
  return { ...row, sessionToken };
}

/** The live session row for a cookie's token, with its user; null when unknown or expired. */
export async function findSession(prisma: PrismaClient, sessionToken: string) {
  const session = await prisma.session.findUnique({
    where: { sessionToken: hashSessionToken(sessionToken) },
    select: { id: true, expires: true, user: { select: { id: true, email: true, name: true } } },
  });
  return session && session.expires.getTime() > Date.now() ? session : null;
}

/** Deletes the session with this token, if any; returns the deleted row's id. */
export async function deleteSessionByToken(prisma: PrismaClient, sessionToken: string): Promise<string | null> {
  const where = { sessionToken: hashSessionToken(sessionToken) };
  const row = await prisma.session.findUnique({ where, select: { id: true } });
  if (!row) return null;
  const { count } = await prisma.session.deleteMany({ where: { id: row.id } });
  return count > 0 ? row.id : null;
}

/**
 * next-auth's adapter with hashed session tokens: next-auth hands it and expects back the
 * cookie's token, the table holds only hashes.
 */
export function withHashedSessionTokens(base: Adapter): Adapter {
  const raw = <T extends { sessionToken: string }>(row: T | null | undefined, sessionToken: string): T | null =>
    row ? { ...row, sessionToken } : null;
  return {
    ...base,
    createSession: async (session) => raw(await base.createSession!({ ...session, sessionToken: hashSessionToken(session.sessionToken) }), session.sessionToken)!,
    getSessionAndUser: async (sessionToken) => {
      const found = await base.getSessionAndUser!(hashSessionToken(sessionToken));
      return found ? { ...found, session: { ...found.session, sessionToken } } : null;
    },
    updateSession: async (session) => raw(await base.updateSession!({ ...session, sessionToken: hashSessionToken(session.sessionToken) }), session.sessionToken),
    // The deleted row goes back to next-auth, whose signOut event closes that session's sockets by id.
    deleteSession: (async (sessionToken: string) => {
      const deleted = await base.deleteSession!(hashSessionToken(sessionToken));
      return deleted ? { ...deleted, sessionToken } : deleted;
    }) as Adapter['deleteSession'],
  };
}
