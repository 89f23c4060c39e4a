/**
 * The op store port: durable, per-document, gapless op logs plus snapshots.
 *
 * Every write of the op log goes through one operation, `commit`: a batch planned (by
 * ./planner.ts, pure) on the head the caller knows, which the store writes only if that head is
 * still true — else it plans the same batch again on the head it finds, under whatever
 * serialisation it has (a row lock on PostgreSQL, one synchronous step in memory). So a stale
 * caller costs a replan, never a fork, and the store never needs a second writer. Rules P1–P9 are
 * in ./SPEC.md and checked by `registerOpStoreContract` (tests/support/collab-op-store-contract.ts).
 */
import type { Delta } from '../ot/operation.ts';
import type { KnownHead } from './known-head.ts';
import type { BatchPlan } from './planner.ts';
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
 * What `commit` is asked to write: a batch planned on the head the caller knows, and the pure
 * planner bound to that batch, so the store can plan it again on the head it actually finds
 * (no I/O inside `replan`).
 */
export interface CommitRequest {
  readonly documentId: string;
  /** Planned on the caller's known head (`planned.head`). */
  readonly planned: BatchPlan;
  /** The same batch planned on another head (pure, synchronous). */
  readonly replan: (head: KnownHead) => BatchPlan;
  /** The oldest base version in the batch: a head the store loads for `replan` has its ops after it in the tail, where stored. */
  readonly historyAfter: number;
  /**
   * A head the caller knows was stored (its latest committed one), when `planned.head` is not
   * stored yet: the `next` of a predecessor whose commit is in flight [P11, S13]. If the store's
   * head is not `planned.head`, it catches up from this one instead (the predecessor may have
   * committed another plan, or nothing). Default: `planned.head`.
   */
  readonly stored?: KnownHead;
  /**
   * With `stored`: the head that predecessor was planned on. A store that checks heads in a
   * statement whose snapshot may predate the predecessor's commit (PostgreSQL) finds the row
   * there while the predecessor commits, waits for it, and re-checks the row [P11].
   */
  readonly predecessorHead?: KnownHead;
}

/**
 * The answer to `commit` [P1, P2]. `committed`: `plan.ops` (possibly none) are durable, planned on
 * the head the store had (`plan.head`, which is `planned.head` or a fresher one); `plan.next` is
 * the head now. `duplicate`: some (clientId, clientSeq) of the plan is already stored (older than
 * any tail); `existing` are those stored ops; nothing was stored. `foreign`: some op of the plan
 * uses a clientId another author already wrote with in this document (older than any tail) [P10];
 * `clientIds` are those; nothing was stored. `gone`: no such document.
 */
export type CommitResult =
  | { readonly kind: 'committed'; readonly plan: BatchPlan }
  | { readonly kind: 'duplicate'; readonly existing: readonly AppliedOp[] }
  | { readonly kind: 'foreign'; readonly clientIds: readonly string[] }
  | { readonly kind: 'gone' };

/**
 * Thrown by `commit` when the store refused the data of the batch itself (PostgreSQL: a data
 * exception, class 22, or a program limit, class 54), which trying again cannot fix. Nothing was
 * stored; the caller isolates the submission at fault by committing smaller batches [S12].
 */
export class CommitDataError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommitDataError';
    this.code = code;
  }
}

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
   * The head as a {@link KnownHead}, its tail holding the ops after `historyAfter` (or the last
   * `TAIL_LENGTH`, whichever is more) where stored; null for unknown documents [P8].
   */
  load(documentId: string, historyAfter?: number): Promise<KnownHead | null>;

  /**
   * THE write of the op log [P1, P2, P9, P11]: stores the planned ops if the document is still exactly
   * at `planned.head` (version, history epoch, fingerprint [K5]), else plans the batch again on the head it finds and
   * stores that, atomically. Never stores a (clientId, clientSeq) twice, nor a clientId under a
   * second author [P10]. Throws when the store fails (nothing stored then; {@link CommitDataError}
   * when it refused the batch's data) or when a plan's ops do not start at its head's version + 1 (P7).
   */
  commit(request: CommitRequest): Promise<CommitResult>;

  /**
   * Ops with version > `afterVersion`, ascending, contiguous, at most `limit` of them [P3].
   * If history before some version was pruned the first op returned may be later than
   * `afterVersion + 1`; callers detect that. Unknown documents give [].
   */
  opsAfter(documentId: string, afterVersion: number, limit?: number): Promise<readonly AppliedOp[]>;

  /**
   * The head version of each of `documentIds` that exists, in one read (the head watch's round,
   * F6); deleted or unknown documents are absent.
   */
  headVersions(documentIds: readonly string[]): Promise<ReadonlyMap<string, number>>;

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
