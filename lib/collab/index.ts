/**
 * lib/collab: sequencing (server) and the OT client state machine, against ports only.
 * Imports nothing but lib/ot; adapters (lib/db, lib/pubsub) implement the ports.
 */
export type { AppliedOp, Snapshot, Submission, SubmitInput, SubmitResult, RejectionCode } from './types.ts';
export { isRetryable } from './types.ts';
export type { OpStore, HeadState, CommitRequest, CommitResult, CreateResult } from './op-store.ts';
export { CommitDataError } from './op-store.ts';
export type { Broadcaster, OpListener, Unsubscribe } from './broadcaster.ts';
export { createSequencer, DEFAULT_SEQUENCER_LIMITS, type Sequencer, type SequencerOptions, type SequencerLimits, type CreateDocumentResult } from './sequencer.ts';
export { planBatch, answerOf, clientIdProblem, foreignClientId, CLIENT_ID_PATTERN, type BatchPlan, type PlannedAnswer, type PlanOptions } from './planner.ts';
export { advance, tailBetween, findInTail, groupOnto, TAIL_LENGTH, type KnownHead, type SpanChanges } from './known-head.ts';
export { loadDocument, documentAt, replay, contentAtHead, type DocumentState, type DocumentAtResult } from './document-loader.ts';
export { openOpFeed, HistoryGoneError, type OpFeed, type OpFeedOptions } from './op-feed.ts';
export { CollabClient, type CollabClientOptions } from './client.ts';
export {
  saveIndicator,
  type ClientTransport,
  type RemoteOp,
  type ClientStateKind,
  type ClientStatus,
  type ClientEvent,
  type ApplyLocalResult,
  type SaveIndicator,
} from './client-types.ts';
export { createMemoryOpStore, type MemoryOpStoreOptions } from './memory/memory-op-store.ts';
export { createMemoryBroadcaster, type MemoryBroadcasterOptions } from './memory/memory-broadcaster.ts';
