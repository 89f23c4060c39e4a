/**
 * Configuration from the environment, validated once at start.
 *
 * Every setting has a default that works on a developer machine with nothing installed: without
 * DATABASE_URL the server runs an embedded PostgreSQL (PGlite) under DATA_DIR, and without
 * REDIS_URL it keeps fan-out, presence and rate limits in the process (one instance only).
 * AUTH_SECRET must be set explicitly in production.
 */

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
  /** Public origin of the app (scheme://host[:port]); decides cookie flags and allowed Origins. */
  readonly appOrigin: string;
  /** Further origins allowed to open WebSockets with a cookie (comma-separated in the env). */
  readonly allowedOrigins: readonly string[];
  /** TCP port; 0 picks a free one (tests). */
  readonly port: number;
  /** Address to listen on. */
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
  /** A presence entry nobody refreshes for this long is gone (its instance died). */
  readonly presenceTtlMs: number;
  /**
   * PostgreSQL connections per instance, in three pools that cannot starve each other: `main`
   * (Prisma: sign-in, sessions, grants, documents, history), `write` (the write path's commits;
   * also the most batches an instance commits at once) and `feed` (op feeds, document loads,
   * snapshots). Instances × (main + write + feed) must stay below PostgreSQL's `max_connections`.
   */
  readonly dbPools: { readonly main: number; readonly write: number; readonly feed: number };
  /** The write path's bounds per instance: queued submissions, and the most time one may wait queued. */
  readonly submitQueue: { readonly max: number; readonly deadlineMs: number };
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
  /** Sign-in attempts per account (email), whatever the address. RATE_LIMIT_SIGNIN_ACCOUNT. */
  readonly signInPerAccount: RateLimitRule;
  /** Sign-in and sign-up attempts per client address. RATE_LIMIT_SIGNIN_ADDRESS. */
  readonly signInPerAddress: RateLimitRule;
  /** Operation submissions per WebSocket connection (per credential over HTTP). RATE_LIMIT_OPS. */
  readonly opSubmissions: RateLimitRule;
}

/** A configuration problem, with a message meant to be printed as one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const DEV_AUTH_SECRET = 'verso-development-secret-do-not-use-in-production';

/** Reads and validates the configuration; throws ConfigError with a one-line reason. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const port = parsePort(env.PORT ?? '3000');
  const appOrigin = parseOrigin('APP_ORIGIN', env.APP_ORIGIN ?? `http://localhost:${port || 3000}`);
  const authSecret = env.AUTH_SECRET ?? (production ? undefined : DEV_AUTH_SECRET);
  if (authSecret === undefined) {
    throw new ConfigError('AUTH_SECRET is not set: generate one with `openssl rand -base64 32` and export AUTH_SECRET.');
  }
  if (production && authSecret.length < 32) {
    throw new ConfigError('AUTH_SECRET is too short for production: use at least 32 characters (`openssl rand -base64 32`).');
  }
  return {
    databaseUrl: env.DATABASE_URL ? parseUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']) : null,
    redisUrl: env.REDIS_URL ? parseUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']) : null,
    dataDir: env.DATA_DIR || '.data',
    metricsToken: parseMetricsToken(env.METRICS_TOKEN),
    redisPrefix: env.REDIS_PREFIX ?? 'verso:',
    authSecret,
    appOrigin,
    allowedOrigins: [appOrigin, ...splitList(env.ALLOWED_ORIGINS).map((o) => parseOrigin('ALLOWED_ORIGINS', o))],
    port,
    host: env.HOST ?? '0.0.0.0',
    production,
    dev: env.VERSO_DEV === '1',
    snapshotEvery: parsePositiveInt('SNAPSHOT_EVERY', env.SNAPSHOT_EVERY ?? '100'),
    presenceTtlMs: parsePositiveInt('PRESENCE_TTL_MS', env.PRESENCE_TTL_MS ?? '30000'),
    wsMaxBufferedBytes: parsePositiveInt('WS_MAX_BUFFERED_BYTES', env.WS_MAX_BUFFERED_BYTES ?? String(4 * 1024 * 1024)),
    opsBatchWindowMs: parseBatchWindow(env.OPS_BATCH_WINDOW_MS ?? '20'),
    dbPools: {
      main: parsePositiveInt('DB_POOL_MAIN', env.DB_POOL_MAIN ?? '10'),
      write: parsePositiveInt('DB_POOL_WRITE', env.DB_POOL_WRITE ?? '6'),
      feed: parsePositiveInt('DB_POOL_FEED', env.DB_POOL_FEED ?? '6'),
    },
    submitQueue: {
      max: parsePositiveInt('SUBMIT_QUEUE_MAX', env.SUBMIT_QUEUE_MAX ?? '2000'),
      deadlineMs: parseDeadline(env.SUBMIT_DEADLINE_MS ?? '6000'),
    },
    oauth: {
      github: oauthClient(env, 'GITHUB'),
      google: oauthClient(env, 'GOOGLE'),
    },
    rateLimits: {
      signInPerAccount: parseRule('RATE_LIMIT_SIGNIN_ACCOUNT', env.RATE_LIMIT_SIGNIN_ACCOUNT ?? '10/900'),
      signInPerAddress: parseRule('RATE_LIMIT_SIGNIN_ADDRESS', env.RATE_LIMIT_SIGNIN_ADDRESS ?? '50/900'),
      opSubmissions: parseRule('RATE_LIMIT_OPS', env.RATE_LIMIT_OPS ?? '600/60'),
    },
    trustProxy: env.TRUST_PROXY === '1',
  };
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

function parseBatchWindow(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw new ConfigError(`OPS_BATCH_WINDOW_MS must be a whole number of milliseconds from 0 to 1000, got "${raw}".`);
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
