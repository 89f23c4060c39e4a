/**
 * graphql-ws on a `ws` WebSocketServer: graphql-ws's own `useServer` (graphql-ws/use/ws), kept
 * line for line in what it does (subprotocol, keep-alive pings, error closes), built on
 * graphql-ws's public `makeServer` so that one thing can differ: a `next` payload that many
 * subscribers share is serialised once, not once per subscriber (issue 16).
 *
 * graphql-ws serialises each `next` message itself (`JSON.stringify({ id, type, payload })`), so
 * with N editors on a document every batch was turned into JSON N times per instance, then
 * encoded to UTF-8 N times. Shared execution (graphql/shared-execution.ts) already hands every
 * subscriber the very same ExecutionResult object; `onNext` may replace the payload, and
 * {@link sharedPayload} replaces it with a {@link SharedPayload}: the payload's UTF-8 JSON,
 * made once per result object, whose `toJSON` is a placeholder naming it. This transport's
 * `send` recognises the placeholder at the end of the message graphql-ws produced and sends the
 * message's own head (`{"id":…,"type":"next","payload":`) followed by the shared bytes. What the
 * client receives is byte for byte what graphql-ws would have sent.
 *
 * No graphql-ws or `ws` object is patched: `makeServer`, `onNext` and the transport's `send` are
 * the library's documented extension points.
 */
import type { IncomingMessage } from 'node:http';
import { CloseCode, DEPRECATED_GRAPHQL_WS_PROTOCOL, handleProtocols, makeServer, type FormattedExecutionResult, type ServerOptions } from 'graphql-ws';
import type { ExecutionResult } from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';

/** What every connection's `ctx.extra` holds (as with graphql-ws's `useServer`), plus its shared sends. */
export interface WsExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  /** Shared payloads handed to this connection's `onNext` and not yet sent. */
  readonly sharedSends: SharedSends;
}

/** A serialised `next` payload that may be sent to many connections; see {@link sharedPayload}. */
export class SharedPayload {
  static #next = 0;
  /** The payload as UTF-8 JSON, what graphql-ws would have written after `"payload":`. */
  readonly bytes: Buffer;
  readonly #placeholder: string;

  constructor(payload: FormattedExecutionResult) {
    this.bytes = Buffer.from(JSON.stringify(payload));
    this.#placeholder = PLACEHOLDER + (SharedPayload.#next++).toString(36);
  }

  /** Stands in for the payload inside graphql-ws's message; the transport swaps it for {@link bytes}. */
  toJSON(): string {
    return this.#placeholder;
  }
}

const PLACEHOLDER = '$verso-shared-payload$';
/** How a message that carries a shared payload ends: `"payload":"<placeholder><id>"}`. */
const MARK = `"payload":"${PLACEHOLDER}`;
const CLOSE_BRACE = Buffer.from('}');

const payloads = new WeakMap<ExecutionResult, SharedPayload>();

/**
 * The payload graphql-ws would send for `result` (its own `onNext` default, or `format(result)`
 * when that returns one), serialised once per result object: every connection given the same
 * result shares the bytes. Return it from `onNext` after {@link SharedSends.expect}.
 */
export function sharedPayload(result: ExecutionResult, format: (result: ExecutionResult) => FormattedExecutionResult | undefined): SharedPayload {
  let shared = payloads.get(result);
  if (!shared) {
    const { errors, ...withoutErrors } = result;
    const payload = format(result) ?? { ...withoutErrors, ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}) };
    payloads.set(result, (shared = new SharedPayload(payload)));
  }
  return shared;
}

/**
 * One connection's shared payloads between `onNext` (which announces one) and the `send` of the
 * message that carries it. Keyed by the placeholder, counted: one connection may get the same
 * payload for two subscriptions, and graphql-ws may send them in any order.
 */
export class SharedSends {
  readonly #pending = new Map<string, { readonly payload: SharedPayload; uses: number }>();

  /** Announces that the next message carrying `payload` goes to this connection. */
  expect(payload: SharedPayload): SharedPayload {
    const key = payload.toJSON();
    const entry = this.#pending.get(key);
    if (entry) entry.uses += 1;
    else this.#pending.set(key, { payload, uses: 1 });
    return payload;
  }

  /**
   * The message graphql-ws serialised, with an announced shared payload's placeholder replaced by
   * its bytes (a Buffer), or the text itself when it carries none.
   */
  resolve(data: string): string | Buffer {
    if (this.#pending.size === 0 || !data.endsWith('"}')) return data;
    const at = data.lastIndexOf(MARK);
    if (at < 0) return data;
    const key = data.slice(at + MARK.length - PLACEHOLDER.length, -2);
    const entry = this.#pending.get(key);
    if (!entry) return data;
    if (--entry.uses === 0) this.#pending.delete(key);
    const head = data.slice(0, at + '"payload":'.length);
    return Buffer.concat([Buffer.from(head), entry.payload.bytes, CLOSE_BRACE]);
  }
}

/** A close reason within the 123 bytes WebSocket allows. */
function closeReason(reason: string): string {
  return Buffer.byteLength(reason) > 123 ? 'Internal server error' : reason;
}

/**
 * Serves graphql-ws on `wss` as `useServer` from graphql-ws/use/ws does (same options, same
 * keep-alive, same closes), with shared payloads; returns how to stop.
 */
export function serveGraphQLWebSocket<P extends Record<string, unknown> | undefined, E extends WsExtra>(
  options: ServerOptions<P, E>,
  wss: WebSocketServer,
  { keepAliveMs = 12_000, production }: { readonly keepAliveMs?: number; readonly production: boolean },
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  const internalError = (error: unknown) => (production ? 'Internal server error' : closeReason(error instanceof Error ? error.message : String(error)));
  wss.once('error', (error) => {
    console.error('Internal error emitted on the WebSocket server. Please check your implementation.', error);
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, internalError(error));
  });
  wss.on('connection', (socket, request) => {
    socket.once('error', (error) => {
      console.error('Internal error emitted on a WebSocket socket. Please check your implementation.', error);
      socket.close(CloseCode.InternalServerError, internalError(error));
    });
    let pongWait: ReturnType<typeof setTimeout> | null = null;
    const pingInterval =
      keepAliveMs > 0 && Number.isFinite(keepAliveMs)
        ? setInterval(() => {
            if (socket.readyState !== socket.OPEN) return;
            pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
            socket.once('pong', () => {
              if (pongWait) clearTimeout(pongWait);
              pongWait = null;
            });
            socket.ping();
          }, keepAliveMs)
        : null;
    const sharedSends = new SharedSends();
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            // Resolved first, sent or not: a message dropped because the socket is closing
            // still settles its announced shared payload (no entry outlives its message).
            const message = sharedSends.resolve(data);
            if (socket.readyState !== socket.OPEN) return resolve();
            // A shared payload arrives as a Buffer: still a text frame, as graphql-ws's are.
            socket.send(message, { binary: false }, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (callback) =>
          socket.on('message', async (event) => {
            try {
              await callback(String(event));
            } catch (error) {
              console.error('Internal error occurred during message handling. Please check your implementation.', error);
              socket.close(CloseCode.InternalServerError, internalError(error));
            }
          }),
      },
      { socket, request, sharedSends } as E,
    );
    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      if (pingInterval) clearInterval(pingInterval);
      if (!production && code === CloseCode.SubprotocolNotAcceptable && socket.protocol === DEPRECATED_GRAPHQL_WS_PROTOCOL) {
        console.warn(`Client provided the unsupported and deprecated subprotocol "${socket.protocol}" used by subscriptions-transport-ws.`);
      }
      void closed(code, String(reason));
    });
  });
  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
