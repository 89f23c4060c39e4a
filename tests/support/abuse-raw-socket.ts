/**
 * A graphql-transport-ws connection driven by hand, for attacks that send many messages at once:
 * {@link RawSocket.burst} writes them all in one TCP write, as a hostile client elsewhere would,
 * instead of the graphql-ws client's one write per message (whose cost, in the test's own
 * process, would be counted as the server's).
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { GraphQLResult } from './graphql-client.ts';

export interface RawSocket {
  /** The first error code answered for each operation id that was refused or failed. */
  readonly errors: Map<string, string | undefined>;
  /** Ids that received at least one `next`. */
  readonly results: Set<string>;
  /** Close code and reason once closed. */
  readonly closed: { code: number; reason: string } | null;
  /** Sends every message in one write. */
  burst(messages: readonly object[]): void;
  close(): Promise<void>;
}

/** Opens a connection to `baseUrl` with `authorization` in connection_init; resolves once acknowledged. */
export async function openRawSocket(baseUrl: string, authorization: string): Promise<RawSocket> {
  const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/api/graphql', 'graphql-transport-ws');
  const errors = new Map<string, string | undefined>();
  const results = new Set<string>();
  const state = { closed: null as { code: number; reason: string } | null };
  socket.on('close', (code, reason) => (state.closed = { code, reason: reason.toString() }));
  const acknowledged = new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', (code) => reject(new Error(`closed with ${code} before connection_ack`)));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: string; payload?: unknown };
      if (message.type === 'connection_ack') resolve();
      else if (message.type === 'next') results.add(message.id!);
      else if (message.type === 'error' && !errors.has(message.id!)) {
        errors.set(message.id!, (message.payload as GraphQLResult['errors'])?.[0]?.extensions?.code);
      }
    });
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } }));
  await acknowledged;
  return {
    errors,
    results,
    get closed() {
      return state.closed;
    },
    burst(messages) {
      const raw = (socket as unknown as { _socket: Socket })._socket;
      raw.cork();
      for (const message of messages) socket.send(JSON.stringify(message));
      raw.uncork();
    },
    async close() {
      if (socket.readyState === socket.CLOSED) return;
      const done = new Promise((resolve) => socket.once('close', resolve));
      socket.close(1000);
      await done;
    },
  };
}
