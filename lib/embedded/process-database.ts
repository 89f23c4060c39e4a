/**
 * The connection string of the embedded database this process serves, for code that Next bundles
 * separately from server.ts (auth.ts) and so cannot be handed it: kept on `globalThis`, which
 * both module copies share.
 */
const KEY = Symbol.for('verso.embedded-database-url');

/** Records the embedded database's URL (called by the server once it is up). */
export function setProcessDatabaseUrl(url: string): void {
  (globalThis as { [KEY]?: string })[KEY] = url;
}

/** The embedded database's URL; throws when this process serves none (a bug in the caller). */
export function processDatabaseUrl(): string {
  const url = (globalThis as { [KEY]?: string })[KEY];
  if (url === undefined) throw new Error('DATABASE_URL is not set and this process runs no embedded database.');
  return url;
}
