/**
 * Configuration from the environment, validated once at start.
 *
 * Every setting has a default that works on a developer machine with nothing installed: without
 * DATABASE_URL the server runs an embedded PostgreSQL (PGlite) under DATA_DIR, and without
 * REDIS_URL it keeps fan-out, presence and rate limits in the process (one instance only).
 * Production (NODE_ENV=production, what `npm start` sets) needs AUTH_SECRET, except in that
 * single-instance mode, where one is generated once into DATA_DIR.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export interface Config {
  /**
   * PostgreSQL connection string: the source of truth for everything durable. Null (DATABASE_URL
   * unset): an embedded PostgreSQL (PGlite) keeps the data under `dataDir`.
   */
  readonly databaseUrl: string | null;
  /**
   * Redis connection string: fan-out, presence and rate limits only (nothing durable). Null
   * (REDIS_URL unset): all of that stays inside this process, which then must be the only instance.
   */
  readonly redisUrl: string | null;
  /** Folder for local state: the embedded database lives in `<dataDir>/pglite`. */
  readonly dataDir: string;
  /**
   * Bearer token that unlocks `/api/metrics`. Null: only direct loopback requests (no proxy
   * headers) are served.
   */
  readonly metricsToken: string | null;
  /** Prefix for every Redis key and channel, so several deployments can share one Redis. */
  readonly redisPrefix: string;
  /** Secret for signing next-auth's CSRF tokens and cookies. */
  readonly authSecret: string;
  /**
   * Where `authSecret` came from: AUTH_SECRET, the fixed development value (never in production),
   * or `<dataDir>/auth-secret`, generated on the first production start without AUTH_SECRET in
   * single-instance mode.
   */
  readonly authSecretSource: 'env' | 'development' | 'data-dir';
  /** Public origin of the app (scheme://host[:port]); decides cookie flags and allowed Origins. */
  readonly appOrigin: string;
  /** Origins allowed to send cookie-authenticated requests: APP_ORIGIN, then ALLOWED_ORIGINS. */
  readonly allowedOrigins: readonly string[];
  /**
   * Also accept a request whose Origin is the address it was sent to (its Host): true in
   * development and when APP_ORIGIN is unset (zero-config), so the app works from whatever
   * address a person opened (127.0.0.1, a LAN address, a hostname). Still refuses every
   * cross-site request: another site's page cannot send its own Origin to our Host together
   * with our cookies. False in production with APP_ORIGIN set: only the listed origins.
   */
  readonly originFromHost: boolean;
  /** TCP port; 0 picks a free one (tests). */
  readonly port: number;
  /** Address to listen on: loopback unless HOST says otherwise. */
  readonly host: string;
  readonly production: boolean;
  /** Run Next in development mode (hot reload) instead of serving the production build. */
  readonly dev: boolean;
  /** Save a snapshot every this many ops, so loading reads one snapshot plus fewer ops. */
  readonly snapshotEvery: number;
  /** A WebSocket with more unsent bytes than this is closed (4008) as a slow consumer. */
  readonly wsMaxBufferedBytes: number;
  /**
   * `documentOperationBatches`: minimum time between two batches of one document's ops on one
   * instance (the first op after a quiet period still goes out at once); 0 batches per tick.
   */
  readonly opsBatchWindowMs: number;
  /**
   * `documentOperationBatches` under load (lib/collab/SPEC.md FB9): messages a second one
   * document's batches may cost an instance (one per subscriber per batch) before batches are
   * spaced further apart than `opsBatchWindowMs`, up to `opsBatchMaxWindowMs`; 0: no limit.
   */
  readonly opsBatchMessagesPerSecond: number;
  readonly opsBatchMaxWindowMs: number;
  /** A presence entry nobody refreshes for this long is gone (its instance died). */
  readonly presenceTtlMs: number;
  /**
   * Live streams re-read their viewer's access at least this often, in case an access-change
   * message was lost (ACCESS_RECHECK_MS, default 15 s).
   */
  readonly accessRecheckMs: number;
  /** Most presence entries (documents × clientIds) one WebSocket connection may announce. */
  readonly presenceMaxPerConnection: number;
  /** Most subscriptions open at once on one WebSocket connection (beyond it: an error, code LIMIT_EXCEEDED). */
  readonly wsMaxSubscriptions: number;
  /** Most WebSocket connections one user may hold open across this instance (beyond it: close 4029). */
  readonly wsMaxSocketsPerUser: number;
  /**
   * Most milliseconds of worker time one request may spend on text diffs of whole documents
   * (`diff`, `restoreVersion` between distant versions); past it the request answers LIMIT_EXCEEDED.
   */
  readonly historyDiffBudgetMs: number;
  /**
   * PostgreSQL connections per instance, in three pools that cannot starve each other: `main`
   * (Prisma: sign-in, sessions, grants, documents, history), `write` (the write path's commits;
   * also the most batches an instance commits at once) and `feed` (op feeds, document loads,
   * snapshots). Instances × (main + write + feed) must stay below PostgreSQL's `max_connections`.
   */
  readonly dbPools: { readonly main: number; readonly write: number; readonly feed: number };
  /**
   * Whether the write pool prepares its statements once per connection (DB_PREPARED_STATEMENTS,
   * default on). Off behind a pooler in transaction mode that cannot keep prepared statements
   * (PgBouncer, RDS Proxy); the embedded database never uses them.
   */
  readonly dbPreparedStatements: boolean;
  /**
   * WRITER_ROUTING (default on; only with Redis): each document's submissions are sequenced by one
   * instance, its writer, whichever instance they reached (lib/pubsub/document-writers.ts).
   */
  readonly writerRouting: boolean;
  /** The write path's bounds per instance: queued submissions, the most time one may wait queued, and the wait behind its document's queue beyond which a new one is refused at once. */
  readonly submitQueue: { readonly max: number; readonly deadlineMs: number; readonly maxWaitMs: number };
  /** Optional OAuth sign-in providers, each switched on by its two environment variables. */
  readonly oauth: OAuthConfig;
  /** Redis-backed rate limits (hold across instances). */
  readonly rateLimits: RateLimitsConfig;
  /**
   * Take the client address from the last `X-Forwarded-For` entry (set TRUST_PROXY=1 behind one
   * reverse proxy). Off by default: a client could otherwise pick its own address and dodge
   * per-address limits.
   */
  readonly trustProxy: boolean;
  /**
   * SMTP transport for confirmation emails (SMTP_URL, `smtp://` or `smtps://`, credentials in the
   * URL). Null: no email is sent and every address counts as verified (said once in the log).
   */
  readonly smtpUrl: string | null;
  /** Sender of Verso's emails (SMTP_FROM); default `Verso <no-reply@<APP_ORIGIN's host>>`. */
  readonly smtpFrom: string;
  /**
   * How far behind a submission may be (CATCHUP_MAX_OPS, default 1,000 ops) and how much transform
   * work catching it up may cost (CATCHUP_MAX_WORK, default 40,000 component steps); past either
   * it is refused VERSION_TOO_OLD (lib/collab/SPEC.md, PL8).
   */
  readonly catchUp: { readonly maxOps: number; readonly maxWork: number };
  /** Estimated bytes the known heads (content + tail) of one instance may hold (KNOWN_HEADS_MAX_BYTES, default 64 MiB). */
  readonly knownHeadsMaxBytes: number;
  /** Every this many ms each instance compares the heads of documents it streams with PostgreSQL (HEAD_RECHECK_MS, default 500; F6). */
  readonly headRecheckMs: number;
  /**
   * The background search indexer of each instance (lib/search/search-indexer.ts): every
   * `intervalMs` (SEARCH_INDEX_INTERVAL_MS, default 1000; 0 switches this instance's indexer off)
   * it re-indexes at most `batch` (SEARCH_INDEX_BATCH, default 50) documents whose search row is
   * missing or behind, on one PostgreSQL connection of its own.
   */
  readonly searchIndexer: { readonly intervalMs: number; readonly batch: number };
  /**
   * File imports' worker threads (lib/import/import-pool.ts): files parsed at once
   * (IMPORT_THREADS, default 1), files waiting beyond those (IMPORT_QUEUE, default 4; past it
   * SERVICE_UNAVAILABLE), longest parse (IMPORT_TIMEOUT_MS, default 30 s) and heap per parse
   * (IMPORT_MEMORY_MB, default 512); past either of the last two, FILE_UNREADABLE.
   */
  readonly imports: { readonly threads: number; readonly queue: number; readonly timeoutMs: number; readonly memoryMb: number };
}

/** Client id and secret of one OAuth app. */
export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** OAuth providers: present only when both of their variables are set. */
export interface OAuthConfig {
  /** AUTH_GITHUB_ID / AUTH_GITHUB_SECRET. */
  readonly github: OAuthClient | null;
  /** AUTH_GOOGLE_ID / AUTH_GOOGLE_SECRET. */
  readonly google: OAuthClient | null;
}

/** At most `limit` events per `windowSeconds` (a token bucket: bursts up to `limit`, then a steady refill). */
export interface RateLimitRule {
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateLimitsConfig {
  /**
   * Sign-in attempts per account (email) from one client address. RATE_LIMIT_SIGNIN_ACCOUNT.
   * Keyed by the pair so that nobody can lock an account's owner out from elsewhere.
   */
  readonly signInPerAccount: RateLimitRule;
  /** Sign-in and sign-up attempts per client address. RATE_LIMIT_SIGNIN_ADDRESS. */
  readonly signInPerAddress: RateLimitRule;
  /** Operation submissions per WebSocket connection (per credential over HTTP). RATE_LIMIT_OPS. */
  readonly opSubmissions: RateLimitRule;
  /** `shareDocument` calls per account, whatever the document (bounds probing addresses). RATE_LIMIT_SHARE. */
  readonly shares: RateLimitRule;
  /** Presence updates per WebSocket connection (per user over HTTP). RATE_LIMIT_PRESENCE. */
  readonly presenceUpdates: RateLimitRule;
  /** `joinSharedDocument` attempts per account (bounds guessing link secrets). RATE_LIMIT_LINK_JOIN. */
  readonly linkJoins: RateLimitRule;
  /** Comment writes (open a thread, reply, edit) per account, whatever the document. RATE_LIMIT_COMMENTS. */
  readonly comments: RateLimitRule;
}

/** A configuration problem, with a message meant to be printed as one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const DEV_AUTH_SECRET = 'verso-development-secret-do-not-use-in-production';

/** The address Verso listens on when HOST is unset: this machine only. */
export const DEFAULT_HOST = '127.0.0.1';

/** Reads and validates the configuration; throws ConfigError with a one-line reason. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const dev = env.VERSO_DEV === '1';
  const port = parsePort(env.PORT ?? '3000');
  const appOrigin = parseOrigin('APP_ORIGIN', env.APP_ORIGIN ?? `http://localhost:${port || 3000}`);
  const databaseUrl = env.DATABASE_URL ? parseUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']) : null;
  const dataDir = env.DATA_DIR || '.data';
  const { authSecret, authSecretSource } = resolveAuthSecret(env.AUTH_SECRET, production, databaseUrl === null ? dataDir : null);
  return {
    databaseUrl,
    redisUrl: env.REDIS_URL ? parseUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']) : null,
    dataDir,
    metricsToken: parseMetricsToken(env.METRICS_TOKEN),
    redisPrefix: env.REDIS_PREFIX ?? 'verso:',
    authSecret,
    authSecretSource,
    appOrigin,
    allowedOrigins: [appOrigin, ...splitList(env.ALLOWED_ORIGINS).map((o) => parseOrigin('ALLOWED_ORIGINS', o))],
    originFromHost: !production || dev || env.APP_ORIGIN === undefined,
    port,
    host: env.HOST || DEFAULT_HOST,
    production,
    dev,
    snapshotEvery: parsePositiveInt('SNAPSHOT_EVERY', env.SNAPSHOT_EVERY ?? '100'),
    presenceTtlMs: parsePositiveInt('PRESENCE_TTL_MS', env.PRESENCE_TTL_MS ?? '30000'),
    accessRecheckMs: parsePositiveInt('ACCESS_RECHECK_MS', env.ACCESS_RECHECK_MS ?? '15000'),
    wsMaxBufferedBytes: parsePositiveInt('WS_MAX_BUFFERED_BYTES', env.WS_MAX_BUFFERED_BYTES ?? String(4 * 1024 * 1024)),
    opsBatchWindowMs: parseBatchWindow(env.OPS_BATCH_WINDOW_MS ?? '20'),
    opsBatchMessagesPerSecond: parseNonNegativeInt('OPS_BATCH_MESSAGES_PER_SECOND', env.OPS_BATCH_MESSAGES_PER_SECOND ?? '2500'),
    opsBatchMaxWindowMs: parseBatchWindow(env.OPS_BATCH_MAX_WINDOW_MS ?? '50', 'OPS_BATCH_MAX_WINDOW_MS'),
    presenceMaxPerConnection: parsePositiveInt('PRESENCE_MAX_PER_CONNECTION', env.PRESENCE_MAX_PER_CONNECTION ?? '20'),
    wsMaxSubscriptions: parsePositiveInt('WS_MAX_SUBSCRIPTIONS', env.WS_MAX_SUBSCRIPTIONS ?? '100'),
    wsMaxSocketsPerUser: parsePositiveInt('WS_MAX_SOCKETS_PER_USER', env.WS_MAX_SOCKETS_PER_USER ?? '50'),
    historyDiffBudgetMs: parsePositiveInt('HISTORY_DIFF_BUDGET_MS', env.HISTORY_DIFF_BUDGET_MS ?? '3000'),
    dbPools: {
      main: parsePositiveInt('DB_POOL_MAIN', env.DB_POOL_MAIN ?? '10'),
      write: parsePositiveInt('DB_POOL_WRITE', env.DB_POOL_WRITE ?? '6'),
      feed: parsePositiveInt('DB_POOL_FEED', env.DB_POOL_FEED ?? '6'),
    },
    dbPreparedStatements: parseOnOff('DB_PREPARED_STATEMENTS', env.DB_PREPARED_STATEMENTS ?? 'on'),
    writerRouting: parseOnOff('WRITER_ROUTING', env.WRITER_ROUTING ?? 'on'),
    submitQueue: {
      max: parsePositiveInt('SUBMIT_QUEUE_MAX', env.SUBMIT_QUEUE_MAX ?? '2000'),
      deadlineMs: parseDeadline(env.SUBMIT_DEADLINE_MS ?? '6000'),
      maxWaitMs: parseNonNegativeInt('SUBMIT_MAX_WAIT_MS', env.SUBMIT_MAX_WAIT_MS ?? '150'),
    },
    oauth: {
      github: oauthClient(env, 'GITHUB'),
      google: oauthClient(env, 'GOOGLE'),
    },
    rateLimits: {
      signInPerAccount: parseRule('RATE_LIMIT_SIGNIN_ACCOUNT', env.RATE_LIMIT_SIGNIN_ACCOUNT ?? '10/900'),
      signInPerAddress: parseRule('RATE_LIMIT_SIGNIN_ADDRESS', env.RATE_LIMIT_SIGNIN_ADDRESS ?? '50/900'),
      opSubmissions: parseRule('RATE_LIMIT_OPS', env.RATE_LIMIT_OPS ?? '600/60'),
      shares: parseRule('RATE_LIMIT_SHARE', env.RATE_LIMIT_SHARE ?? '60/3600'),
      presenceUpdates: parseRule('RATE_LIMIT_PRESENCE', env.RATE_LIMIT_PRESENCE ?? '100/10'),
      linkJoins: parseRule('RATE_LIMIT_LINK_JOIN', env.RATE_LIMIT_LINK_JOIN ?? '30/900'),
      comments: parseRule('RATE_LIMIT_COMMENTS', env.RATE_LIMIT_COMMENTS ?? '60/60'),
    },
    trustProxy: env.TRUST_PROXY === '1',
    smtpUrl: env.SMTP_URL ? parseUrl('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:']) : null,
    smtpFrom: env.SMTP_FROM || `Verso <no-reply@${new URL(appOrigin).hostname}>`,
    catchUp: {
      maxOps: parsePositiveInt('CATCHUP_MAX_OPS', env.CATCHUP_MAX_OPS ?? '1000'),
      maxWork: parsePositiveInt('CATCHUP_MAX_WORK', env.CATCHUP_MAX_WORK ?? '40000'),
    },
    knownHeadsMaxBytes: parsePositiveInt('KNOWN_HEADS_MAX_BYTES', env.KNOWN_HEADS_MAX_BYTES ?? String(64 * 1024 * 1024)),
    headRecheckMs: parsePositiveInt('HEAD_RECHECK_MS', env.HEAD_RECHECK_MS ?? '500'),
    searchIndexer: {
      intervalMs: parseIndexInterval(env.SEARCH_INDEX_INTERVAL_MS ?? '1000'),
      batch: parsePositiveInt('SEARCH_INDEX_BATCH', env.SEARCH_INDEX_BATCH ?? '50'),
    },
    imports: {
      threads: parsePositiveInt('IMPORT_THREADS', env.IMPORT_THREADS ?? '1'),
      queue: parseNonNegativeInt('IMPORT_QUEUE', env.IMPORT_QUEUE ?? '4'),
      timeoutMs: parsePositiveInt('IMPORT_TIMEOUT_MS', env.IMPORT_TIMEOUT_MS ?? '30000'),
      memoryMb: parsePositiveInt('IMPORT_MEMORY_MB', env.IMPORT_MEMORY_MB ?? '512'),
    },
  };
}

/**
 * AUTH_SECRET when set; outside production the fixed development value; in production without
 * it, a random secret kept in `<secretDir>/auth-secret` (mode 0600) when there is such a folder
 * (single-instance mode: every process on it reads the same file), else a ConfigError.
 */
function resolveAuthSecret(
  raw: string | undefined,
  production: boolean,
  secretDir: string | null,
): { authSecret: string; authSecretSource: Config['authSecretSource'] } {
  if (raw !== undefined && raw !== '') {
    if (production && raw.length < 32) {
      throw new ConfigError('AUTH_SECRET is too short for production: use at least 32 characters (`openssl rand -base64 32`).');
    }
    return { authSecret: raw, authSecretSource: 'env' };
  }
  if (!production) return { authSecret: DEV_AUTH_SECRET, authSecretSource: 'development' };
  if (secretDir === null) {
    throw new ConfigError('AUTH_SECRET is not set: generate one with `openssl rand -base64 32` and export AUTH_SECRET (every instance needs the same one).');
  }
  return { authSecret: dataDirSecret(secretDir), authSecretSource: 'data-dir' };
}

function dataDirSecret(dir: string): string {
  const file = path.join(dir, 'auth-secret');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      // 'wx': of two processes starting at once, one writes and the other reads the winner's.
      writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < 32) throw new ConfigError(`${file} holds fewer than 32 characters: delete it (one is generated) or set AUTH_SECRET.`);
    return secret;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`AUTH_SECRET is not set and ${file} cannot be used (${(error as Error).message}): set AUTH_SECRET or DATA_DIR.`);
  }
}

function oauthClient(env: Record<string, string | undefined>, id: string): OAuthClient | null {
  const clientId = env[`AUTH_${id}_ID`];
  const clientSecret = env[`AUTH_${id}_SECRET`];
  if (!clientId && !clientSecret) return null;
  if (!clientId || !clientSecret) {
    throw new ConfigError(`AUTH_${id}_ID and AUTH_${id}_SECRET must be set together (or neither, to switch that sign-in off).`);
  }
  return { clientId, clientSecret };
}

function parseMetricsToken(raw: string | undefined): string | null {
  if (!raw) return null;
  if (raw.length < 16) throw new ConfigError('METRICS_TOKEN must have at least 16 characters (`openssl rand -hex 16`), or be unset.');
  return raw;
}

function parseRule(name: string, raw: string): RateLimitRule {
  const match = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const limit = Number(match?.[1]);
  const windowSeconds = Number(match?.[2]);
  if (!match || limit < 1 || windowSeconds < 1) {
    throw new ConfigError(`${name} must look like "<limit>/<seconds>" (e.g. 10/900 for 10 per 15 minutes), got "${raw}".`);
  }
  return { limit, windowSeconds };
}

/** A queue deadline must leave the client's 10 s ack timeout room for the commit and the answer. */
function parseDeadline(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 100 || value > 9000) {
    throw new ConfigError(`SUBMIT_DEADLINE_MS must be a whole number of milliseconds from 100 to 9000 (below the client's 10 s ack timeout), got "${raw}".`);
  }
  return value;
}

function parsePositiveInt(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a whole number ≥ 1, got "${raw}".`);
  return value;
}

function parseBatchWindow(raw: string, name = 'OPS_BATCH_WINDOW_MS'): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw new ConfigError(`${name} must be a whole number of milliseconds from 0 to 1000, got "${raw}".`);
  }
  return value;
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got "${raw}".`);
  }
  return port;
}

function parseUrl(name: string, raw: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${raw}".`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got "${url.protocol}//".`);
  }
  return raw;
}

function parseOrigin(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid origin: "${raw}" (expected e.g. https://docs.example.com).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) origin, got "${raw}".`);
  }
  return url.origin;
}

function splitList(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The search indexer's period: 0 (off on this instance), or 100 ms to one hour. */
function parseIndexInterval(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || (value !== 0 && (value < 100 || value > 3_600_000))) {
    throw new ConfigError(`SEARCH_INDEX_INTERVAL_MS must be 0 (no indexer on this instance) or a whole number of milliseconds from 100 to 3600000, got "${raw}".`);
  }
  return value;
}

function parseOnOff(name: string, raw: string): boolean {
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(`${name} must be "on" or "off", got "${raw}".`);
}

function parseNonNegativeInt(name: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number ≥ 0, got "${raw}".`);
  return value;
}
