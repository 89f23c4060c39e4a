/**
 * Fault drills under load (issue 8): two Verso instances on a private PostgreSQL cluster and a
 * private redis-server, typing bots on two documents, and in turn: `kill -9` of one instance, a
 * Redis restart, a PostgreSQL crash and restart, 2 % of acks dropped on the client side, and a
 * client that stops reading its socket. After each fault the drill stops typing, waits for every
 * bot to settle, and checks:
 *
 * - converged: every bot's document equals the replay of the stored log (and so each other);
 * - contiguous: each document's stored versions are exactly 1..head;
 * - once: no (clientId, clientSeq) is stored twice, and every clientSeq a bot issued is stored;
 * - acknowledged: every op a bot got an answer for is stored at the answered version;
 * - recovery: the time from the end of the fault until every bot had an op acknowledged again.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Delta } from '../../lib/ot/operation.ts';
import { ensureDatabase, migrate } from '../../lib/migrator/migrate.ts';
import { withDatabase } from '../../lib/migrator/connection.ts';
import { Bot, BotMetrics } from './bot.ts';
import { seededRandom } from '../../lib/ot/random-op.ts';
import { createAccount, createDocuments, freePort, Instance, runPrefix } from './cluster.ts';
import { TempPostgres, TempRedis } from './services.ts';

export type FaultName = 'kill-instance' | 'restart-redis' | 'restart-postgres' | 'drop-acks' | 'stalled-reader';
export const ALL_FAULTS: readonly FaultName[] = ['kill-instance', 'restart-redis', 'restart-postgres', 'drop-acks', 'stalled-reader'];

export interface DrillOptions {
  readonly faults?: readonly FaultName[];
  /** Bots (split over two documents and two instances); default 8. */
  readonly bots?: number;
  /** Keystrokes per second per bot; default 4. */
  readonly opsPerSecond?: number;
  /** Typing before each fault, seconds; default 3. */
  readonly beforeSeconds?: number;
  /** How long Redis / PostgreSQL stay down, seconds; default 3. */
  readonly outageSeconds?: number;
  /** How long acks are dropped (2 % of them), seconds; default 10. */
  readonly dropSeconds?: number;
  /** How long the stalled client does not read, seconds; default 60. */
  readonly stallSeconds?: number;
  /** Typing after the fault ended, seconds; default 4. */
  readonly afterSeconds?: number;
  /** Longest wait for bots to settle after a fault; default 60 s. */
  readonly settleTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** When set, each instance's output goes to `<dir>/drill-instance<k>.log` (diagnosis). */
  readonly serverLogDir?: string;
  /** The instances' LOG_LEVEL; default warn. */
  readonly serverLogLevel?: string;
  /** Aborting stops the drill at its next wait; everything it started is still torn down. */
  readonly signal?: AbortSignal;
}

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface FaultReport {
  readonly fault: FaultName;
  readonly ok: boolean;
  readonly recoverySeconds: number | null;
  readonly acknowledged: number;
  readonly checks: readonly CheckResult[];
  readonly counters: Record<string, number>;
  /** The first message of each error code the bots were answered with. */
  readonly errorMessages?: Record<string, string>;
}

export interface DrillReport {
  readonly ok: boolean;
  readonly faults: readonly FaultReport[];
}

type Sleep = (ms: number) => Promise<void>;

function sleeper(signal: AbortSignal | undefined): Sleep {
  return (ms) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('drill aborted'));
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Error('drill aborted'));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
}

/** Runs the drill; resolves with the report (never throws for a violation; throws on set-up failures). */
export async function runDrill(options: DrillOptions = {}): Promise<DrillReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const sleep = sleeper(options.signal);
  const faults = options.faults ?? ALL_FAULTS;
  const botCount = options.bots ?? 8;
  const rate = options.opsPerSecond ?? 4;
  const before = (options.beforeSeconds ?? 3) * 1000;
  const outage = (options.outageSeconds ?? 3) * 1000;
  const after = (options.afterSeconds ?? 4) * 1000;
  const teardown: Array<() => Promise<void> | void> = [];
  const reports: FaultReport[] = [];
  try {
    log('drill: starting a private PostgreSQL cluster and redis-server');
    const postgres = await TempPostgres.create();
    teardown.push(() => postgres.destroy());
    const redis = await TempRedis.create();
    teardown.push(() => redis.stop());
    const databaseUrl = withDatabase(postgres.url, 'verso_drill');
    await ensureDatabase(databaseUrl);
    await migrate(databaseUrl);
    const instanceOptions = {
      databaseUrl,
      redisUrl: redis.url,
      redisPrefix: runPrefix('drill'),
      env: { WS_MAX_BUFFERED_BYTES: String(4 * 1024 * 1024), LOG_LEVEL: options.serverLogLevel ?? 'warn' },
    };
    if (options.serverLogDir) mkdirSync(options.serverLogDir, { recursive: true });
    const logFile = (k: number) => (options.serverLogDir ? { logFile: path.join(options.serverLogDir, `drill-instance${k}.log`) } : {});
    const instances = [new Instance(await freePort(), { ...instanceOptions, ...logFile(0) }), new Instance(await freePort(), { ...instanceOptions, ...logFile(1) })];
    teardown.push(() => Promise.allSettled(instances.map((i) => i.stop(2000))).then(() => undefined));
    await Promise.all(instances.map((i) => i.start()));
    const { token } = await createAccount(instances[0]!.url);
    const documents = await createDocuments(instances[0]!.url, token, 2, 'Drill\n');
    const urls = instances.map((i) => i.url);

    const metrics = new BotMetrics();
    metrics.recordAcknowledged = true;
    let dropRate = 0;
    const bots: Bot[] = [];
    teardown.push(() => Promise.allSettled(bots.map((b) => b.close())).then(() => undefined));
    for (let i = 0; i < botCount; i++) {
      bots.push(
        await Bot.open({
          name: `bot${i}`,
          urls: i % 2 === 0 ? urls : [...urls].reverse(),
          token,
          documentId: documents[i % documents.length]!,
          metrics,
          random: seededRandom(77 + i),
          ackTimeoutMs: 2000,
          dropAckRate: () => dropRate,
        }),
      );
    }
    const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    db.on('error', () => {}); // the PostgreSQL restart breaks idle connections; queries reconnect
    teardown.push(() => db.end());

    const type = (ms: number) => bots.forEach((b) => b.startTyping(rate, performance.now() + ms));
    /** Resolves when every bot had an ack after `since` (performance.now()); the seconds it took from `since`. */
    const recovery = async (since: number, timeoutMs: number): Promise<number | null> => {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if (bots.every((b) => (metrics.lastAckAt.get(b.session.clientId) ?? 0) > since)) return (performance.now() - since) / 1000;
        await sleep(25);
      }
      return null;
    };

    for (const fault of faults) {
      log(`drill: ${fault}`);
      metrics.reset();
      type(before + 120_000); // typing goes on through the fault; stopped explicitly below
      await sleep(before);
      let faultEnd = performance.now();
      const injected = performance.now();
      switch (fault) {
        case 'kill-instance': {
          await instances[1]!.kill9();
          faultEnd = performance.now();
          break;
        }
        case 'restart-redis': {
          await redis.stop();
          await sleep(outage);
          await redis.start();
          faultEnd = performance.now();
          break;
        }
        case 'restart-postgres': {
          postgres.stop('immediate');
          await sleep(outage);
          postgres.start();
          faultEnd = performance.now();
          break;
        }
        case 'drop-acks': {
          dropRate = 0.02;
          await sleep((options.dropSeconds ?? 10) * 1000);
          dropRate = 0;
          faultEnd = performance.now();
          break;
        }
        case 'stalled-reader': {
          const stalled = bots[0]!;
          const socket = stalled.socket;
          if (!socket) throw new Error('the stalled bot has no socket');
          socket.pause();
          await sleep((options.stallSeconds ?? 60) * 1000);
          // The server may have dropped it meanwhile (keep-alive); either way it must catch up.
          (stalled.socket ?? socket).resume();
          faultEnd = performance.now();
          break;
        }
      }
      const recoverySeconds = await recovery(faultEnd, options.settleTimeoutMs ?? 60_000);
      await sleep(after);
      bots.forEach((b) => b.stopTyping());
      const settled = await settle(bots, documents, db, options.settleTimeoutMs ?? 60_000, sleep);
      if (fault === 'kill-instance') await instances[1]!.start(); // back to two for the next fault
      const checks = [settled, ...(await checkStore(db, bots, documents, metrics))];
      const ok = checks.every((c) => c.ok) && recoverySeconds !== null;
      const report: FaultReport = { fault, ok, recoverySeconds, acknowledged: metrics.acks, checks, counters: { ...metrics.counters(), faultSeconds: round((faultEnd - injected) / 1000) }, errorMessages: { ...metrics.errorMessages } };
      reports.push(report);
      log(formatFault(report));
    }
  } finally {
    for (const step of teardown.reverse()) await Promise.resolve().then(step).catch((error: unknown) => log(`drill teardown: ${String(error)}`));
  }
  return { ok: reports.length === faults.length && reports.every((r) => r.ok), faults: reports };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Waits until every bot is connected, has nothing unconfirmed and is at its document's head. */
async function settle(bots: readonly Bot[], documents: readonly string[], db: pg.Pool, timeoutMs: number, sleep: Sleep): Promise<CheckResult> {
  const deadline = performance.now() + timeoutMs;
  let lagging: Bot[] = [];
  while (performance.now() < deadline) {
    try {
      const heads = await headVersions(db, documents);
      lagging = bots.filter((b) => b.session.status.pendingEdits > 0 || !b.session.status.connected || b.session.version !== heads.get(b.session.documentId));
      if (lagging.length === 0) return { name: 'settled', ok: true, detail: 'every bot connected, nothing pending, at head' };
    } catch {
      // PostgreSQL may still be coming back
    }
    await sleep(100);
  }
  return { name: 'settled', ok: false, detail: lagging.map((b) => `${b.name} v${b.session.version} ${JSON.stringify(b.session.status)}`).join('; ') };
}

async function headVersions(db: pg.Pool, documents: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: string; version: number }>('SELECT id, version FROM documents WHERE id = ANY($1)', [documents]);
  return new Map(rows.map((r) => [r.id, r.version]));
}

interface OpRow {
  document_id: string;
  version: number;
  delta: { ops: Delta['ops'] };
  client_id: string;
  client_seq: number;
}

export async function checkStore(db: pg.Pool, bots: readonly Bot[], documents: readonly string[], metrics: BotMetrics): Promise<CheckResult[]> {
  const heads = await headVersions(db, documents);
  const checks: CheckResult[] = [];
  const converged: string[] = [];
  const contiguous: string[] = [];
  const stored = new Map<string, OpRow>();
  for (const documentId of documents) {
    const { rows: ops } = await db.query<OpRow>('SELECT document_id, version, delta, client_id, client_seq FROM operations WHERE document_id = $1 ORDER BY version', [documentId]);
    const { rows: zero } = await db.query<{ content: { ops: Delta['ops'] } }>('SELECT content FROM snapshots WHERE document_id = $1 AND version = 0', [documentId]);
    const head = heads.get(documentId) ?? -1;
    const gaps = ops.filter((op, i) => op.version !== i + 1);
    if (gaps.length > 0 || ops.length !== head) contiguous.push(`${documentId}: ${ops.length} ops, head ${head}, first gap at ${gaps[0]?.version ?? 'end'}`);
    let content = new Delta(zero[0]?.content.ops ?? []);
    for (const op of ops) {
      content = content.compose(new Delta(op.delta.ops));
      stored.set(`${op.client_id}#${op.client_seq}`, op);
    }
    for (const bot of bots.filter((b) => b.session.documentId === documentId)) {
      if (JSON.stringify(bot.session.document.ops) !== JSON.stringify(content.ops)) converged.push(`${bot.name} differs from the replayed log of ${documentId}`);
    }
  }
  checks.push({ name: 'converged', ok: converged.length === 0, detail: converged.join('; ') || 'every bot equals the replay of its document\'s log' });
  checks.push({ name: 'versions contiguous', ok: contiguous.length === 0, detail: contiguous.join('; ') || 'versions 1..head, no gap, no repeat' });
  const { rows: doubles } = await db.query<{ client_id: string; client_seq: number; n: string }>(
    'SELECT client_id, client_seq, count(*) AS n FROM operations WHERE document_id = ANY($1) GROUP BY document_id, client_id, client_seq HAVING count(*) > 1',
    [documents],
  );
  const missingIssued: string[] = [];
  for (const bot of bots) {
    for (let seq = 1; seq <= bot.session.issuedOps; seq++) if (!stored.has(`${bot.session.clientId}#${seq}`)) missingIssued.push(`${bot.name}#${seq}`);
  }
  checks.push({
    name: 'each op once',
    ok: doubles.length === 0 && missingIssued.length === 0,
    detail:
      doubles.length + missingIssued.length === 0
        ? 'no (clientId, clientSeq) stored twice; every issued clientSeq stored'
        : `${doubles.length} doubled, issued but not stored: ${missingIssued.slice(0, 5).join(', ')}`,
  });
  const lost: string[] = [];
  for (const [key, version] of metrics.acknowledged) {
    const op = stored.get(key);
    if (!op || op.version !== version) lost.push(`${key}→v${version}`);
  }
  checks.push({
    name: 'acknowledged ops present',
    ok: lost.length === 0,
    detail: lost.length === 0 ? `all ${metrics.acknowledged.size} acknowledged ops stored at their versions` : `missing or moved: ${lost.slice(0, 5).join(', ')}`,
  });
  return checks;
}

export function formatFault(r: FaultReport): string {
  const lines = [
    `${r.ok ? 'PASS' : 'FAIL'} ${r.fault}: recovered in ${r.recoverySeconds === null ? 'NEVER' : `${r.recoverySeconds.toFixed(2)} s`}, ` +
      `${r.counters.acks ?? 0} acks (${r.counters.duplicates ?? 0} duplicate), ${r.counters.resubmissions ?? 0} resubmissions, ` +
      `${r.counters.droppedAcks ?? 0} acks dropped, ${r.counters.disconnects ?? 0} disconnects, ${r.counters.reloads ?? 0} reloads`,
  ];
  const codes = Object.entries(r.counters).filter(([k, n]) => k.startsWith('error:') && n > 0);
  if (codes.length > 0) {
    lines.push(`  error answers: ${codes.map(([k, n]) => `${k.slice('error:'.length)} ${n} ("${r.errorMessages?.[k.slice('error:'.length)] ?? '?'}")`).join(', ')}`);
  }
  for (const c of r.checks) lines.push(`  ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  return lines.join('\n');
}

