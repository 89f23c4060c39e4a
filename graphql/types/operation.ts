/**
 * Operations: submitting one (sequenced, transformed, durable before the answer), reading the
 * log, and the gapless live stream `documentOperations`.
 */
import { GraphQLError } from 'graphql';
import { createHeadWatch, type HeadWatch } from '../../lib/collab/head-watch.ts';
import { openOpFeed, HistoryGoneError, type OpFeed } from '../../lib/collab/op-feed.ts';
import { clientIdProblem } from '../../lib/collab/planner.ts';
import { RESTORE_CLIENT_PREFIX } from '../../lib/collab/revisions.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { isDatabaseUnavailable, isPoolTimeout } from '../../lib/db/prisma.ts';
import { validateOp } from '../../lib/ot/operation.ts';
import { watchReadAccess as watchAccess } from '../access-recheck.ts';
import { authorizeDocument, authorizeDocumentCached } from '../authorize.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { deltaJson } from '../document-state.ts';
import { unauthenticated, userError } from '../errors.ts';
import { liveStream, unwrapItem } from '../live-stream.ts';
import { DocumentRef } from './document.ts';
import { UserRef } from './user.ts';

export const MAX_CLIENT_ID_LENGTH = 64;
const MAX_OPERATIONS_PAGE = 1000;

export const AppliedOperationRef = builder.objectRef<AppliedOp>('AppliedOperation').implement({
  description: 'An operation as the server applied it: one step of the document history.',
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'The version this operation produced (1 for the first).' }),
    delta: t.field({ type: 'JSON', description: 'The Delta as applied, after transformation over concurrent operations.', resolve: (op) => deltaJson(op.delta) }),
    author: t.field({
      type: UserRef,
      nullable: true,
      description: 'Who made it; null for system operations or deleted accounts.',
      resolve: (op, _args, ctx) => (op.authorId ? ctx.services.users.get(op.authorId) : null),
    }),
    clientId: t.exposeString('clientId', { description: 'The client session that submitted it.' }),
    clientSeq: t.exposeInt('clientSeq', { description: "The submitting client's sequence number for it." }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'Server time of the commit.' }),
  }),
});

const SubmitOperationInput = builder.inputType('SubmitOperationInput', {
  description: 'An operation made against the document at `baseVersion`.',
  fields: (t) => ({
    documentId: t.id({ required: true, description: 'The document to change.' }),
    baseVersion: t.int({ required: true, description: 'The head version the client had when it made the operation.' }),
    clientId: t.string({ required: true, description: `Stable per client session (e.g. a UUID per open editor), at most ${MAX_CLIENT_ID_LENGTH} characters.` }),
    clientSeq: t.int({ required: true, description: '1, 2, 3… per clientId; (documentId, clientId, clientSeq) identifies the operation, so resubmitting is safe.' }),
    delta: t.field({ type: 'JSON', required: true, description: 'The change: a Delta of retain / insert / delete components.' }),
  }),
});

export interface SubmitPayload {
  readonly version: number;
  readonly delta: unknown;
  readonly duplicate: boolean;
}

export const SubmitOperationPayloadRef = builder.objectRef<SubmitPayload>('SubmitOperationPayload').implement({
  description: 'The answer to a submitted operation; it is durable when this arrives.',
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'The version this operation produced.' }),
    delta: t.field({ type: 'JSON', description: 'The operation as applied (transformed over concurrent operations).', resolve: (p) => p.delta }),
    duplicate: t.exposeBoolean('duplicate', {
      description: 'True when this (clientId, clientSeq) had already been applied: the answer is the same as the first time.',
    }),
  }),
});

/** Seconds a client is asked to wait when the server ran out of database connections for it. */
const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * Sequences one operation for the viewer; shared by submitOperation and restoreVersion. Every
 * failure a client sees has a code: a database pool that stayed busy past its wait is
 * `RATE_LIMITED` with `retryAfterSeconds` (overload, not a fault), an unreachable database is
 * `SERVICE_UNAVAILABLE` with `retryAfterSeconds` (nothing stored); anything else unexpected is
 * logged here before it becomes INTERNAL_SERVER_ERROR.
 */
export async function submitForViewer(
  ctx: GraphQLContext,
  input: { documentId: string; baseVersion: number; clientId: string; clientSeq: number; delta: unknown },
): Promise<SubmitPayload> {
  try {
    return await submitChecked(ctx, input);
  } catch (error) {
    if (error instanceof GraphQLError && typeof error.extensions.code === 'string') throw error;
    const logged = { err: error, documentId: input.documentId, clientId: input.clientId, clientSeq: input.clientSeq };
    if (isPoolTimeout(error)) {
      ctx.logger.warn(logged, 'operation refused: no database connection within the pool wait');
      throw userError('RATE_LIMITED', `The server is busy; nothing was stored. Resubmit the same op after ${BUSY_RETRY_AFTER_SECONDS} s.`, {
        retryable: true,
        retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
      });
    }
    if (isDatabaseUnavailable(error)) {
      ctx.logger.warn(logged, 'operation refused: the database is unreachable');
      throw userError('SERVICE_UNAVAILABLE', `The database is unreachable; nothing was stored. Resubmit the same op after ${BUSY_RETRY_AFTER_SECONDS} s.`, {
        retryable: true,
        retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
      });
    }
    ctx.logger.warn(logged, 'operation submission failed unexpectedly');
    throw error;
  }
}

async function submitChecked(
  ctx: GraphQLContext,
  input: { documentId: string; baseVersion: number; clientId: string; clientSeq: number; delta: unknown },
): Promise<SubmitPayload> {
  const viewer = ctx.viewer;
  if (viewer === null) throw unauthenticated();
  // Before the rate limiter and the batch: the planner's own check [S11], so both transports share it.
  const badClientId = clientIdProblem(input.clientId);
  if (badClientId) throw userError('BAD_USER_INPUT', badClientId);
  // The rate limit before the grant read: a flood past it costs no PostgreSQL query per refused
  // submission over HTTP, where no connection keeps grants. A connection's bucket lives with it in
  // this process; HTTP callers share one per user in Redis.
  const limit = await (ctx.connection?.localLimits ?? ctx.services.rateLimiter).consume(
    'ops',
    ctx.services.config.rateLimits.opSubmissions,
    ctx.connection?.connectionId ?? `user:${viewer.userId}`,
  );
  if (!limit.allowed) {
    ctx.logger.info({ documentId: input.documentId, clientId: input.clientId, retryAfterSeconds: limit.retryAfterSeconds }, 'operation rate limited');
    throw userError('RATE_LIMITED', `Too many operations; wait ${limit.retryAfterSeconds} s and resubmit (batch keystrokes into fewer operations).`, {
      retryAfterSeconds: limit.retryAfterSeconds,
    });
  }
  const { document } = await authorizeDocumentCached(ctx, input.documentId, 'edit');
  const delta = validateOp(input.delta);
  if (!delta.ok) throw userError(delta.code, `delta: ${delta.message}`);
  const result = await ctx.services.collab.sequencer.submit({
    documentId: document.id,
    baseVersion: input.baseVersion,
    clientId: input.clientId,
    clientSeq: input.clientSeq,
    delta: delta.value,
    authorId: viewer.userId,
  });
  const logged = { documentId: document.id, clientId: input.clientId, clientSeq: input.clientSeq, baseVersion: input.baseVersion };
  if (result.kind === 'rejected') {
    ctx.logger.info({ ...logged, code: result.code }, 'operation rejected');
    if (result.code === 'RATE_LIMITED') {
      throw userError('RATE_LIMITED', result.message, { retryable: true, retryAfterSeconds: result.retryAfterSeconds ?? 1 });
    }
    throw userError(result.code === 'CONFLICT_RETRIES_EXHAUSTED' ? 'CONFLICT' : result.code, result.message, {
      retryable: result.code === 'CONFLICT_RETRIES_EXHAUSTED',
    });
  }
  // Per keystroke batch: debug, so a busy server's info log stays readable.
  ctx.logger.debug({ ...logged, version: result.version, outcome: result.kind }, 'operation submitted');
  return { version: result.version, delta: deltaJson(result.delta), duplicate: result.kind === 'duplicate' };
}

builder.mutationFields((t) => ({
  submitOperation: t.field({
    type: SubmitOperationPayloadRef,
    description: 'Applies an operation: transformed over whatever was committed after its base version, stored, then broadcast.',
    args: { input: t.arg({ type: SubmitOperationInput, required: true, description: 'The operation and where it was made.' }) },
    resolve: (_root, { input }, ctx) => {
      // History shows ops under this prefix as restores [H3b]; only restoreVersion may write them.
      if (input.clientId.startsWith(RESTORE_CLIENT_PREFIX)) {
        throw userError('BAD_USER_INPUT', `clientIds starting with "${RESTORE_CLIENT_PREFIX}" are reserved for restoreVersion; use another clientId (a UUID per open editor).`);
      }
      return submitForViewer(ctx, { ...input, documentId: String(input.documentId), delta: input.delta });
    },
  }),
}));

builder.objectFields(DocumentRef, (t) => ({
  operations: t.field({
    type: [AppliedOperationRef],
    description: 'Applied operations with version > fromVersion (and ≤ toVersion), ascending.',
    args: {
      fromVersion: t.arg.int({ required: true, description: 'Return operations after this version.' }),
      toVersion: t.arg.int({ description: 'Return operations up to this version (default: head).' }),
      first: t.arg.int({ defaultValue: 100, description: `At most this many, 1 to ${MAX_OPERATIONS_PAGE}.` }),
    },
    resolve: async (d, args, ctx) => {
      await authorizeDocument(ctx, d.row.id, 'read');
      const first = args.first ?? 100;
      if (first < 1 || first > MAX_OPERATIONS_PAGE) throw userError('BAD_USER_INPUT', `first must be from 1 to ${MAX_OPERATIONS_PAGE}, got ${first}.`);
      if (args.fromVersion < 0) throw userError('BAD_USER_INPUT', `fromVersion must be ≥ 0, got ${args.fromVersion}.`);
      const toVersion = args.toVersion ?? Number.MAX_SAFE_INTEGER;
      if (toVersion <= args.fromVersion) return [];
      const ops = await ctx.services.collab.store.opsAfter(d.row.id, args.fromVersion, Math.min(first, toVersion - args.fromVersion));
      return ops.filter((op) => op.version <= toVersion);
    },
  }),
}));

const headWatches = new WeakMap<GraphQLContext['services'], HeadWatch>();

/**
 * Keeps `feed` refilled when Redis lost a publish (F6: the process's one head watch, rounds every
 * HEAD_RECHECK_MS) and when the pub/sub connections come back (F5); returns how to stop both.
 */
export function keepFed(ctx: GraphQLContext, documentId: string, feed: OpFeed): () => void {
  const { services } = ctx;
  let watch = headWatches.get(services);
  if (!watch) {
    watch = createHeadWatch({
      store: services.collab.store,
      intervalMs: services.config.headRecheckMs,
      onError: (error) => services.logger.warn({ err: error }, 'head watch: reading head versions failed'),
    });
    headWatches.set(services, watch);
  }
  const stopWatch = watch.watch(documentId, feed);
  const stopRefill = services.pubsub.onResubscribed(() => feed.refill());
  return () => {
    stopWatch();
    stopRefill();
  };
}

/** Rechecks read access whenever it may have changed, ending the stream when it is gone (graphql/access-recheck.ts). */
export { watchAccess };

builder.subscriptionFields((t) => ({
  documentOperations: t.field({
    type: AppliedOperationRef,
    description:
      'Every operation with version > fromVersion, in order, with no gaps and no repeats: first the stored ones, then live ones from every server instance.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document to follow.' }),
      fromVersion: t.arg.int({ required: true, description: 'The last version the client has; 0 for the whole history.' }),
    },
    subscribe: async (_root, args, ctx) => {
      const documentId = String(args.documentId);
      await authorizeDocument(ctx, documentId, 'read');
      if (args.fromVersion < 0) throw userError('BAD_USER_INPUT', `fromVersion must be ≥ 0, got ${args.fromVersion}.`);
      const { store, broadcaster } = ctx.services.collab;
      return liveStream<AppliedOp>(ctx, {
        async start(push, fail) {
          const stopAccess = await watchAccess(ctx, documentId, fail);
          const feed = await openOpFeed({
            store,
            broadcaster,
            documentId,
            fromVersion: args.fromVersion,
            deliver: push,
            onError: (error) =>
              fail(
                error instanceof HistoryGoneError
                  ? userError('VERSION_TOO_OLD', error.message)
                  : userError('CONFLICT', 'The operation stream was interrupted; resubscribe from your last version.', { retryable: true }),
              ),
          });
          const stopRefill = keepFed(ctx, documentId, feed);
          ctx.logger.info({ documentId, fromVersion: args.fromVersion }, 'operations subscription started');
          return async () => {
            ctx.logger.info({ documentId }, 'operations subscription ended');
            stopRefill();
            stopAccess();
            await feed.close();
          };
        },
      });
    },
    resolve: (item) => unwrapItem(item),
  }),
}));
