import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export { Prisma, PrismaClient } from './generated/client.ts';

/** Options of {@link createPrisma}. */
export interface CreatePrismaOptions {
  /**
   * Most connections this client's pool opens (default 10). Every server instance has its own
   * pool, so instances × max must stay below PostgreSQL's `max_connections` (100 by default).
   */
  maxConnections?: number;
  /** Hears every error the client reports (failed queries, unreachable database), e.g. for metrics. */
  onError?: (message: string) => void;
}

/**
 * A Prisma client on `databaseUrl` through @prisma/adapter-pg (Prisma 7's Rust-free client)
 * with a bounded pg pool. Create one per process and pass it around; each call opens a new pool.
 * Call {@link disconnect} on shutdown.
 */
export function createPrisma(databaseUrl: string, options: CreatePrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    // Fail fast when PostgreSQL is down instead of queueing requests forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // Prisma's interactive-transaction defaults (2 s to get a connection, 5 s to finish) fail
  // requests on a busy but healthy server; these bounds still end a transaction that hangs.
  const transactionOptions = { maxWait: 10_000, timeout: 20_000 };
  if (!options.onError) return new PrismaClient({ adapter, transactionOptions });
  const onError = options.onError;
  // Emitting errors as events also keeps Prisma from printing them: callers still get the throw.
  const client = new PrismaClient({ adapter, transactionOptions, log: [{ emit: 'event', level: 'error' }] });
  client.$on('error', (event) => onError(event.message));
  return client;
}

/** Closes the client's pool; pending queries finish first. Safe to call more than once. */
export async function disconnect(prisma: PrismaClient): Promise<void> {
  await prisma.$disconnect();
}

/**
 * Whether `error` is a pool checkout that waited past its `connectionTimeoutMillis` (pg-pool's
 * message, kept as is by @prisma/adapter-pg): the server is overloaded, not broken, and the
 * caller should answer "busy, retry later" rather than an internal error.
 */
export function isPoolTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'timeout exceeded when trying to connect';
}

/** Node and PostgreSQL codes that mean "the database cannot be reached or is restarting" (SQLSTATE classes 08 and 57P). */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /connect ECONNREFUSED/i, /Can't reach database server/i, /server closed the connection unexpectedly/i];

/**
 * Whether `error` says PostgreSQL is down, restarting or unreachable (as opposed to refusing the
 * query): a transient condition a client should wait out and resubmit, not an internal error.
 * Looks through `cause` and AggregateError's `errors`, as driver adapters wrap the socket error.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 4 || error === null || typeof error !== 'object') return false;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}
