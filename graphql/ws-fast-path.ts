/**
 * Two per-message costs of graphql-ws taken off the hot path (issue 8):
 *
 * - Writes: graphql-ws sends every event to every subscriber as its own WebSocket message, and
 *   `ws` writes each one with its own syscall. {@link coalesceWrites} corks a connection's TCP
 *   socket from its first send in a tick until the tick's microtasks are done, so the ops a
 *   connection receives together (a committed batch arrives from Redis in one read) leave in one
 *   write. Nothing waits longer than the current tick.
 * - Validation: every submitOperation carries the same query text; parsing and validating it
 *   again for each op costs more than sequencing it. {@link cachedValidation} remembers the
 *   outcome of valid query texts (validation depends only on the schema and the text).
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { ValidatedOperation } from './validation.ts';

/** Corks the connection's socket for the rest of the tick whenever it sends. */
export function coalesceWrites(socket: WebSocket): void {
  // `ws` keeps the TCP socket in `_socket` (set once the upgrade completed); without it, do nothing.
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  if (!raw || typeof raw.cork !== 'function') return;
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  socket.send = ((...args: unknown[]) => {
    if (!corked && !raw.destroyed) {
      corked = true;
      raw.cork();
      // After every microtask of this tick (graphql-ws sends from promise continuations).
      process.nextTick(uncork);
    }
    send(...args);
  }) as WebSocket['send'];
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
