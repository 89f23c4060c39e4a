/**
 * Revision grouping: how consecutive ops become the history entries people see (rules H1–H6 in
 * ./SPEC.md). Pure decisions over (the newest span, the next op), so a store can keep the
 * grouping incrementally in the same transaction that appends the op, and paging through
 * revisions never scans ops.
 */

/** Default pause after which the next op opens a new revision: one minute [H3]. */
export const DEFAULT_REVISION_PAUSE_MS = 60_000;

/**
 * Default handover gap [H3a]: an op by someone not yet in the newest span opens a new one when
 * the span's last op is at least this old. People editing at the same moment share an entry
 * (otherwise every interleaved op would be an entry of its own); one taking over after another
 * gets an entry of their own.
 */
export const DEFAULT_HANDOVER_MS = 5_000;

/** Restores submit their op under a clientId with this prefix; such an op opens an entry of its own [H3b]. */
export const RESTORE_CLIENT_PREFIX = 'restore:';

/**
 * A history entry: the ops `fromVersion + 1 … toVersion`, the distinct authors of those ops in
 * first-edit order (system ops, whose author is null, add none) and the server times of its
 * first and last op.
 */
export interface RevisionSpan {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly authorIds: readonly string[];
  readonly startedAt: Date;
  readonly endedAt: Date;
}

/** What grouping needs to know about an op. */
export interface GroupedOp {
  readonly version: number;
  readonly authorId: string | null;
  readonly createdAt: Date;
  /** The submitting client; a restore's starts with {@link RESTORE_CLIENT_PREFIX} [H3b]. */
  readonly clientId?: string;
}

/**
 * The newest span of a document as grouping sees it. `closed` is true when someone named its
 * `toVersion` [H4]: a named version is always the end of an entry, so nothing may extend it.
 */
export interface NewestSpan {
  readonly span: RevisionSpan;
  readonly closed: boolean;
}

/**
 * The grouping decision for one op. `extend`: `span` replaces the newest span (same
 * fromVersion). `open`: `span` is a new entry starting at `op.version - 1`.
 */
export type GroupingDecision =
  | { readonly kind: 'extend'; readonly span: RevisionSpan }
  | { readonly kind: 'open'; readonly span: RevisionSpan };

export interface GroupingOptions {
  /** A gap of at least this many milliseconds since the span's last op opens a new entry [H3]. */
  readonly pauseMs?: number;
  /** A new author after a gap of at least this many milliseconds opens a new entry [H3a]; default 5 s (never more than `pauseMs`). */
  readonly handoverMs?: number;
}

/** Whether `op` was submitted by restoreVersion [H3b]. */
export const isRestoreOp = (op: { readonly clientId?: string }): boolean => op.clientId?.startsWith(RESTORE_CLIENT_PREFIX) ?? false;

/**
 * Decides where op `op.version` goes, given the document's newest span (null before the first
 * op). Extends the newest span when it ends right before the op, is not closed by a name, the op
 * came less than `pauseMs` after the span's last op, its author is in the span or came less than
 * `handoverMs` after that op, and it is not a restore [H2, H3, H3a, H3b, H4]; otherwise opens a
 * new span.
 * @throws when the newest span does not end at `op.version - 1` (the caller lost an op: a bug).
 */
export function groupOp(newest: NewestSpan | null, op: GroupedOp, options: GroupingOptions = {}): GroupingDecision {
  const pauseMs = options.pauseMs ?? DEFAULT_REVISION_PAUSE_MS;
  const handoverMs = Math.min(pauseMs, options.handoverMs ?? DEFAULT_HANDOVER_MS);
  if (newest !== null && newest.span.toVersion !== op.version - 1) {
    throw new Error(`groupOp: newest span ends at ${newest.span.toVersion} but the op is version ${op.version}`);
  }
  // Instances' clocks may disagree slightly; a negative gap counts as no pause at all.
  const gap = newest === null ? Infinity : Math.max(0, op.createdAt.getTime() - newest.span.endedAt.getTime());
  if (newest === null || newest.closed || gap >= pauseMs || isRestoreOp(op)) {
    return { kind: 'open', span: spanOfOps([op]) };
  }
  const span = newest.span;
  const newAuthor = op.authorId !== null && !span.authorIds.includes(op.authorId);
  if (newAuthor && gap >= handoverMs) return { kind: 'open', span: spanOfOps([op]) };
  return {
    kind: 'extend',
    span: {
      fromVersion: span.fromVersion,
      toVersion: op.version,
      authorIds: withAuthor(span.authorIds, op.authorId),
      startedAt: span.startedAt,
      endedAt: laterOf(span.endedAt, op.createdAt),
    },
  };
}

/**
 * The span made of `ops`, which must be consecutive versions in ascending order [H1, H5].
 * @throws on an empty list or a gap (a bug in the caller).
 */
export function spanOfOps(ops: readonly GroupedOp[]): RevisionSpan {
  const first = ops[0];
  const last = ops[ops.length - 1];
  if (first === undefined || last === undefined) throw new Error('spanOfOps: no ops');
  let authorIds: readonly string[] = [];
  let endedAt = first.createdAt;
  ops.forEach((op, i) => {
    if (op.version !== first.version + i) throw new Error(`spanOfOps: expected version ${first.version + i}, got ${op.version}`);
    authorIds = withAuthor(authorIds, op.authorId);
    endedAt = laterOf(endedAt, op.createdAt);
  });
  return { fromVersion: first.version - 1, toVersion: last.version, authorIds, startedAt: first.createdAt, endedAt };
}

/**
 * Groups a whole op log from scratch: the same spans as feeding `groupOp` one op at a time, with
 * `namedVersions` closing spans [H6]. The reference the incremental stores are tested against.
 */
export function groupAll(ops: readonly GroupedOp[], namedVersions: ReadonlySet<number>, options: GroupingOptions = {}): RevisionSpan[] {
  const spans: RevisionSpan[] = [];
  for (const op of ops) {
    const last = spans[spans.length - 1];
    const decision = groupOp(last === undefined ? null : { span: last, closed: namedVersions.has(last.toVersion) }, op, options);
    if (decision.kind === 'extend') spans[spans.length - 1] = decision.span;
    else spans.push(decision.span);
  }
  return spans;
}

/**
 * Where naming `version` cuts the span that contains it [H5]: null when `version` is already a
 * span end (nothing to split); otherwise the two halves `fromVersion…version` and
 * `version…toVersion`, whose authors and times the caller recomputes from the ops of each half.
 */
export function splitPoint(span: RevisionSpan, version: number): { readonly lower: readonly [number, number]; readonly upper: readonly [number, number] } | null {
  if (version <= span.fromVersion || version > span.toVersion) {
    throw new RangeError(`splitPoint: version ${version} is not inside ${span.fromVersion}…${span.toVersion}`);
  }
  if (version === span.toVersion) return null;
  return { lower: [span.fromVersion, version], upper: [version, span.toVersion] };
}

function withAuthor(authorIds: readonly string[], authorId: string | null): readonly string[] {
  return authorId === null || authorIds.includes(authorId) ? authorIds : [...authorIds, authorId];
}

function laterOf(a: Date, b: Date): Date {
  return b.getTime() > a.getTime() ? b : a;
}
