/**
 * The vocabulary of the document services (lib/documents): what a request is ({@link RequestScope}),
 * a document row, and the one refusal every service answers with ({@link Rejected}). Expected
 * outcomes are values (`{ kind }`); only bugs throw. The GraphQL API maps a refusal to an error
 * with the same code and message (graphql/errors.ts `orThrow`), the export route to an HTTP status.
 */
import type { DocumentGrant } from '../auth/permissions.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { Logger } from '../logger.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';

export type { Viewer };

/** The stable codes a client can see (`extensions.code`, API.md). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'VERSION_AHEAD'
  | 'VERSION_TOO_OLD'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'CONFLICT'
  | 'LIMIT_EXCEEDED'
  | 'SERVICE_UNAVAILABLE';

/** A refusal: a stable code, a message a person can act on, and extra facts (`retryAfterSeconds`, `requiredScope`, …). */
export interface Rejected {
  readonly kind: 'rejected';
  readonly code: ErrorCode;
  readonly message: string;
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export const rejected = (code: ErrorCode, message: string, extensions?: Record<string, unknown>): Rejected =>
  extensions === undefined ? { kind: 'rejected', code, message } : { kind: 'rejected', code, message, extensions };

export const unauthenticated = (): Rejected =>
  rejected('UNAUTHENTICATED', 'Sign in first: send the session cookie or an `Authorization: Bearer <api token>` header.');

export interface DocumentRow {
  readonly id: string;
  readonly organizationId: string;
  readonly title: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deletedAt: Date | null;
}

/** A grant as the access service reads it: the document row and the viewer's grant on it. */
export interface FoundGrant {
  readonly document: DocumentRow;
  readonly grant: DocumentGrant;
}

/** Where a connection keeps the grants it was found to have (graphql/grant-cache.ts is one). */
export interface GrantMemo {
  get(documentId: string): FoundGrant | null;
  load(documentId: string, load: () => Promise<FoundGrant | null>): Promise<FoundGrant | null>;
}

/**
 * One request, as the services see it: who asks, where to log, and on a long-lived connection
 * (WebSocket) what it keeps. It is also the key of per-request memos (the document at head is
 * loaded once per request), so pass the same object for the whole request. GraphQL's context
 * satisfies it.
 */
export interface RequestScope {
  readonly viewer: Viewer | null;
  readonly logger: Logger;
  readonly connection?: {
    readonly connectionId: string;
    readonly grants?: GrantMemo;
    /** Rate limits whose subject is the connection, kept in this process. */
    readonly localLimits?: RateLimiter;
  };
}
