/**
 * The data that crosses lib/collab's boundaries: submissions, applied ops, snapshots and the
 * sequencer's answers. Plain readonly values; expected outcomes are discriminated unions.
 * Rule IDs (S1…, C1…) refer to ./SPEC.md.
 */
import type { Delta } from '../ot/operation.ts';

/**
 * An op as stored and broadcast: the `version` it produced (1 for the first op of a document),
 * the `delta` as applied (after server-side transformation), who made it and when.
 */
export interface AppliedOp {
  readonly documentId: string;
  /** The version this op produced; the op applies to the document at `version - 1` [S1]. */
  readonly version: number;
  /** The op as applied, transformed over every op committed after the submitter's baseVersion. */
  readonly delta: Delta;
  /** The signed-in author, or null for system ops (imports, restores without a user). */
  readonly authorId: string | null;
  /** Stable per client session (e.g. a UUID per open editor). */
  readonly clientId: string;
  /** 1, 2, 3… per clientId; (documentId, clientId, clientSeq) identifies the op [S2]. */
  readonly clientSeq: number;
  /** Server time of the commit, from the sequencer's injectable clock [S9]. */
  readonly createdAt: Date;
}

/** The document as it was after `version` ops. Version 0 is the content it was created with. */
export interface Snapshot {
  readonly documentId: string;
  readonly version: number;
  /** A document Delta: inserts only, ending with "\n". */
  readonly content: Delta;
  readonly createdAt: Date;
}

/** What a client sends: an op made against the document at `baseVersion`. */
export interface Submission {
  readonly documentId: string;
  /** The head version the client had when it made (or last rebased) the op. */
  readonly baseVersion: number;
  readonly clientId: string;
  readonly clientSeq: number;
  /** An already validated op (the edge calls lib/ot's validation before submitting). */
  readonly delta: Delta;
}

/** A submission as the sequencer receives it, with the author the edge authenticated. */
export interface SubmitInput extends Submission {
  readonly authorId: string | null;
  /**
   * Checked against proposed text on the head it is planned on (after the batch's earlier ops)
   * [PL10, lib/ot/SPEC.md SG11, SG18]: `edit`, a plain edit (`submitOperation`), is refused
   * `BAD_USER_INPUT` with reason `FOREIGN_SUGGESTION` when it inserts inside or deletes text
   * someone else proposed (`MARK_IN_EDIT` when it carries a mark); `suggestion`, an op
   * `suggestOperation` converted on an earlier head, when it inserts inside someone else's
   * proposal (`FOREIGN_SUGGESTION`), or really deletes text no longer its author's proposed
   * insertion or proposes deleting text carrying another mark (`PROPOSAL_RESOLVED`: convert it
   * again); `resolve`, an accept or reject built on an earlier head, when it deletes or unmarks
   * text that no longer carries that suggestion's mark of the expected kind, or no longer touches
   * the suggestion at all (`PROPOSAL_RESOLVED`: build it again) [SG19]. Absent: not checked
   * (restores, the server's own ops).
   */
  readonly check?: SubmitCheck;
}

/** How a submission is checked where it lands [PL10]: see {@link SubmitInput.check}. */
export type SubmitCheck = 'edit' | 'suggestion' | ResolveCheck;

/** An accept (`accept`) or reject of suggestion `suggestionId`, built by the server [SG12, SG19]. */
export interface ResolveCheck {
  readonly kind: 'resolve';
  readonly suggestionId: string;
  readonly accept: boolean;
}

/** Codes of a refused submission; the same names as the API's error codes where one exists. */
export type RejectionCode =
  | 'NOT_FOUND'
  | 'VERSION_AHEAD'
  | 'VERSION_TOO_OLD'
  | 'BAD_USER_INPUT'
  | 'PAYLOAD_TOO_LARGE'
  /** Other writers kept winning the next version; nothing was stored; resubmitting is safe. */
  | 'CONFLICT_RETRIES_EXHAUSTED'
  /** This instance has more work than it can do in time (queue full, or the submission waited past its deadline); nothing was stored; resubmit after `retryAfterSeconds`. */
  | 'RATE_LIMITED';

/**
 * The sequencer's answer. `applied`: stored now at `version`. `duplicate`: this
 * (clientId, clientSeq) was stored before; `version` and `delta` are the original answer [S2].
 * `rejected`: nothing was stored; `message` says what to do; `reason`, when set, is lib/ot's
 * finer cause (SG13's reasons, e.g. `FOREIGN_SUGGESTION` [PL10]), for `extensions.reason`.
 */
export type SubmitResult =
  | { readonly kind: 'applied'; readonly version: number; readonly delta: Delta }
  | { readonly kind: 'duplicate'; readonly version: number; readonly delta: Delta }
  | { readonly kind: 'rejected'; readonly code: RejectionCode; readonly message: string; readonly retryAfterSeconds?: number; readonly reason?: string };

/** Rejections after which the same submission may simply be sent again later. */
export function isRetryable(code: RejectionCode | string): boolean {
  return code === 'CONFLICT_RETRIES_EXHAUSTED' || code === 'RATE_LIMITED';
}
