/**
 * `commit` and `load` of the PostgreSQL op store (lib/collab/op-store.ts; rules P1, P2, P8, P9, P11, P12):
 * the one place that writes `operations` and the revision spans grown by appends.
 *
 * A batch planned on the head the sequencer knows is committed by ONE conditional statement in
 * autocommit (`APPEND_IF_HEAD`): it bumps `documents.version` only if the row is still exactly as
 * known (version, `history_epoch`, not trashed, `head_fingerprint` [K5]) and the newest revision
 * span is the known one [P12];
 * every other write in it (the ops, the grown or new spans) is joined to that bump, so either all
 * of it commits or nothing does, and the row lock is held for the statement alone. PostgreSQL
 * re-checks the row condition after waiting for a concurrent writer (READ COMMITTED re-evaluation
 * on the locked row), so a writer that committed first makes this one change nothing.
 *
 * The adapter then decides, inside `commit`, how to go on:
 * - the head moved by ops (another instance) → one catch-up read, plan again (pure), try again;
 * - a resubmitted (clientId, clientSeq) stored before the caller's tail reaches (unique index)
 *   → one indexed read of which keys are stored, answered `duplicate` (no transaction);
 * - the spans or the epoch moved without ops (a named version), the head is too far behind,
 *   or the statement lost `CONDITIONAL_ATTEMPTS` times in a row → the LOCKED fallback: one
 *   transaction that takes the row lock, reads the head, plans again and runs the same statement
 *   (whose conditions then hold), so it cannot lose.
 *
 * Why the span check is safe with the statement's snapshot: every change to revision spans
 * either bumps `version` (appends) or `history_epoch` (naming a version) in the same
 * transaction, so if the snapshot's row is at the plan's head and the locked row still matches,
 * no span changed since the snapshot. It is checked only where the snapshot's row is at the
 * plan's head (a pipelined successor's snapshot may still show its predecessor's head, whose
 * statement checked the spans it found) [P12].
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { advance, tailBetween, type KnownHead } from '../collab/known-head.ts';
import { CommitDataError, type CommitRequest, type CommitResult } from '../collab/op-store.ts';
import type { BatchPlan } from '../collab/planner.ts';
import type { AppliedOp } from '../collab/types.ts';
import { TAIL_LENGTH } from '../collab/known-head.ts';
import { Delta } from '../ot/operation.ts';

// $1 document, $2 known version, $3 new version, $4 now, $5 known history epoch,
// $6 from_version of the known newest span (-1: none), ops $7–$12 ($8: their deltas as one JSON array), grown span $13–$15,
// new spans $16–$21, $22 the known fingerprint, $23 the new one [K5], $24 an id and $25 the start of the grown span,
// $26 and $27 the version and fingerprint of the head a predecessor still committing was planned on (null: none).
// `squat`: the plan's clientIds whose first stored op (lowest clientSeq: one probe of the unique
// index) has another author [P10]; any makes the statement change nothing and name them.
//
// Everything the plan depended on is checked on the locked row [P11]: version, history epoch,
// trash and the head's fingerprint (which covers the ops and the newest span). Under READ
// COMMITTED, an UPDATE finds its row with the statement's snapshot and re-checks its condition on
// the newest version only if that snapshot's version matched and was changed meanwhile (after
// waiting for the writer holding it); subqueries and the other CTEs keep the snapshot. So:
// - a plan made on a predecessor's uncommitted `next` ($26, $27: the head that predecessor was
//   planned on) also accepts the row as the predecessor found it, so a statement whose snapshot
//   predates the predecessor's commit waits for it and re-checks; the SET's CASEs then change
//   the row only if it is now exactly the plan's head, and `bumped` (the rows really moved) is
//   what every other write joins; a predecessor that moved nothing leaves a no-op update;
// - no condition sits in a subquery, and the grown span is an upsert on (document_id,
//   from_version), which finds the span a predecessor opened though the snapshot cannot see it;
// - the squat probe reads the snapshot: it misses only the ops of a predecessor still
//   committing, which are in the plan's tail, where the planner refused another author's
//   clientId [PL7];
// - `spans` checks the stored spans against the row as the snapshot shows them [P12]: where the
//   snapshot's row is at the plan's head, the known newest span must be stored and end there (a
//   log whose spans were lost or never written, e.g. before grouping, gets the locked path,
//   which repairs it). The fingerprint cannot see spans changed without the row. Where the
//   snapshot's row is still at the predecessor's head, the predecessor's own statement checked
//   them (a successor lands only if the predecessor did).
const APPEND_IF_HEAD = statement('append_if_head', `
WITH squat AS (
  SELECT DISTINCT k.c FROM unnest($10::text[], $9::text[]) AS k(c, a)
  WHERE EXISTS (SELECT 1 FROM (SELECT o.author_id FROM operations o WHERE o.document_id = $1 AND o.client_id = k.c ORDER BY o.client_seq LIMIT 1) f
    WHERE f.author_id IS DISTINCT FROM k.a)
), spans AS (
  SELECT d.version IS DISTINCT FROM $2 OR CASE WHEN $6::int < 0
      THEN NOT EXISTS (SELECT 1 FROM revisions WHERE document_id = $1)
      ELSE EXISTS (SELECT 1 FROM revisions WHERE document_id = $1 AND from_version = $6 AND to_version = $2)
    END AS ok
  FROM documents d WHERE d.id = $1
), bump AS (
  UPDATE documents SET
    version = CASE WHEN version = $2 AND head_fingerprint = $22 THEN $3 ELSE version END,
    updated_at = CASE WHEN version = $2 AND head_fingerprint = $22 THEN $4 ELSE updated_at END,
    head_fingerprint = CASE WHEN version = $2 AND head_fingerprint = $22 THEN $23 ELSE head_fingerprint END
  WHERE id = $1 AND history_epoch = $5 AND deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM squat) AND (SELECT ok FROM spans)
    AND ((version = $2 AND head_fingerprint = $22) OR (version = $26 AND head_fingerprint = $27))
  RETURNING id, version = $3 AS ok
), bumped AS (
  SELECT id FROM bump WHERE ok
), ops AS (
  INSERT INTO operations (document_id, version, delta, author_id, client_id, client_seq, created_at)
  SELECT b.id, u.v, d.d, u.a, u.c, u.s, u.t
  FROM bumped b, unnest($7::int[], $9::text[], $10::text[], $11::int[], $12::timestamptz[]) WITH ORDINALITY AS u(v, a, c, s, t, n)
  JOIN jsonb_array_elements($8::jsonb) WITH ORDINALITY AS d(d, n) USING (n)
), grown AS (
  INSERT INTO revisions (id, document_id, from_version, to_version, author_ids, started_at, ended_at)
  SELECT $24::text, b.id, $6::int, $13::int, $15::text[], $25::timestamptz, $14::timestamptz FROM bumped b WHERE $13::int IS NOT NULL
  ON CONFLICT (document_id, from_version) DO UPDATE SET to_version = EXCLUDED.to_version, ended_at = EXCLUDED.ended_at, author_ids = EXCLUDED.author_ids
), opened AS (
  INSERT INTO revisions (id, document_id, from_version, to_version, author_ids, started_at, ended_at)
  SELECT u.i, b.id, u.f, u.t, ARRAY(SELECT jsonb_array_elements_text(u.a::jsonb)), u.s, u.e
  FROM bumped b, unnest($16::text[], $17::int[], $18::int[], $19::text[], $20::timestamptz[], $21::timestamptz[]) AS u(i, f, t, a, s, e)
)
SELECT (SELECT count(*)::int FROM bumped) AS bumped, ARRAY(SELECT c FROM squat) AS squat`);

/** Where queries run: the write pool, or the client of the locked fallback's transaction. */
type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * How this file's statements reach PostgreSQL. `prepared`: each is parsed and planned once per
 * connection (a named statement) instead of on every call; parsing and planning the conditional
 * commit cost PostgreSQL about as much CPU as running it (pg_stat_statements: 0.64 ms of planning
 * per call on the hot document). Off for the embedded database: every connection there shares
 * PGlite's one session, where a name prepared by one connection collides with another's.
 */
export interface WriteDb {
  readonly pool: pg.Pool;
  readonly prepared: boolean;
  /** The revision pause (H3) heads are advanced with. */
  readonly pauseMs: number;
}

/** A statement of this file: its text and the name it is prepared under. */
interface Statement {
  readonly name: string;
  readonly text: string;
}

function statement(name: string, text: string): Statement {
  return { name: `verso_${name}`, text };
}

function run<R extends pg.QueryResultRow>(db: Queryable, prepared: boolean, s: Statement, values: unknown[]): Promise<pg.QueryResult<R>> {
  return db.query<R>(prepared ? { name: s.name, text: s.text, values } : { text: s.text, values });
}

type StatementOutcome = 'appended' | 'moved' | 'duplicate' | { readonly foreign: readonly string[] };

/** SQLSTATE classes of errors the batch's own data causes (data exception, program limit): trying again cannot help. */
const DATA_ERROR_CLASSES = new Set(['22', '54']);

/**
 * Runs `APPEND_IF_HEAD` for a plan: `moved` when the row (or its spans) was not as planned,
 * `duplicate` on a stored (clientId, clientSeq), `foreign` on clientIds of another author.
 * A data error is thrown as {@link CommitDataError} (the caller isolates the submission at fault).
 */
async function appendIfHead(db: Queryable, prepared: boolean, documentId: string, plan: BatchPlan, predecessorHead?: KnownHead): Promise<StatementOutcome> {
  const { head, ops, spans } = plan;
  const last = ops[ops.length - 1]!;
  const grown = spans.grown;
  const params = [
    documentId,
    head.version,
    last.version,
    new Date(),
    head.historyEpoch,
    head.newest?.span.fromVersion ?? -1,
    ops.map((op) => op.version),
    // One JSON array of the deltas, not a text[]: node-postgres escapes every quote of an array
    // element in JavaScript, which for the largest op held the event loop ~10 ms [PL8].
    JSON.stringify(ops.map((op) => ({ ops: op.delta.ops }))),
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
    head.fingerprint,
    plan.next.fingerprint,
    grown ? randomUUID() : null,
    grown?.startedAt ?? null,
    predecessorHead?.version ?? null,
    predecessorHead?.fingerprint ?? null,
  ];
  try {
    const result = await run<{ bumped: number; squat: string[] }>(db, prepared, APPEND_IF_HEAD, params);
    const row = result.rows[0];
    if (row && row.squat.length > 0) return { foreign: row.squat };
    return row?.bumped === 1 ? 'appended' : 'moved';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '23505') return 'duplicate';
    if (typeof code === 'string' && DATA_ERROR_CLASSES.has(code.slice(0, 2))) {
      throw new CommitDataError(code, `PostgreSQL refused the batch's data (${code}): ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}

/** Conditional statements a batch tries (each after a catch-up read) before the locked fallback. */
export const CONDITIONAL_ATTEMPTS = 3;

/** Checks P7: a plan's ops are versions head + 1, + 2, … of the document. */
function checkPlan(documentId: string, plan: BatchPlan): void {
  plan.ops.forEach((op, i) => {
    if (op.documentId !== documentId || op.version !== plan.head.version + i + 1) {
      throw new Error(`op store: commit of ${op.documentId}@${op.version} at position ${i} after ${documentId}@${plan.head.version}`);
    }
  });
}

/**
 * How a commit ended, for metrics and tests: `statement` (the first conditional statement),
 * `caught-up` (a later one, after catch-up reads), `locked` (the fallback), `duplicate` (a stored
 * key found by one read), `nothing` (a plan again on a fresher head had no ops left).
 */
export type CommitPath = 'statement' | 'caught-up' | 'locked' | 'duplicate' | 'nothing';

/** `OpStore.commit` on PostgreSQL: the conditional statement, catch-ups, and the locked fallback (see the top of this file). */
export async function commit(db: WriteDb, request: CommitRequest, onPath: (path: CommitPath) => void = () => {}): Promise<CommitResult> {
  const { pool, prepared } = db;
  const { documentId } = request;
  let plan = request.planned;
  for (let attempt = 0; attempt < CONDITIONAL_ATTEMPTS; attempt++) {
    checkPlan(documentId, plan);
    if (plan.ops.length === 0) {
      onPath('nothing');
      return { kind: 'committed', plan };
    }
    // The first statement of a plan made on a predecessor still committing may find the row where that predecessor did [P11].
    let outcome = await appendIfHead(pool, prepared, documentId, plan, plan === request.planned ? request.predecessorHead : undefined);
    if (outcome === 'moved' && attempt === 0 && request.predecessorHead) {
      // It may have overtaken its predecessor (sent on another connection, it reached the row
      // first and left it as it was); the predecessor, waiting for that row, holds it now: the
      // same statement once more waits for it, with no read and no replan.
      outcome = await appendIfHead(pool, prepared, documentId, plan, request.predecessorHead);
    }
    if (typeof outcome === 'object') return { kind: 'foreign', clientIds: outcome.foreign };
    if (outcome === 'appended') {
      onPath(attempt === 0 ? 'statement' : 'caught-up');
      return { kind: 'committed', plan };
    }
    if (outcome === 'duplicate') {
      const existing = await storedKeys(pool, prepared, documentId, plan.ops);
      if (existing.length > 0) {
        onPath('duplicate');
        return { kind: 'duplicate', existing };
      }
      // The version was taken by a writer the row condition did not see: the locked path sorts it out.
      break;
    }
    // A plan made on a predecessor's uncommitted `next` catches up from the head the caller
    // knows was stored: the predecessor may have committed another plan, or nothing [P11].
    const from = attempt === 0 && request.stored ? request.stored : plan.head;
    const fresh = await catchUp(db, documentId, from);
    // Not moved by ops (spans or epoch changed), gone, or too far: only a locked read knows.
    if (!fresh || (fresh.version === plan.head.version && fresh.fingerprint === plan.head.fingerprint)) break;
    // A tail not reaching the batch's oldest base (caught up from a head with a shorter one): the locked read loads it.
    if (tailBetween(fresh, Math.min(request.historyAfter, fresh.version), fresh.version) === null) break;
    plan = request.replan(fresh);
  }
  onPath('locked');
  return commitLocked(db, request);
}

/**
 * The locked fallback: under the document's row lock the head cannot move, so the batch planned
 * on the head read there is written by the same statement, whose conditions then hold.
 */
async function commitLocked(db: WriteDb, request: CommitRequest): Promise<CommitResult> {
  const { prepared } = db;
  const { documentId } = request;
  const client = await db.pool.connect();
  let done = false;
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    const locked = await run(client, prepared, LOCK_ROW, [documentId]);
    if (locked.rowCount === 0) {
      await client.query('ROLLBACK');
      done = true;
      return { kind: 'gone' };
    }
    await repairSpans(client, documentId);
    const head = await readHead(client, db, documentId, request.historyAfter);
    if (!head || head === 'unrepaired') throw new Error(`op store: document ${documentId} has no snapshot at or below its head, or unrepairable spans`);
    const plan = request.replan(head);
    checkPlan(documentId, plan);
    if (plan.ops.length > 0) {
      const existing = await storedKeys(client, prepared, documentId, plan.ops);
      if (existing.length > 0) {
        await client.query('ROLLBACK');
        done = true;
        return { kind: 'duplicate', existing };
      }
      const outcome = await appendIfHead(client, prepared, documentId, plan);
      if (typeof outcome === 'object') {
        await client.query('ROLLBACK');
        done = true;
        return { kind: 'foreign', clientIds: outcome.foreign };
      }
      if (outcome !== 'appended') throw new Error(`op store: the locked commit of ${documentId} at ${head.version} wrote nothing (${outcome})`);
    }
    await client.query('COMMIT');
    done = true;
    return { kind: 'committed', plan };
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    if (!done) await client.query('ROLLBACK').catch(() => {});
    // A connection a statement failed on is not reused: a prepared statement's error (a cached
    // plan whose result type a migration changed, a statement the server no longer has) would
    // otherwise stay with it. pg-pool does the same for `pool.query`.
    client.release(failure);
  }
}

/** The stored ops among `ops`' (clientId, clientSeq) keys: one indexed read. */
async function storedKeys(db: Queryable, prepared: boolean, documentId: string, ops: readonly AppliedOp[]): Promise<AppliedOp[]> {
  const result = await run<{ ops: WireOp[] }>(db, prepared, STORED_KEYS, [documentId, ops.map((op) => op.clientId), ops.map((op) => op.clientSeq)]);
  return (result.rows[0]?.ops ?? []).map((o) => fromWire(documentId, o));
}

/** The row lock the locked fallback (and a span repair) takes. */
const LOCK_ROW = statement('lock_row', 'SELECT 1 FROM documents WHERE id = $1 AND deleted_at IS NULL FOR UPDATE');

/** A document's ops matching the WHERE that follows, ascending, as a JSON array of {@link WireOp}. */
const OPS_AS_JSON = `(SELECT coalesce(json_agg(json_build_object('v', o.version, 'd', o.delta, 'a', o.author_id, 'c', o.client_id, 's', o.client_seq, 't', o.created_at) ORDER BY o.version), '[]'::json)`;

const STORED_KEYS = statement(
  'stored_keys',
  `SELECT ${OPS_AS_JSON} FROM operations o JOIN unnest($2::text[], $3::int[]) AS k(c, s) ON o.client_id = k.c AND o.client_seq = k.s WHERE o.document_id = $1) AS ops`,
);

// The row and every op after the known version, from one snapshot (an op is committed with the
// version bump that covers it, so nothing at or below `version` can be missing).
const CATCH_UP = statement('catch_up', `
SELECT d.version, d.history_epoch, d.head_fingerprint, d.deleted_at IS NOT NULL AS deleted,
  ${OPS_AS_JSON}
   FROM operations o WHERE o.document_id = d.id AND o.version > $2 AND o.version <= d.version) AS ops
FROM documents d WHERE d.id = $1`);

/** Most ops a catch-up reads; further behind, the locked path (which reads a snapshot) is cheaper. */
const CATCH_UP_LIMIT = TAIL_LENGTH;

/**
 * The known head brought up to the stored head without taking the lock (one read), or null when
 * that is not possible: the document is gone, too far ahead, its history epoch moved (spans
 * changed without ops: only a locked read knows them), or the head advanced by the ops read is
 * not the stored one (its fingerprint differs [K5]: `head` was not a stored state, or this
 * process groups spans otherwise than the writer did).
 */
async function catchUp(db: WriteDb, documentId: string, head: KnownHead): Promise<KnownHead | null> {
  const result = await run<{ version: number; history_epoch: number; head_fingerprint: string; deleted: boolean; ops: WireOp[] }>(db.pool, db.prepared, CATCH_UP, [
    documentId,
    head.version,
  ]);
  const row = result.rows[0];
  if (!row || row.deleted || row.history_epoch !== head.historyEpoch || row.version < head.version || row.version - head.version > CATCH_UP_LIMIT) return null;
  const ops = row.ops.map((o) => fromWire(documentId, o));
  if (ops.length !== row.version - head.version) return null;
  const next = advance(head, ops, db.pauseMs);
  if (!next || next.fingerprint !== row.head_fingerprint) return null;
  // The whole tail, not the last TAIL_LENGTH ops: the batch is planned again on it, and a
  // submission made further back than that was given a tail that reaches its base.
  return { ...next, tail: [...head.tail, ...ops] };
}

// Everything a known head needs, from one snapshot: the row, the newest content snapshot at or
// below the head, the ops after it or after $2 (whichever is earlier: a tail reaching back to
// the batch's oldest base), and the newest revision span (closed when its last version is named).
const LOAD_HEAD = statement('load_head', `
SELECT d.version, d.history_epoch, d.head_fingerprint, d.deleted_at IS NOT NULL AS deleted, s.version AS snapshot_version, s.content AS snapshot_content, s.created_at AS snapshot_created_at,
  ${OPS_AS_JSON}
   FROM operations o WHERE o.document_id = d.id AND o.version > LEAST(s.version, GREATEST(0, LEAST($2::int, d.version - ${TAIL_LENGTH}))) AND o.version <= d.version) AS ops,
  (SELECT json_build_object('f', r.from_version, 't', r.to_version, 'a', r.author_ids, 's', r.started_at, 'e', r.ended_at,
     'closed', EXISTS (SELECT 1 FROM named_versions n WHERE n.document_id = r.document_id AND n.version = r.to_version))
   FROM revisions r WHERE r.document_id = d.id ORDER BY r.to_version DESC LIMIT 1) AS newest
FROM documents d
CROSS JOIN LATERAL (SELECT version, content, created_at FROM snapshots WHERE document_id = d.id AND version <= d.version ORDER BY version DESC LIMIT 1) s
WHERE d.id = $1`);

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
 * The head in one statement, its tail reaching back to `historyAfter` where stored; null when the
 * document is gone or has no snapshot at or below its head; `unrepaired` when its spans do not
 * end at the head (a log from before grouping: {@link repairSpans} under the lock fixes it).
 */
async function readHead(db: Queryable, write: WriteDb, documentId: string, historyAfter: number): Promise<KnownHead | null | 'unrepaired'> {
  const result = await run<{
    version: number;
    history_epoch: number;
    head_fingerprint: string;
    deleted: boolean;
    snapshot_version: number;
    snapshot_content: { ops: Delta['ops'] };
    snapshot_created_at: Date;
    ops: WireOp[];
    newest: { f: number; t: number; a: string[]; s: string; e: string; closed: boolean } | null;
  }>(db, write.prepared, LOAD_HEAD, [documentId, Number.isFinite(historyAfter) ? Math.max(0, historyAfter) : 2 ** 31 - 1]);
  const row = result.rows[0];
  if (!row || row.deleted) return null;
  if ((row.newest?.t ?? 0) !== row.version) return 'unrepaired';
  const all = row.ops.map((o) => fromWire(documentId, o));
  const older = all.filter((op) => op.version <= row.snapshot_version);
  const newer = all.filter((op) => op.version > row.snapshot_version);
  if (newer.length !== row.version - row.snapshot_version) return null;
  const base: KnownHead = {
    version: row.snapshot_version,
    content: new Delta(row.snapshot_content.ops),
    createdAt: new Date(row.snapshot_created_at),
    historyEpoch: row.history_epoch,
    newest: null,
    tail: [],
    fingerprint: row.head_fingerprint,
  };
  const head = advance(base, newer, write.pauseMs);
  if (!head) return null;
  // The spans as stored, not as re-derived from the ops after the snapshot.
  const newest = row.newest && {
    span: { fromVersion: row.newest.f, toVersion: row.newest.t, authorIds: row.newest.a, startedAt: new Date(row.newest.s), endedAt: new Date(row.newest.e) },
    closed: row.newest.closed,
  };
  // The fingerprint as stored [K5]: the row names the state it holds.
  return { ...head, newest, tail: [...older, ...newer], fingerprint: row.head_fingerprint };
}

/** `OpStore.load` on PostgreSQL: one statement, or a locked repair first for a log from before grouping. */
export async function load(db: WriteDb, documentId: string, historyAfter: number): Promise<KnownHead | null> {
  const head = await readHead(db.pool, db, documentId, historyAfter);
  if (head !== 'unrepaired') return head;
  const client = await db.pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    const locked = await run(client, db.prepared, LOCK_ROW, [documentId]);
    if (locked.rowCount !== 0) await repairSpans(client, documentId);
    await client.query('COMMIT');
  } catch (error) {
    failure = error as Error;
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release(failure); // not reused after a failure (see commitLocked)
  }
  const repaired = await readHead(db.pool, db, documentId, historyAfter);
  return repaired === 'unrepaired' ? null : repaired;
}

// Ops after the newest span (committed before grouping existed) become one span of their own,
// summarised from the log (H2): authors in first-edit order, first and latest times.
const REPAIR_SPANS = `
WITH last AS (SELECT coalesce(max(to_version), 0) AS v FROM revisions WHERE document_id = $1)
INSERT INTO revisions (id, document_id, from_version, to_version, author_ids, started_at, ended_at)
SELECT $2, $1, last.v, max(o.version),
  coalesce((SELECT array_agg(a.author_id ORDER BY a.first) FROM (SELECT author_id, min(version) AS first FROM operations
     WHERE document_id = $1 AND version > last.v AND author_id IS NOT NULL GROUP BY author_id) a), '{}'),
  min(o.created_at) FILTER (WHERE o.version = last.v + 1), max(o.created_at)
FROM last JOIN operations o ON o.document_id = $1 AND o.version > last.v
GROUP BY last.v`;

/** Gives ops no span covers a span of their own (call holding the row lock). */
async function repairSpans(client: pg.PoolClient, documentId: string): Promise<void> {
  await client.query(REPAIR_SPANS, [documentId, randomUUID()]);
}
