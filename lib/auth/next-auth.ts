/**
 * next-auth (Auth.js v5) for Verso: the Prisma adapter with database sessions. One config
 * factory serves both places next-auth runs: the custom server (which answers /api/auth/* for
 * every client, including tests) and Next's server components through the top-level `auth.ts`.
 *
 * Email and password sign-in does not go through next-auth's Credentials provider: Auth.js
 * refuses credentials with database sessions (`UnsupportedStrategy`) and would issue a JWT.
 * Verso's own route (lib/auth/routes.ts) verifies the password and next-auth's CSRF token, inserts
 * a Session row and sets next-auth's session cookie, which next-auth then reads like any other.
 */
import NextAuth, { type NextAuthConfig } from 'next-auth';
import type { Adapter, AdapterUser } from 'next-auth/adapters';
import GitHub, { type GitHubEmail, type GitHubProfile } from 'next-auth/providers/github';
import Google from 'next-auth/providers/google';
import { PrismaAdapter } from '@auth/prisma-adapter';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../db/prisma.ts';
import type { Logger } from '../logger.ts';
import { authCookieNames, authCookieOptions, useSecureCookies } from './cookies.ts';
import { normalizeEmail } from './email.ts';
import { claimUnconfirmedAccount } from './accounts.ts';
import { acceptInvitations } from './invitations.ts';
import { ensurePersonalOrganization } from './organizations.ts';
import { newSessionToken, SESSION_MAX_AGE_SECONDS, withHashedSessionTokens } from './sessions.ts';
import type { Credential } from './viewer.ts';

/** Where next-auth's routes live (API.md). */
export const AUTH_BASE_PATH = '/api/auth';

export interface NextAuthDeps {
  readonly config: Config;
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  /** Called after next-auth's sign-out deleted a Session row, with that row's id. */
  readonly onSessionDeleted?: (sessionId: string) => Promise<void>;
  /**
   * Closes the live connections of a credential that ended (an OAuth sign-in taking over an
   * unconfirmed account ends its sessions and tokens). Without it, sessions go through
   * `onSessionDeleted` and tokens' connections close at the next 15 s recheck.
   */
  readonly revoke?: (credential: Credential) => Promise<void>;
}

/** The session next-auth hands to pages (`auth()`) and `/api/auth/session`: never the password hash. */
export interface VersoSession {
  readonly user: { readonly id: string; readonly name: string | null; readonly email: string; readonly image: string | null };
  readonly expires: string;
}

/** Where a sign-in the provider did not vouch for ends: the sign-in page with this `error`. */
export const EMAIL_NOT_VERIFIED_REDIRECT = '/signin?error=OAuthEmailNotVerified';

/** What {@link verifiedGitHub} takes: Auth.js's GitHub options (`enterprise.baseUrl` for GitHub Enterprise Server). */
export type GitHubOptions = Parameters<typeof GitHub>[0];

/**
 * GitHub, saying whether it verified the address it hands over. Auth.js's own provider takes the
 * profile's public address, or else the primary one from `/user/emails` without looking at its
 * `verified` flag: an address someone merely typed into their GitHub settings would then sign in
 * to, or take over, the Verso account that holds it. Here the address is always the primary one
 * from `/user/emails`, and the profile carries `email_verified` (true only when GitHub says the
 * primary address is verified), which the sign-in callback requires like Google's.
 */
export function verifiedGitHub(options: GitHubOptions): ReturnType<typeof GitHub> {
  const apiBaseUrl = options.enterprise?.baseUrl ? `${options.enterprise.baseUrl}/api/v3` : 'https://api.github.com';
  return {
    ...GitHub(options),
    userinfo: {
      url: `${apiBaseUrl}/user`,
      async request({ tokens }: { tokens: { access_token?: string } }) {
        const headers = { Authorization: `Bearer ${tokens.access_token}`, 'User-Agent': 'verso', Accept: 'application/vnd.github+json' };
        const profile = (await (await fetch(`${apiBaseUrl}/user`, { headers })).json()) as GitHubProfile;
        const listed = await fetch(`${apiBaseUrl}/user/emails`, { headers });
        const emails: unknown = listed.ok ? await listed.json() : [];
        const primary = Array.isArray(emails) ? (emails as GitHubEmail[]).find((e) => e?.primary === true && typeof e.email === 'string') : undefined;
        return { ...profile, email: primary?.email ?? profile.email, email_verified: primary?.verified === true };
      },
    },
  };
}

/** Builds next-auth's configuration. */
export function createAuthConfig(deps: NextAuthDeps): NextAuthConfig {
  const { config, prisma, logger } = deps;
  const names = authCookieNames(config.appOrigin);
  const options = authCookieOptions(config.appOrigin);
  // Session rows hold hashes of the cookie's token (lib/auth/sessions.ts).
  const base = withHashedSessionTokens(PrismaAdapter(prisma as never) as Adapter);
  const adapter: Adapter = {
    ...base,
    // One account per email whatever its case: sharing and sign-in look emails up lower-cased.
    createUser: (user: AdapterUser) => base.createUser!({ ...user, email: normalizeEmail(user.email) }),
    getUserByEmail: (email: string) => base.getUserByEmail!(normalizeEmail(email)),
  };
  /** Closes the live connections of what a takeover ended (best effort: the rows are already gone). */
  const endCredentials = async (claimed: { sessionIds: readonly string[]; tokenIds: readonly string[] }) => {
    const credentials: Credential[] = [
      ...claimed.sessionIds.map((id) => ({ kind: 'session' as const, id })),
      ...claimed.tokenIds.map((id) => ({ kind: 'token' as const, id })),
    ];
    const revoke = deps.revoke ?? ((c: Credential) => (c.kind === 'session' ? deps.onSessionDeleted?.(c.id) : undefined));
    await Promise.allSettled(credentials.map(async (c) => revoke(c)));
  };
  const providers: NextAuthConfig['providers'] = [];
  if (config.oauth.github) providers.push(verifiedGitHub({ clientId: config.oauth.github.clientId, clientSecret: config.oauth.github.clientSecret }));
  if (config.oauth.google) providers.push(Google({ clientId: config.oauth.google.clientId, clientSecret: config.oauth.google.clientSecret }));
  return {
    adapter,
    providers,
    secret: config.authSecret,
    basePath: AUTH_BASE_PATH,
    // URLs are built from APP_ORIGIN by the custom server, never from a client's Host header.
    trustHost: true,
    useSecureCookies: useSecureCookies(config.appOrigin),
    cookies: {
      sessionToken: { name: names.sessionToken, options },
      csrfToken: { name: names.csrfToken, options },
      callbackUrl: { name: names.callbackUrl, options },
    },
    session: { strategy: 'database', maxAge: SESSION_MAX_AGE_SECONDS, generateSessionToken: newSessionToken },
    pages: { signIn: '/signin', error: '/signin' },
    callbacks: {
      // Runs before next-auth looks the OAuth identity and the address up: an account that holds
      // the address without ever confirming it is taken over by the provider-verified owner
      // (claimUnconfirmedAccount), so the sign-in finds it linked instead of refusing.
      signIn: async ({ user, account, profile }) => {
        if (!account || (account.type !== 'oauth' && account.type !== 'oidc')) return true;
        const email = profile?.email ?? user.email;
        if (!email) return true;
        // Providers that say whether they verified the address (Google, OIDC, verifiedGitHub) must
        // say yes. Otherwise the identity signs in only to the account it is already linked to: it
        // never creates an account with the address (which would count as confirmed and receive
        // what was shared with it), links to one or takes one over.
        if (profile && 'email_verified' in profile && profile.email_verified !== true) {
          const linked = await prisma.account.findUnique({
            where: { provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId } },
            select: { userId: true },
          });
          if (linked) return true;
          logger.info({ provider: account.provider }, 'OAuth sign-in refused: the provider did not verify the address');
          return EMAIL_NOT_VERIFIED_REDIRECT;
        }
        const claimed = await claimUnconfirmedAccount(prisma, {
          email,
          name: user.name ?? null,
          type: account.type,
          provider: account.provider,
          providerAccountId: account.providerAccountId,
        });
        if (!claimed) return true;
        logger.warn({ userId: claimed.userId, provider: account.provider }, 'an OAuth sign-in took over an account whose address was never confirmed');
        await endCredentials(claimed);
        await acceptInvitations(prisma, claimed.userId, normalizeEmail(email));
        return true;
      },
      // Without this, v5's server-side auth() returns the whole User row, password hash included.
      session: ({ session, user }) =>
        ({
          user: { id: user.id, name: user.name ?? null, email: user.email, image: user.image ?? null },
          expires: session.expires.toISOString(),
        }) as unknown as typeof session,
    },
    events: {
      createUser: async ({ user }) => {
        if (!user.id) return;
        await ensurePersonalOrganization(prisma, user.id);
        // OAuth providers hand over addresses they verified: the account's address counts as
        // confirmed, and documents shared with it before it existed are its now.
        await prisma.user.update({ where: { id: user.id }, data: { emailVerified: new Date() } });
        if (user.email) await acceptInvitations(prisma, user.id, normalizeEmail(user.email));
      },
      signIn: async ({ user }) => {
        if (user.id) await ensurePersonalOrganization(prisma, user.id);
      },
      signOut: async (message) => {
        const session = 'session' in message ? (message.session as { id?: unknown } | null | undefined) : undefined;
        if (session && typeof session.id === 'string') await deps.onSessionDeleted?.(session.id);
      },
    },
    logger: {
      error: (error) => logger.warn({ err: error }, 'next-auth error'),
      warn: (code) => logger.warn({ code }, 'next-auth warning'),
      debug: () => {},
    },
  };
}

/** next-auth's handlers and `auth()` for this configuration. */
export function createNextAuth(deps: NextAuthDeps): ReturnType<typeof NextAuth> {
  return NextAuth(createAuthConfig(deps));
}
