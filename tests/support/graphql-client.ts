/** Minimal GraphQL clients for tests: over HTTP (fetch) and over WebSocket (graphql-ws). */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResult<T = Record<string, unknown>> {
  readonly data?: T | null;
  readonly errors?: ReadonlyArray<{ message: string; extensions?: { code?: string } & Record<string, unknown> }>;
}

/** POSTs a GraphQL request as JSON; returns the HTTP response and its parsed body. */
export async function gqlHttp<T = Record<string, unknown>>(
  baseUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ response: Response; body: GraphQLResult<T> }> {
  const response = await fetch(`${baseUrl}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { response, body: (await response.json()) as GraphQLResult<T> };
}

/** A graphql-ws client to `baseUrl` that does not retry (tests see every close). */
export function wsClient(
  baseUrl: string,
  options: { headers?: Record<string, string>; connectionParams?: Record<string, unknown>; onClose?: (code: number, reason: string) => void } = {},
): Client {
  const url = baseUrl.replace(/^http/, 'ws') + '/api/graphql';
  const impl = class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: options.headers });
    }
  };
  return createClient({
    url,
    webSocketImpl: impl,
    connectionParams: options.connectionParams,
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        const e = event as { code: number; reason: string };
        options.onClose?.(e.code, e.reason);
      },
    },
  });
}

/** Runs one query or mutation over graphql-ws and resolves with its single result. */
export function wsQuery<T = Record<string, unknown>>(client: Client, query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>> {
  return new Promise((resolve, reject) => {
    let result: GraphQLResult<T> | undefined;
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          result = value as GraphQLResult<T>;
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
      },
    );
  });
}
