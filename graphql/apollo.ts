/** The Apollo Server instance for GraphQL over HTTP. */
import { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from './context.ts';

export function createApollo(schema: GraphQLSchema, production: boolean): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    schema,
    // Refuses "simple" cross-site requests (form posts, GETs without a preflight-forcing header).
    csrfPrevention: true,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: !production,
    // server.ts owns SIGTERM/SIGINT and stops Apollo as one step of draining.
    stopOnTerminationSignals: false,
  });
}
