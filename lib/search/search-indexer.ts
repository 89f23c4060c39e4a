/**
 * Keeps `document_search` current in the background, so that a search only reads: each instance
 * runs one indexer that, every `intervalMs`, re-indexes at most `batch` documents whose search row
 * is missing or behind (`documents.version` or the title moved on). A word typed is found within
 * about one interval of its ack; an edit costs the write path nothing; a search does no write work.
 *
 * Bounded: one pass at a time per instance, at most `batch` documents per pass, on one PostgreSQL
 * connection of its own, so the indexer adds at most `batch / intervalMs` documents of work per
 * instance whatever the edit rate. A pass costs a handful of statements whatever its size: one
 * lists the stale documents, one claims them, one reads the claimed ones' contents per
 * {@link READ_CHUNK} (snapshot and ops after it, still stale only), one writes their rows (a
 * document PostgreSQL refuses is then written alone, so it fails alone). Per document, the pass
 * cost five statements, two of them through Prisma: with a thousand documents being edited the
 * indexer made more PostgreSQL transactions than the commits did (issue 13's scenario c).
 *
 * Several instances do not index the same document at once: a pass claims each document with a
 * session-level advisory lock (`pg_try_advisory_lock(SEARCH_INDEX_LOCK_CLASS, hashtext(id))`) on
 * its connection and skips those another instance holds; the locks go when the pass ends (or the
 * connection dies). Writes are idempotent anyway (a row never moves back to an older version).
 *
 * Cheap when idle: a pass only looks at documents changed since the last pass that caught up
 * (minus {@link WATERMARK_SLACK_MS}, for clocks of other instances and commits still in flight);
 * the first pass after a start looks at every document, in batches.
 *
 * Never stuck: every statement on its connection has a `statement_timeout` (PostgreSQL cancels
 * one held up by a lock or a slow plan: that document fails, the pass goes on), and the client
 * gives up on an answer {@link QUERY_GRACE_MS} later (a PostgreSQL or network that stopped
 * answering altogether). A connection that failed (reset, no answer) ends the pass and is
 * dropped, its advisory locks with it; the next pass opens a new one.
 */
import pg from 'pg';
import { apply, Delta } from '../ot/operation.ts';
import { indexableText } from './search-index.ts';
import { searchableText } from './search-text.ts';

/** First key of the indexer's advisory locks (the second is the document id's hash): "VSIX". */
export const SEARCH_INDEX_LOCK_CLASS = 0x56534958;
/** How far before the last caught-up pass a pass still looks for changed documents. */
export const WATERMARK_SLACK_MS = 60_000;
/** Longest pause between passes after failures (PostgreSQL down): the interval doubles up to this. */
const MAX_BACKOFF_MS = 30_000;
/** Default `statement_timeout` of the indexer's connection. */
export const INDEX_STATEMENT_TIMEOUT_MS = 10_000;
/** How much longer than the statement timeout the client waits for an answer before it drops the connection. */
export const QUERY_GRACE_MS = 2_000;

export interface SearchIndexerOptions {
  /** PostgreSQL of the documents; the indexer opens one connection of its own to it. */
  readonly databaseUrl: string;
  /** Pause between passes, in ms. */
  readonly intervalMs: number;
  /** Most documents one pass indexes. */
  readonly batch: number;
  /** Hears a failed pass or a document that could not be indexed; the indexer carries on. */
  readonly onError: (error: unknown, documentId?: string) => void;
  /** PostgreSQL cancels a statement of the indexer after this long; default {@link INDEX_STATEMENT_TIMEOUT_MS}. */
  readonly statementTimeoutMs?: number;
  /**
   * Called in each pass once it holds its documents, before it reads them; the pass waits for it.
   * For tests that stop a pass there (another indexer running meanwhile, a connection cut).
   */
  readonly onClaimed?: (documentIds: readonly string[]) => void | Promise<void>;
}

/** What one pass did. */
export interface IndexPass {
  /** Documents (re)indexed, in the order they were. */
  readonly indexed: readonly string[];
  /** Stale documents another instance held (left to it). */
  readonly skipped: number;
  /** Whether no stale document was left behind (then the next pass looks at recent changes only). */
  readonly caughtUp: boolean;
}

export interface SearchIndexer {
  /** Runs one pass now, after any pass in progress; the timer keeps its own rhythm. */
  runOnce(): Promise<IndexPass>;
  /** Stops the timer, waits for a pass in progress and closes the connection. Safe to call twice. */
  stop(): Promise<void>;
}

/** Documents whose search row is missing or behind (continue with `AND …`). */
const STALE = `FROM documents d LEFT JOIN document_search s ON s.document_id = d.id
  WHERE (s.document_id IS NULL OR s.version <> d.version OR s.title <> d.title)`;

/** A statement on the pass's connection. */
type IndexerQuery = <R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[]) => Promise<pg.QueryResult<R>>;

interface Candidate {
  readonly id: string;
  readonly title: string;
  readonly version: number;
}

/** Most documents whose contents one statement reads (a result holds their snapshots whole). */
export const READ_CHUNK = 10;

/** A claimed document still stale, with what its content at `version` is made of. */
interface Stale extends Candidate {
  readonly snapshot: { readonly ops: Delta['ops'] };
  readonly ops: ReadonlyArray<{ readonly ops: Delta['ops'] }>;
}

// The claimed documents still stale (another instance may have indexed one since the list was
// read: its row was written before it let the lock go, so this read sees it), each with its
// newest snapshot at or below its version and the ops after that snapshot. Trashed documents
// too: their rows stay searchable from the trash.
const READ_STALE = `SELECT d.id, d.title, d.version, snap.content AS snapshot,
  (SELECT coalesce(json_agg(o.delta ORDER BY o.version), '[]'::json) FROM operations o
    WHERE o.document_id = d.id AND o.version > snap.version AND o.version <= d.version) AS ops
  FROM documents d LEFT JOIN document_search s ON s.document_id = d.id
  CROSS JOIN LATERAL (SELECT version, content FROM snapshots WHERE document_id = d.id AND version <= d.version ORDER BY version DESC LIMIT 1) snap
  WHERE (s.document_id IS NULL OR s.version <> d.version OR s.title <> d.title) AND d.id = ANY($1::text[])`;

const WRITE_ROWS = `INSERT INTO document_search (document_id, version, title, body, search, indexed_at)
  SELECT r.id, r.version, r.title, r.body, setweight(to_tsvector('simple', r.words), 'A') || setweight(to_tsvector('simple', r.body), 'B'), now()
  FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[]) AS r(id, version, title, body, words)
  ON CONFLICT (document_id) DO UPDATE
    SET version = EXCLUDED.version, title = EXCLUDED.title, body = EXCLUDED.body, search = EXCLUDED.search, indexed_at = EXCLUDED.indexed_at
    WHERE document_search.version <= EXCLUDED.version`;

/** One document's search row: its text as it reads with no open suggestion applied (./search-text.ts). */
interface Row {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly body: string;
}

/** The row of a stale document, from its snapshot and the ops after it; throws when they do not apply. */
function rowOf(doc: Stale): Row {
  let content = new Delta(doc.snapshot.ops);
  for (const op of doc.ops) {
    const next = apply(content, new Delta(op.ops));
    if (!next.ok) throw new Error(`search index: an op of ${doc.id} at or below ${doc.version} does not apply to its snapshot (${next.message})`);
    content = next.value;
  }
  return { id: doc.id, version: doc.version, title: doc.title, body: indexableText(searchableText(content)) };
}

const columns = (rows: readonly Row[]) => [rows.map((r) => r.id), rows.map((r) => r.version), rows.map((r) => r.title), rows.map((r) => r.body), rows.map((r) => indexableText(r.title))];

/** Creates an indexer; passes run only through {@link SearchIndexer.runOnce} (see {@link startSearchIndexer}). */
export function createSearchIndexer(options: SearchIndexerOptions): SearchIndexer {
  const statementTimeoutMs = options.statementTimeoutMs ?? INDEX_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: 1,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Set at connect (a startup parameter), so it holds for every statement of every pass.
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + QUERY_GRACE_MS,
  });
  // An idle connection that died (PostgreSQL restarted) is replaced by the next pass; never fatal.
  pool.on('error', (error) => options.onError(error));
  let since = new Date(0);
  let running: Promise<IndexPass> = Promise.resolve({ indexed: [], skipped: 0, caughtUp: true });
  let stopped = false;

  async function pass(): Promise<IndexPass> {
    const started = Date.now();
    const client = await pool.connect();
    let broken: Error | undefined;
    // A connection reset while the client is checked out is emitted on the client, not the pool:
    // without a listener it would be an uncaught exception (the server would exit on a PostgreSQL blip).
    const onClientError = (error: Error) => {
      broken = error;
      options.onError(error);
    };
    client.on('error', onClientError);
    // Any failure that is not PostgreSQL's answer (a timeout with no answer, a dead socket) leaves
    // the connection unusable: it ends the pass instead of failing each document after it.
    const query: IndexerQuery = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) => {
      try {
        return await client.query<R>(text, values);
      } catch (error) {
        if (!(error instanceof pg.DatabaseError)) broken ??= error as Error;
        throw error;
      }
    };
    try {
      const { rows } = await query<Candidate>(`SELECT d.id, d.title, d.version ${STALE} AND d.updated_at >= $1 ORDER BY d.updated_at DESC LIMIT $2`, [
        since,
        options.batch * 2,
      ]);
      const indexed: string[] = [];
      let skipped = 0;
      let failed = 0;
      // Claimed in one statement, in the list's order; the first `batch` claimed are this pass's,
      // those held by another instance before them are skipped (left to it), and any claimed
      // beyond the batch are let go at once.
      const { rows: claims } = await query<{ id: string; claimed: boolean }>(
        'SELECT c.id, pg_try_advisory_lock($1, hashtext(c.id)) AS claimed FROM unnest($2::text[]) WITH ORDINALITY AS c(id, n) ORDER BY c.n',
        [SEARCH_INDEX_LOCK_CLASS, rows.map((r) => r.id)],
      );
      const mine: string[] = [];
      const extra: string[] = [];
      for (const claim of claims) {
        if (mine.length >= options.batch) {
          if (claim.claimed) extra.push(claim.id);
        } else if (claim.claimed) mine.push(claim.id);
        else skipped += 1;
      }
      if (extra.length > 0) await query('SELECT pg_advisory_unlock($1, hashtext(c.id)) FROM unnest($2::text[]) AS c(id)', [SEARCH_INDEX_LOCK_CLASS, extra]);
      await options.onClaimed?.(mine);
      const ready: Row[] = [];
      for (let at = 0; at < mine.length; at += READ_CHUNK) {
        const { rows: stale } = await query<Stale>(READ_STALE, [mine.slice(at, at + READ_CHUNK)]);
        for (const doc of stale) {
          try {
            ready.push(rowOf(doc));
          } catch (error) {
            failed += 1;
            options.onError(error, doc.id);
          }
        }
      }
      if (ready.length > 0) {
        try {
          await query(WRITE_ROWS, columns(ready));
          indexed.push(...ready.map((r) => r.id));
        } catch (error) {
          if (broken || !(error instanceof pg.DatabaseError)) throw error;
          // One of them PostgreSQL refuses: each alone, so only that one fails.
          for (const row of ready) {
            try {
              await query(WRITE_ROWS, columns([row]));
              indexed.push(row.id);
            } catch (alone) {
              if (broken) throw alone;
              failed += 1;
              options.onError(alone, row.id);
            }
          }
        }
      }
      // Documents found fresh on the second read count as done.
      const caughtUp = rows.length < options.batch * 2 && skipped === 0 && failed === 0 && indexed.length < options.batch;
      if (caughtUp) since = new Date(started - WATERMARK_SLACK_MS);
      return { indexed, skipped, caughtUp };
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      if (!broken) await query('SELECT pg_advisory_unlock_all()', []).catch((error: Error) => (broken = error));
      // A connection that failed mid-pass is dropped, and its locks with it.
      client.off('error', onClientError);
      client.release(broken);
    }
  }

  return {
    runOnce() {
      if (stopped) return Promise.resolve({ indexed: [], skipped: 0, caughtUp: false });
      running = running.catch(() => undefined).then(pass);
      return running;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.catch(() => undefined);
      await pool.end();
    },
  };
}

/** Starts an indexer whose passes run every `intervalMs` (backing off while they fail) until stopped. */
export function startSearchIndexer(options: SearchIndexerOptions): SearchIndexer {
  const indexer = createSearchIndexer(options);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failures = 0;
  const schedule = () => {
    if (stopped) return;
    const pause = Math.min(options.intervalMs * 2 ** failures, Math.max(options.intervalMs, MAX_BACKOFF_MS));
    timer = setTimeout(() => {
      indexer.runOnce().then(
        () => (failures = 0),
        (error: unknown) => {
          failures = Math.min(failures + 1, 16);
          options.onError(error);
        },
      ).finally(schedule);
    }, pause);
    timer.unref();
  };
  schedule();
  return {
    runOnce: () => indexer.runOnce(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await indexer.stop();
    },
  };
}
