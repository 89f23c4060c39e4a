/**
 * GraphQL over WebSocket (graphql-transport-ws) on the same schema instance as HTTP.
 * Queries, mutations and subscriptions all run here.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { GraphQLContext, Services, Viewer } from './context.ts';

/** Close code sent when the server shuts down: the client should reconnect (to any instance). */
export const CLOSE_SERVICE_RESTART = 1012;

export interface WsOptions {
  readonly schema: GraphQLSchema;
  readonly services: Services;
  /** Resolves who is connecting from the upgrade request and the `connection_init` payload. */
  readonly resolveViewer: (request: IncomingMessage, connectionParams: Readonly<Record<string, unknown>> | undefined) => Promise<Viewer | null>;
}

/** Serves graphql-ws on `wss`; returns a function that stops accepting new operations. */
export function serveGraphQLWs(wss: WebSocketServer, options: WsOptions): () => Promise<void> {
  const { schema, services, resolveViewer } = options;
  const disposable = useServer<Record<string, unknown> | undefined, { viewer: Viewer | null; connectionId: string }>(
    {
      schema,
      onConnect: async (ctx) => {
        ctx.extra.viewer = await resolveViewer(ctx.extra.request, ctx.connectionParams);
        ctx.extra.connectionId = randomUUID();
        return true;
      },
      context: (ctx): GraphQLContext => {
        const requestId = randomUUID();
        return {
          services,
          viewer: ctx.extra.viewer ?? null,
          transport: 'ws',
          requestId,
          logger: services.logger.child({ requestId, connectionId: ctx.extra.connectionId, transport: 'ws' }),
        };
      },
    },
    wss,
  );
  return async () => {
    await disposable.dispose();
  };
}
