/**
 * The server side of sequencing: turns submissions made against possibly stale versions into a
 * gapless, per-document op log. Stateless between calls, so any number of sequencers (one per
 * server instance) may share one store; the store's atomic append is the only serialisation
 * point. Rules S1–S9 in ./SPEC.md.
 */
import { apply, emptyDocument, transform, validateDocument, type Delta } from '../ot/operation.ts';
import type { Broadcaster } from './broadcaster.ts';
import { contentAtHead } from './document-loader.ts';
import type { OpStore } from './op-store.ts';
import type { AppliedOp, RejectionCode, SubmitInput, SubmitResult } from './types.ts';

export interface SequencerOptions {
  readonly store: OpStore;
  readonly broadcaster: Broadcaster;
  /** Server time for `createdAt` [S9]; defaults to `new Date()`. */
  readonly clock?: () => Date;
  /** Extra attempts after an append conflict before giving up [S6]; default 10. */
  readonly maxRetries?: number;
  /** Save a snapshot after every version divisible by this [S8]; 0 turns it off; default 100. */
  readonly snapshotEvery?: number;
  /**
   * Publishing or snapshotting failed after the op committed [S7]. The answer is still `applied`;
   * this is for logs and metrics. Default: ignore.
   */
  readonly onAfterCommitError?: (error: unknown, op: AppliedOp) => void;
}

/** The answer to `createDocument`. */
export type CreateDocumentResult =
  | { readonly kind: 'created'; readonly version: 0 }
  | { readonly kind: 'rejected'; readonly code: 'BAD_USER_INPUT' | 'PAYLOAD_TOO_LARGE'; readonly message: string };

export interface Sequencer {
  /**
   * Applies one op at most once per (documentId, clientId, clientSeq) [S2]: transforms it over
   * the ops after its baseVersion [S3], checks that it applies [S5], appends it at head + 1
   * atomically, retrying a bounded number of times when another writer won that version [S6], and
   * publishes it after the commit [S7]. Expected failures are `rejected` values; it throws only
   * when the store does before the commit (infrastructure failure) or on a bug. Failures after the
   * commit (publish, snapshot) still answer `applied` and go to `onAfterCommitError`.
   */
  submit(input: SubmitInput): Promise<SubmitResult>;

  /**
   * Resolves once the publishing and snapshots of every op answered so far are done (a sequencer
   * may do them after answering); for shutdown and tests. Absent: nothing is ever left over.
   */
  settle?(): Promise<void>;

  /**
   * Creates a document at version 0 with `content` (default "\n"), which lib/ot's
   * `validateDocument` must accept; an existing documentId is refused.
   */
  createDocument(documentId: string, content?: Delta): Promise<CreateDocumentResult>;
}

const reject = (code: RejectionCode, message: string): SubmitResult => ({ kind: 'rejected', code, message });

/** Creates a sequencer over the given ports. */
export function createSequencer(options: SequencerOptions): Sequencer {
  const { store, broadcaster } = options;
  const clock = options.clock ?? (() => new Date());
  const maxRetries = options.maxRetries ?? 10;
  const snapshotEvery = options.snapshotEvery ?? 100;
  const onAfterCommitError = options.onAfterCommitError ?? (() => {});

  async function attempt(input: SubmitInput): Promise<SubmitResult | 'conflict'> {
    const { documentId, baseVersion, clientId, clientSeq } = input;
    // Checked on every attempt: the conflict we lost may have been our own earlier submission
    // of this clientSeq racing us from another connection [S2].
    const previous = await store.findByClientSeq(documentId, clientId, clientSeq);
    if (previous) return { kind: 'duplicate', version: previous.version, delta: previous.delta };

    const head = await store.head(documentId);
    if (!head) return reject('NOT_FOUND', `Document ${documentId} does not exist.`);
    if (baseVersion > head.version) {
      return reject('VERSION_AHEAD', `baseVersion ${baseVersion} is past the head version ${head.version}; reload the document and resubmit.`);
    }
    const missing = head.version - baseVersion;
    const concurrent = missing === 0 ? [] : await store.opsAfter(documentId, baseVersion, missing);
    if (concurrent.length !== missing || (missing > 0 && concurrent[0]?.version !== baseVersion + 1)) {
      return reject('VERSION_TOO_OLD', `History after version ${baseVersion} is no longer available; reload the document.`);
    }
    // Committed ops were ordered first, so they win ties: the submission takes the 'right' side [S3].
    let delta = input.delta;
    for (const op of concurrent) delta = transform(delta, op.delta, 'right');

    const next = apply(contentAtHead(head).content, delta);
    if (!next.ok) return reject(next.code, next.message);

    const op: AppliedOp = {
      documentId,
      version: head.version + 1,
      delta,
      authorId: input.authorId,
      clientId,
      clientSeq,
      createdAt: clock(),
    };
    const appended = await store.append(documentId, head.version, op, next.value);
    if (appended.kind === 'conflict') return 'conflict';
    if (appended.kind === 'duplicate') {
      return { kind: 'duplicate', version: appended.existing.version, delta: appended.existing.delta };
    }
    // Only now is the op durable; publishing earlier could show subscribers an op that a
    // crash would then erase [S7]. A failure from here on must not turn into an error answer:
    // the client would resubmit and get `duplicate`, which is correct but slower, and the
    // subscribers refill from the store anyway.
    try {
      await broadcaster.publish(documentId, op);
      if (snapshotEvery > 0 && op.version % snapshotEvery === 0) {
        await store.saveSnapshot({ documentId, version: op.version, content: next.value, createdAt: op.createdAt });
      }
    } catch (error) {
      onAfterCommitError(error, op);
    }
    return { kind: 'applied', version: op.version, delta };
  }

  return {
    async submit(input: SubmitInput): Promise<SubmitResult> {
      const shape = checkShape(input);
      if (shape) return shape;
      for (let i = 0; i <= maxRetries; i++) {
        const result = await attempt(input);
        if (result !== 'conflict') return result;
      }
      return reject(
        'CONFLICT_RETRIES_EXHAUSTED',
        `Other edits kept landing first (${maxRetries + 1} attempts); nothing was stored, submit the same op again.`,
      );
    },

    async createDocument(documentId: string, content?: Delta): Promise<CreateDocumentResult> {
      const initial = validateDocument(content ?? emptyDocument());
      if (!initial.ok) return { kind: 'rejected', code: initial.code, message: initial.message };
      const created = await store.createDocument(documentId, initial.value, clock());
      if (created.kind === 'exists') {
        return { kind: 'rejected', code: 'BAD_USER_INPUT', message: `Document ${documentId} already exists.` };
      }
      return { kind: 'created', version: 0 };
    },
  };
}

/** Programming-level bounds on identifiers; the edge validates user input before this. */
function checkShape(input: SubmitInput): SubmitResult | null {
  if (!Number.isSafeInteger(input.baseVersion) || input.baseVersion < 0) {
    return reject('BAD_USER_INPUT', `baseVersion must be a whole number ≥ 0, got ${input.baseVersion}.`);
  }
  if (!Number.isSafeInteger(input.clientSeq) || input.clientSeq < 1) {
    return reject('BAD_USER_INPUT', `clientSeq must be a whole number ≥ 1, got ${input.clientSeq}.`);
  }
  if (input.clientId.length === 0) return reject('BAD_USER_INPUT', 'clientId must not be empty.');
  return null;
}

