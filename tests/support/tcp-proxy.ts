/**
 * A TCP proxy a test can cut, to take a real service (Redis) away from a server under test and
 * give it back, as a network fault would: no mock of the service is involved.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /**
   * `refuse`: drops every connection and refuses new ones (the service is down). `blackhole`:
   * keeps connections open but holds every byte either way until `restore` (a silent network
   * partition: TCP delivers late, it does not drop bytes from the middle of a stream).
   */
  cut(mode?: 'refuse' | 'blackhole'): void;
  /** Forwards again; connections dropped meanwhile must reconnect. */
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (host:port), closed after the file's tests. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: 'open' | 'refuse' | 'blackhole' = 'open';
  const pairs = new Set<[Socket, Socket]>();
  /** Writes held back by a blackhole, in arrival order. */
  let held: Array<() => void> = [];
  const server: Server = createServer((client) => {
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (mode === 'open') to.write(chunk);
        else held.push(() => to.write(chunk));
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: TcpProxy = {
    port: (server.address() as AddressInfo).port,
    cut(how = 'refuse') {
      mode = how;
      if (how === 'refuse') {
        held = [];
        for (const [a, b] of pairs) (a.destroy(), b.destroy());
      }
    },
    restore() {
      mode = 'open';
      const writes = held;
      held = [];
      for (const write of writes) write();
    },
    async close() {
      mode = 'refuse';
      for (const [a, b] of pairs) (a.destroy(), b.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  afterAll(() => proxy.close());
  return proxy;
}
