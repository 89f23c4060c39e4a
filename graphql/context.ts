/**
 * The context every resolver receives, built the same way for HTTP and WebSocket requests.
 */
import type { Comments } from '../lib/documents/comments.ts';
import type { Suggestions } from '../lib/documents/suggestions.ts';
import type { Redis } from 'ioredis';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import type { PrismaClient } from '../lib/db/prisma.ts';
import type { Broadcaster } from '../lib/collab/broadcaster.ts';
import type { OpBatcher } from '../lib/collab/op-batcher.ts';
import type { OpStore } from '../lib/collab/op-store.ts';
import type { Sequencer } from '../lib/collab/sequencer.ts';
import type { Presence } from '../lib/presence/presence.ts';
import type { PubSubConnections } from '../lib/pubsub/connections.ts';
import type { UserDirectory } from '../lib/db/users.ts';
import type { AccessEvents } from '../lib/pubsub/access-events.ts';
import type { RateLimiter } from '../lib/rate-limit/rate-limiter.ts';
import type { VersoMetrics } from '../lib/metrics/metrics.ts';
import type { DocumentAccess } from '../lib/documents/access.ts';
import type { BlameStore } from '../lib/db/blame-store.ts';
import type { Documents } from '../lib/documents/documents.ts';
import type { DocumentExports } from '../lib/documents/export.ts';
import type { Sharing } from '../lib/documents/sharing.ts';
import type { History } from '../lib/documents/history.ts';
import type { Operations } from '../lib/documents/operations.ts';
import type { DocumentReads } from '../lib/documents/reads.ts';
import type { DocumentRow } from '../lib/documents/types.ts';

/** Process-wide dependencies, created once at start and shared by both transports. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly prisma: PrismaClient;
  /** Commands (rate limits, presence); pub/sub uses connections of its own. Null without Redis. */
  readonly redis: Redis | null;
  /** The publisher and subscriber connections shared by ops fan-out, presence and revocations. */
  readonly pubsub: PubSubConnections;
  /**
   * Sequencing: the PostgreSQL op store, the Redis broadcaster and the sequencer over them; and
   * the batcher that coalesces each document's live ops for `documentOperationBatches` (one
   * broadcaster subscription per document for the whole process).
   */
  readonly collab: { readonly store: OpStore; readonly broadcaster: Broadcaster; readonly sequencer: Sequencer; readonly batcher: OpBatcher };
  readonly presence: Presence;
  /** Rate limits: Redis buckets shared by every instance, or in-process without Redis. */
  readonly rateLimiter: RateLimiter;
  /** This instance's Prometheus instruments (served at /api/metrics). */
  readonly metrics: VersoMetrics;
  /** Tells live subscriptions on every instance that access to a document changed. */
  readonly accessEvents: AccessEvents;
  /** Cached display data of users (authors of ops, people present). */
  readonly users: UserDirectory;
  /** The document services (lib/documents), built once by lib/server/services.ts. */
  readonly access: DocumentAccess;
  readonly reads: DocumentReads;
  readonly documents: Documents;
  readonly operations: Operations;
  readonly sharing: Sharing;
  readonly history: History;
  readonly exports: DocumentExports;
  /** Comment threads (issue 17). */
  readonly comments: Comments;
  /** Who wrote what, per version (history's blame). */
  readonly blame: BlameStore;
  /** Suggestions (issue 18). */
  readonly suggestions: Suggestions;
}

/**
 * Per-WebSocket state: lives as long as one graphql-ws connection, so that what a connection
 * started (presence entries) ends when it closes.
 */
export interface ConnectionState {
  readonly connectionId: string;
  /** Presence entries this connection announced, by `documentId + '\u0000' + clientId`. */
  readonly presence: Map<string, { documentId: string; clientId: string; userId: string; selection: import('../lib/presence/presence.ts').PresenceSelection | null }>;
  /** The socket's bytes not yet sent; subscriptions drop a consumer that falls too far behind. */
  bufferedAmount(): number;
  /** Closes the connection with a code the client acts on (e.g. 4008: reconnect and resume). */
  close(code: number, reason: string): void;
  /** Grants this connection was found to have on documents it writes to (graphql/grant-cache.ts). */
  readonly grants?: import('./grant-cache.ts').GrantCache<DocumentRow>;
  /**
   * Limits whose subject is this connection, kept in this process: a connection lives on one
   * instance, so sharing its buckets through Redis would only add a round trip per op.
   */
  readonly localLimits?: import('../lib/rate-limit/rate-limiter.ts').RateLimiter;
}

/**
 * Who is calling, resolved from the session cookie or an API token (lib/auth/viewer.ts):
 * userId, email, name, and the credential used (`{ kind: 'session' | 'token', id }`).
 */
export type { Viewer } from '../lib/auth/viewer.ts';
import type { Viewer } from '../lib/auth/viewer.ts';

export interface GraphQLContext {
  readonly services: Services;
  readonly viewer: Viewer | null;
  readonly transport: 'http' | 'ws';
  readonly requestId: string;
  readonly logger: Logger;
  /** Set on the WebSocket transport only. */
  readonly connection?: ConnectionState;
}
