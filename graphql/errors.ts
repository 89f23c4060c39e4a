/**
 * Errors a client can see. Every one carries a stable `extensions.code` (API.md) and a message
 * that says what was wrong and what to do.
 */
import { GraphQLError } from 'graphql';
import { unauthenticated as notSignedIn, type ErrorCode, type Rejected } from '../lib/documents/types.ts';

export type { ErrorCode };

/** A GraphQL error with a stable code and optional extra extensions (e.g. `retryAfterSeconds`). */
export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** The error of a service's refusal: the same code, message and extensions. */
export const rejectionError = (rejection: Rejected): GraphQLError => userError(rejection.code, rejection.message, rejection.extensions ?? {});

/** A service's answer, or the error of its refusal thrown (lib/documents answers values). */
export function orThrow<T extends { readonly kind: string }>(result: T | Rejected): Exclude<T, Rejected> {
  if (result.kind === 'rejected') throw rejectionError(result as Rejected);
  return result as Exclude<T, Rejected>;
}

export const unauthenticated = () => rejectionError(notSignedIn());
