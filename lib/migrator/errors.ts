/** How to start the local PostgreSQL cluster on the project's machines. */
export const START_POSTGRES_HINT =
  'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/**
 * PostgreSQL could not be reached or refused the login. `message` is one line meant for a
 * person (it names the server and how to start it) and never contains the password.
 */
export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The migration history cannot be applied safely (an applied migration was edited, a previous
 * one failed, or a script failed now). `message` says which migration and what to do.
 */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// Socket-level failures and PostgreSQL's "not accepting connections yet" states.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH',
  '57P03', // cannot_connect_now: starting up or shutting down
  '57P01', // admin_shutdown
]);
const LOGIN_CODES = new Set(['28P01', '28000']); // invalid_password, invalid_authorization

/** `host:port/database` of a URL, for messages (credentials left out). */
export function describeTarget(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/**
 * Turns a connection-time error from `pg` into a {@link DatabaseUnreachableError} with a
 * one-line message, or returns `undefined` when the error is not about reaching the server.
 */
export function toUnreachableError(error: unknown, databaseUrl: string): DatabaseUnreachableError | undefined {
  const err = error as { code?: unknown; message?: unknown; errors?: unknown };
  // Node reports "localhost" failing on both ::1 and 127.0.0.1 as an AggregateError.
  const first = Array.isArray(err.errors) ? (err.errors[0] as { code?: unknown } | undefined) : undefined;
  const code = typeof err.code === 'string' ? err.code : typeof first?.code === 'string' ? first.code : '';
  const target = describeTarget(databaseUrl);
  if (UNREACHABLE_CODES.has(code) || /timeout expired|Connection terminated/i.test(String(err.message))) {
    return new DatabaseUnreachableError(
      `PostgreSQL is not reachable at ${target} (${code || String(err.message)}); ${START_POSTGRES_HINT}`,
      { cause: error },
    );
  }
  if (LOGIN_CODES.has(code)) {
    return new DatabaseUnreachableError(
      `PostgreSQL at ${target} refused the login: ${String(err.message)}; check the user and password in DATABASE_URL`,
      { cause: error },
    );
  }
  if (code === '3D000') {
    return new DatabaseUnreachableError(
      `PostgreSQL at ${target} has no such database; create it with \`npm run db:migrate\` (or ensureDatabase())`,
      { cause: error },
    );
  }
  return undefined;
}
