/**
 * API tokens for integrators: random secrets shown once, stored as SHA-256 hashes (the secret
 * has 256 bits of entropy, so a fast hash suffices; only password hashing needs a slow KDF).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/prisma.ts';
import { DEFAULT_TOKEN_SCOPES, TOKEN_SCOPES, type TokenScope } from './permissions.ts';

const TOKEN_PREFIX = 'verso_';
/** Characters of the token kept in clear (`prefix`) so people can tell their tokens apart. */
const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 6;
/** Most live (unrevoked) tokens one account may hold. */
export const MAX_API_TOKENS = 50;

/** SHA-256 of a token, hex: the stored and looked-up form. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** True when the string is shaped like a Verso API token (cheap check before a lookup). */
export function looksLikeApiToken(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX) && token.length === TOKEN_PREFIX.length + 43 && /^[A-Za-z0-9_-]+$/.test(token.slice(TOKEN_PREFIX.length));
}

export interface CreatedApiToken {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly scopes: readonly TokenScope[];
  readonly expiresAt: Date | null;
  /** The secret itself: returned this once, never stored. */
  readonly token: string;
}

/** Longest lifetime a token may be given (a year), in days. */
export const MAX_TOKEN_LIFETIME_DAYS = 366;

/** The stored scopes as a set of known scopes (unknown strings from a newer version are ignored); `read` always included. */
export function parseScopes(stored: readonly string[]): ReadonlySet<TokenScope> {
  return new Set<TokenScope>(['read', ...stored.filter((s): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s))]);
}

/** Scopes in their canonical order, `read` included. */
export function normalizeScopes(scopes: readonly TokenScope[] | null | undefined): TokenScope[] {
  const chosen = new Set<TokenScope>(['read', ...(scopes ?? DEFAULT_TOKEN_SCOPES)]);
  return TOKEN_SCOPES.filter((s) => chosen.has(s));
}

/** Creates a token for the user with these scopes (`read` is always added) and optional expiry. */
export async function createApiToken(
  prisma: PrismaClient,
  userId: string,
  name: string,
  options: { scopes?: readonly TokenScope[] | null; expiresAt?: Date | null } = {},
): Promise<CreatedApiToken> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row = await prisma.apiToken.create({
    data: {
      userId,
      name,
      tokenHash: hashApiToken(token),
      prefix: token.slice(0, SHOWN_PREFIX_LENGTH),
      scopes: normalizeScopes(options.scopes),
      expiresAt: options.expiresAt ?? null,
    },
    select: { id: true, name: true, prefix: true, createdAt: true, scopes: true, expiresAt: true },
  });
  return { ...row, scopes: [...parseScopes(row.scopes)], token };
}

/**
 * Marks the user's token revoked; true when it was live. Revoking someone else's token, or an
 * unknown or already revoked one, changes nothing and answers false.
 */
export async function revokeApiToken(prisma: PrismaClient, userId: string, tokenId: string): Promise<boolean> {
  const { count } = await prisma.apiToken.updateMany({ where: { id: tokenId, userId, revokedAt: null }, data: { revokedAt: new Date() } });
  return count > 0;
}

/**
 * Records "last used" at most once a minute per token per process, so authenticated traffic does
 * not turn every request into a write. The conditional update also keeps several instances from
 * writing the same minute twice.
 */
export class TokenUsageRecorder {
  readonly #lastWritten = new Map<string, number>();
  constructor(
    private readonly prisma: PrismaClient,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = 60_000,
  ) {}

  /** Notes a use of the token; writes in the background when the stored time is stale. */
  touch(tokenId: string, lastUsedAt: Date | null, now = Date.now()): void {
    const known = Math.max(this.#lastWritten.get(tokenId) ?? 0, lastUsedAt?.getTime() ?? 0);
    if (now - known < this.intervalMs) return;
    this.#lastWritten.set(tokenId, now);
    if (this.#lastWritten.size > 10_000) this.#lastWritten.clear();
    const staleBefore = new Date(now - this.intervalMs);
    this.prisma.apiToken
      .updateMany({ where: { id: tokenId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] }, data: { lastUsedAt: new Date(now) } })
      .catch(this.onError);
  }
}
