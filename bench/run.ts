/**
 * `npm run bench -- --scenario=<editors|hot|docs|idle|all> [options]`
 *
 * Starts K Verso instances as child processes (real PostgreSQL, real Redis, a bench database and
 * Redis prefix of their own), and bot processes driving CollabSessions over graphql-ws; measures
 * ack and fan-out latency, throughput, errors, server CPU and RSS; measures in the same run the
 * raw PostgreSQL commit rate (1 and 8 connections) and Redis PUBLISH rate, and writes
 * bench/results/collab-<scenario>.{json,md} (and collab-editors.svg for scenario a).
 *
 * Scenarios: (a) editors — editors on one document ramped at 1 op/s each; (b) hot — one document,
 * rising rate; (c) docs — many documents with 3 editors each; (d) idle — idle subscribed
 * connections and server RSS per connection. Each scenario gets fresh instances and bot processes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { dropDatabase, ensureDatabase, migrate } from '../lib/migrator/migrate.ts';
import { withDatabase } from '../lib/migrator/connection.ts';
import { measureBaselines, type Baselines } from './lib/baselines.ts';
import { createAccount, createDocuments, freePort, grantEditors, graphql, Instance, ROOT, runPrefix, signUpAccounts, type BenchAccount } from './lib/cluster.ts';
import { cpuBetween, idleBetween, sampleMachine, sampleProc, sampleTree, type ProcSample } from './lib/proc.ts';
import { servicePids, type ServicePids } from './lib/services-cpu.ts';
import { bestLoadPerSecond, bestStepOf, overloadSummary, overloadTarget } from './lib/overload.ts';
import { PgActivitySampler } from './lib/pg-activity.ts';
import { editorsSvg, markdownReport, type BenchResults, type IdleResult, type StepResult } from './lib/report.ts';
import { Histogram } from './lib/stats.ts';
import type { BotSpec, FromWorker, LightSpec, ToWorker } from './lib/worker-protocol.ts';

const { values: argv } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    instances: { type: 'string', default: '2' },
    'bot-procs': { type: 'string', default: '2' },
    'step-seconds': { type: 'string', default: '20' },
    'warmup-seconds': { type: 'string', default: '4' },
    'baseline-seconds': { type: 'string', default: '4' },
    editors: { type: 'string', default: '10,50,100,200,400,800' },
    'hot-editors': { type: 'string', default: '40' },
    // Of the hot document's editors, how many are full CollabSession bots (the rest are light
    // editors, each with an account of its own); default: --full-bots.
    'hot-full-bots': { type: 'string', default: '' },
    // Light editors (bench/lib/light-editor.ts), each with an account of its own: the light ramp
    // on one document (scenario "light"), the full CollabSession bots that run beside them and
    // must converge after every step, and for the hot document's overload step how many submissions
    // each keeps in flight and who types the overload's target: by default the ramp's own light
    // editors, faster (--hot-light-rate=R instead adds as many light editors as offer the target at
    // R each; --hot-light-editors=N fixes the count, each typing the target ÷ N).
    'light-editors': { type: 'string', default: '100,200,500,800' },
    'full-bots': { type: 'string', default: '10' },
    'hot-light-rate': { type: 'string', default: '0' },
    'hot-light-editors': { type: 'string', default: '' },
    'hot-light-in-flight': { type: 'string', default: '32' },
    'hot-rates': { type: 'string', default: '200,400,800,1200,1600,2400' },
    docs: { type: 'string', default: '1000' },
    'doc-editors': { type: 'string', default: '3' },
    'doc-rate': { type: 'string', default: '0.1' },
    'idle-connections': { type: 'string', default: '10000' },
    'idle-docs': { type: 'string', default: '100' },
    'stop-p99-ms': { type: 'string', default: '2000' },
    // The bots' ack timeout (resend of an unanswered op); the web editor uses CollabSession's 10 s.
    'ack-timeout-ms': { type: 'string', default: '10000' },
    // The hot document's overload step types this many times the ramp's best step's load (0: none).
    'hot-overload': { type: 'string', default: '3' },
    // Diagnosis: the servers' log level and a folder for their logs, extra server environment
    // (KEY=VALUE,…), and a pg_stat_activity timeline (JSON lines) of the bench database.
    'server-log-level': { type: 'string', default: 'warn' },
    'server-logs': { type: 'string' },
    'server-env': { type: 'string', default: '' },
    'server-node-args': { type: 'string', default: '' },
    'pg-activity': { type: 'string' },
    out: { type: 'string', default: path.join(ROOT, 'bench/results') },
  },
});

const num = (name: keyof typeof argv) => Number(argv[name]);
const list = (name: keyof typeof argv) => String(argv[name]).split(',').map(Number).filter((n) => n > 0);
const settings = {
  instances: num('instances'),
  botProcs: num('bot-procs'),
  stepSeconds: num('step-seconds'),
  warmupSeconds: num('warmup-seconds'),
  baselineSeconds: num('baseline-seconds'),
  editors: list('editors'),
  hotEditors: num('hot-editors'),
  hotFullBots: argv['hot-full-bots'] ? num('hot-full-bots') : null,
  lightEditors: list('light-editors'),
  fullBots: num('full-bots'),
  hotLightRate: num('hot-light-rate'),
  hotLightEditors: argv['hot-light-editors'] ? num('hot-light-editors') : null,
  hotLightInFlight: num('hot-light-in-flight'),
  hotRates: list('hot-rates'),
  docs: num('docs'),
  docEditors: num('doc-editors'),
  docRate: num('doc-rate'),
  idleConnections: num('idle-connections'),
  idleDocs: num('idle-docs'),
  stopP99Ms: num('stop-p99-ms'),
  hotOverload: num('hot-overload'),
  ackTimeoutMs: num('ack-timeout-ms'),
  serverLogLevel: String(argv['server-log-level']),
  serverEnv: String(argv['server-env']),
};
const serverEnv: Record<string, string> = {
  LOG_LEVEL: settings.serverLogLevel,
  ...Object.fromEntries(settings.serverEnv.split(',').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])),
};
let sampler: PgActivitySampler | null = null;
let services: ServicePids | null = null;
let benchDatabaseUrl: string | null = null;
let running: Cluster | null = null;
const scenarios = argv.scenario === 'all' ? ['idle', 'editors', 'light', 'hot', 'docs'] : String(argv.scenario).split(',');
for (const s of scenarios) if (!['editors', 'light', 'hot', 'docs', 'idle'].includes(s)) throw new Error(`unknown scenario "${s}" (editors, light, hot, docs, idle or all)`);

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

// --- cleanup: everything started is stopped, on success, failure or signal --------------------
const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | null = null;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch((error: unknown) => console.error('cleanup:', error));
  })());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// --- bot processes ----------------------------------------------------------------------------
class Worker {
  readonly child: ChildProcess;
  readonly #waiting: Array<(message: FromWorker) => void> = [];

  constructor() {
    this.child = fork(path.join(ROOT, 'bench/bot-worker.ts'), [], { execArgv: ['--import', 'tsx', '--max-old-space-size=4096'], cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: FromWorker) => this.#waiting.shift()?.(message));
    this.child.on('exit', (code) => {
      for (const waiter of this.#waiting.splice(0)) waiter({ type: 'settled', ok: false, detail: `bot process exited (${code})` });
    });
  }

  request<T extends FromWorker['type']>(message: ToWorker, expect: T): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#waiting.push((reply) => (reply.type === expect ? resolve(reply as Extract<FromWorker, { type: T }>) : reject(new Error(`bot process answered ${JSON.stringify(reply)} to ${message.type}`))));
      this.child.send(message);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    this.child.send({ type: 'close' } satisfies ToWorker);
    await exited;
    clearTimeout(timer);
  }
}

interface Cluster {
  readonly instances: Instance[];
  readonly workers: Worker[];
  /** The bench account's API token: it owns the documents, and every full bot authenticates with it. */
  readonly token: string;
  /** The bench account's session (it shares documents with the light editors' accounts). */
  readonly ownerCookie: string;
  close(): Promise<void>;
}

async function startCluster(databaseUrl: string, redisUrl: string, redisPrefix: string, scenario: string): Promise<Cluster> {
  const logs = argv['server-logs'];
  if (logs) mkdirSync(logs, { recursive: true });
  const instances = await Promise.all(
    Array.from(
      { length: settings.instances },
      async (_, k) => new Instance(await freePort(), { databaseUrl, redisUrl, redisPrefix, env: serverEnv, nodeArgs: String(argv['server-node-args']).split(' ').filter(Boolean), ...(logs ? { logFile: path.join(logs, `${scenario}-instance${k}.log`) } : {}) }),
    ),
  );
  const workers: Worker[] = [];
  const close = async () => {
    await Promise.allSettled(workers.map((w) => w.close()));
    await Promise.allSettled(instances.map((i) => i.stop()));
  };
  cleanups.push(close);
  await Promise.all(instances.map((i) => i.start()));
  const { token, cookie: ownerCookie } = await createAccount(instances[0]!.url);
  for (let i = 0; i < settings.botProcs; i++) workers.push(new Worker());
  return { instances, workers, token, ownerCookie, close };
}

const sampleAll = (pids: ReadonlyArray<number | null | undefined>) => pids.map((pid) => (pid ? sampleProc(pid) : null));

function procUse(before: ReadonlyArray<ProcSample | null>, after: ReadonlyArray<ProcSample | null>) {
  return after.map((b, i) => {
    const a = before[i];
    return { cpu: a && b ? cpuBetween(a, b) : Number.NaN, rssMb: b ? b.rssBytes / 1048576 : Number.NaN };
  });
}

/**
 * Opens bots across instances and bot processes; bot i is on instance i % K and process i % W.
 * Returns how many could not open (after retries): reported as the step's `openFailed` errors.
 */
async function openBots(cluster: Cluster, specs: readonly BotSpec[]): Promise<number> {
  const perWorker = cluster.workers.map((_, w) => specs.filter((_, i) => i % cluster.workers.length === w));
  const replies = await Promise.all(cluster.workers.map((w, i) => w.request({ type: 'open', token: cluster.token, bots: perWorker[i]!, concurrency: 25, ackTimeoutMs: settings.ackTimeoutMs }, 'opened')));
  const failed = replies.reduce((n, r) => n + r.failed, 0);
  if (failed > 0) log(`${failed} of ${specs.length} bots could not open: ${replies.find((r) => r.firstError)?.firstError}`);
  if (failed === specs.length && specs.length > 0) throw new Error('no bot could open');
  return failed;
}

/**
 * Light editors' accounts, one per light editor (light editor i uses account i): signed up
 * through the real sign-up route when first needed and kept for the rest of the run (the bench
 * database outlives each scenario's instances, and so do the sessions), so a step or scenario
 * needing no more editors than an earlier one signs nobody up.
 */
const lightAccounts: BenchAccount[] = [];
const lightAccountPrefix = `bench-light-${randomBytes(3).toString('hex')}-`;

/**
 * Opens light editors `from` … `from + count - 1` on one document, each signed in with an account
 * of its own (so the server's per-author rules, O5/O6, see people, not one author) that the bench
 * account has made an EDITOR of the document; instance i % K, process i % W.
 */
async function openLight(cluster: Cluster, documentId: string, from: number, count: number, seed: number, maxInFlight?: number): Promise<number> {
  if (count <= 0) return 0;
  const urls = cluster.instances.map((i) => i.url);
  let started = performance.now();
  const missing = from + count - lightAccounts.length;
  if (missing > 0) {
    lightAccounts.push(...(await signUpAccounts(urls, lightAccountPrefix, lightAccounts.length, missing)));
    log(`${missing} light editor accounts signed up in ${((performance.now() - started) / 1000).toFixed(1)} s (${lightAccounts.length} in all)`);
    started = performance.now();
  }
  const accounts = lightAccounts.slice(from, from + count);
  await grantEditors(urls[0]!, cluster.ownerCookie, documentId, accounts.map((a) => a.email));
  const specs: LightSpec[] = accounts.map((account, n) => {
    const i = from + n;
    return { name: `l${i}`, url: urls[i % urls.length]!, documentId, seed: seed + i, cookie: account.cookie, ...(maxInFlight ? { maxInFlight } : {}) };
  });
  const W = cluster.workers.length;
  const replies = await Promise.all(cluster.workers.map((w, k) => w.request({ type: 'open-light', editors: specs.filter((_, i) => (from + i) % W === k), concurrency: 25, ackTimeoutMs: settings.ackTimeoutMs }, 'opened')));
  const failed = replies.reduce((n, r) => n + r.failed, 0);
  log(`${count} light editors (accounts ${from}…${from + count - 1}) made EDITORs and opened in ${((performance.now() - started) / 1000).toFixed(1)} s` + (failed ? `; ${failed} failed: ${replies.find((r) => r.firstError)?.firstError}` : ''));
  if (failed === count) throw new Error('no light editor could open');
  return failed;
}

/** How many distinct authors the document's stored ops have (null without the bench database): light editors each count as one. */
async function authorsOf(documentId: string): Promise<number | null> {
  if (!benchDatabaseUrl) return null;
  const client = new pg.Client({ connectionString: benchDatabaseUrl });
  try {
    await client.connect();
    const row = (await client.query<{ n: string }>('SELECT count(DISTINCT author_id) AS n FROM operations WHERE document_id = $1', [documentId])).rows[0];
    return Number(row?.n ?? Number.NaN);
  } finally {
    await client.end().catch(() => {});
  }
}

const urlsFor = (cluster: Cluster, i: number) => {
  const urls = cluster.instances.map((x) => x.url);
  return [...urls.slice(i % urls.length), ...urls.slice(0, i % urls.length)];
};

/** Types for the warm-up, then measures one step of `seconds` at `opsPerSecond` per bot. */
async function measureStep(cluster: Cluster, label: string, editors: number, documents: number, opsPerSecond: number, openFailed = 0, light: { editors: number; opsPerSecond: number } = { editors: 0, opsPerSecond: 0 }): Promise<StepResult> {
  const all = (message: ToWorker, expect: FromWorker['type']) => Promise.all(cluster.workers.map((w) => w.request(message, expect)));
  const typing = { opsPerSecond, lightOpsPerSecond: light.opsPerSecond };
  sampler?.step(`${label} (warm-up)`);
  if (settings.warmupSeconds > 0) {
    await all({ type: 'type', ...typing, durationMs: settings.warmupSeconds * 1000 }, 'typed');
    await all({ type: 'settle', timeoutMs: 20_000 }, 'settled');
  }
  await all({ type: 'reset' }, 'reset-done');
  const serverPids = cluster.instances.map((i) => i.pid);
  const workerPids = cluster.workers.map((w) => w.child.pid);
  const sampleServices = () => [services?.postgres ? sampleTree(services.postgres) : null, services?.redis ? sampleProc(services.redis) : null];
  const xactsBefore = await transactions();
  const before = sampleAll([...serverPids, ...workerPids]);
  const servicesBefore = sampleServices();
  const machineBefore = sampleMachine();
  const started = performance.now();
  sampler?.step(label);
  await all({ type: 'type', ...typing, durationMs: settings.stepSeconds * 1000 }, 'typed');
  const seconds = (performance.now() - started) / 1000;
  const after = sampleAll([...serverPids, ...workerPids]);
  const servicesAfter = sampleServices();
  const machineIdle = idleBetween(machineBefore, sampleMachine());
  const xacts = (await transactions()) - xactsBefore;
  sampler?.step(`${label} (settle)`);
  const settled = (await all({ type: 'settle', timeoutMs: 30_000 }, 'settled')) as Array<Extract<FromWorker, { type: 'settled' }>>;
  await new Promise((resolve) => setTimeout(resolve, 500)); // the last ops' fan-out
  const reports = ((await all({ type: 'report' }, 'report')) as Array<Extract<FromWorker, { type: 'report' }>>).map((r) => r.report);
  // The full bots must hold exactly the server's document (light editors apply nothing, so they cannot be checked).
  const convergence = (await all({ type: 'converge', token: cluster.token, timeoutMs: 30_000 }, 'converged')) as Array<Extract<FromWorker, { type: 'converged' }>>;
  const diverged = convergence.flatMap((c) => c.diverged);
  const unreadable = convergence.flatMap((c) => c.unreadable);
  const notSettled = convergence.flatMap((c) => c.notSettled);
  const ack = new Histogram();
  const ackFromFirstSend = new Histogram();
  const errorAck = new Histogram();
  const fanout = new Histogram();
  const counters: Record<string, number> = {};
  const errorMessages: Record<string, string> = {};
  for (const r of reports) {
    ack.merge(r.ack);
    ackFromFirstSend.merge(r.ackFromFirstSend);
    errorAck.merge(r.errorAck);
    fanout.merge(r.fanout);
    for (const [k, v] of Object.entries(r.counters)) counters[k] = (counters[k] ?? 0) + v;
    for (const [code, message] of Object.entries(r.errorMessages)) errorMessages[code] ??= message;
  }
  if (sampler) {
    const seconds: Record<string, { sent: number; resent: number; acks: number; errors: number }> = {};
    for (const r of reports) {
      for (const [second, c] of Object.entries(r.timeline)) {
        const into = (seconds[second] ??= { sent: 0, resent: 0, acks: 0, errors: 0 });
        into.sent += c.sent;
        into.resent += c.resent;
        into.acks += c.acks;
        into.errors += c.errors;
      }
    }
    for (const [second, c] of Object.entries(seconds).sort((a, b) => Number(a[0]) - Number(b[0]))) {
      sampler.write({ bots: label, at: new Date(Number(second) * 1000).toISOString(), ...c });
    }
  }
  const errorsByCode = Object.fromEntries(Object.entries(counters).filter(([k, n]) => k.startsWith('error:') && n > 0).map(([k, n]) => [k.slice('error:'.length), n]));
  const use = procUse(before, after);
  const applied = (counters.acks ?? 0) - (counters.duplicates ?? 0);
  const serviceUse = procUse(servicesBefore, servicesAfter);
  const delivered = counters.received ?? 0;
  const result: StepResult = {
    label,
    editors,
    lightEditors: light.editors,
    documents,
    offeredPerSecond: (counters.keystrokes ?? 0) / seconds,
    submittedPerSecond: ((counters.submissions ?? 0) - (counters.resubmissions ?? 0)) / seconds,
    resentPerSecond: (counters.resubmissions ?? 0) / seconds,
    ...(light.editors ? { lightTypedPerSecond: (counters.lightKeystrokes ?? 0) / seconds, lightCommittedKeystrokesPerSecond: (counters.lightCommittedWhileTyping ?? 0) / seconds } : {}),
    committedPerSecond: applied / seconds,
    deliveriesPerSecond: (counters.received ?? 0) / seconds,
    ack: ack.summary(),
    ackFromFirstSend: ackFromFirstSend.summary(),
    errorAck: errorAck.summary(),
    fanout: fanout.summary(),
    errorsByCode,
    errorMessages,
    rateLimitedWithRetryAfter: counters.rateLimitedWithRetryAfter ?? 0,
    errors: {
      errorAnswers: counters.errorAnswers ?? 0,
      resubmissions: counters.resubmissions ?? 0,
      duplicates: counters.duplicates ?? 0,
      disconnects: counters.disconnects ?? 0,
      reloads: counters.reloads ?? 0,
      fatal: counters.fatal ?? 0,
      refusedKeystrokes: counters.refusedKeystrokes ?? 0,
      unsettled: settled.filter((s) => !s.ok).length,
      openFailed,
      diverged: diverged.length,
      // Documents whose full bots were not judged: the server answered their read with an error, or they did not settle in time.
      convergenceUnchecked: unreadable.length + notSettled.length,
      convergenceNotSettled: notSettled.length,
    },
    servers: use.slice(0, serverPids.length),
    loadGenerators: use.slice(serverPids.length),
    bottleneck: {
      // Deliveries are spread over the instances as the connections are (client i on instance i % K).
      serverMicrosPerDelivery: use.slice(0, serverPids.length).map((u) => (delivered > 0 ? (u.cpu * seconds * 1e6) / (delivered / serverPids.length) : Number.NaN)),
      postgresCpu: serviceUse[0]!.cpu,
      postgresTransactionsPerSecond: xacts / seconds,
      redisCpu: serviceUse[1]!.cpu,
      machineIdle,
      fullBotsChecked: convergence.reduce((n, c) => n + c.checked, 0),
    },
    seconds,
  };
  log(
    `${label}: typed ${Math.round(result.offeredPerSecond)}/s, sent (submissions, each once) ${Math.round(result.submittedPerSecond ?? Number.NaN)}/s, resent ${Math.round(result.resentPerSecond ?? Number.NaN)}/s, committed ${Math.round(result.committedPerSecond)}/s, ack p99 ${result.ack.p99} ms, fan-out p50/p99 ${result.fanout.p50}/${result.fanout.p99} ms, ` +
      `servers CPU ${result.servers.map((s) => Math.round(s.cpu * 100) + '%').join('/')}, bots CPU ${result.loadGenerators.map((s) => Math.round(s.cpu * 100) + '%').join('/')}` +
      ((result.errors.errorAnswers ?? 0) > 0 ? `, error answers ${JSON.stringify(errorsByCode)} (${result.rateLimitedWithRetryAfter} RATE_LIMITED with retryAfterSeconds; send → error p50/p99 ${result.errorAck.p50}/${result.errorAck.p99} ms)` : '') +
      (settled.some((s) => !s.ok) ? ` UNSETTLED: ${settled.map((s) => s.detail).join(' | ')}` : ''),
  );
  const b = result.bottleneck!;
  log(
    `  deliveries ${Math.round(result.deliveriesPerSecond)}/s, server µs/delivery ${b.serverMicrosPerDelivery.map((x) => x.toFixed(1)).join('/')}, PostgreSQL CPU ${Math.round(b.postgresCpu * 100)}%, ` +
      `Redis CPU ${Math.round(b.redisCpu * 100)}%, PostgreSQL transactions ${Math.round(b.postgresTransactionsPerSecond ?? Number.NaN)}/s, machine idle ${Math.round(b.machineIdle * 100)}%; full bots converged: ${b.fullBotsChecked - diverged.length}/${b.fullBotsChecked}` +
      (diverged.length ? ` DIVERGED: ${diverged.slice(0, 3).join('; ')}` : '') +
      (notSettled.length ? `; ${notSettled.length} documents not checked because their bots did not settle in time (${notSettled[0]})` : '') +
      (unreadable.length ? `; ${unreadable.length} documents not checked because the server answered their read with an error (${unreadable[0]})` : ''),
  );
  for (const [code, message] of Object.entries(errorMessages)) log(`  first ${code}: ${message}`);
  return result;
}

/**
 * Transactions committed or rolled back in the bench database so far (pg_stat_database; every
 * statement outside a transaction counts as one). PostgreSQL publishes these counters about once
 * a second, so a step's figure is good to a second's worth.
 */
async function transactions(): Promise<number> {
  if (!benchDatabaseUrl) return Number.NaN;
  const client = new pg.Client({ connectionString: benchDatabaseUrl });
  try {
    await client.connect();
    await client.query('SELECT pg_stat_clear_snapshot()');
    const row = (await client.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0];
    return Number(row?.n ?? Number.NaN);
  } catch {
    return Number.NaN;
  } finally {
    await client.end().catch(() => {});
  }
}

// --- scenarios --------------------------------------------------------------------------------
async function editorsScenario(cluster: Cluster): Promise<NonNullable<BenchResults['editors']>> {
  const [documentId] = await createDocuments(cluster.instances[0]!.url, cluster.token, 1, 'One document, many editors\n');
  const steps: StepResult[] = [];
  let open = 0;
  for (const editors of settings.editors) {
    const specs: BotSpec[] = [];
    for (let i = open; i < editors; i++) specs.push({ name: `e${i}`, urls: urlsFor(cluster, i), documentId: documentId!, seed: 1000 + i });
    const openFailed = await openBots(cluster, specs);
    open = editors;
    const step = await measureStep(cluster, `editors=${editors}`, editors, 1, 1, openFailed);
    steps.push(step);
    if (step.fanout.p99 > settings.stopP99Ms) {
      log(`p99 fan-out ${step.fanout.p99} ms > ${settings.stopP99Ms} ms: stopping the ramp`);
      break;
    }
  }
  const passing = steps.filter((s) => s.fanout.p99 < 100 && s.errors.unsettled === 0 && s.errors.fatal === 0 && s.errors.openFailed === 0);
  return { steps, largestUnder100ms: passing.length ? Math.max(...passing.map((s) => s.editors)) : null };
}

/**
 * (a′) The editors ramp with light editors: each step has `--full-bots` full CollabSession bots
 * (always, checked for convergence) and the rest light editors, all on one document at 1 op/s.
 */
async function lightScenario(cluster: Cluster): Promise<NonNullable<BenchResults['light']>> {
  const [documentId] = await createDocuments(cluster.instances[0]!.url, cluster.token, 1, 'One document, many light editors\n');
  const full = settings.fullBots;
  let openFailed = await openBots(cluster, Array.from({ length: full }, (_, i) => ({ name: `f${i}`, urls: urlsFor(cluster, i), documentId: documentId!, seed: 3000 + i })));
  const steps: StepResult[] = [];
  let open = 0;
  for (const editors of settings.lightEditors) {
    openFailed += await openLight(cluster, documentId!, open, editors - open, 20_000);
    open = Math.max(open, editors);
    const step = await measureStep(cluster, `light editors=${editors} + ${full} full`, editors + full, 1, 1, openFailed, { editors, opsPerSecond: 1 });
    steps.push(step);
    log(`  the document's ops so far have ${await authorsOf(documentId!)} distinct authors (the bench account's full bots count as one, each light editor as one)`);
    if (step.fanout.p99 > settings.stopP99Ms) {
      log(`p99 fan-out ${step.fanout.p99} ms > ${settings.stopP99Ms} ms: stopping the ramp`);
      break;
    }
  }
  const passing = steps.filter((s) => s.fanout.p99 < 100 && s.errors.unsettled === 0 && s.errors.fatal === 0 && s.errors.openFailed === 0 && s.errors.diverged === 0 && s.errors.convergenceUnchecked === 0 && s.errors.errorAnswers === 0);
  return { steps, largestUnder100ms: passing.length ? Math.max(...passing.map((s) => s.editors)) : null };
}

async function hotScenario(cluster: Cluster): Promise<NonNullable<BenchResults['hot']>> {
  const [documentId] = await createDocuments(cluster.instances[0]!.url, cluster.token, 1, 'One hot document\n');
  // The ramp's editors: a few full CollabSession bots (the correctness check: they must converge
  // with the server after every step) and light editors. A full bot has one submission in flight
  // and composes what is typed meanwhile, so with full bots alone the committed rate is bounded by
  // editors ÷ ack latency, a property of the client, and their client-side OT (~25 µs per op
  // received) takes CPU from the servers on this machine; light editors send op by op, up to
  // `--hot-light-in-flight` at once, as a browser tab with a deeper pipeline would.
  const editors = settings.hotEditors;
  const full = Math.min(editors, settings.hotFullBots ?? settings.fullBots);
  const rampLight = editors - full;
  let openFailed = await openBots(cluster, Array.from({ length: full }, (_, i) => ({ name: `h${i}`, urls: urlsFor(cluster, i), documentId: documentId!, seed: 5000 + i })));
  if (rampLight > 0) openFailed += await openLight(cluster, documentId!, 0, rampLight, 7000, settings.hotLightInFlight);
  const steps: StepResult[] = [];
  for (const rate of settings.hotRates) {
    const step = await measureStep(
      cluster,
      `hot offered=${rate}/s (${full} full bots + ${rampLight} light editors at ${Math.round((rate / editors) * 10) / 10}/s each)`,
      editors,
      1,
      rate / editors,
      openFailed,
      rampLight > 0 ? { editors: rampLight, opsPerSecond: rate / editors } : undefined,
    );
    steps.push(step);
    if (step.ack.p99 > settings.stopP99Ms) {
      log(`p99 ack ${step.ack.p99} ms > ${settings.stopP99Ms} ms: stopping the ramp`);
      break;
    }
  }
  const passing = steps.filter((s) => s.ack.p99 < 100 && s.errors.unsettled === 0 && s.errors.fatal === 0 && s.errors.openFailed === 0);
  const maxSustained = passing.length ? Math.max(...passing.map((s) => s.committedPerSecond)) : null;
  if (settings.hotOverload <= 0 || steps.length === 0) return { steps, maxSustained };
  // Overload: offer a multiple of the best step's load, whatever its latency was: the larger of its
  // committed ops/s and its keystrokes typed per second (near the limit editors compose, so the
  // two part; a multiple of the larger is that multiple in either unit). What is offered is
  // what is typed: an editor refused backs off and composes, so its ops grow rather than multiply
  // (counted through the settle, submissions sent equal commits apart from failures). The full
  // bots cannot offer much more than in the ramp (each costs ~25 µs of client CPU per op received,
  // and a CollabSession has one submission in flight, so it composes the rest): they keep the
  // best step's rate, as the correctness check. Light editors type the target by themselves (the
  // ramp's, or with `--hot-light-rate` as many as type it at that rate), each with up to
  // `--hot-light-in-flight` submissions in flight; the bots' typing comes on top.
  const bestStep = bestStepOf(steps);
  const best = bestLoadPerSecond(bestStep);
  // The full bots keep the best step's rate per editor, which they sustained.
  const botRate = settings.hotRates[steps.indexOf(bestStep)]! / editors;
  const target = overloadTarget(steps, settings.hotOverload);
  // Light editors offer the target by themselves: by default the ramp's, typing faster. More
  // people instead (--hot-light-rate) makes the step measure fan-out to them (each op goes to
  // every editor: 171 editors at 3× took 64,604 deliveries/s and every spare cycle of this
  // machine's two cores, bots included; issue 16), not how the write path sheds load.
  const lightCount = Math.max(rampLight, settings.hotLightEditors ?? (settings.hotLightRate > 0 ? Math.ceil(target / settings.hotLightRate) : 0));
  const useLight = lightCount > 0;
  const lightRate = useLight ? target / lightCount : 0;
  if (lightCount > rampLight) openFailed += await openLight(cluster, documentId!, rampLight, lightCount - rampLight, 7000, settings.hotLightInFlight);
  const step = await measureStep(
    cluster,
    `hot overload target=${target}/s offered (${settings.hotOverload}× the best step's load ${Math.round(best)}/s +10 %: ${full} full bots at ${Math.round(botRate * 10) / 10}/s each` +
      (useLight ? ` + ${lightCount} light editors at ${Math.round(lightRate * 10) / 10}/s each, ≤ ${settings.hotLightInFlight} in flight)` : ')'),
    full + lightCount,
    1,
    useLight ? botRate : target / full,
    openFailed,
    useLight ? { editors: lightCount, opsPerSecond: lightRate } : undefined,
  );
  if (useLight) log(`  the hot document's ops so far have ${await authorsOf(documentId!)} distinct authors (the bench account's full bots count as one, each light editor as one)`);
  const overload = { step, summary: overloadSummary(steps, step) };
  const o = overload.summary;
  log(
    `overload: typed ${Math.round(o.typedPerSecond)} keystrokes/s = ${o.typedRatio.toFixed(2)}× the best step's load (${Math.round(o.bestLoadPerSecond)}/s at ${o.bestLabel}; committed ${Math.round(o.bestCommittedPerSecond)}/s), sent ${Math.round(o.submittedPerSecond)} submissions/s; committed ${Math.round(o.committedPerSecond)}/s = ` +
      `${o.committedRatio.toFixed(2)}× the best; ${o.errorAnswers} error answers, ${Math.round(o.rateLimitedShare * 100)} % RATE_LIMITED with retryAfterSeconds; accepted ack p99 ${o.acceptedAckP99} ms`,
  );
  return { steps, maxSustained, overload };
}

async function docsScenario(cluster: Cluster): Promise<NonNullable<BenchResults['docs']>> {
  log(`creating ${settings.docs} documents`);
  const ids = await createDocuments(cluster.instances[0]!.url, cluster.token, settings.docs);
  const specs: BotSpec[] = [];
  ids.forEach((documentId, d) => {
    for (let e = 0; e < settings.docEditors; e++) {
      const i = d * settings.docEditors + e;
      specs.push({ name: `d${d}e${e}`, urls: urlsFor(cluster, i), documentId, seed: 9000 + i });
    }
  });
  log(`opening ${specs.length} bots`);
  const openFailed = await openBots(cluster, specs);
  const step = await measureStep(cluster, `docs=${ids.length}×${settings.docEditors}`, specs.length, ids.length, settings.docRate, openFailed);
  return { steps: [step] };
}

async function idleScenario(cluster: Cluster): Promise<IdleResult> {
  const ids = await createDocuments(cluster.instances[0]!.url, cluster.token, settings.idleDocs, 'Idle\n');
  const n = settings.idleConnections;
  const K = cluster.instances.length;
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const before = sampleAll(cluster.instances.map((i) => i.pid));
  const conns = Array.from({ length: n }, (_, i) => ({ url: cluster.instances[i % K]!.url, documentId: ids[i % ids.length]! }));
  const W = cluster.workers.length;
  log(`opening ${n} idle subscribed connections`);
  const replies = await Promise.all(
    cluster.workers.map((w, k) => w.request({ type: 'idle', token: cluster.token, conns: conns.filter((_, i) => i % W === k), concurrency: 50 }, 'idle-ready')),
  );
  const failed = replies.reduce((s, r) => s + r.failed, 0);
  if (failed > 0) log(`${failed} idle connections failed: ${replies.find((r) => r.firstError)?.firstError}`);
  // Let subscriptions finish starting and the heap settle before reading RSS.
  await new Promise((resolve) => setTimeout(resolve, 8000));
  const after = sampleAll(cluster.instances.map((i) => i.pid));
  // Prove they are subscribed: one op per document must reach every connection.
  await Promise.all(cluster.workers.map((w) => w.request({ type: 'reset' }, 'reset-done')));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < ids.length) {
        const documentId = ids[next++]!;
        await graphql(cluster.instances[0]!.url, { authorization: `Bearer ${cluster.token}` }, 'mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { version } }', {
          input: { documentId, baseVersion: 0, clientId: 'idle-probe', clientSeq: 1, delta: { ops: [{ insert: 'x' }] } },
        });
      }
    }),
  );
  let delivered = 0;
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const reports = (await Promise.all(cluster.workers.map((w) => w.request({ type: 'report' }, 'report')))).map((r) => r.report);
    delivered = reports.reduce((s, r) => s + (r.counters.idleReceived ?? 0), 0);
    if (delivered >= n - failed) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const perInstance = cluster.instances.map((_, k) => {
    const count = conns.filter((_, i) => i % K === k).length;
    const b = before[k]?.rssBytes ?? Number.NaN;
    const a = after[k]?.rssBytes ?? Number.NaN;
    return { connections: count, rssBeforeMb: b / 1048576, rssAfterMb: a / 1048576, bytesPerConnection: (a - b) / count };
  });
  const bytesPerConnection = perInstance.reduce((s, p) => s + (p.rssAfterMb - p.rssBeforeMb) * 1048576, 0) / (n - failed);
  log(`idle: ${n - failed} connections, ${delivered} deliveries, ${(bytesPerConnection / 1024).toFixed(1)} KB RSS per connection`);
  return { connections: n - failed, failed, documents: ids.length, delivered, perInstance, bytesPerConnection };
}

// --- main -------------------------------------------------------------------------------------
async function machine(databaseUrl: string, redisUrl: string): Promise<Record<string, string | number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const pgVersion = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  const fsync = (await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit ?? '?';
  await client.end();
  const redis = new Redis(redisUrl);
  const info = await redis.info('server');
  redis.disconnect();
  return {
    cpus: os.cpus().length,
    'cpu model': os.cpus()[0]?.model ?? '?',
    'memory GB': Math.round(os.totalmem() / 1073741824),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgresql: `${pgVersion} (synchronous_commit=${fsync})`,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? '?',
    'note': 'shared machine: other engineers\' test runs may use the same cores; compare figures as ratios of the baselines of the same run',
  };
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const base = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databaseUrl = withDatabase(base, `verso_bench_${process.pid}_${randomBytes(3).toString('hex')}`);
  await ensureDatabase(databaseUrl);
  cleanups.push(() => dropDatabase(databaseUrl));
  await migrate(databaseUrl);
  services = await servicePids(databaseUrl, redisUrl);
  benchDatabaseUrl = databaseUrl;
  const redisPrefix = runPrefix('bench');
  const results: { -readonly [K in keyof BenchResults]: BenchResults[K] } = {
    machine: await machine(databaseUrl, redisUrl),
    startedAt,
    finishedAt: '',
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    settings,
    baselines: undefined as unknown as Baselines,
  };
  if (argv['pg-activity']) {
    sampler = new PgActivitySampler(databaseUrl, String(argv['pg-activity']), () => running?.instances.map((i) => i.url) ?? []);
    await sampler.start();
    cleanups.push(async () => sampler?.stop());
  }
  log(`baselines (${settings.baselineSeconds} s each)`);
  results.baselines = await measureBaselines(databaseUrl, redisUrl, redisPrefix, settings.baselineSeconds);
  log(`PostgreSQL INSERT commits/s: 1 conn ${Math.round(results.baselines.pgInsert1)}, 8 conns ${Math.round(results.baselines.pgInsert8)}; Redis PUBLISH/s ${Math.round(results.baselines.redisPublish)}`);
  for (const scenario of scenarios) {
    log(`scenario ${scenario}: starting ${settings.instances} instances and ${settings.botProcs} bot processes`);
    const cluster = await startCluster(databaseUrl, redisUrl, redisPrefix, scenario);
    running = cluster;
    try {
      if (scenario === 'editors') results.editors = await editorsScenario(cluster);
      if (scenario === 'light') results.light = await lightScenario(cluster);
      if (scenario === 'hot') results.hot = await hotScenario(cluster);
      if (scenario === 'docs') results.docs = await docsScenario(cluster);
      if (scenario === 'idle') results.idle = await idleScenario(cluster);
    } finally {
      await cluster.close();
    }
  }
  results.finishedAt = new Date().toISOString();
  const name = argv.scenario === 'all' ? 'all' : scenarios.join('-');
  mkdirSync(String(argv.out), { recursive: true });
  writeFileSync(path.join(String(argv.out), `collab-${name}.json`), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(path.join(String(argv.out), `collab-${name}.md`), markdownReport(results));
  if (results.editors) writeFileSync(path.join(String(argv.out), 'collab-editors.svg'), editorsSvg(results.editors.steps, 'Verso: latency against editors on one document'));
  console.log('\n' + markdownReport(results));
  log(`written to ${path.relative(ROOT, String(argv.out))}/collab-${name}.{json,md}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
