/**
 * Who is calling: resolved from the session cookie or an API token, the same way for GraphQL over
 * HTTP and over WebSocket. Runs in the custom server (never in a Next route), on its Prisma pool.
 */
import { isDatabaseUnavailable, isPoolTimeout, type PrismaClient } from '../db/prisma.ts';
import { hashApiToken, looksLikeApiToken, parseScopes, TokenUsageRecorder } from './api-tokens.ts';
import { sessionTokenFromCookieHeader } from './cookies.ts';
import { findSession } from './sessions.ts';
import type { Principal, TokenScope } from './permissions.ts';

/** The credential a request was authenticated with; revoking it ends the WebSockets opened with it. */
export interface Credential {
  readonly kind: 'session' | 'token';
  /** Session.id or ApiToken.id (never the secret). */
  readonly id: string;
}

/** A signed-in caller: a {@link Principal} for `can()`. */
export interface Viewer extends Principal {
  readonly userId: string;
  /** What the API token may do; null for a session cookie (whatever the person may do). */
  readonly scopes: ReadonlySet<TokenScope> | null;
  readonly email: string;
  readonly name: string | null;
  readonly credential: Credential;
}

/** What a request carries: the `Cookie` header and an `Authorization` value (HTTP header or graphql-ws payload). */
export interface CredentialsInput {
  readonly cookieHeader?: string | undefined;
  readonly authorization?: unknown;
}

/**
 * Resolves the caller of one request or connection; null when it carries no valid credential.
 * Rejects with {@link CredentialLookupUnavailableError} when PostgreSQL cannot tell in time.
 */
export type ResolveViewer = (input: CredentialsInput) => Promise<Viewer | null>;

/** Longest a credential lookup may take by default before its caller is told to come back. */
export const CREDENTIAL_LOOKUP_TIMEOUT_MS = 5_000;
/** Seconds a caller is asked to wait when its credential could not be looked up. */
export const CREDENTIAL_RETRY_AFTER_SECONDS = 2;

/**
 * The credential could not be checked: PostgreSQL did not answer within the lookup's deadline, is
 * unreachable, or had no free connection. Nobody was judged signed out: the caller answers
 * "unavailable, retry after {@link retryAfterSeconds}" (SERVICE_UNAVAILABLE over HTTP, close code
 * 1013 over WebSocket), never UNAUTHENTICATED and never an internal error.
 */
export class CredentialLookupUnavailableError extends Error {
  override readonly name = 'CredentialLookupUnavailableError';
  readonly retryAfterSeconds = CREDENTIAL_RETRY_AFTER_SECONDS;
  constructor(cause: unknown) {
    super(`Could not check your sign-in: the database is not answering. Retry after ${CREDENTIAL_RETRY_AFTER_SECONDS} s.`, { cause });
  }
}

export interface ViewerResolverDeps {
  readonly prisma: PrismaClient;
  /** Decides the session cookie's name. */
  readonly appOrigin: string;
  readonly onError: (error: unknown) => void;
  /** Deadline of one lookup (default {@link CREDENTIAL_LOOKUP_TIMEOUT_MS}). */
  readonly lookupTimeoutMs?: number;
}

/** Runs `lookup` within `timeoutMs`; a stalled, unreachable or exhausted database becomes {@link CredentialLookupUnavailableError}. */
async function withinDeadline<T>(lookup: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CredentialLookupUnavailableError(new Error(`no answer within ${timeoutMs} ms`))), timeoutMs);
  });
  try {
    return await Promise.race([lookup, deadline]);
  } catch (error) {
    if (error instanceof CredentialLookupUnavailableError) throw error;
    if (isPoolTimeout(error) || isDatabaseUnavailable(error)) throw new CredentialLookupUnavailableError(error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds the resolver. An `authorization` value wins over the cookie: a request that presents a
 * token is judged by that token alone (an invalid token is not rescued by an ambient cookie).
 */
export function createViewerResolver(deps: ViewerResolverDeps): ResolveViewer {
  const usage = new TokenUsageRecorder(deps.prisma, deps.onError);
  const timeoutMs = deps.lookupTimeoutMs ?? CREDENTIAL_LOOKUP_TIMEOUT_MS;
  // Requests carrying the same credential while its lookup runs share that lookup (a flood of
  // concurrent requests costs one query, not one each); nothing is kept once it answers, so a
  // revocation is seen by every request that arrives after it. A stalled PostgreSQL never
  // answers: the deadline ends the shared lookup for all of them, and the next request tries anew.
  const running = new Map<string, Promise<Viewer | null>>();
  const shared = (key: string, lookup: () => Promise<Viewer | null>): Promise<Viewer | null> => {
    let found = running.get(key);
    if (!found) {
      found = withinDeadline(lookup(), timeoutMs).finally(() => running.delete(key));
      running.set(key, found);
    }
    return found;
  };
  return async (input) => {
    if (input.authorization !== undefined && input.authorization !== null && input.authorization !== '') {
      const authorization = input.authorization;
      return typeof authorization === 'string' ? shared(`authorization:${authorization}`, () => viewerFromAuthorization(deps.prisma, usage, authorization)) : null;
    }
    const sessionToken = sessionTokenFromCookieHeader(input.cookieHeader, deps.appOrigin);
    return sessionToken ? shared(`session:${sessionToken}`, () => viewerFromSession(deps.prisma, sessionToken)) : null;
  };
}

async function viewerFromSession(prisma: PrismaClient, sessionToken: string): Promise<Viewer | null> {
  const session = await findSession(prisma, sessionToken);
  if (!session) return null;
  return { userId: session.user.id, email: session.user.email, name: session.user.name, scopes: null, credential: { kind: 'session', id: session.id } };
}

async function viewerFromAuthorization(prisma: PrismaClient, usage: TokenUsageRecorder, authorization: unknown): Promise<Viewer | null> {
  if (typeof authorization !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  const token = match?.[1];
  if (!token || !looksLikeApiToken(token)) return null;
  const row = await prisma.apiToken.findUnique({
    where: { tokenHash: hashApiToken(token) },
    select: { id: true, revokedAt: true, expiresAt: true, lastUsedAt: true, scopes: true, user: { select: { id: true, email: true, name: true } } },
  });
  if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt.getTime() <= Date.now())) return null;
  usage.touch(row.id, row.lastUsedAt);
  return { userId: row.user.id, email: row.user.email, name: row.user.name, scopes: parseScopes(row.scopes), credential: { kind: 'token', id: row.id } };
}
