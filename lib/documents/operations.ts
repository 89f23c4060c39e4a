/**
 * Operations: submitting one (sequenced, transformed, durable before the answer) and reading the
 * log. Every refusal has a code: a database pool that stayed busy past its wait is `RATE_LIMITED`
 * with `retryAfterSeconds` (overload, not a fault), an unreachable database is
 * `SERVICE_UNAVAILABLE` with `retryAfterSeconds` (nothing stored); anything else unexpected is
 * logged here and thrown (a bug).
 */
import { clientIdProblem } from '../collab/planner.ts';
import type { OpStore } from '../collab/op-store.ts';
import { RESTORE_CLIENT_PREFIX } from '../collab/revisions.ts';
import type { Sequencer } from '../collab/sequencer.ts';
import type { AppliedOp, SubmitCheck } from '../collab/types.ts';
import type { Config } from '../config.ts';
import { isDatabaseUnavailable, isPoolTimeout } from '../db/prisma.ts';
import type { DocumentAction } from '../auth/permissions.ts';
import { validateOp, type Delta } from '../ot/operation.ts';
import { validateSuggestionOp } from '../ot/suggestion.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { DocumentAccess } from './access.ts';
import { rejected, unauthenticated, type Rejected, type RequestScope } from './types.ts';

export const MAX_CLIENT_ID_LENGTH = 64;
export const MAX_OPERATIONS_PAGE = 1000;
/** Seconds a client is asked to wait when the server ran out of database connections for it. */
const BUSY_RETRY_AFTER_SECONDS = 2;

export interface OperationInput {
  readonly documentId: string;
  readonly baseVersion: number;
  readonly clientId: string;
  readonly clientSeq: number;
  /** Unchecked: validated here. */
  readonly delta: unknown;
}

export interface Submitted {
  readonly kind: 'applied' | 'duplicate';
  readonly version: number;
  readonly delta: Delta;
}

/** How a submission came: see {@link Operations.submit}. */
export interface SubmitOptions {
  /** The history service's restores: clientIds under the restore prefix, marks as the version had them [H3b, SG2]. */
  readonly restore?: boolean;
  /**
   * The suggestions service's ops (lib/documents/suggestions.ts), already made at head: they may
   * write and remove suggestion marks (SG3), are not checked as plain edits (SG11), and need
   * this action on the document instead of `edit` (a commenter's suggestion: `comment`).
   */
  readonly suggestion?: {
    readonly action: DocumentAction;
    /**
     * Where it lands (PL10), required: `suggestion`, `suggestOperation`'s converted op [SG18];
     * a `resolve` check, an accept or reject [SG19]. Refused `PROPOSAL_RESOLVED` when it must be made again there.
     */
    readonly check: Exclude<SubmitCheck, 'edit'>;
  };
  /**
   * The same submission made again by the suggestions service after `PROPOSAL_RESOLVED` on
   * `documentId` (the id the first attempt's access check answered): the rate limit and the
   * grant were passed by the first attempt, so neither is taken or read again.
   */
  readonly again?: { readonly documentId: string };
}

export interface Operations {
  /**
   * Sequences one operation for the viewer. A plain edit may not write suggestion marks, nor
   * insert inside or delete someone else's proposed text as it stands on the head it commits on
   * (the planner decides that, lib/collab/SPEC.md PL10) [SG11, SG18].
   */
  submit(scope: RequestScope, input: OperationInput, options?: SubmitOptions): Promise<Submitted | Rejected>;
  /** Applied operations with version > fromVersion (and ≤ toVersion, default head), ascending, at most `first`. */
  list(scope: RequestScope, documentId: string, page: { fromVersion: number; toVersion: number | null; first: number }): Promise<{ kind: 'ops'; ops: AppliedOp[] } | Rejected>;
}

export interface OperationsDeps {
  readonly access: DocumentAccess;
  readonly store: OpStore;
  readonly sequencer: Sequencer;
  readonly rateLimiter: RateLimiter;
  readonly config: Pick<Config, 'rateLimits'>;
}

export function createOperations(deps: OperationsDeps): Operations {
  const submitChecked = async (scope: RequestScope, input: OperationInput, options: SubmitOptions): Promise<Submitted | Rejected> => {
    const viewer = scope.viewer;
    if (viewer === null) return unauthenticated();
    // Before the rate limiter and the batch: the planner's own check [S11], so both transports share it.
    const badClientId = clientIdProblem(input.clientId);
    if (badClientId) return rejected('BAD_USER_INPUT', badClientId);
    const documentId = options.again?.documentId ?? (await admit(scope, viewer, input, options));
    if (typeof documentId !== 'string') return documentId;
    const marked = options.restore === true || options.suggestion !== undefined;
    const check: SubmitCheck | undefined = options.suggestion?.check ?? (marked ? undefined : 'edit');
    const delta = marked ? validateSuggestionOp(input.delta) : validateOp(input.delta);
    if (!delta.ok) return rejected(delta.code, `delta: ${delta.message}`);
    const result = await deps.sequencer.submit({
      documentId,
      baseVersion: input.baseVersion,
      clientId: input.clientId,
      clientSeq: input.clientSeq,
      delta: delta.value,
      authorId: viewer.userId,
      // Checked against proposed text on the exact head it commits on [PL10, SG11, SG18].
      ...(check === undefined ? {} : { check }),
    });
    const logged = { documentId, clientId: input.clientId, clientSeq: input.clientSeq, baseVersion: input.baseVersion };
    if (result.kind === 'rejected') {
      scope.logger.info({ ...logged, code: result.code, reason: result.reason }, 'operation rejected');
      // A resend of an op stored before the known tail reaches lands on its own effect: answer it as
      // stored [S2]. Not for PROPOSAL_RESOLVED: the suggestions service looked before converting,
      // and its accept and reject ops have fresh clientIds.
      if (result.reason !== undefined && result.reason !== 'PROPOSAL_RESOLVED') {
        const stored = await deps.store.findByClientSeq(documentId, input.clientId, input.clientSeq);
        if (stored !== null && stored.authorId === viewer.userId) return { kind: 'duplicate', version: stored.version, delta: stored.delta };
      }
      if (result.code === 'RATE_LIMITED') {
        return rejected('RATE_LIMITED', result.message, { retryable: true, retryAfterSeconds: result.retryAfterSeconds ?? 1 });
      }
      return rejected(result.code === 'CONFLICT_RETRIES_EXHAUSTED' ? 'CONFLICT' : result.code, result.message, {
        retryable: result.code === 'CONFLICT_RETRIES_EXHAUSTED',
        ...(result.reason === undefined ? {} : { reason: result.reason }),
      });
    }
    // Per keystroke batch: debug, so a busy server's info log stays readable.
    scope.logger.debug({ ...logged, version: result.version, outcome: result.kind }, 'operation submitted');
    return result;
  };

  /** The rate limit, then the grant: the document's id, or the refusal. */
  const admit = async (scope: RequestScope, viewer: NonNullable<RequestScope['viewer']>, input: OperationInput, options: SubmitOptions): Promise<string | Rejected> => {
    // The rate limit before the grant read: a flood past it costs no PostgreSQL query per refused
    // submission over HTTP, where no connection keeps grants. A connection's bucket lives with it in
    // this process; HTTP callers share one per user in Redis.
    const limit = await (scope.connection?.localLimits ?? deps.rateLimiter).consume(
      'ops',
      deps.config.rateLimits.opSubmissions,
      scope.connection?.connectionId ?? `user:${viewer.userId}`,
    );
    if (!limit.allowed) {
      scope.logger.info({ documentId: input.documentId, clientId: input.clientId, retryAfterSeconds: limit.retryAfterSeconds }, 'operation rate limited');
      return rejected('RATE_LIMITED', `Too many operations; wait ${limit.retryAfterSeconds} s and resubmit (batch keystrokes into fewer operations).`, {
        retryAfterSeconds: limit.retryAfterSeconds,
      });
    }
    const allowed = await deps.access.checkCached(viewer, input.documentId, options.suggestion?.action ?? 'edit', scope.connection?.grants);
    return allowed.kind === 'rejected' ? allowed : allowed.document.id;
  };

  return {
    async submit(scope, input, options = {}) {
      // History shows ops under this prefix as restores [H3b]; only restoreVersion may write them.
      if (!options.restore && input.clientId.startsWith(RESTORE_CLIENT_PREFIX)) {
        return rejected('BAD_USER_INPUT', `clientIds starting with "${RESTORE_CLIENT_PREFIX}" are reserved for restoreVersion; use another clientId (a UUID per open editor).`);
      }
      try {
        return await submitChecked(scope, input, options);
      } catch (error) {
        const logged = { err: error, documentId: input.documentId, clientId: input.clientId, clientSeq: input.clientSeq };
        if (isPoolTimeout(error)) {
          scope.logger.warn(logged, 'operation refused: no database connection within the pool wait');
          return rejected('RATE_LIMITED', `The server is busy; nothing was stored. Resubmit the same op after ${BUSY_RETRY_AFTER_SECONDS} s.`, {
            retryable: true,
            retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
          });
        }
        if (isDatabaseUnavailable(error)) {
          scope.logger.warn(logged, 'operation refused: the database is unreachable');
          return rejected('SERVICE_UNAVAILABLE', `The database is unreachable; nothing was stored. Resubmit the same op after ${BUSY_RETRY_AFTER_SECONDS} s.`, {
            retryable: true,
            retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
          });
        }
        scope.logger.warn(logged, 'operation submission failed unexpectedly');
        throw error;
      }
    },

    async list(scope, documentId, { fromVersion, toVersion, first }) {
      const allowed = await deps.access.check(scope.viewer, documentId, 'read');
      if (allowed.kind === 'rejected') return allowed;
      if (first < 1 || first > MAX_OPERATIONS_PAGE) return rejected('BAD_USER_INPUT', `first must be from 1 to ${MAX_OPERATIONS_PAGE}, got ${first}.`);
      if (fromVersion < 0) return rejected('BAD_USER_INPUT', `fromVersion must be ≥ 0, got ${fromVersion}.`);
      const upTo = toVersion ?? Number.MAX_SAFE_INTEGER;
      if (upTo <= fromVersion) return { kind: 'ops', ops: [] };
      const ops = await deps.store.opsAfter(documentId, fromVersion, Math.min(first, upTo - fromVersion));
      return { kind: 'ops', ops: ops.filter((op) => op.version <= upTo) };
    },
  };
}
