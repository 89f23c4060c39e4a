/**
 * Samples the bench database's sessions in pg_stat_activity once per interval into a JSON-lines
 * file (`--pg-activity=<file>`): how many connections are active, idle in a transaction or idle,
 * what they wait on, the oldest open transaction, and the statements they run grouped by their
 * first characters. Each line carries the bench step running at the time, so a collapse can be
 * read step by step (which pool was full, whether transactions sat on locks).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';

export interface ActivityRow {
  readonly state: string | null;
  readonly wait: string | null;
  readonly query: string;
  readonly xactMs: number | null;
}

export interface ActivitySample {
  readonly at: string;
  readonly step: string;
  readonly connections: number;
  readonly byState: Record<string, number>;
  readonly byWait: Record<string, number>;
  /** `state | statement start` → count, largest first. */
  readonly statements: Record<string, number>;
  readonly oldestTransactionMs: number;
}

/** Metrics kept from each instance's /api/metrics per sample (event-loop lag, pool and op counters). */
const KEPT_METRICS = [
  'verso_process_nodejs_eventloop_lag_p99_seconds',
  'verso_process_nodejs_eventloop_lag_max_seconds',
  'verso_process_process_cpu_seconds_total',
  'verso_ops_applied_total',
  'verso_postgres_errors_total',
  'verso_websocket_connections',
  'verso_rate_limited_total',
  // Issue 13's write path (absent before it): refusals by reason, commits by path.
  'verso_submit_overload_total',
  'verso_commits_total',
];

/** The kept metrics of a Prometheus text exposition, `name{labels}` → value (pure: unit-tested). */
export function pickMetrics(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !KEPT_METRICS.some((name) => line.startsWith(name))) continue;
    const at = line.lastIndexOf(' ');
    const value = Number(line.slice(at + 1));
    if (Number.isFinite(value)) out[line.slice(0, at)] = value;
  }
  return out;
}

/** One sample from the rows of one pg_stat_activity read (pure: unit-tested). */
export function summarize(rows: readonly ActivityRow[], step: string, at: Date): ActivitySample {
  const count = (into: Record<string, number>, key: string) => void (into[key] = (into[key] ?? 0) + 1);
  const byState: Record<string, number> = {};
  const byWait: Record<string, number> = {};
  const statements: Record<string, number> = {};
  let oldest = 0;
  for (const row of rows) {
    count(byState, row.state ?? 'unknown');
    if (row.wait) count(byWait, row.wait);
    count(statements, `${row.state ?? 'unknown'} | ${row.query.replace(/\s+/g, ' ').trim().slice(0, 70)}`);
    if (row.xactMs !== null && row.xactMs > oldest) oldest = row.xactMs;
  }
  const sorted = Object.fromEntries(Object.entries(statements).sort((a, b) => b[1] - a[1]));
  return { at: at.toISOString(), step, connections: rows.length, byState, byWait, statements: sorted, oldestTransactionMs: Math.round(oldest) };
}

export class PgActivitySampler {
  readonly #client: pg.Client;
  readonly #database: string;
  readonly #file: string;
  readonly #metricsUrls: () => readonly string[];
  #timer: ReturnType<typeof setInterval> | null = null;
  #step = 'setup';
  #busy = false;

  /** `metricsUrls`: the base URLs of the instances running now (their /api/metrics is read too). */
  constructor(databaseUrl: string, file: string, metricsUrls: () => readonly string[] = () => []) {
    this.#client = new pg.Client({ connectionString: databaseUrl });
    this.#database = new URL(databaseUrl).pathname.slice(1);
    this.#file = file;
    this.#metricsUrls = metricsUrls;
  }

  /** Appends any other record to the timeline (e.g. the bots' per-second counts). */
  write(record: Record<string, unknown>): void {
    appendFileSync(this.#file, JSON.stringify(record) + '\n');
  }

  async start(intervalMs = 1000): Promise<void> {
    await this.#client.connect();
    writeFileSync(this.#file, '');
    this.#timer = setInterval(() => void this.#sample(), intervalMs);
  }

  /** Names the step that later samples belong to. */
  step(label: string): void {
    this.#step = label;
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { rows } = await this.#client.query<ActivityRow>(
        `SELECT state, CASE WHEN wait_event IS NULL THEN NULL ELSE wait_event_type || ':' || wait_event END AS wait, query,
                EXTRACT(EPOCH FROM (now() - xact_start)) * 1000 AS "xactMs"
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [this.#database],
      );
      const started = performance.now();
      const instances = await Promise.all(
        this.#metricsUrls().map(async (url) => {
          try {
            const response = await fetch(`${url}/api/metrics`, { signal: AbortSignal.timeout(5000) });
            return { url, ms: Math.round(performance.now() - started), metrics: pickMetrics(await response.text()) };
          } catch (error) {
            return { url, ms: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
          }
        }),
      );
      const sample = summarize(rows.map((r) => ({ ...r, xactMs: r.xactMs === null ? null : Number(r.xactMs) })), this.#step, new Date());
      appendFileSync(this.#file, JSON.stringify({ ...sample, instances }) + '\n');
    } catch {
      // A sample lost to a busy server is only a gap in the timeline.
    } finally {
      this.#busy = false;
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#client.end().catch(() => {});
  }
}
