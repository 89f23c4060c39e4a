/**
 * Operations: submitting one and reading the log (mapped onto lib/documents/operations.ts), and
 * the gapless live stream `documentOperations`.
 */
import { openOpFeed } from '../../lib/collab/op-feed.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { MAX_CLIENT_ID_LENGTH, MAX_OPERATIONS_PAGE } from '../../lib/documents/operations.ts';
import type { Delta } from '../../lib/ot/operation.ts';
import { builder } from '../builder.ts';
import { deltaJson } from '../document-state.ts';
import { orThrow } from '../errors.ts';
import { unwrapItem } from '../live-stream.ts';
import { subscribeOpStream } from '../op-stream.ts';
import { DocumentRef } from './document.ts';
import { UserRef } from './user.ts';

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

export const SubmitOperationInput = builder.inputType('SubmitOperationInput', {
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

/** The API's answer to a submitted (or restored) operation. */
export const submitPayload = (result: { kind: 'applied' | 'duplicate' | 'unchanged'; version: number; delta: Delta }): SubmitPayload => ({
  version: result.version,
  delta: deltaJson(result.delta),
  duplicate: result.kind === 'duplicate',
});

builder.mutationFields((t) => ({
  submitOperation: t.field({
    type: SubmitOperationPayloadRef,
    description: 'Applies an operation: transformed over whatever was committed after its base version, stored, then broadcast.',
    args: { input: t.arg({ type: SubmitOperationInput, required: true, description: 'The operation and where it was made.' }) },
    resolve: async (_root, { input }, ctx) =>
      submitPayload(orThrow(await ctx.services.operations.submit(ctx, { ...input, documentId: String(input.documentId), delta: input.delta }))),
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
    resolve: async (d, args, ctx) =>
      orThrow(await ctx.services.operations.list(ctx, d.row.id, { fromVersion: args.fromVersion, toVersion: args.toVersion ?? null, first: args.first ?? 100 })).ops,
  }),
}));

builder.subscriptionFields((t) => ({
  documentOperations: t.field({
    type: AppliedOperationRef,
    description:
      'Every operation with version > fromVersion, in order, with no gaps and no repeats: first the stored ones, then live ones from every server instance.',
    args: {
      documentId: t.arg.id({ required: true, description: 'The document to follow.' }),
      fromVersion: t.arg.int({ required: true, description: 'The last version the client has; 0 for the whole history.' }),
    },
    subscribe: (_root, args, ctx) =>
      subscribeOpStream<AppliedOp>(ctx, args.documentId, args.fromVersion, 'operations', (push, onError) =>
        openOpFeed({ store: ctx.services.collab.store, broadcaster: ctx.services.collab.broadcaster, documentId: String(args.documentId), fromVersion: args.fromVersion, deliver: push, onError }),
      ),
    resolve: (item) => unwrapItem(item),
  }),
}));
