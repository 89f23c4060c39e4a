/**
 * graphql/ws-fast-path.ts: messages a connection sends in one tick leave in one socket write and
 * arrive complete and in order (also through graphql-ws's `onNext` hook, as ws-transport.ts uses
 * it); valid query texts are validated once, invalid ones every time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { cachedValidation, tickCorker } from '../../graphql/ws-fast-path.ts';
import type { ValidatedOperation } from '../../graphql/validation.ts';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** Sends 50 messages in one tick from the server side; counts the socket writes that carried them. */
async function burst(coalesce: boolean): Promise<{ writes: number; received: string[] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: string[] = [];
  const all = new Promise<void>((resolve) => client.on('message', (data) => received.push(String(data)) === 50 && resolve()));
  const [socket, request] = await new Promise<[WebSocket, IncomingMessage]>((resolve) => wss.once('connection', (s, r) => resolve([s, r])));
  // The socket the corker gets (the upgrade request's) is the one `ws` writes to.
  expect(request.socket).toBe((socket as unknown as { _socket: Socket })._socket);
  const cork = coalesce ? tickCorker(request.socket) : () => {};
  const counter = countWrites(request.socket);
  await Promise.resolve().then(() => {
    for (let i = 0; i < 50; i++) {
      cork();
      socket.send(`message ${i}`);
    }
  });
  await all;
  client.close();
  return { writes: counter.writes, received };
}

/** Counts the writes (syscalls) a socket makes from now on. */
function countWrites(socket: Socket): { readonly writes: number } {
  const raw = socket as Socket & { _writev?: (...a: unknown[]) => void; _write: (...a: unknown[]) => void };
  const counter = { writes: 0 };
  const writev = raw._writev?.bind(raw);
  const write = raw._write.bind(raw);
  if (writev) raw._writev = (...a: unknown[]) => (counter.writes++, writev(...a));
  raw._write = (...a: unknown[]) => (counter.writes++, write(...a));
  return counter;
}

describe('coalesced WebSocket writes', () => {
  it('50 messages sent in one tick leave in one write, arrive in order; without it they take one write each', async () => {
    const expected = Array.from({ length: 50 }, (_, i) => `message ${i}`);
    const on = await burst(true);
    expect(on.received).toEqual(expected);
    expect(on.writes).toBe(1);
    const off = await burst(false);
    expect(off.received).toEqual(expected);
    expect(off.writes).toBeGreaterThanOrEqual(25);
  });
});

describe('corking from graphql-ws onNext', () => {
  it('50 subscriptions of one connection woken by one event leave in at most 2 writes', async () => {
    // One event source: each subscription's iterator waits in `pending` until the event fires.
    const pending: Array<(result: IteratorResult<{ tick: number }>) => void> = [];
    const events = (): AsyncIterableIterator<{ tick: number }> => ({
      next: () => new Promise((resolve) => pending.push(resolve)),
      return: async () => ({ done: true, value: undefined }),
      [Symbol.asyncIterator]() {
        return this;
      },
    });
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: {
          tick: {
            type: GraphQLInt,
            subscribe: () => events(),
          },
        },
      }),
    });
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    servers.push(wss);
    await new Promise((resolve) => wss.once('listening', resolve));
    let counter: { readonly writes: number } | undefined;
    type Extra = { socket: WebSocket; request: IncomingMessage; cork?: () => void };
    useServer<Record<string, unknown> | undefined, Extra>(
      {
        schema,
        onConnect: (ctx) => {
          ctx.extra.cork = tickCorker(ctx.extra.request.socket);
          counter = countWrites(ctx.extra.request.socket);
          return true;
        },
        onNext: (ctx) => {
          ctx.extra.cork?.();
        },
      },
      wss,
    );
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, 'graphql-transport-ws');
    const nexts: string[] = [];
    let acked: () => void = () => {};
    const ack = new Promise<void>((resolve) => (acked = resolve));
    let allNexts: () => void = () => {};
    const done = new Promise<void>((resolve) => (allNexts = resolve));
    client.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: string };
      if (message.type === 'connection_ack') acked();
      if (message.type === 'next' && nexts.push(message.id!) === 50) allNexts();
    });
    await new Promise((resolve) => client.once('open', resolve));
    client.send(JSON.stringify({ type: 'connection_init' }));
    await ack;
    for (let i = 0; i < 50; i++) client.send(JSON.stringify({ id: `s${i}`, type: 'subscribe', payload: { query: 'subscription { tick }' } }));
    for (const deadline = Date.now() + 10_000; pending.length < 50; ) {
      if (Date.now() > deadline) throw new Error(`only ${pending.length} of 50 subscriptions started`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const before = counter!.writes;
    for (const wake of pending.splice(0)) wake({ done: false, value: { tick: 1 } });
    await done;
    const writes = counter!.writes - before;
    client.close();
    expect(nexts).toHaveLength(50);
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(2);
  });
});

describe('cached validation', () => {
  it('validates a valid query text once and an invalid one every time', () => {
    let calls = 0;
    const validate = cachedValidation((query): ValidatedOperation => {
      calls += 1;
      return query.includes('bad') ? { ok: false, errors: [] } : { ok: true, document: parse(query) };
    });
    const first = validate('{ a }');
    expect(validate('{ a }')).toBe(first);
    validate('{ bad }');
    validate('{ bad }');
    expect(calls).toBe(3);
  });
});
