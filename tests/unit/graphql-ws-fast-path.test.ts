/**
 * graphql/ws-fast-path.ts: messages a connection sends in one tick leave in one socket write and
 * arrive complete and in order; valid query texts are validated once, invalid ones every time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { cachedValidation, coalesceWrites } from '../../graphql/ws-fast-path.ts';
import type { ValidatedOperation } from '../../graphql/validation.ts';
import { parse } from 'graphql';

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
  const socket = await new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  if (coalesce) coalesceWrites(socket);
  const raw = (socket as unknown as { _socket: Socket & { _writev?: (...a: unknown[]) => void; _write: (...a: unknown[]) => void } })._socket;
  let writes = 0;
  const writev = raw._writev?.bind(raw);
  const write = raw._write.bind(raw);
  if (writev) raw._writev = (...a: unknown[]) => (writes++, writev(...a));
  raw._write = (...a: unknown[]) => (writes++, write(...a));
  await Promise.resolve().then(() => {
    for (let i = 0; i < 50; i++) socket.send(`message ${i}`);
  });
  await all;
  client.close();
  return { writes, received };
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
