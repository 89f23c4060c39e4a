/**
 * Ends live connections whose credential stops being valid: sign-out deletes a Session row,
 * revoking an API token sets `revokedAt`. Each instance keeps a registry of its open WebSockets
 * by credential; a revocation closes the local ones at once and is published on Redis so every
 * other instance closes theirs within milliseconds. Pub/sub is fire-and-forget (a message sent
 * while an instance is reconnecting to Redis is lost), so a periodic recheck against PostgreSQL
 * closes anything a lost message or an expired session left open.
 */
import type { PubSubClient, PubSubConnections } from '../pubsub/connections.ts';
import type { PrismaClient } from '../db/prisma.ts';
import type { Logger } from '../logger.ts';
import type { Credential } from './viewer.ts';

/** Close code for a connection whose credential ended (graphql-ws clients treat 4401 as "unauthorized"). */
export const CLOSE_CREDENTIAL_ENDED = 4401;

/** Closes one live connection. */
export type CloseConnection = (code: number, reason: string) => void;

export interface RevocationDeps {
  /** The process's shared pub/sub connections (Redis, or in-process without Redis). */
  readonly pubsub: PubSubConnections;
  readonly redisPrefix: string;
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  /** How often open connections are rechecked against the database (default 15 s). */
  readonly recheckIntervalMs?: number;
}

const key = (credential: Credential) => `${credential.kind}:${credential.id}`;

/** The Redis channel revocations travel on. */
export const revocationChannel = (redisPrefix: string) => `${redisPrefix}auth:revoked`;

/**
 * Announces on pub/sub that a credential ended; every instance (this one included) closes the
 * connections opened with it. For callers that hold only a publisher (resolvers, auth.ts).
 */
export async function publishRevocation(publisher: PubSubClient, redisPrefix: string, credential: Credential): Promise<void> {
  await publisher.publish(revocationChannel(redisPrefix), JSON.stringify({ kind: credential.kind, id: credential.id }));
}

/** The per-instance registry of connections by credential, kept in step across instances. */
export class CredentialRevocations {
  readonly #open = new Map<string, Set<CloseConnection>>();
  readonly #channel: string;
  readonly #onMessage = (channel: string, message: string): void => {
    if (channel !== this.#channel) return;
    const credential = parseCredential(message);
    if (credential) this.#closeLocal(credential);
  };
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RevocationDeps) {
    this.#channel = revocationChannel(deps.redisPrefix);
  }

  /** Subscribes to revocations (on the shared subscriber) and starts the periodic recheck. */
  async start(): Promise<void> {
    // The shared subscriber also carries ops and presence: filter on this channel (#onMessage).
    this.deps.pubsub.subscriber.on('message', this.#onMessage);
    await this.deps.pubsub.subscriber.subscribe(this.#channel);
    this.#timer = setInterval(() => {
      this.recheck().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'credential recheck failed'));
    }, this.deps.recheckIntervalMs ?? 15_000);
    this.#timer.unref();
  }

  /** Stops the recheck and leaves the revocation channel (the shared connections stay open). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.deps.pubsub.subscriber.off('message', this.#onMessage);
    await this.deps.pubsub.subscriber.unsubscribe(this.#channel).catch(() => {});
  }

  /** Registers a live connection; returns the function that forgets it (call on close). */
  track(credential: Credential, close: CloseConnection): () => void {
    const k = key(credential);
    let set = this.#open.get(k);
    if (!set) this.#open.set(k, (set = new Set()));
    set.add(close);
    return () => {
      const current = this.#open.get(k);
      current?.delete(close);
      if (current?.size === 0) this.#open.delete(k);
    };
  }

  /** Number of live connections registered here (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.#open.values()) n += set.size;
    return n;
  }

  /**
   * Announces that a credential has ended (call after the row is deleted or revoked): closes its
   * connections here and on every instance.
   */
  async revoke(credential: Credential): Promise<void> {
    this.#closeLocal(credential);
    try {
      await publishRevocation(this.deps.pubsub.publisher, this.deps.redisPrefix, credential);
    } catch (error) {
      // The periodic recheck still closes the other instances' connections.
      this.deps.logger.warn({ err: error, credential }, 'could not publish a revocation; other instances will notice at their next recheck');
    }
  }

  /** Closes every registered connection whose session is gone or expired, or whose token is revoked or expired. */
  async recheck(): Promise<void> {
    const sessions: string[] = [];
    const tokens: string[] = [];
    // Only what is asked about can be judged: a connection registered while the query runs is
    // not in its answer, and closing it as "revoked" would end a live credential's socket.
    const asked = [...this.#open.keys()];
    for (const k of asked) {
      const [kind, id] = k.split(':', 2) as [string, string];
      (kind === 'session' ? sessions : tokens).push(id);
    }
    if (sessions.length === 0 && tokens.length === 0) return;
    const [liveSessions, liveTokens] = await Promise.all([
      this.deps.prisma.session.findMany({ where: { id: { in: sessions }, expires: { gt: new Date() } }, select: { id: true } }),
      this.deps.prisma.apiToken.findMany({ where: { id: { in: tokens }, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] }, select: { id: true } }),
    ]);
    const live = new Set([...liveSessions.map((s) => `session:${s.id}`), ...liveTokens.map((t) => `token:${t.id}`)]);
    for (const k of asked) {
      if (live.has(k)) continue;
      const [kind, id] = k.split(':', 2) as ['session' | 'token', string];
      this.#closeLocal({ kind, id });
    }
  }

  #closeLocal(credential: Credential): void {
    const set = this.#open.get(key(credential));
    if (!set) return;
    this.#open.delete(key(credential));
    const reason = credential.kind === 'session' ? 'Session ended: sign in again' : 'API token revoked: use another token';
    for (const close of set) close(CLOSE_CREDENTIAL_ENDED, reason);
  }
}

function parseCredential(message: string): Credential | null {
  try {
    const value = JSON.parse(message) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const { kind, id } = value as Record<string, unknown>;
    if ((kind === 'session' || kind === 'token') && typeof id === 'string') return { kind, id };
  } catch {
    // A malformed message from another deployment sharing the channel: ignore it.
  }
  return null;
}
