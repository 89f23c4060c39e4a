/**
 * The op store port: durable, per-document, gapless op logs plus snapshots.
 *
 * Designed so that a PostgreSQL implementation can do `append` in one transaction
 * (`UPDATE document SET version = version + 1 WHERE id = $1 AND version = $expected`, then an
 * insert into an op table with unique (documentId, version) and unique
 * (documentId, clientId, clientSeq)), and so that a batching implementation may group appends,
 * as long as each caller gets its own answer. Rules P1–P7 are in ./SPEC.md and checked by
 * `registerOpStoreContract` (tests/support/collab-op-store-contract.ts).
 */
import type { Delta } from '../ot/operation.ts';
import type { AppliedOp, Snapshot } from './types.ts';

/**
 * The state at head: `snapshot` (at or below head) followed by `ops`, which are exactly the
 * versions `snapshot.version + 1 … version` in order [P4]. A store that keeps the content at head
 * (ShareDB-style) returns a snapshot at head and no ops; one that keeps periodic snapshots
 * returns the latest one and the ops after it.
 */
export interface HeadState {
  readonly version: number;
  readonly snapshot: Snapshot;
  readonly ops: readonly AppliedOp[];
}

/**
 * The answer to `append`. `appended`: the op is durable at `expectedVersion + 1`.
 * `conflict`: the head was not `expectedVersion` (another writer won, or the document does not
 * exist); nothing was stored. `duplicate`: an op with the same (clientId, clientSeq) is already
 * stored; `existing` is that op; nothing was stored.
 */
export type AppendResult =
  | { readonly kind: 'appended' }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'duplicate'; readonly existing: AppliedOp };

/** The answer to `createDocument`. */
export type CreateResult = { readonly kind: 'created' } | { readonly kind: 'exists' };

/**
 * Storage for op logs. All methods are async and may be called concurrently, from one process or
 * many; the atomicity rules below are what makes concurrent sequencers safe. Values passed in and
 * out are treated as immutable by both sides.
 */
export interface OpStore {
  /**
   * Creates a document at version 0 with `content` (a document Delta) as its version-0 snapshot.
   * Answers `exists` and changes nothing when the documentId is taken [P6].
   */
  createDocument(documentId: string, content: Delta, createdAt: Date): Promise<CreateResult>;

  /** The head version and the means to rebuild its content; null when the document does not exist [P4]. */
  head(documentId: string): Promise<HeadState | null>;

  /**
   * Atomically stores `op` at version `expectedVersion + 1` if and only if the head is
   * `expectedVersion` and no op with the same (clientId, clientSeq) exists [P1, P2]. Of several
   * concurrent appends at one expectedVersion exactly one answers `appended`. When both the
   * version and the clientSeq clash the store may answer either `conflict` or `duplicate`.
   * `contentAfter` is the document at the new version; a store may persist it as its head
   * content or ignore it and rebuild from snapshots.
   * @throws if `op.version !== expectedVersion + 1` or `op.documentId !== documentId` (a bug in the caller).
   */
  append(documentId: string, expectedVersion: number, op: AppliedOp, contentAfter: Delta): Promise<AppendResult>;

  /**
   * Ops with version > `afterVersion`, ascending, contiguous, at most `limit` of them [P3].
   * If history before some version was pruned the first op returned may be later than
   * `afterVersion + 1`; callers detect that. Unknown documents give [].
   */
  opsAfter(documentId: string, afterVersion: number, limit?: number): Promise<readonly AppliedOp[]>;

  /** The stored op with this (clientId, clientSeq), or null [P2]. */
  findByClientSeq(documentId: string, clientId: string, clientSeq: number): Promise<AppliedOp | null>;

  /**
   * Stores a snapshot. Saving one that already exists at that version is a no-op (two sequencers
   * may both decide to snapshot the same version) [P5].
   */
  saveSnapshot(snapshot: Snapshot): Promise<void>;

  /** The snapshot with the greatest version ≤ `version`, or null [P5]. */
  latestSnapshotAtOrBelow(documentId: string, version: number): Promise<Snapshot | null>;
}
