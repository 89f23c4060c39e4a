/**
 * The wiring both gapless op streams share (`documentOperations`, one op per event, and
 * `documentOperationBatches`, 1..n ops per event): read access at start and rechecked whenever it
 * may have changed, the op feed for ordering, catch-up and refill (kept fed by the process's head
 * watch and the pub/sub reconnects), liveStream for backpressure, and the feed's failures as
 * errors with the API's codes.
 */
import type { GraphQLError } from 'graphql';
import { createHeadWatch, type HeadWatch } from '../lib/collab/head-watch.ts';
import { HistoryGoneError, type OpFeed } from '../lib/collab/op-feed.ts';
import { watchReadAccess as watchAccess } from './access-recheck.ts';
import { authorizeDocument } from './authorize.ts';
import type { GraphQLContext } from './context.ts';
import { userError } from './errors.ts';
import { liveStream } from './live-stream.ts';

/** Rechecks read access whenever it may have changed, ending the stream when it is gone (graphql/access-recheck.ts). */
export { watchAccess };

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

/** The error that ends the stream when the op feed fails. */
export function feedError(error: unknown): GraphQLError {
  return error instanceof HistoryGoneError
    ? userError('VERSION_TOO_OLD', error.message)
    : userError('CONFLICT', 'The operation stream was interrupted; resubscribe from your last version.', { retryable: true });
}

/**
 * A gapless op stream of `documentId` after `fromVersion`. `openFeed` opens the op feed that
 * delivers to `push` (one op or one batch per item) and reports failures to `onError`; `label`
 * names the stream in the log ("<label> subscription started").
 */
export async function subscribeOpStream<T>(
  ctx: GraphQLContext,
  documentIdArg: string | number,
  fromVersion: number,
  label: string,
  openFeed: (push: (item: T) => void, onError: (error: unknown) => void) => Promise<OpFeed>,
) {
  const documentId = String(documentIdArg);
  await authorizeDocument(ctx, documentId, 'read');
  if (fromVersion < 0) throw userError('BAD_USER_INPUT', `fromVersion must be ≥ 0, got ${fromVersion}.`);
  return liveStream<T>(ctx, {
    async start(push, fail) {
      const stopAccess = await watchAccess(ctx, documentId, fail);
      const feed = await openFeed(push, (error) => fail(feedError(error)));
      const stopRefill = keepFed(ctx, documentId, feed);
      ctx.logger.info({ documentId, fromVersion }, `${label} subscription started`);
      return async () => {
        ctx.logger.info({ documentId }, `${label} subscription ended`);
        stopRefill();
        stopAccess();
        await feed.close();
      };
    },
  });
}
