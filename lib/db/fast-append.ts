/**
 * The one-round-trip append (issue 8): a batch planned from what this process already knows of a
 * document — its head version, content, newest revision span and recent ops, kept in a
 * {@link KnownHead} — is committed by one conditional SQL statement in autocommit, instead of an
 * interactive transaction holding the document's row lock across several round trips.
 *
 * The statement bumps `documents.version` only if the row is still exactly as known (version,
 * `history_epoch`, not trashed) and the newest revision span is the known one; every other write
 * in it (the ops, the grown or new spans) is joined to that bump, so either all of it commits or
 * nothing does. PostgreSQL re-checks the row condition after waiting for a concurrent writer
 * (READ COMMITTED re-evaluation on the locked row), so a writer that committed first — another
 * instance, a named version — makes this one change nothing: the caller then takes the locked
 * path, which reads what it missed. A resubmitted (clientId, clientSeq) fails the unique index
 * and is likewise handed to the locked path, which answers it as a duplicate.
 *
 * Why the span check is safe with the statement's snapshot: every change to revision spans
 * either bumps `version` (appends) or `history_epoch` (naming a version) in the same
 * transaction, so if both still match on the locked row, no span changed since the snapshot.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { groupOp, type NewestSpan, type RevisionSpan } from '../collab/revisions.ts';
import type { AppliedOp } from '../collab/types.ts';
import { apply, Delta } from '../ot/operation.ts';

/** What this process knows of a document as of `version`, all of it true at once. */
export interface KnownHead {
  readonly version: number;
  readonly content: Delta;
  readonly createdAt: Date;
  readonly historyEpoch: number;
  /** The newest revision span at `version` (null: the document has none yet). */
  readonly newest: NewestSpan | null;
  /** The last ops up to `version`, contiguous and ascending (may be empty). */
  readonly tail: readonly AppliedOp[];
}

/** Most recent ops a known head keeps for transforming submissions made a little behind. */
export const TAIL_LENGTH = 256;

/** The stored ops after `after` up to `upTo` from the tail, or null when it does not reach back that far. */
export function tailBetween(head: KnownHead, after: number, upTo: number): readonly AppliedOp[] | null {
  if (upTo <= after) return [];
  const first = head.tail[0]?.version ?? head.version + 1;
  if (after + 1 < first || upTo > head.version) return null;
  return head.tail.slice(after + 1 - first, upTo + 1 - first);
}

/** The grouping of consecutive ops onto a newest span: the grown newest span and the new ones. */
export interface SpanChanges {
  /** The known newest span with the ops that joined it, if any did. */
  readonly grown: RevisionSpan | null;
  readonly opened: readonly RevisionSpan[];
  /** The newest span after the ops. */
  readonly newest: NewestSpan | null;
}

/** Groups `ops` (consecutive, right after `newest`) as lib/collab's `groupOp` decides [H2–H4]. */
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
 * The head after ops someone else committed (learned from the broadcaster), or null when they do
 * not follow on from it or do not apply (then the head is simply forgotten).
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
  const last = ops[ops.length - 1]!;
  return {
    version: last.version,
    content,
    createdAt: last.createdAt,
    historyEpoch: head.historyEpoch,
    newest: groupOnto(head.newest, ops, pauseMs).newest,
    tail: [...head.tail, ...ops].slice(-TAIL_LENGTH),
  };
}

// $1 document, $2 known version, $3 new version, $4 now, $5 known history epoch,
// $6 from_version of the known newest span (-1: none), ops $7–$12, grown span $13–$15, new spans $16–$21.
const APPEND_IF_HEAD = `
WITH bump AS (
  UPDATE documents SET version = $3, updated_at = $4
  WHERE id = $1 AND version = $2 AND history_epoch = $5 AND deleted_at IS NULL
    AND CASE WHEN $6::int < 0
      THEN NOT EXISTS (SELECT 1 FROM revisions WHERE document_id = $1)
      ELSE EXISTS (SELECT 1 FROM revisions WHERE document_id = $1 AND from_version = $6 AND to_version = $2)
        AND NOT EXISTS (SELECT 1 FROM revisions WHERE document_id = $1 AND to_version > $2)
    END
  RETURNING id
), ops AS (
  INSERT INTO operations (document_id, version, delta, author_id, client_id, client_seq, created_at)
  SELECT b.id, u.v, u.d::jsonb, u.a, u.c, u.s, u.t
  FROM bump b, unnest($7::int[], $8::text[], $9::text[], $10::text[], $11::int[], $12::timestamptz[]) AS u(v, d, a, c, s, t)
), grown AS (
  UPDATE revisions r SET to_version = $13, ended_at = $14, author_ids = $15::text[]
  FROM bump b
  WHERE $13::int IS NOT NULL AND r.document_id = b.id AND r.from_version = $6
), opened AS (
  INSERT INTO revisions (id, document_id, from_version, to_version, author_ids, started_at, ended_at)
  SELECT u.i, b.id, u.f, u.t, ARRAY(SELECT jsonb_array_elements_text(u.a::jsonb)), u.s, u.e
  FROM bump b, unnest($16::text[], $17::int[], $18::int[], $19::text[], $20::timestamptz[], $21::timestamptz[]) AS u(i, f, t, a, s, e)
)
SELECT count(*)::int AS bumped FROM bump`;

export type FastAppendOutcome =
  | { readonly kind: 'appended'; readonly head: KnownHead }
  /** Nothing stored. `duplicate`: an op's (clientId, clientSeq) is already stored; `moved`: anything else. */
  | { readonly kind: 'stale'; readonly reason: 'moved' | 'duplicate' };

/**
 * Commits `ops` (versions head.version + 1…, `contents[i]` the document after `ops[i]`) if the
 * document is still at `head`; answers the new head, or `stale` when nothing was stored (another
 * writer came first, the span or epoch moved, or an op's (clientId, clientSeq) is already stored).
 * Throws when the database fails; nothing is stored then.
 */
export async function appendIfHead(
  pool: pg.Pool,
  documentId: string,
  head: KnownHead,
  ops: readonly AppliedOp[],
  contents: readonly Delta[],
  pauseMs: number,
): Promise<FastAppendOutcome> {
  const last = ops[ops.length - 1]!;
  const spans = groupOnto(head.newest, ops, pauseMs);
  const grown = spans.grown;
  const params = [
    documentId,
    head.version,
    last.version,
    new Date(),
    head.historyEpoch,
    head.newest?.span.fromVersion ?? -1,
    ops.map((op) => op.version),
    ops.map((op) => JSON.stringify({ ops: op.delta.ops })),
    ops.map((op) => op.authorId),
    ops.map((op) => op.clientId),
    ops.map((op) => op.clientSeq),
    ops.map((op) => op.createdAt),
    grown?.toVersion ?? null,
    grown?.endedAt ?? null,
    grown ? [...grown.authorIds] : null,
    spans.opened.map(() => randomUUID()),
    spans.opened.map((s) => s.fromVersion),
    spans.opened.map((s) => s.toVersion),
    spans.opened.map((s) => JSON.stringify(s.authorIds)),
    spans.opened.map((s) => s.startedAt),
    spans.opened.map((s) => s.endedAt),
  ];
  try {
    // Unnamed on purpose: in embedded mode every connection shares PGlite's one session, where a
    // named statement prepared by one connection would collide with another's.
    const result = await pool.query<{ bumped: number }>(APPEND_IF_HEAD, params);
    if (result.rows[0]?.bumped !== 1) return { kind: 'stale', reason: 'moved' };
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return { kind: 'stale', reason: 'duplicate' };
    throw error;
  }
  return {
    kind: 'appended',
    head: {
      version: last.version,
      content: contents[contents.length - 1]!,
      createdAt: last.createdAt,
      historyEpoch: head.historyEpoch,
      newest: spans.newest,
      tail: [...head.tail, ...ops].slice(-TAIL_LENGTH),
    },
  };
}

/** A document's ops matching the WHERE that follows, ascending, as a JSON array of {@link WireOp}. */
const OPS_AS_JSON = `(SELECT coalesce(json_agg(json_build_object('v', o.version, 'd', o.delta, 'a', o.author_id, 'c', o.client_id, 's', o.client_seq, 't', o.created_at) ORDER BY o.version), '[]'::json)`;

// The row and every op after the known version, from one snapshot (an op is committed with the
// version bump that covers it, so nothing at or below `version` can be missing).
const CATCH_UP = `
SELECT d.version, d.history_epoch, d.deleted_at IS NOT NULL AS deleted,
  ${OPS_AS_JSON}
   FROM operations o WHERE o.document_id = d.id AND o.version > $2 AND o.version <= d.version) AS ops
FROM documents d WHERE d.id = $1`;

/** Most ops a catch-up reads; further behind, the locked path (which reads a snapshot) is cheaper. */
const CATCH_UP_LIMIT = TAIL_LENGTH;

/**
 * The known head brought up to the stored head without taking the lock (one read), or null when
 * that is not possible: the document is gone, too far ahead, or its history epoch moved (spans
 * changed without ops: only a locked read knows them).
 */
export async function catchUp(pool: pg.Pool, documentId: string, head: KnownHead, pauseMs: number): Promise<KnownHead | null> {
  const result = await pool.query<{ version: number; history_epoch: number; deleted: boolean; ops: WireOp[] }>(
    CATCH_UP,
    [documentId, head.version],
  );
  const row = result.rows[0];
  if (!row || row.deleted || row.history_epoch !== head.historyEpoch || row.version < head.version || row.version - head.version > CATCH_UP_LIMIT) return null;
  const ops = row.ops.map((o) => fromWire(documentId, o));
  if (ops.length !== row.version - head.version) return null;
  return advance(head, ops, pauseMs);
}

// Everything a known head needs, from one snapshot: the row, the newest content snapshot at or
// below the head and the ops after it, and the newest revision span (closed when its last
// version is named).
const LOAD_HEAD = `
SELECT d.version, d.history_epoch, d.deleted_at IS NOT NULL AS deleted, s.version AS snapshot_version, s.content AS snapshot_content, s.created_at AS snapshot_created_at,
  ${OPS_AS_JSON}
   FROM operations o WHERE o.document_id = d.id AND o.version > s.version AND o.version <= d.version) AS ops,
  (SELECT json_build_object('f', r.from_version, 't', r.to_version, 'a', r.author_ids, 's', r.started_at, 'e', r.ended_at,
     'closed', EXISTS (SELECT 1 FROM named_versions n WHERE n.document_id = r.document_id AND n.version = r.to_version))
   FROM revisions r WHERE r.document_id = d.id ORDER BY r.to_version DESC LIMIT 1) AS newest
FROM documents d
CROSS JOIN LATERAL (SELECT version, content, created_at FROM snapshots WHERE document_id = d.id AND version <= d.version ORDER BY version DESC LIMIT 1) s
WHERE d.id = $1`;

interface WireOp {
  v: number;
  d: { ops: Delta['ops'] };
  a: string | null;
  c: string;
  s: number;
  t: string;
}

const fromWire = (documentId: string, o: WireOp): AppliedOp => ({
  documentId,
  version: o.v,
  delta: new Delta(o.d.ops),
  authorId: o.a,
  clientId: o.c,
  clientSeq: o.s,
  createdAt: new Date(o.t),
});

/**
 * A known head read without the lock (one statement), so a process's first batch for a document
 * can take the one-statement path too; null when the document is gone, has no snapshot at or
 * below its head, or its spans do not end at the head (a log from before grouping: the locked
 * path repairs it). What it reads need not stay true: the conditional append checks it.
 */
export async function loadHead(pool: pg.Pool, documentId: string, pauseMs: number): Promise<KnownHead | null> {
  const result = await pool.query<{
    version: number;
    history_epoch: number;
    deleted: boolean;
    snapshot_version: number;
    snapshot_content: { ops: Delta['ops'] };
    snapshot_created_at: Date;
    ops: WireOp[];
    newest: { f: number; t: number; a: string[]; s: string; e: string; closed: boolean } | null;
  }>(LOAD_HEAD, [documentId]);
  const row = result.rows[0];
  if (!row || row.deleted) return null;
  if ((row.newest?.t ?? 0) !== row.version) return null;
  const ops = row.ops.map((o) => fromWire(documentId, o));
  if (ops.length !== row.version - row.snapshot_version) return null;
  const base: KnownHead = {
    version: row.snapshot_version,
    content: new Delta(row.snapshot_content.ops),
    createdAt: new Date(row.snapshot_created_at),
    historyEpoch: row.history_epoch,
    newest: null,
    tail: [],
  };
  const head = advance(base, ops, pauseMs);
  if (!head) return null;
  // The spans as stored, not as re-derived from the ops after the snapshot.
  const newest = row.newest && {
    span: { fromVersion: row.newest.f, toVersion: row.newest.t, authorIds: row.newest.a, startedAt: new Date(row.newest.s), endedAt: new Date(row.newest.e) },
    closed: row.newest.closed,
  };
  return { ...head, newest };
}
