/**
 * API tokens: list, create (the secret is shown once) and revoke. Revoking ends the token's live
 * WebSockets on every instance.
 */
import { createApiToken, MAX_API_TOKENS, revokeApiToken } from '../../lib/auth/api-tokens.ts';
import { publishRevocation } from '../../lib/auth/revocation.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext, Viewer } from '../context.ts';
import { unauthenticated, userError } from '../errors.ts';

/** Longest token name accepted. */
export const MAX_TOKEN_NAME_LENGTH = 100;

interface ApiTokenShape {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

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
  }),
});

const CreateApiTokenPayloadRef = builder.objectRef<{ apiToken: ApiTokenShape; token: string }>('CreateApiTokenPayload').implement({
  description: 'A new API token and its secret.',
  fields: (t) => ({
    apiToken: t.field({ type: ApiTokenRef, description: 'The token as it appears in the list.', resolve: (p) => p.apiToken }),
    token: t.exposeString('token', { description: 'The secret. Shown this once and never stored: copy it now.' }),
  }),
});

function requireViewer(ctx: GraphQLContext): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

builder.queryFields((t) => ({
  apiTokens: t.field({
    type: [ApiTokenRef],
    description: "The signed-in account's live (unrevoked) API tokens, newest first.",
    resolve: async (_root, _args, ctx) => {
      const viewer = requireViewer(ctx);
      return ctx.services.prisma.apiToken.findMany({
        where: { userId: viewer.userId, revokedAt: null },
        orderBy: { createdAt: 'desc' },
        select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true },
      });
    },
  }),
}));

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenPayloadRef,
    description: 'Creates an API token for the signed-in account. The secret is in the answer only: store it safely.',
    args: { name: t.arg.string({ required: true, description: 'What the token is for (1 to 100 characters).' }) },
    resolve: async (_root, args, ctx) => {
      const viewer = requireViewer(ctx);
      const name = args.name.trim();
      if (name.length === 0 || name.length > MAX_TOKEN_NAME_LENGTH) {
        throw userError('BAD_USER_INPUT', `Token name must be 1 to ${MAX_TOKEN_NAME_LENGTH} characters; say what the token is for.`);
      }
      const live = await ctx.services.prisma.apiToken.count({ where: { userId: viewer.userId, revokedAt: null } });
      if (live >= MAX_API_TOKENS) {
        throw userError('BAD_USER_INPUT', `You already have ${MAX_API_TOKENS} API tokens; revoke one you no longer use first.`);
      }
      const { token, ...apiToken } = await createApiToken(ctx.services.prisma, viewer.userId, name);
      return { apiToken: { ...apiToken, lastUsedAt: null }, token };
    },
  }),
  revokeApiToken: t.boolean({
    description: "Revokes one of the signed-in account's API tokens and closes its live WebSockets. False when no such live token is yours.",
    args: { id: t.arg.id({ required: true, description: 'The token to revoke (`ApiToken.id`).' }) },
    resolve: async (_root, args, ctx) => {
      const viewer = requireViewer(ctx);
      const revoked = await revokeApiToken(ctx.services.prisma, viewer.userId, String(args.id));
      if (revoked) await publishRevocation(ctx.services.pubsub.publisher, ctx.services.config.redisPrefix, { kind: 'token', id: String(args.id) });
      return revoked;
    },
  }),
}));
