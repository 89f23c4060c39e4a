/**
 * next-auth for Next's own code: `auth()` in server components and route handlers, and the
 * `signIn` / `signOut` server actions. Same configuration as the custom server's /api/auth/*
 * (lib/auth/next-auth.ts): Prisma adapter, database sessions, the same cookie names. Next bundles
 * this file separately from server.ts; lib/server/next-bridge.ts gives it what it needs from the
 * running server.
 *
 * @example
 *   import { auth } from '@/auth';
 *   const session = await auth(); // VersoSession | null: { user: { id, name, email, image }, expires }
 */
import NextAuth from 'next-auth';
import { authConfigFromServer } from './lib/server/next-bridge.ts';

export const { auth, handlers, signIn, signOut } = NextAuth(() => authConfigFromServer());
