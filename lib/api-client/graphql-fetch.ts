/**
 * GraphQL over HTTP for the web app's pages (the editor itself uses graphql-ws): typed documents
 * in, typed data out, errors as GraphQLRequestError with the server's stable code.
 */
import type { TypedDocumentString } from './gql/graphql.ts';

export const GRAPHQL_PATH = '/api/graphql';

/** A GraphQL error answer (or a transport failure, code NETWORK_ERROR). */
export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface ErrorLike {
  message?: unknown;
  extensions?: { code?: unknown };
}

/** Runs a query or mutation with the browser's session cookie; rejects on any error. */
export async function gqlFetch<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R> {
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch {
    throw new GraphQLRequestError('NETWORK_ERROR', 'Cannot reach the server. Check your connection and try again.');
  }
  let body: { data?: R | null; errors?: ErrorLike[] } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new GraphQLRequestError('INTERNAL_SERVER_ERROR', `The server answered ${response.status} without a GraphQL result.`);
  }
  const error = body?.errors?.[0];
  if (error) {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
    throw new GraphQLRequestError(code, typeof error.message === 'string' ? error.message : 'The request failed.');
  }
  if (!body?.data) throw new GraphQLRequestError('INTERNAL_SERVER_ERROR', 'The server answered without data.');
  return body.data;
}

/** A message for a person from any error thrown by gqlFetch or a form action. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong; try again.';
}
