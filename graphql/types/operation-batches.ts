/**
 * `documentOperationBatches`: the gapless live stream of `documentOperations`, delivered 1..n
 * consecutive ops per event (lib/collab/SPEC.md, FB1–FB8). With many editors on one document,
 * one event per op per subscriber is what costs (each a graphql-ws message, serialised per
 * subscriber and parsed and handled by every client); here an instance coalesces a document's
 * live ops (services.collab.batcher: one Redis subscription per document, one frozen array per
 * flush shared by every subscriber), so shared execution (graphql/shared-execution.ts) runs the
 * selection once per batch per instance, and each subscriber gets one message per batch.
 *
 * Guarantees and access checks are those of `documentOperations` (graphql/types/operation.ts),
 * with the same wiring (graphql/op-stream.ts): access at start and on changes, the op feed (in
 * batch mode) for ordering, catch-up and refill, liveStream for backpressure.
 */
import { openOpFeed } from '../../lib/collab/op-feed.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { builder } from '../builder.ts';
import { unwrapItem } from '../live-stream.ts';
import { subscribeOpStream } from '../op-stream.ts';
import { AppliedOperationRef } from './operation.ts';

/**
 * One event of `documentOperationBatches`: the ops of one flush. The array is shared by every
 * subscriber of the document on this instance (it is the key of shared execution); never mutate it.
 */
export type OperationBatch = readonly AppliedOp[];

export const OperationBatchRef = builder.objectRef<OperationBatch>('OperationBatch').implement({
  description: 'Consecutive operations of one document, delivered together: one event of `documentOperationBatches`.',
  fields: (t) => ({
    operations: t.field({
      type: [AppliedOperationRef],
      description: 'One or more operations with consecutive versions, ascending; the next event continues at the version after the last one.',
      resolve: (batch) => batch,
    }),
  }),
});

builder.subscriptionFields((t) => ({
  documentOperationBatches: t.field({
    type: OperationBatchRef,
    description:
      'Every operation with version > fromVersion, in order, with no gaps and no repeats (stored ones first, then live ones from every server instance), ' +
      'like `documentOperations`, but delivered in batches: each event carries one or more consecutive operations. ' +
      'Live operations of a document are coalesced per server instance (at most one batch per OPS_BATCH_WINDOW_MS, default 20 ms, after the first).',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document to follow.' }),
      fromVersion: t.arg.int({ required: true, description: 'The last version the client has; 0 for the whole history.' }),
    },
    subscribe: (_root, args, ctx) =>
      subscribeOpStream<OperationBatch>(ctx, args.documentId, args.fromVersion, 'operation batches', (push, onError) =>
        openOpFeed({
          store: ctx.services.collab.store,
          batches: ctx.services.collab.batcher,
          documentId: String(args.documentId),
          fromVersion: args.fromVersion,
          // Live batches of exactly the next versions arrive here as the batcher's shared array [FB6].
          deliverBatch: push,
          onError,
        }),
      ),
    resolve: (item) => unwrapItem(item),
  }),
}));
