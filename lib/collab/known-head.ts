/**
 * What one process knows of a document's head, as a plain value (rules K1–K3 in ./SPEC.md): its
 * version, content, newest revision span, history epoch and its last ops. The planner plans from
 * it with no reads; the op store's `commit` checks it is still true before writing. Pure: no
 * promises, no I/O. The sequencer keeps one per document it writes (its only head cache).
 */
import { apply, type Delta } from '../ot/operation.ts';
import { groupOp, type NewestSpan, type RevisionSpan } from './revisions.ts';
import type { AppliedOp } from './types.ts';

/** A document's head as known to one process, all of it true at once (as of `version`). */
export interface KnownHead {
  readonly version: number;
  /** The document at `version`. */
  readonly content: Delta;
  /** When `version` was made. */
  readonly createdAt: Date;
  /**
   * Bumped by the store whenever revision spans change without a new op (naming a version), so
   * a head whose epoch is behind the store's cannot write spans grouped from a stale newest span.
   */
  readonly historyEpoch: number;
  /** The newest revision span at `version` (null: the document has no op yet). */
  readonly newest: NewestSpan | null;
  /** The last ops up to `version`, contiguous and ascending (may be empty) [K1]. */
  readonly tail: readonly AppliedOp[];
  /**
   * Names this exact state [K5]: a digest chained over every op committed since the document
   * was created (version, key, author, time), then one of the newest span; '' at version 0 (or
   * as the store last wrote it). Two heads at one version with different ops or spans differ in it, so
   * a commit planned on a head that is not stored yet (a predecessor's `next`) can be checked
   * against the stored row alone [P11].
   */
  readonly fingerprint: string;
}

/** The fingerprint of a new document, and of documents stored before fingerprints [K5]. */
export const INITIAL_FINGERPRINT = '';

// FNV-1a in two 32-bit lanes (different offsets, the second lane also mixing each unit's
// position): 64 bits, pure JavaScript (the browser bundle imports this module too), one pass.
function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ (c + i), 0x5bd1e995);
    b ^= b >>> 13;
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * The fingerprint after `ops` (consecutive, after the state named `previous`) with `newest` the
 * newest span then [K5]: a digest chained op by op over what each op is (version, clientId,
 * clientSeq, author, server time, component count), followed by a digest of the span grouping
 * ended on (from, to, times, authors, closed). Chained per op and the span taken at the end only,
 * so it does not depend on how the ops were batched: a follower advancing op by op names the
 * state as the writer that committed them in one batch did.
 */
export function fingerprintAfter(previous: string, ops: readonly AppliedOp[], newest: NewestSpan | null): string {
  let chain = previous.slice(0, 16);
  for (const op of ops) chain = digest(`${chain}|${op.version},${op.clientId},${op.clientSeq},${op.authorId ?? ''},${op.createdAt.getTime()},${op.delta.ops.length}`);
  if (!newest) return chain;
  const { span } = newest;
  return chain + digest(`${span.fromVersion},${span.toVersion},${span.startedAt.getTime()},${span.endedAt.getTime()},${span.authorIds.join(' ')},${newest.closed ? 1 : 0}`);
}

/** Most recent ops a known head keeps, for transforming submissions made a little behind and answering resends. */
export const TAIL_LENGTH = 256;

/** The ops after `after` up to `upTo` from the tail, or null when it does not reach back that far [K1]. */
export function tailBetween(head: KnownHead, after: number, upTo: number): readonly AppliedOp[] | null {
  if (upTo <= after) return [];
  const first = head.tail[0]?.version ?? head.version + 1;
  if (after + 1 < first || upTo > head.version) return null;
  return head.tail.slice(after + 1 - first, upTo + 1 - first);
}

/**
 * What the tail knows of a (clientId, clientSeq) [K2]: `stored`, the op with that key if the tail
 * holds it (a resend's cheap answer); `writer`, the author of the tail's ops with that clientId
 * (undefined when the tail has none), to refuse another user's squatting on it [PL7].
 */
export function findInTail(head: KnownHead, clientId: string, clientSeq: number): { stored: AppliedOp | null; writer: string | null | undefined } {
  let writer: string | null | undefined;
  for (let i = head.tail.length - 1; i >= 0; i--) {
    const op = head.tail[i]!;
    if (op.clientId !== clientId) continue;
    writer = op.authorId;
    if (op.clientSeq === clientSeq) return { stored: op, writer };
  }
  return { stored: null, writer };
}

/**
 * The head with older ops put in front of its tail (read from the store for a submission made
 * further behind than the tail reaches). `older` must end where the tail starts (or at the head).
 */
export function withOlderOps(head: KnownHead, older: readonly AppliedOp[]): KnownHead {
  const first = head.tail[0]?.version ?? head.version + 1;
  const before = older.filter((op) => op.version < first);
  const last = before[before.length - 1];
  if (before.length === 0 || last!.version !== first - 1) return head;
  return { ...head, tail: [...before, ...head.tail] };
}

/**
 * Estimated bytes a delta holds in memory (V8 strings may take 2 bytes a code unit; every object,
 * array slot and attribute costs a few words). An estimate for bounding caches [K4], not an exact
 * measure: it errs high.
 */
export function deltaBytes(delta: Delta): number {
  let bytes = 64;
  for (const op of delta.ops) {
    bytes += 64;
    if (typeof op.insert === 'string') bytes += 2 * op.insert.length;
    else if (op.insert !== undefined) bytes += 64 + 2 * JSON.stringify(op.insert).length;
    if (op.attributes) for (const key in op.attributes) bytes += 48 + 2 * (key.length + String(op.attributes[key]).length);
  }
  return bytes;
}

// Ops are immutable and shared by every head whose tail holds them: each is measured once, not
// once per commit for each of the tail's 256 ops (that loop was 2 % of an instance's CPU with
// 1,000 busy documents).
const measuredOps = new WeakMap<AppliedOp, number>();
const opBytes = (op: AppliedOp): number => {
  let bytes = measuredOps.get(op);
  if (bytes === undefined) {
    bytes = 160 + 2 * (op.clientId.length + (op.authorId?.length ?? 0)) + deltaBytes(op.delta);
    measuredOps.set(op, bytes);
  }
  return bytes;
};

/** Estimated bytes of one known head: its content, its tail's ops, and their bookkeeping [K4]. */
export function headBytes(head: KnownHead): number {
  let bytes = 256 + deltaBytes(head.content);
  for (const op of head.tail) bytes += opBytes(op);
  return bytes;
}

/**
 * The head with its oldest tail ops dropped until it takes at most `maxBytes` (estimated), and
 * its size; null when its content alone does not fit [K4]. A shorter tail only sends older
 * submissions and resends to the store (K1, P2).
 */
export function fitHead(head: KnownHead, maxBytes: number): { head: KnownHead; bytes: number } | null {
  let bytes = headBytes(head);
  if (bytes <= maxBytes) return { head, bytes };
  let drop = 0;
  while (drop < head.tail.length && bytes > maxBytes) bytes -= opBytes(head.tail[drop++]!);
  return bytes <= maxBytes ? { head: { ...head, tail: head.tail.slice(drop) }, bytes } : null;
}

/** How consecutive ops join the revision spans: the grown newest span and the new ones. */
export interface SpanChanges {
  /** The known newest span with the ops that joined it, if any did. */
  readonly grown: RevisionSpan | null;
  readonly opened: readonly RevisionSpan[];
  /** The newest span after the ops. */
  readonly newest: NewestSpan | null;
}

/**
 * Groups `ops` (consecutive, right after `newest`) by calling lib/collab's `groupOp` op by op
 * [H2–H4]: the one grouping every store writes [K3].
 */
export function groupOnto(newest: NewestSpan | null, ops: readonly AppliedOp[], pauseMs: number): SpanChanges {
  let current = newest;
  let grown: RevisionSpan | null = null;
  const opened: RevisionSpan[] = [];
  for (const op of ops) {
    const decision = groupOp(current, op, { pauseMs });
    if (decision.kind === 'open') opened.push(decision.span);
    else if (opened.length > 0) opened[opened.length - 1] = decision.span;
    else grown = decision.span;
    current = { span: decision.span, closed: false };
  }
  return { grown, opened, newest: current };
}

/**
 * The head after `ops`, which start at `head.version + 1` (committed here, or by another instance
 * and heard through the broadcaster); null when they do not follow on or do not apply (the head
 * is then forgotten and loaded again) [K3].
 */
export function advance(head: KnownHead, ops: readonly AppliedOp[], pauseMs: number): KnownHead | null {
  if (ops.length === 0) return head;
  if (ops[0]!.version !== head.version + 1) return null;
  let content = head.content;
  for (const op of ops) {
    const next = apply(content, op.delta);
    if (!next.ok) return null;
    content = next.value;
  }
  return after(head, ops, content, groupOnto(head.newest, ops, pauseMs));
}

/** The head after `ops` whose final content and grouping are already known. */
export function after(head: KnownHead, ops: readonly AppliedOp[], content: Delta, spans: SpanChanges): KnownHead {
  if (ops.length === 0) return head;
  const last = ops[ops.length - 1]!;
  return {
    version: last.version,
    content,
    createdAt: last.createdAt,
    historyEpoch: head.historyEpoch,
    newest: spans.newest,
    tail: [...head.tail, ...ops].slice(-TAIL_LENGTH),
    fingerprint: fingerprintAfter(head.fingerprint, ops, spans.newest),
  };
}
