/**
 * Errors a client can see. Every one carries a stable `extensions.code` (API.md) and a message
 * that says what was wrong and what to do.
 */
import { HeaderMap } from '@apollo/server';
import { GraphQLError, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { CredentialLookupUnavailableError } from '../lib/auth/viewer.ts';
import { isDatabaseUnavailable, isPoolTimeout } from '../lib/db/prisma.ts';
import type { GraphQLContext } from './context.ts';
import { unauthenticated as notSignedIn, type ErrorCode, type Rejected } from '../lib/documents/types.ts';

export type { ErrorCode };

/** A GraphQL error with a stable code and optional extra extensions (e.g. `retryAfterSeconds`). */
export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** Seconds a client is asked to wait when the database was busy, stalled or unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** Prisma codes of "no connection in time": the server is busy, not broken. */
const BUSY_PRISMA_CODES = new Set(['P2024']);
/** Prisma codes of an unreachable or failing connection: can't reach, timed out, closed, too many connections. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2037']);
/** SQLSTATEs (inside Prisma's P2010/P2039) of a database that refuses work for now: too many connections, statement cancelled. */
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57014']);

/** The SQLSTATE a Prisma error carries from the driver adapter, if any. */
function sqlStateOf(error: { meta?: unknown }): string | undefined {
  const cause = (error.meta as { driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown } } } | undefined)?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The stable answer to a database failure, or null when `error` is not one (it stays an internal
 * error). A pool that stayed busy past its wait is `RATE_LIMITED`; a database that is unreachable,
 * closed the connection, has no connection left or cancelled the statement is
 * `SERVICE_UNAVAILABLE`. Both carry `retryAfterSeconds`: the same request may simply be sent again.
 */
export function databaseFailure(error: unknown): GraphQLError | null {
  if (error === null || typeof error !== 'object' || error instanceof GraphQLError) return null;
  const code = (error as { code?: unknown }).code;
  const busy =
    isPoolTimeout(error) ||
    (typeof code === 'string' && BUSY_PRISMA_CODES.has(code)) ||
    (code === 'P2028' && /Unable to start a transaction in the given time/.test((error as Error).message));
  if (busy) {
    return userError('RATE_LIMITED', `The server is busy; send the same request again after ${DATABASE_RETRY_AFTER_SECONDS} s.`, {
      retryable: true,
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    });
  }
  const state = sqlStateOf(error as { meta?: unknown });
  const unavailable =
    isDatabaseUnavailable(error) || (typeof code === 'string' && UNAVAILABLE_PRISMA_CODES.has(code)) || (state !== undefined && UNAVAILABLE_SQLSTATES.has(state));
  if (unavailable) {
    return userError('SERVICE_UNAVAILABLE', `The database is not answering; send the same request again after ${DATABASE_RETRY_AFTER_SECONDS} s.`, {
      retryable: true,
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    });
  }
  return null;
}

/** Runs `resolve`, answering database failures (sync or async) with their stable code. */
function answeringDatabaseFailures<TSource, TArgs>(inner: GraphQLFieldResolver<TSource, GraphQLContext, TArgs>): GraphQLFieldResolver<TSource, GraphQLContext, TArgs> {
  const answer = (error: unknown, context: GraphQLContext): never => {
    const mapped = databaseFailure(error);
    if (!mapped) throw error;
    context?.logger?.warn({ err: error, code: mapped.extensions.code }, 'database failure answered with a retryable code');
    throw mapped;
  };
  return (source, args, context, info) => {
    try {
      const result = inner(source, args, context, info);
      return result instanceof Promise ? result.catch((error: unknown) => answer(error, context)) : result;
    } catch (error) {
      return answer(error, context);
    }
  };
}

/**
 * Installs {@link databaseFailure} on every resolver and subscribe function of the schema, so a
 * read on either transport never turns a busy or unreachable database into INTERNAL_SERVER_ERROR;
 * returns the same schema. Fields without a resolver of their own read a property: nothing to wrap.
 */
export function answerDatabaseFailures(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve) field.resolve = answeringDatabaseFailures(field.resolve);
      if (field.subscribe) field.subscribe = answeringDatabaseFailures(field.subscribe);
    }
  }
  return schema;
}

/**
 * What building an HTTP request's context may throw, as Apollo should answer it: a credential that
 * could not be looked up is `SERVICE_UNAVAILABLE` with `retryAfterSeconds`, HTTP 503 and a
 * `Retry-After` header; anything else is rethrown unchanged.
 */
export function contextFailure(error: unknown): never {
  if (error instanceof CredentialLookupUnavailableError) {
    throw userError('SERVICE_UNAVAILABLE', error.message, {
      retryable: true,
      retryAfterSeconds: error.retryAfterSeconds,
      http: { status: 503, headers: new HeaderMap([['retry-after', String(error.retryAfterSeconds)]]) },
    });
  }
  throw error;
}

/** The error of a service's refusal: the same code, message and extensions. */
export const rejectionError = (rejection: Rejected): GraphQLError => userError(rejection.code, rejection.message, rejection.extensions ?? {});

/** A service's answer, or the error of its refusal thrown (lib/documents answers values). */
export function orThrow<T extends { readonly kind: string }>(result: T | Rejected): Exclude<T, Rejected> {
  if (result.kind === 'rejected') throw rejectionError(result as Rejected);
  return result as Exclude<T, Rejected>;
}

export const unauthenticated = () => rejectionError(notSignedIn());
