/**
 * graphql/ws-server.ts: a `next` payload that subscribers share (one ExecutionResult object, as
 * shared execution gives every subscriber of an event) is serialised once per instance, not once
 * per subscriber, and every client still receives exactly the message graphql-ws's own
 * `useServer` sends; messages without a shared payload pass through unchanged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLID, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, type ExecutionResult } from 'graphql';
import { sharedSubscribe, sharingPlan } from '../../graphql/shared-execution.ts';
import { serveGraphQLWebSocket, SharedPayload, sharedPayload, SharedSends, type WsExtra } from '../../graphql/ws-server.ts';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise((resolve) => s.close(resolve));
  }
});

/**
 * A schema whose `documentOperations` (a shared field) streams ops from `publish`; an op's
 * `delta` serialises to an object that counts how often it is turned into JSON.
 */
function setup() {
  const counts = { json: 0 };
  const listeners = new Set<(op: { version: number }) => void>();
  const stream = () => {
    const queue: Array<{ version: number }> = [];
    let wake: (() => void) | null = null;
    const listener = (op: { version: number }) => {
      queue.push(op);
      wake?.();
    };
    listeners.add(listener);
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<{ version: number }>> {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        return { done: false, value: queue.shift()! };
      },
      async return(): Promise<IteratorResult<{ version: number }>> {
        listeners.delete(listener);
        return { done: true, value: undefined };
      },
    };
  };
  const Counted = new GraphQLScalarType({
    name: 'Counted',
    serialize: (value) => ({
      toJSON: () => {
        counts.json += 1;
        return { ops: [{ insert: `é ${String(value)}\n` }] };
      },
    }),
  });
  const Op = new GraphQLObjectType<{ version: number }>({
    name: 'Op',
    fields: { version: { type: GraphQLInt }, delta: { type: Counted, resolve: (op) => op.version } },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt, resolve: () => 1 } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        documentOperations: {
          type: Op,
          args: { documentId: { type: new GraphQLNonNull(GraphQLID) } },
          subscribe: stream,
          resolve: (op: { version: number }) => op,
        },
      },
    }),
  });
  const publish = (op: { version: number }) => listeners.forEach((l) => l(op));
  return { schema, publish, counts, subscribers: () => listeners.size };
}

async function listen(wss: WebSocketServer): Promise<string> {
  servers.push(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

/** A raw graphql-transport-ws client that records every message text it receives. */
async function rawClient(url: string, id: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const texts: string[] = [];
  const binary: boolean[] = [];
  let acked: () => void = () => {};
  const ack = new Promise<void>((resolve) => (acked = resolve));
  socket.on('message', (data, isBinary) => {
    texts.push(String(data));
    binary.push(isBinary);
    if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') acked();
  });
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await ack;
  socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription($d: ID!) { documentOperations(documentId: $d) { version delta } }', variables: { d: '1' } } }));
  return { socket, texts, binary, nexts: () => texts.filter((t) => (JSON.parse(t) as { type: string }).type === 'next') };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !condition(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Subscribes `count` clients, publishes two ops, returns what each client received. */
async function run(serve: (wss: WebSocketServer, schema: GraphQLSchema) => void, count: number) {
  const { schema, publish, counts, subscribers } = setup();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  serve(wss, schema);
  const url = await listen(wss);
  // Ids that look like the placeholder must not confuse the transport.
  const clients = await Promise.all(Array.from({ length: count }, (_, i) => rawClient(url, i === 0 ? '"payload":"$verso-shared-payload$0' : `sub-${i}`)));
  await waitFor(() => subscribers() === count, 'every subscription');
  publish({ version: 1 });
  publish({ version: 2 });
  await waitFor(() => clients.every((c) => c.nexts().length === 2), 'both ops at every client');
  for (const c of clients) c.socket.close();
  return { clients, json: counts.json };
}

const shared = (wss: WebSocketServer, schema: GraphQLSchema) =>
  serveGraphQLWebSocket<undefined, WsExtra>(
    {
      schema,
      subscribe: sharedSubscribe,
      onNext: (ctx, _id, _payload, args, result) =>
        sharingPlan(args.document, args.operationName) !== null ? (ctx.extra.sharedSends.expect(sharedPayload(result, () => undefined)) as never) : undefined,
    },
    wss,
    { production: false },
  );
const plain = (wss: WebSocketServer, schema: GraphQLSchema) => useServer({ schema, subscribe: sharedSubscribe }, wss);

describe('shared next payloads', () => {
  it('serialises an event once for 5 subscribers, and each receives the text graphql-ws would send, as a text frame', async () => {
    const ours = await run(shared, 5);
    const theirs = await run(plain, 5);
    expect(theirs.json).toBe(10); // graphql-ws alone: once per subscriber per event
    expect(ours.json).toBe(2);
    for (let i = 0; i < 5; i++) {
      expect(ours.clients[i]!.texts).toEqual(theirs.clients[i]!.texts);
      expect(ours.clients[i]!.binary.every((b) => !b)).toBe(true);
    }
    expect(JSON.parse(ours.clients[1]!.nexts()[1]!)).toEqual({ id: 'sub-1', type: 'next', payload: { data: { documentOperations: { version: 2, delta: { ops: [{ insert: 'é 2\n' }] } } } } });
  });
});

describe('SharedSends', () => {
  const message = (id: string, payload: unknown) => JSON.stringify({ id, type: 'next', payload });

  it('swaps an announced payload in, once per announcement, in any order', () => {
    const sends = new SharedSends();
    const a = new SharedPayload({ data: { n: 1 } });
    const b = new SharedPayload({ data: { n: 2 } });
    sends.expect(a);
    sends.expect(b);
    sends.expect(a);
    expect(String(sends.resolve(message('y', b)))).toBe(message('y', { data: { n: 2 } }));
    expect(String(sends.resolve(message('x', a)))).toBe(message('x', { data: { n: 1 } }));
    expect(String(sends.resolve(message('z', a)))).toBe(message('z', { data: { n: 1 } }));
    // Nothing announced any more: the placeholder is left as it is (a bug would show, not be hidden).
    expect(sends.resolve(message('w', a))).toBe(message('w', a));
  });

  it('leaves other messages untouched', () => {
    const sends = new SharedSends();
    const a = sends.expect(new SharedPayload({ data: { n: 1 } }));
    const texts = [JSON.stringify({ id: 'c', type: 'complete' }), message('q', { data: { payload: a.toJSON() } }), message('r', a.toJSON() + 'x')];
    for (const text of texts) expect(sends.resolve(text)).toBe(text);
  });

  it('formats once per result object with the given formatter, else as graphql-ws does', () => {
    const result: ExecutionResult = { data: { n: 1 } };
    const one = sharedPayload(result, () => undefined);
    expect(sharedPayload(result, () => ({ data: { n: 2 } }))).toBe(one);
    expect(JSON.parse(one.bytes.toString())).toEqual({ data: { n: 1 } });
    expect(JSON.parse(sharedPayload({ data: null }, () => ({ data: { masked: true } })).bytes.toString())).toEqual({ data: { masked: true } });
  });
});
