/**
 * Errors a client can see. Every one carries a stable `extensions.code` (API.md) and a message
 * that says what was wrong and what to do.
 */
import { GraphQLError } from 'graphql';

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

/** A GraphQL error with a stable code and optional extra extensions (e.g. `retryAfterSeconds`). */
export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const unauthenticated = () =>
  userError('UNAUTHENTICATED', 'Sign in first: send the session cookie or an `Authorization: Bearer <api token>` header.');
