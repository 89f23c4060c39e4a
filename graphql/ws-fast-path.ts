/**
 * Two per-message costs of graphql-ws taken off the hot path (issue 8):
 *
 * - Writes: graphql-ws sends every event to every subscriber as its own WebSocket message, and
 *   `ws` writes each one with its own syscall. {@link tickCorker} corks a connection's TCP socket
 *   from its first `next` message in a tick until the tick's microtasks are done, so the ops a
 *   connection receives together (a committed batch arrives from Redis in one read, and wakes
 *   every subscription of the connection) leave in one write. Nothing waits longer than the
 *   current tick. It is called from graphql-ws's `onNext` hook, which runs right before each
 *   `next` message is sent (graphql/ws-transport.ts); the socket is the upgrade request's
 *   (`IncomingMessage.socket`, the one `ws` writes to). No library object is patched.
 * - Validation: every submitOperation carries the same query text; parsing and validating it
 *   again for each op costs more than sequencing it. {@link cachedValidation} remembers the
 *   outcome of valid query texts (validation depends only on the schema and the text).
 */
import type { Socket } from 'node:net';
import type { ValidatedOperation } from './validation.ts';

/**
 * A function that corks `socket` for the rest of the current tick (once per tick, however often
 * it is called); the writes made meanwhile leave together when it uncorks.
 */
export function tickCorker(socket: Socket): () => void {
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked || socket.destroyed) return;
    corked = true;
    socket.cork();
    // After every microtask of this tick (graphql-ws sends from promise continuations).
    process.nextTick(uncork);
  };
}

/** Wraps a validator with a bounded cache of valid query texts (invalid ones are not kept). */
export function cachedValidation(validate: (query: string) => ValidatedOperation, size = 500): (query: string) => ValidatedOperation {
  const valid = new Map<string, ValidatedOperation>();
  return (query) => {
    const hit = valid.get(query);
    if (hit) return hit;
    const result = validate(query);
    if (result.ok && query.length <= 10_000) {
      if (valid.size >= size) valid.delete(valid.keys().next().value as string);
      valid.set(query, result);
    }
    return result;
  };
}
