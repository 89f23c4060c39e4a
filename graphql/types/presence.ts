/**
 * Presence: who has a document open and where their selection is. Ephemeral (Redis only).
 * Entries are identified by (user, clientId); events name the user, so clients key peers by both.
 * A selection is `{ index, length, version }`: receivers transform it through the operations
 * after `version` that they have applied.
 */
import { can } from '../../lib/auth/permissions.ts';
import type { PresenceEntry, PresenceEvent, PresenceSelection } from '../../lib/presence/presence.ts';
import { authorizeDocument, authorizeDocumentCached } from '../authorize.ts';
import { guardPresenceOfConnection, guardPresenceWhileSubscribed } from '../presence-access.ts';
import type { GraphQLContext } from '../context.ts';
import { builder } from '../builder.ts';
import { unauthenticated, userError } from '../errors.ts';
import { liveStream, unwrapItem } from '../live-stream.ts';
import { MAX_CLIENT_ID_LENGTH } from '../../lib/documents/operations.ts';
import { watchAccess } from '../op-stream.ts';
import { UserRef } from './user.ts';

const PresenceEventRef = builder.objectRef<PresenceEvent>('PresenceEvent').implement({
  description: 'Someone opened, moved their selection in, or left a document.',
  fields: (t) => ({
    user: t.field({
      type: UserRef,
      description: 'Who.',
      resolve: async (e, _args, ctx) => (await ctx.services.users.get(e.userId)) ?? { id: e.userId, name: null, email: '' },
    }),
    clientId: t.exposeString('clientId', { description: 'Which of their open editors (one person may have several).' }),
    selection: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Their selection `{ index, length, version }` (positions in the document at `version`), or null.',
      resolve: (e) => e.selection,
    }),
    left: t.exposeBoolean('left', { description: 'True when this editor closed the document or its connection was lost.' }),
  }),
});

function parseSelection(value: unknown): PresenceSelection | null {
  if (value === null || value === undefined) return null;
  const v = value as Record<string, unknown>;
  const whole = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (typeof value !== 'object' || Array.isArray(value) || !whole(v.index) || !whole(v.length) || !whole(v.version) || Object.keys(v).length !== 3) {
    throw userError('BAD_USER_INPUT', 'selection must be null or { "index", "length", "version" }, each a whole number ≥ 0.');
  }
  return { index: v.index, length: v.length, version: v.version };
}

/** The key of a connection's presence entry: one per (document, clientId). */
const entryKey = (documentId: string, clientId: string) => `${documentId}\u0000${clientId}`;

function checkClientId(clientId: string): void {
  if (clientId.length === 0 || clientId.length > MAX_CLIENT_ID_LENGTH) {
    throw userError('BAD_USER_INPUT', `clientId must have 1 to ${MAX_CLIENT_ID_LENGTH} characters.`);
  }
}

/**
 * Presence updates are rate limited per connection (per user over HTTP), like operations; a
 * connection holds at most `presenceMaxPerConnection` entries, so one socket cannot fill a
 * document with invented clients. Over HTTP, where there is no connection, the same number caps
 * the entries one person holds on the document (checked atomically by the store).
 */
async function checkPresenceRate(ctx: GraphQLContext): Promise<void> {
  const { config } = ctx.services;
  const limit = await (ctx.connection?.localLimits ?? ctx.services.rateLimiter).consume(
    'presence',
    config.rateLimits.presenceUpdates,
    ctx.connection?.connectionId ?? `user:${ctx.viewer!.userId}`,
  );
  if (!limit.allowed) {
    throw userError('RATE_LIMITED', `Too many presence updates; wait ${limit.retryAfterSeconds} s (send at most a few per second).`, {
      retryAfterSeconds: limit.retryAfterSeconds,
    });
  }
}

function tooManyEntries(ctx: GraphQLContext, held: string) {
  const max = ctx.services.config.presenceMaxPerConnection;
  return userError('LIMIT_EXCEEDED', `${held} (the most is ${max}); call leavePresence for one you closed${ctx.connection ? ', or open another connection' : ''}.`, {
    limit: ctx.connection ? 'presenceEntriesPerConnection' : 'presenceEntriesPerUser',
    max,
  });
}

builder.mutationFields((t) => ({
  updatePresence: t.field({
    type: 'Boolean',
    description:
      'Announces that you have the document open, and where your selection is. Repeat it at least every 20 s to stay present. An entry is identified by (you, clientId): nobody else can change or remove it, even with the same clientId. Only people who may edit share a selection; for readers it is recorded as null. Losing access to the document removes your entries.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      clientId: t.arg.string({ required: true, description: 'The editor session, as in submitOperation.' }),
      selection: t.arg({ type: 'JSON', description: 'Your selection `{ index, length, version }`, or null.' }),
    },
    resolve: async (_root, args, ctx) => {
      // Cached per connection like submitOperation: a moving caret sends several updates a second.
      const { document, role } = await authorizeDocumentCached(ctx, String(args.documentId), 'read');
      checkClientId(args.clientId);
      const viewer = ctx.viewer!;
      const selection = parseSelection(args.selection);
      await checkPresenceRate(ctx);
      const { config } = ctx.services;
      const held = ctx.connection?.presence;
      if (held && !held.has(entryKey(document.id, args.clientId)) && held.size >= config.presenceMaxPerConnection) {
        throw tooManyEntries(ctx, `This connection already announces ${held.size} editors`);
      }
      const mayEdit = can(viewer, 'edit', { kind: 'document', role, deleted: document.deletedAt !== null });
      const entry: PresenceEntry = { userId: viewer.userId, clientId: args.clientId, selection: mayEdit ? selection : null };
      const outcome = await ctx.services.presence.update(document.id, entry, held ? {} : { maxPerUser: config.presenceMaxPerConnection });
      if (outcome === 'full') throw tooManyEntries(ctx, `You already announce ${config.presenceMaxPerConnection} editors in this document`);
      if (ctx.connection) {
        // Over WebSocket the connection keeps the entry fresh and removes it when it closes, or
        // when its user loses access to the document.
        ctx.connection.presence.set(entryKey(document.id, args.clientId), { documentId: document.id, ...entry });
        guardPresenceOfConnection(ctx.services, document.id, ctx.connection);
      }
      return true;
    },
  }),
}));

builder.mutationFields((t) => ({
  leavePresence: t.field({
    type: 'Boolean',
    description: 'Says you closed the document in this editor: others see you leave now instead of after the presence timeout. Only your own entries can be removed.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document.' }),
      clientId: t.arg.string({ required: true, description: 'The editor session, as in updatePresence.' }),
    },
    resolve: async (_root, args, ctx) => {
      const { document } = await authorizeDocument(ctx, String(args.documentId), 'read');
      ctx.connection?.presence.delete(entryKey(document.id, args.clientId));
      await ctx.services.presence.leave(document.id, ctx.viewer!.userId, args.clientId);
      return true;
    },
  }),
}));

builder.subscriptionFields((t) => ({
  presence: t.field({
    type: PresenceEventRef,
    description: 'Who is in the document: first everyone present now, then every change.',
    args: { documentId: t.arg.id({ required: true, description: 'The document.' }) },
    subscribe: async (_root, args, ctx) => {
      if (!ctx.viewer) throw unauthenticated();
      const documentId = String(args.documentId);
      await authorizeDocument(ctx, documentId, 'read');
      const { presence } = ctx.services;
      return liveStream<PresenceEvent>(ctx, {
        async start(push, fail) {
          const stopAccess = await watchAccess(ctx, documentId, fail);
          const unsubscribe = await presence.subscribe(documentId, push);
          const stopGuard = guardPresenceWhileSubscribed(ctx.services, documentId);
          for (const entry of await presence.list(documentId)) push({ documentId, ...entry, left: false });
          return async () => {
            stopAccess();
            stopGuard();
            await unsubscribe();
          };
        },
      });
    },
    resolve: (item) => unwrapItem(item),
  }),
}));
