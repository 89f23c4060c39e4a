/**
 * Configuration from the environment, validated once at start.
 *
 * Every setting has a default that works on a developer machine with PostgreSQL and Redis on
 * localhost, except AUTH_SECRET in production, which must be set explicitly.
 */

export interface Config {
  /** PostgreSQL connection string: the source of truth for everything durable. */
  readonly databaseUrl: string;
  /** Redis connection string: fan-out, presence and rate limits only (nothing durable). */
  readonly redisUrl: string;
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
    databaseUrl: parseUrl('DATABASE_URL', env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/verso', ['postgres:', 'postgresql:']),
    redisUrl: parseUrl('REDIS_URL', env.REDIS_URL ?? 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisPrefix: env.REDIS_PREFIX ?? 'verso:',
    authSecret,
    appOrigin,
    allowedOrigins: [appOrigin, ...splitList(env.ALLOWED_ORIGINS).map((o) => parseOrigin('ALLOWED_ORIGINS', o))],
    port,
    host: env.HOST ?? '0.0.0.0',
    production,
    dev: env.VERSO_DEV === '1',
  };
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
