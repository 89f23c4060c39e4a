/**
 * GraphQL over WebSocket (graphql-transport-ws) on the same schema instance as HTTP.
 * Queries, mutations and subscriptions all run here, for signed-in callers only: the upgrade
 * request's session cookie or `{ "authorization": "Bearer …" }` in `connection_init`.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { getOperationAST, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { FormattedExecutionResult } from 'graphql-ws';
import type { WebSocketServer } from 'ws';
import type { CredentialRevocations } from '../lib/auth/revocation.ts';
import { CredentialLookupUnavailableError } from '../lib/auth/viewer.ts';
import { maskInternalError } from './apollo.ts';
import { userError } from './errors.ts';
import { createConnectionState, type OwnedConnectionState } from './connection-state.ts';
import type { GraphQLContext, Services, Viewer } from './context.ts';
import { sharedSubscribe, sharingPlan } from './shared-execution.ts';
import { cachedValidation, tickCorker } from './ws-fast-path.ts';
import { serveGraphQLWebSocket, sharedPayload, type WsExtra } from './ws-server.ts';
import { validateOperation, variableErrors } from './validation.ts';

/** Close code sent when the server shuts down: the client should reconnect (to any instance). */
export const CLOSE_SERVICE_RESTART = 1012;
/**
 * Close code (WebSocket's "Try Again Later") for a connection whose credential could not be looked
 * up (PostgreSQL stalled or unreachable); the reason starts with SERVICE_UNAVAILABLE and says when
 * to retry. graphql-ws clients reconnect after it.
 */
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** Close code for a connection without a valid credential (and for one whose credential ended). */
export const CLOSE_UNAUTHORIZED = 4401;
/**
 * Close code for a connection over the per-user limit (`WS_MAX_SOCKETS_PER_USER` on one instance):
 * close another tab or integration first. graphql-ws clients retry it like any other 4xxx code
 * they do not know, so a reconnect succeeds once a connection was freed.
 */
export const CLOSE_TOO_MANY_CONNECTIONS = 4029;

/**
 * Largest WebSocket message accepted, in bytes. It sits above the largest op the limits allow
 * (lib/ot/limits.ts: 1,000,000 inserted characters, at most 6 bytes each as JSON, in up to 10,000
 * formatted runs with their attributes, about 1 KB each), so an op over the limits is answered
 * PAYLOAD_TOO_LARGE by validation instead of closing the socket (1009), which a client would
 * take for a network failure and resend into forever (issue 14). Only a message past this closes.
 */
export const WS_MAX_PAYLOAD = 16 * 1024 * 1024;

export interface WsOptions {
  readonly schema: GraphQLSchema;
  readonly services: Services;
  /** Resolves who is connecting from the upgrade request and the `connection_init` payload. */
  readonly resolveViewer: (request: IncomingMessage, connectionParams: Readonly<Record<string, unknown>> | undefined) => Promise<Viewer | null>;
  /** Registry that closes connections whose session or token ends. */
  readonly revocations: CredentialRevocations;
}

interface Extra extends WsExtra {
  viewer: Viewer | null;
  connection: OwnedConnectionState;
  untrack: () => void;
  /** Corks the connection's socket for the rest of the tick (graphql/ws-fast-path.ts). */
  cork: () => void;
}

/** Serves graphql-ws on `wss`; returns a function that stops accepting new operations. */
export function serveGraphQLWs(wss: WebSocketServer, options: WsOptions): () => Promise<void> {
  const { schema, services, resolveViewer, revocations } = options;
  const production = services.config.production;
  const format = (result: ExecutionResult) => (production ? maskResult(result) : undefined);
  const validateQuery = cachedValidation((query) => validateOperation(schema, query, production));
  const { wsMaxSubscriptions, wsMaxSocketsPerUser } = services.config;
  /** Open connections per user on this instance. */
  const socketsPerUser = new Map<string, number>();
  const disposable = serveGraphQLWebSocket<Record<string, unknown> | undefined, WsExtra & Partial<Extra>>(
    {
      schema,
      // Each op is executed once per instance and selection set, not once per subscriber.
      subscribe: sharedSubscribe,
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const viewer = await resolveViewer(ctx.extra.request, ctx.connectionParams).catch((error: unknown) => {
          if (!(error instanceof CredentialLookupUnavailableError)) throw error;
          // Not a verdict on the credential: "try again later", which graphql-ws clients retry.
          socket.close(CLOSE_TRY_AGAIN_LATER, `SERVICE_UNAVAILABLE: the database is not answering; retry after ${error.retryAfterSeconds} s`);
          return undefined;
        });
        if (viewer === undefined) return false;
        if (viewer === null) {
          // graphql-ws would answer `false` with 4403; an absent or invalid credential is 4401.
          socket.close(CLOSE_UNAUTHORIZED, 'Unauthorized: send the session cookie or { "authorization": "Bearer <api token>" }');
          return false;
        }
        // The socket may have closed while its credential was read: its 'close' has fired already,
        // so counting it now would hold one of the user's places forever.
        if (socket.readyState !== socket.OPEN) return false;
        const held = socketsPerUser.get(viewer.userId) ?? 0;
        if (held >= wsMaxSocketsPerUser) {
          socket.close(
            CLOSE_TOO_MANY_CONNECTIONS,
            `Too many connections: at most ${wsMaxSocketsPerUser} per person; close another tab or integration`,
          );
          return false;
        }
        socketsPerUser.set(viewer.userId, held + 1);
        ctx.extra.viewer = viewer;
        ctx.extra.cork = tickCorker(ctx.extra.request.socket);
        const connection = createConnectionState(services, randomUUID(), socket);
        ctx.extra.connection = connection;
        ctx.extra.untrack = revocations.track(viewer.credential, (code, reason) => socket.close(code, reason));
        // Covers every way the socket ends, including ones graphql-ws reports to no hook.
        socket.once('close', () => {
          const left = (socketsPerUser.get(viewer.userId) ?? 1) - 1;
          if (left > 0) socketsPerUser.set(viewer.userId, left);
          else socketsPerUser.delete(viewer.userId);
          ctx.extra.untrack?.();
          void connection.dispose();
        });
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        // graphql-ws registers the operation before this hook: the count includes it. Queries and
        // mutations are in the map only while they run, so in practice this counts subscriptions.
        const open = Object.keys(ctx.subscriptions).length;
        const validated = validateQuery(payload.query);
        if (open > wsMaxSubscriptions) {
          // A query or mutation over the cap is load, not a standing subscription: the client
          // resends it shortly (a flood of submissions gets the answer the rate limit gives).
          if (validated.ok && getOperationAST(validated.document, payload.operationName)?.operation !== 'subscription') {
            return [
              userError('RATE_LIMITED', `This connection has ${open - 1} operations running (the most is ${wsMaxSubscriptions}); wait 1 s and resubmit.`, {
                retryable: true,
                retryAfterSeconds: 1,
              }),
            ];
          }
          return [
            userError(
              'LIMIT_EXCEEDED',
              `This connection already has ${open - 1} operations open (the most is ${wsMaxSubscriptions}); complete a subscription you no longer need, or open another connection.`,
              { limit: 'subscriptionsPerConnection', max: wsMaxSubscriptions },
            ),
          ];
        }
        if (!validated.ok) return validated.errors;
        const invalidVariables = variableErrors(schema, validated.document, payload.operationName, payload.variables);
        if (invalidVariables.length > 0) return [...invalidVariables];
        return { schema, document: validated.document, variableValues: payload.variables, operationName: payload.operationName };
      },
      // Runs right before each `next` message is sent: the messages of one tick leave in one write.
      // A shared subscription's result (one object for every subscriber of an event) is
      // serialised once and its bytes reused for every connection (graphql/ws-server.ts).
      onNext: (ctx, _id, _payload, args, result) => {
        ctx.extra.cork?.();
        if (sharingPlan(args.document, args.operationName) !== null) {
          return ctx.extra.sharedSends.expect(sharedPayload(result, format)) as unknown as FormattedExecutionResult;
        }
        return format(result);
      },
      context: (ctx): GraphQLContext => {
        const requestId = randomUUID();
        const connection = ctx.extra.connection;
        return {
          services,
          viewer: ctx.extra.viewer ?? null,
          transport: 'ws',
          requestId,
          logger: services.logger.child({ requestId, connectionId: connection?.connectionId, transport: 'ws' }),
          ...(connection ? { connection } : {}),
        };
      },
    },
    wss,
    { production },
  );
  return async () => {
    await disposable.dispose();
  };
}

/** Production results: unexpected errors lose their message (it may name internals). */
function maskResult(result: ExecutionResult): FormattedExecutionResult | undefined {
  if (!result.errors) return undefined;
  return { ...result, errors: result.errors.map((e) => maskInternalError(e.toJSON(), true)) };
}
