/**
 * Creates and closes the process-wide services: three PostgreSQL pools (main, write, feed: see
 * `Config.dbPools`), one Redis command connection,
 * one pair of pub/sub connections, and the sequencing, presence and rate limits built on them.
 * Without Redis (`config.redisUrl` null) the pub/sub connections, presence and rate limits are
 * in-process equivalents behind the same interfaces: one instance only.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Services } from '../../graphql/context.ts';
import type { Config } from '../config.ts';
import { createRedisRateLimiter } from '../rate-limit/redis-rate-limiter.ts';
import { createSequencer } from '../collab/sequencer.ts';
import { createOpBatcher } from '../collab/op-batcher.ts';
import { createPrisma } from '../db/prisma.ts';
import { createPrismaOpStore } from '../db/op-store.ts';
import { createUserDirectory } from '../db/users.ts';
import { createInProcessPresence } from '../presence/in-process-presence.ts';
import { createInProcessRateLimiter } from '../rate-limit/in-process-rate-limiter.ts';
import type { Logger } from '../logger.ts';
import { createMetrics, instrumentRateLimiter, instrumentSequencer, observeFanoutLag } from '../metrics/metrics.ts';
import { createRedisPresence } from '../presence/redis-presence.ts';
import { createRedisBroadcaster } from '../pubsub/redis-broadcaster.ts';
import { CLAIM_LEASE_SCRIPT, routeToDocumentWriters } from '../pubsub/document-writers.ts';
import { openInProcessPubSub } from '../pubsub/in-process-hub.ts';
import { openRedisPubSub, REDIS_COMMAND_TIMEOUT_MS } from '../pubsub/redis-connections.ts';
import { createAccessEvents } from '../pubsub/access-events.ts';
import { createDocumentAccess } from '../documents/access.ts';
import { createDocumentReads } from '../documents/reads.ts';
import { createDocuments } from '../documents/documents.ts';
import { createDocumentExports } from '../documents/export.ts';
import { createComments } from '../documents/comments.ts';
import { createCommentEvents } from '../documents/comments-events.ts';
import { createSharing } from '../documents/sharing.ts';
import { createHistory } from '../documents/history.ts';
import { createOperations } from '../documents/operations.ts';
import { createSuggestions } from '../documents/suggestions.ts';
import { createHeadReader } from '../documents/suggestions-heads.ts';
import { createPrismaBlameStore } from '../db/blame-store.ts';

/** Creates the services for `config`; `databaseUrl` is the PostgreSQL to use (embedded or not). */
export async function createServices(config: Config, logger: Logger, databaseUrl: string): Promise<Services> {
  const metrics = createMetrics();
  const prisma = createPrisma(databaseUrl, { maxConnections: config.dbPools.main, onError: () => metrics.postgresErrors.inc() });
  // Feeds (catch-ups, refills), document loads and snapshots: their own pool, so a thousand
  // editors opening documents cannot take the connections sign-in and grant reads need.
  const feedPrisma = createPrisma(databaseUrl, { maxConnections: config.dbPools.feed, onError: () => metrics.postgresErrors.inc() });
  let redis: Redis | null = null;
  if (config.redisUrl !== null) {
    redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
    redis.on('error', (error) => {
      metrics.redisErrors.inc({ connection: 'command' });
      logger.warn({ err: error }, 'redis command connection error');
    });
    await redis.connect();
  }
  const pubsub =
    config.redisUrl !== null
      ? openRedisPubSub(config.redisUrl, (error) => {
          metrics.redisErrors.inc({ connection: 'pubsub' });
          logger.warn({ err: error }, 'redis pub/sub connection error');
        })
      : openInProcessPubSub();
  // The write path (issue 13): one pool for commits alone; the sequencer commits at most as
  // many batches at once as it has connections, so a commit never waits for a connection.
  // On PostgreSQL itself its statements are prepared (lib/db/commit.ts; DB_PREPARED_STATEMENTS)
  // and always run their generic plan: every one finds rows by key, so a plan made for the values
  // at hand is no better, and planning the conditional commit again per call cost as much CPU as
  // running it. A startup option of the pool's connections, added to PGOPTIONS (an explicit
  // `options` replaces PGOPTIONS in pg); an `options` in DATABASE_URL's query wins over both.
  const prepared = config.databaseUrl !== null && config.dbPreparedStatements;
  const writePool = new pg.Pool({
    connectionString: databaseUrl,
    max: config.dbPools.write,
    connectionTimeoutMillis: 15_000,
    idleTimeoutMillis: 30_000,
    ...(prepared ? { options: [process.env.PGOPTIONS, '-c plan_cache_mode=force_generic_plan'].filter(Boolean).join(' ') } : {}),
  });
  writePool.on('error', (error) => {
    // An idle connection died (PostgreSQL restarted): the pool replaces it; never fatal.
    metrics.postgresErrors.inc();
    logger.warn({ err: error }, 'write pool connection error');
  });
  const store = createPrismaOpStore(feedPrisma, { pool: writePool, preparedStatements: prepared, onCommitPath: (path) => metrics.commits.inc({ path }) });
  const broadcaster = createRedisBroadcaster({ connections: pubsub, prefix: config.redisPrefix });
  // documentOperationBatches: one Redis subscription per document for the process, one array per
  // flush for every subscriber; fan-out lag is recorded once per op, when its batch is flushed.
  const batcher = createOpBatcher({
    broadcaster,
    windowMs: config.opsBatchWindowMs,
    messagesPerSecond: config.opsBatchMessagesPerSecond || Number.POSITIVE_INFINITY,
    maxWindowMs: config.opsBatchMaxWindowMs,
    onFlush: (_documentId, batch) => observeFanoutLag(metrics, batch),
  });
  const sequencer = createSequencer({
    store,
    broadcaster,
    // Known heads follow every instance's commits.
    follow: broadcaster,
    snapshotEvery: config.snapshotEvery,
    catchUp: config.catchUp,
    cacheMaxBytes: config.knownHeadsMaxBytes,
    limits: {
      maxQueued: config.submitQueue.max,
      deadlineMs: config.submitQueue.deadlineMs,
      maxWaitMs: config.submitQueue.maxWaitMs,
      maxConcurrentBatches: config.dbPools.write,
    },
    onOverload: (reason) => metrics.submitOverload.inc({ reason }),
    onAfterCommitError: (error, op) =>
      logger.error({ err: error, documentId: op.documentId, version: op.version }, 'publish or snapshot failed after commit'),
  });
  const presenceOptions = { connections: pubsub, prefix: config.redisPrefix, ttlMs: config.presenceTtlMs };
  const presence = redis ? createRedisPresence({ ...presenceOptions, redis }) : createInProcessPresence(presenceOptions);
  const rateLimiter = instrumentRateLimiter(redis ? createRedisRateLimiter(redis, config.redisPrefix) : createInProcessRateLimiter(), metrics);
  // One writer per document across instances (issue 13), when there are instances to route between.
  const routed =
    redis && config.writerRouting
      ? await routeToDocumentWriters({
          local: sequencer,
          connections: pubsub,
          lease: { claim: async (key, self, ms) => String(await redis!.eval(CLAIM_LEASE_SCRIPT, 1, key, self, String(ms))) },
          prefix: config.redisPrefix,
          // Past the writer's queue deadline, and with the receipt (500 ms) below the client's 10 s ack timeout.
          answerTimeoutMs: Math.min(config.submitQueue.deadlineMs + 1_000, 9_000),
          onRoute: (route) => metrics.writerRoutes.inc({ route }),
          onBadMessage: (channel) => logger.warn({ channel }, 'ignored a message on a document-writer channel that is not one'),
        })
      : null;
  const instrumentedSequencer = instrumentSequencer(routed ?? sequencer, metrics);
  const blame = createPrismaBlameStore(prisma);
  const access = createDocumentAccess({ prisma, rateLimiter, config });
  const reads = createDocumentReads(store);
  const accessEvents = createAccessEvents(pubsub, config.redisPrefix);
  const heads = createHeadReader(store);
  const operations = createOperations({ access, store, sequencer: instrumentedSequencer, rateLimiter, config });
  const services: Services = {
    config,
    logger,
    prisma,
    redis,
    pubsub,
    collab: { store, broadcaster, sequencer: instrumentedSequencer, batcher },
    presence,
    rateLimiter,
    accessEvents,
    users: createUserDirectory(prisma),
    metrics,
    access,
    reads,
    documents: createDocuments({ prisma, store, access, accessEvents }),
    operations,
    sharing: createSharing({ prisma, access, accessEvents, rateLimiter, config }),
    history: createHistory({ prisma, store, reads, access, operations, blame, config }),
    exports: createDocumentExports({ access, reads }),
    comments: createComments({
      prisma,
      store,
      access,
      events: createCommentEvents(pubsub, config.redisPrefix, (error) => logger.warn({ err: error }, 'comment event not published')),
      rateLimiter,
      rule: config.rateLimits.comments,
    }),
    blame,
    suggestions: createSuggestions({ access, store, operations, heads }),
  };
  if (routed) routedSequencers.set(services, routed);
  privateClosers.set(services, async () => {
    await writePool.end();
    await feedPrisma.$disconnect();
  });
  return services;
}

/** What closeServices must also close that the Services interface does not carry. */
const privateClosers = new WeakMap<Services, () => Promise<void>>();
/** The document-writer router, closed first: it stops taking other instances' submissions and answers those it serves. */
const routedSequencers = new WeakMap<Services, { close(): Promise<void> }>();

export async function closeServices(services: Services): Promise<void> {
  services.presence.close();
  await routedSequencers.get(services)?.close().catch(() => {});
  // Answered ops may still be publishing (and snapshotting): let that finish, but not forever.
  await Promise.race([services.collab.sequencer.settle?.(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]).catch(() => {});
  await privateClosers.get(services)?.().catch(() => {});
  await Promise.allSettled([services.prisma.$disconnect(), services.redis?.quit(), services.pubsub.close()]);
}

/**
 * Whether PostgreSQL and Redis each answer within `timeoutMs`. `redis` is 'not configured' without
 * REDIS_URL (in-process pub/sub), else true only when the command connection answers a PING and
 * both pub/sub connections are up. PostgreSQL alone decides readiness: without Redis an instance
 * still saves and serves every edit (live fan-out to other instances pauses), so it is `degraded`.
 */
export async function servicesReady(
  services: Services,
  timeoutMs = 2000,
): Promise<{ status: 'ready' | 'degraded' | 'unavailable'; postgres: boolean; redis: boolean | 'not configured' }> {
  const within = <T>(p: Promise<T>) =>
    Promise.race([p.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref())]).catch(() => false);
  const [postgres, redis] = await Promise.all([
    within(services.prisma.$queryRaw`SELECT 1`),
    services.redis ? within(services.redis.ping()).then((ok) => ok && services.pubsub.available()) : Promise.resolve('not configured' as const),
  ]);
  return { status: !postgres ? 'unavailable' : redis === false ? 'degraded' : 'ready', postgres, redis };
}
