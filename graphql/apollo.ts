/** The Apollo Server instance for GraphQL over HTTP. */
import { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { GraphQLContext } from './context.ts';
import { versoValidationRules } from './validation.ts';

/** The message that replaces an unexpected error's own in production (it may name internals). */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on the server; try again.';

/**
 * In production, hides unexpected errors' messages (a database error can name tables or values);
 * errors with one of Verso's codes pass through, since their messages are written for clients.
 */
export function maskInternalError(formatted: GraphQLFormattedError, production: boolean): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (!production || (code !== undefined && code !== 'INTERNAL_SERVER_ERROR')) return formatted;
  return { message: INTERNAL_ERROR_MESSAGE, ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

export function createApollo(schema: GraphQLSchema, production: boolean): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    schema,
    // Refuses "simple" cross-site requests (form posts, GETs without a preflight-forcing header).
    csrfPrevention: true,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: !production,
    // Introspection off in production; size, depth and alias bounds run before Apollo (graphql/http-transport.ts preflight).
    validationRules: versoValidationRules(production),
    formatError: (formatted) => maskInternalError(formatted, production),
    // server.ts owns SIGTERM/SIGINT and stops Apollo as one step of draining.
    stopOnTerminationSignals: false,
  });
}
