/**
 * Prometheus metrics of one server instance (prom-client), served at `/api/metrics`.
 *
 * Each server has a registry of its own (tests run several servers in one process). Counters are
 * per instance; Prometheus sums them across instances.
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppliedOp } from '../collab/types.ts';
import type { Sequencer } from '../collab/sequencer.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';

/** The instruments Verso updates; names are the exported metric names. */
export interface VersoMetrics {
  readonly registry: Registry;
  /** `verso_ops_applied_total{outcome="applied"|"duplicate"|"rejected"}`. */
  readonly opsApplied: Counter<'outcome'>;
  /** `verso_op_ack_seconds`: submit received by the sequencer → answer (transform + commit). */
  readonly ackLatency: Histogram;
  /** `verso_fanout_lag_seconds`: an op's commit time → its delivery to a subscriber on this instance. */
  readonly fanoutLag: Histogram;
  /** `verso_websocket_connections`: open graphql-ws sockets on this instance. */
  readonly wsConnections: Gauge;
  /** `verso_postgres_errors_total`: errors the database client reported. */
  readonly postgresErrors: Counter;
  /** `verso_redis_errors_total{connection}`: Redis connection errors (commands, pubsub). */
  readonly redisErrors: Counter<'connection'>;
  /** `verso_rate_limited_total{rule}`: refused attempts per rate-limit rule. */
  readonly rateLimitHits: Counter<'rule'>;
  /** `verso_submit_overload_total{reason="queue-full"|"deadline"|"document-busy"|"document-filling"}`: submissions the write path refused for load (`RATE_LIMITED`). */
  readonly submitOverload: Counter<'reason'>;
  readonly writerRoutes: Counter<'route'>;
  /** `verso_commits_total{path}`: batches committed, by how (statement, caught-up, locked, duplicate, nothing). */
  readonly commits: Counter<'path'>;
  /** `verso_known_heads_bytes` / `verso_known_heads_entries`: the sequencer's known heads (K4), read at each scrape from `observeKnownHeads`' source. */
  readonly knownHeadsBytes: Gauge;
  readonly knownHeadsEntries: Gauge;
  readonly observeKnownHeads: (source: () => { readonly bytes: number; readonly entries: number }) => void;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A new registry with Verso's instruments and Node's default process metrics. */
export function createMetrics(): VersoMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'verso_process_' });
  const registers = [registry];
  let knownHeads = () => ({ bytes: 0, entries: 0 });
  return {
    registry,
    opsApplied: new Counter({ name: 'verso_ops_applied_total', help: 'Operations answered by the sequencer, by outcome.', labelNames: ['outcome'], registers }),
    ackLatency: new Histogram({ name: 'verso_op_ack_seconds', help: 'Time from a submit reaching the sequencer to its answer (transform and commit).', buckets: LATENCY_BUCKETS, registers }),
    fanoutLag: new Histogram({ name: 'verso_fanout_lag_seconds', help: "Time from an op's commit to its delivery on this instance, once per op (when the batch stream flushes it; an instance whose subscribers all follow documentOperations records none).", buckets: LATENCY_BUCKETS, registers }),
    wsConnections: new Gauge({ name: 'verso_websocket_connections', help: 'Open WebSocket connections on this instance.', registers }),
    postgresErrors: new Counter({ name: 'verso_postgres_errors_total', help: 'Errors reported by the PostgreSQL client (failed queries, unreachable server).', registers }),
    redisErrors: new Counter({ name: 'verso_redis_errors_total', help: 'Redis connection errors, by connection.', labelNames: ['connection'], registers }),
    rateLimitHits: new Counter({ name: 'verso_rate_limited_total', help: 'Attempts refused by a rate limit, by rule.', labelNames: ['rule'], registers }),
    submitOverload: new Counter({
      name: 'verso_submit_overload_total',
      help: 'Submissions the write path refused for load (RATE_LIMITED): queue-full at arrival, deadline after waiting, document-busy when its author\'s queued ops for its document would keep it waiting longer than SUBMIT_MAX_WAIT_MS, document-filling when refused by chance past half of that (O5 early refusals).',
      labelNames: ['reason'],
      registers,
    }),
    writerRoutes: new Counter({
      name: 'verso_writer_routes_total',
      help: "Submissions by where they were sequenced (one writer per document): local (this instance is the document's writer), forwarded (to the writer), served (here for another instance), fallback (here though another instance holds the lease: it could not be asked, or the op is over 64 KiB), unrouted (here: the lease could not be read, Redis away or slow).",
      labelNames: ['route'],
      registers,
    }),
    commits: new Counter({
      name: 'verso_commits_total',
      help: 'Batches committed, by path: statement, caught-up (after catch-up reads), locked (fallback), duplicate (a stored key), nothing.',
      labelNames: ['path'],
      registers,
    }),
    knownHeadsBytes: new Gauge({ name: 'verso_known_heads_bytes', help: 'Estimated bytes of the known heads (content + tail) this instance keeps (bound: KNOWN_HEADS_MAX_BYTES).', registers, collect() { this.set(knownHeads().bytes); } }),
    knownHeadsEntries: new Gauge({ name: 'verso_known_heads_entries', help: 'Documents whose known head this instance keeps.', registers, collect() { this.set(knownHeads().entries); } }),
    observeKnownHeads: (source) => { knownHeads = source; },
  };
}

/** The sequencer, timing each submit and counting its outcome. */
export function instrumentSequencer(sequencer: Sequencer, metrics: VersoMetrics): Sequencer {
  metrics.observeKnownHeads(() => sequencer.cacheUsage());
  return {
    ...sequencer,
    async submit(input) {
      const stop = metrics.ackLatency.startTimer();
      const result = await sequencer.submit(input);
      stop();
      metrics.opsApplied.inc({ outcome: result.kind });
      return result;
    },
  };
}

/**
 * Records fan-out lag once per op on this instance: called when the batcher flushes a document's
 * ops to its subscribers (however many they are), never per subscriber or per stream.
 */
export function observeFanoutLag(metrics: VersoMetrics, ops: readonly AppliedOp[]): void {
  const now = Date.now();
  // Commit time is the committing instance's clock: across machines this includes skew.
  for (const op of ops) metrics.fanoutLag.observe(Math.max(0, now - op.createdAt.getTime()) / 1000);
}

/** The rate limiter, counting refusals per rule. */
export function instrumentRateLimiter(limiter: RateLimiter, metrics: VersoMetrics): RateLimiter {
  return {
    async consume(name, rule, subject) {
      const decision = await limiter.consume(name, rule, subject);
      if (!decision.allowed) metrics.rateLimitHits.inc({ rule: name });
      return decision;
    },
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/**
 * Who may read `/api/metrics`: with a token configured, a request bearing it (compared in
 * constant time); without one, only a direct loopback request — one that carries proxy headers
 * came through a reverse proxy on this machine on behalf of someone else, so it is refused.
 */
export function metricsAllowed(req: IncomingMessage, token: string | null): boolean {
  if (token !== null) {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!match?.[1]) return false;
    const digest = (value: string) => createHash('sha256').update(value).digest();
    return timingSafeEqual(digest(match[1]), digest(token));
  }
  if (PROXY_HEADERS.some((name) => req.headers[name] !== undefined)) return false;
  return LOOPBACK.test(req.socket.remoteAddress ?? '');
}
