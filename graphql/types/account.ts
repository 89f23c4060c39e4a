/**
 * API tokens: list, create (the secret is shown once) and revoke. Revoking ends the token's live
 * WebSockets on every instance. A token does only what its scopes allow, and managing tokens
 * needs the `account` scope (a session has every scope).
 */
import { createApiToken, MAX_API_TOKENS, MAX_TOKEN_LIFETIME_DAYS, parseScopes, revokeApiToken } from '../../lib/auth/api-tokens.ts';
import { DEFAULT_TOKEN_SCOPES, TOKEN_SCOPES, type TokenScope } from '../../lib/auth/permissions.ts';
import { sendVerificationEmail } from '../../lib/auth/email-verification.ts';
import { mailerFor } from '../../lib/auth/mailer.ts';
import { publishRevocation } from '../../lib/auth/revocation.ts';
import { codePointLength, lineProblem } from '../../lib/auth/text.ts';
import { authorizeAccount } from '../authorize.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { userError } from '../errors.ts';

/** Longest token name accepted. */
export const MAX_TOKEN_NAME_LENGTH = 100;

interface ApiTokenShape {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly scopes: readonly string[];
  readonly expiresAt: Date | null;
}

type ScopeName = Uppercase<TokenScope>;

export const ApiTokenScopeEnum = builder.enumType('ApiTokenScope', {
  description: 'What an API token may do. Every token can READ; the others are granted when the token is created.',
  values: {
    READ: { description: 'Read documents, their history, collaborators and presence, and follow them live (always granted).' },
    WRITE: { description: 'Create documents, edit content, rename, name and restore versions.' },
    SHARE: { description: 'Invite people, change their roles and remove them, on documents the account owns.' },
    DELETE: { description: 'Move documents to the trash and restore them.' },
    ACCOUNT: { description: 'List, create and revoke API tokens. Grant it only to tools that manage tokens.' },
  } satisfies Record<ScopeName, unknown>,
});

const toScopeNames = (stored: readonly string[]): ScopeName[] =>
  TOKEN_SCOPES.filter((s) => parseScopes(stored).has(s)).map((s) => s.toUpperCase() as ScopeName);

const ApiTokenRef = builder.objectRef<ApiTokenShape>('ApiToken').implement({
  description: 'A revocable token for scripts and integrations (`Authorization: Bearer <token>`). Its secret is only shown when created.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Identifier, used to revoke the token.' }),
    name: t.exposeString('name', { description: 'What the token is for, as its creator named it.' }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the token, to tell tokens apart.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the token was created.' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the token last authenticated a request (kept to the minute), or null if never.',
    }),
    scopes: t.field({ type: [ApiTokenScopeEnum], description: 'What the token may do.', resolve: (token) => toScopeNames(token.scopes) }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the token stops working, or null if it never expires.',
    }),
  }),
});

const CreateApiTokenPayloadRef = builder.objectRef<{ apiToken: ApiTokenShape; token: string }>('CreateApiTokenPayload').implement({
  description: 'A new API token and its secret.',
  fields: (t) => ({
    apiToken: t.field({ type: ApiTokenRef, description: 'The token as it appears in the list.', resolve: (p) => p.apiToken }),
    token: t.exposeString('token', { description: 'The secret. Shown this once and never stored: copy it now.' }),
  }),
});

const tokenSelect = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, scopes: true, expiresAt: true } as const;

function checkExpiry(expiresAt: Date | null | undefined, now = Date.now()): Date | null {
  if (expiresAt === null || expiresAt === undefined) return null;
  if (expiresAt.getTime() <= now) throw userError('BAD_USER_INPUT', 'expiresAt is in the past; give a future time, or leave it out for a token that does not expire.');
  if (expiresAt.getTime() > now + MAX_TOKEN_LIFETIME_DAYS * 86_400_000) {
    throw userError('BAD_USER_INPUT', `expiresAt is too far ahead: at most ${MAX_TOKEN_LIFETIME_DAYS} days from now, or leave it out for a token that does not expire.`);
  }
  return expiresAt;
}

builder.queryFields((t) => ({
  apiTokens: t.field({
    type: [ApiTokenRef],
    description: "The signed-in account's unrevoked API tokens (expired ones included, with their `expiresAt`), newest first. Needs a session or the ACCOUNT scope.",
    resolve: async (_root, _args, ctx) => {
      const viewer = authorizeAccount(ctx, 'manage-account');
      return ctx.services.prisma.apiToken.findMany({ where: { userId: viewer.userId, revokedAt: null }, orderBy: { createdAt: 'desc' }, select: tokenSelect });
    },
  }),
}));

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenPayloadRef,
    description: 'Creates an API token for the signed-in account. The secret is in the answer only: store it safely. Needs a session or the ACCOUNT scope.',
    args: {
      name: t.arg.string({ required: true, description: 'What the token is for (1 to 100 characters).' }),
      scopes: t.arg({
        type: [ApiTokenScopeEnum],
        description: `What the token may do; READ is always added. Default: ${DEFAULT_TOKEN_SCOPES.map((s) => s.toUpperCase()).join(', ')}.`,
      }),
      expiresAt: t.arg({ type: 'DateTime', description: `When the token stops working (at most ${MAX_TOKEN_LIFETIME_DAYS} days ahead); default: never.` }),
    },
    resolve: async (_root, args, ctx) => {
      const viewer = authorizeAccount(ctx, 'manage-account');
      const name = args.name.trim();
      const problem = lineProblem('Token name', name);
      if (problem) throw userError('BAD_USER_INPUT', problem);
      if (name.length === 0 || codePointLength(name) > MAX_TOKEN_NAME_LENGTH) {
        throw userError('BAD_USER_INPUT', `Token name must be 1 to ${MAX_TOKEN_NAME_LENGTH} characters; say what the token is for.`);
      }
      const expiresAt = checkExpiry(args.expiresAt);
      const scopes = args.scopes ? args.scopes.map((s) => s.toLowerCase() as TokenScope) : null;
      if (viewer.scopes !== null) await checkWithinCallingToken(ctx.services.prisma, viewer, scopes ?? DEFAULT_TOKEN_SCOPES, expiresAt);
      // Expired tokens no longer work, so they take no place (they stay listed until revoked).
      const live = await ctx.services.prisma.apiToken.count({ where: { userId: viewer.userId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] } });
      if (live >= MAX_API_TOKENS) {
        throw userError('BAD_USER_INPUT', `You already have ${MAX_API_TOKENS} API tokens; revoke one you no longer use first.`);
      }
      const { token, ...apiToken } = await createApiToken(ctx.services.prisma, viewer.userId, name, { scopes, expiresAt });
      return { apiToken: { ...apiToken, lastUsedAt: null }, token };
    },
  }),
  revokeApiToken: t.boolean({
    description: "Revokes one of the signed-in account's API tokens and closes its live WebSockets. False when no such live token is yours. Needs a session or the ACCOUNT scope.",
    args: { id: t.arg.id({ required: true, description: 'The token to revoke (`ApiToken.id`).' }) },
    resolve: async (_root, args, ctx) => {
      const viewer = authorizeAccount(ctx, 'manage-account');
      const revoked = await revokeApiToken(ctx.services.prisma, viewer.userId, String(args.id));
      if (revoked) await publishRevocation(ctx.services.pubsub.publisher, ctx.services.config.redisPrefix, { kind: 'token', id: String(args.id) });
      return revoked;
    },
  }),
  requestEmailVerification: t.boolean({
    description:
      "Emails the signed-in account a new link to confirm its address; documents shared with the address reach it once confirmed. False when there is nothing to confirm: the server sends no email (every address counts as verified) or the address is already confirmed. At most 5 an hour. Needs a session or the ACCOUNT scope.",
    resolve: async (_root, _args, ctx) => {
      const viewer = authorizeAccount(ctx, 'manage-account');
      const mailer = mailerFor(ctx.services.config);
      if (!mailer) return false;
      const user = await ctx.services.prisma.user.findUniqueOrThrow({ where: { id: viewer.userId }, select: { email: true, name: true, emailVerified: true } });
      if (user.emailVerified) return false;
      const decision = await ctx.services.rateLimiter.consume('verify-email', { limit: 5, windowSeconds: 3600 }, viewer.userId);
      if (!decision.allowed) {
        throw userError('RATE_LIMITED', `A confirmation email was sent recently; check your inbox or wait ${decision.retryAfterSeconds} s.`, { retryAfterSeconds: decision.retryAfterSeconds });
      }
      await sendVerificationEmail(ctx.services.prisma, mailer, ctx.services.config.appOrigin, user);
      return true;
    },
  }),
}));

/**
 * A token may only make tokens weaker than itself: no scope it lacks and no later expiry.
 * Otherwise a leaked ACCOUNT token could mint a stronger, longer-lived one that outlives its own
 * revocation.
 */
async function checkWithinCallingToken(
  prisma: GraphQLContext['services']['prisma'],
  viewer: { readonly scopes: ReadonlySet<TokenScope> | null; readonly credential: { readonly id: string } },
  requested: readonly TokenScope[],
  expiresAt: Date | null,
): Promise<void> {
  const missing = requested.filter((scope) => !viewer.scopes!.has(scope));
  if (missing.length > 0) {
    throw userError('FORBIDDEN', `This API token lacks ${missing.map((s) => s.toUpperCase()).join(', ')}; a token can only create tokens with scopes it has itself.`, {
      requiredScope: missing[0]!.toUpperCase(),
    });
  }
  const caller = await prisma.apiToken.findUnique({ where: { id: viewer.credential.id }, select: { expiresAt: true } });
  const limit = caller?.expiresAt ?? null;
  if (limit !== null && (expiresAt === null || expiresAt.getTime() > limit.getTime())) {
    throw userError('BAD_USER_INPUT', `A token created with this API token must expire by ${limit.toISOString()}, when this one does; pass an earlier expiresAt.`);
  }
}
