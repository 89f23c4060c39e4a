/**
 * The one schema of the process, shared by GraphQL over HTTP and over WebSocket.
 * Importing a type module registers its types with the builder.
 */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import { answerDatabaseFailures } from './errors.ts';
import { refuseControlCharacters } from './input-text.ts';
import './scalars.ts';
import './types/root.ts';
import './types/user.ts';
import './types/document.ts';
import './types/operation.ts';
import './types/operation-batches.ts';
import './types/presence.ts';
import './types/account.ts';
import './types/sharing.ts';
import './types/history.ts';
import './types/my-role.ts';
import './types/comments.ts';
import './types/suggestions.ts';

/** Builds the schema; call once per process. */
export function buildSchema(): GraphQLSchema {
  return answerDatabaseFailures(refuseControlCharacters(builder.toSchema({ sortSchema: false })));
}

/** The SDL committed as schema.graphql: sorted so that diffs are stable. */
export function printSchemaSdl(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}

let cached: GraphQLSchema | undefined;

/** The process's schema instance, built on first use. */
export function getSchema(): GraphQLSchema {
  return (cached ??= buildSchema());
}
