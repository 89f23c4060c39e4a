/**
 * `npx tsx bench/fanout.ts [--subscribers=200] [--rate=200] [--instances=2] [--seconds=20]
 *   [--warmup-seconds=4] [--server-env=K=V,…] [--server-node-args="…"]`
 *
 * The fan-out path alone (issue 16 item 4): what an instance spends to hand one committed op to
 * one subscriber, without the write path. It starts `--instances` Verso instances (a database and
 * Redis prefix of their own), opens `--subscribers` graphql-ws connections spread over them, each
 * following one document's `documentOperationBatches` with the web editor's selection set, and
 * publishes `--rate` ops per second straight onto the document's Redis channel in Verso's wire
 * form (what the sequencer publishes after a commit), so PostgreSQL's load on a shared machine
 * does not move the figure. Each subscriber checks it gets every version once and in order, and
 * times each op from publish to arrival. Prints, for the measured seconds: the instances' CPU,
 * deliveries per second, server µs per delivery, messages per subscriber per second, and fan-out
 * p50/p99. Run it from another checkout (copy the file into its bench/) to compare two versions.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { dropDatabase, ensureDatabase, migrate } from '../lib/migrator/migrate.ts';
import { withDatabase } from '../lib/migrator/connection.ts';
import { createAccount, createDocuments, freePort, Instance, runPrefix } from './lib/cluster.ts';
import { cpuBetween, sampleMachine, idleBetween, sampleProc } from './lib/proc.ts';
import { Histogram } from './lib/stats.ts';

const { values: argv } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '200' },
    rate: { type: 'string', default: '200' },
    instances: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '20' },
    'warmup-seconds': { type: 'string', default: '4' },
    'server-env': { type: 'string', default: '' },
    'server-node-args': { type: 'string', default: '' },
  },
});

const OPS = `subscription DocumentOperationBatches($documentId: ID!, $fromVersion: Int!) {
  documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) { operations { version delta clientId clientSeq author { id name } } }
}`;

const VERSION = '"version":';

interface Subscriber {
  socket: WebSocket;
  head: number;
  received: number;
  messages: number;
  errors: string[];
}

const log = (message: string) => console.log(`[fanout ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Fan-out times of the measured seconds (replaced when the measurement starts). */
const timing = { fanout: new Histogram() };

async function subscribe(url: string, token: string, documentId: string, sentAt: Map<number, number>): Promise<Subscriber> {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/api/graphql', 'graphql-transport-ws');
  const subscriber: Subscriber = { socket, head: 0, received: 0, messages: 0, errors: [] };
  let acked: () => void = () => {};
  let acknowledged = false;
  const ack = new Promise<void>((resolve) => (acked = resolve));
  // The client must cost far less than the server per delivery, or it measures itself: a `next`
  // message is not parsed, only scanned for its first and last version (the publisher makes
  // clientSeq = version, so the versions also say when each op was sent).
  socket.on('message', (data) => {
    const text = String(data);
    if (!acknowledged) {
      acknowledged = (JSON.parse(text) as { type: string }).type === 'connection_ack';
      if (acknowledged) acked();
      return;
    }
    const first = text.indexOf(VERSION);
    const last = text.lastIndexOf(VERSION);
    if (!text.startsWith('{"id":"1","type":"next"') || first < 0) return void subscriber.errors.push(text.slice(0, 300));
    const from = parseInt(text.slice(first + VERSION.length, first + VERSION.length + 12), 10);
    const to = parseInt(text.slice(last + VERSION.length, last + VERSION.length + 12), 10);
    let count = 0;
    for (let at = first; at >= 0; at = text.indexOf(VERSION, at + 1)) count += 1;
    if (from !== subscriber.head + 1 || to - from + 1 !== count) subscriber.errors.push(`versions ${from}..${to} (${count} ops) after ${subscriber.head}`);
    const now = performance.now();
    subscriber.messages += 1;
    subscriber.received += count;
    subscriber.head = to;
    for (let v = from; v <= to; v++) {
      const sent = sentAt.get(v);
      if (sent !== undefined) timing.fanout.record(now - sent);
    }
  });
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await ack;
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: OPS, variables: { documentId, fromVersion: 0 } } }));
  return subscriber;
}

async function main(): Promise<void> {
  const subscribers = Number(argv.subscribers);
  const rate = Number(argv.rate);
  const seconds = Number(argv.seconds);
  const base = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databaseUrl = withDatabase(base, `verso_fanout_${process.pid}_${randomBytes(3).toString('hex')}`);
  const redisPrefix = runPrefix('fanout');
  const env = Object.fromEntries(String(argv['server-env']).split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const nodeArgs = String(argv['server-node-args']).split(' ').filter(Boolean);
  await ensureDatabase(databaseUrl);
  const instances: Instance[] = [];
  const sockets: WebSocket[] = [];
  const redis = new Redis(redisUrl);
  try {
    await migrate(databaseUrl);
    for (let k = 0; k < Number(argv.instances); k++) instances.push(new Instance(await freePort(), { databaseUrl, redisUrl, redisPrefix, env, nodeArgs }));
    await Promise.all(instances.map((i) => i.start()));
    const { token, userId } = await createAccount(instances[0]!.url);
    const [documentId] = await createDocuments(instances[0]!.url, token, 1, 'Fan-out\n');
    const sentAt = new Map<number, number>();
    const subs: Subscriber[] = [];
    for (let i = 0; i < subscribers; i += 25) {
      const batch = await Promise.all(Array.from({ length: Math.min(25, subscribers - i) }, (_, j) => subscribe(instances[(i + j) % instances.length]!.url, token, documentId!, sentAt)));
      subs.push(...batch);
    }
    sockets.push(...subs.map((s) => s.socket));
    await new Promise((resolve) => setTimeout(resolve, 1000)); // every feed's catch-up is done
    log(`${subscribers} subscribers on ${instances.length} instances; publishing ${rate} ops/s`);

    // Verso's wire form of an op (lib/pubsub/redis-broadcaster.ts), as the sequencer publishes it.
    const channel = `${redisPrefix}doc:${documentId}:ops`;
    let version = 0;
    const publishOne = () => {
      version += 1;
      sentAt.set(version, performance.now());
      const wire = { v: version, d: [{ retain: (version * 7) % 8 }, { insert: 'ab' }], a: userId, c: 'fanout-publisher', s: version, t: Date.now() };
      void redis.publish(channel, JSON.stringify(wire));
    };
    const tickMs = 10;
    const started = performance.now();
    const timer = setInterval(() => {
      // Publish what the rate owes by now (timers drift under load; the rate must not).
      for (let owed = Math.floor(((performance.now() - started) / 1000) * rate) - version; owed > 0; owed--) publishOne();
    }, tickMs);

    await new Promise((resolve) => setTimeout(resolve, Number(argv['warmup-seconds']) * 1000));
    const cpu0 = instances.map((i) => sampleProc(i.pid!)!);
    const machine0 = sampleMachine();
    const received0 = subs.reduce((n, s) => n + s.received, 0);
    const messages0 = subs.reduce((n, s) => n + s.messages, 0);
    const version0 = version;
    timing.fanout = new Histogram();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const { fanout } = timing;
    const cpu1 = instances.map((i) => sampleProc(i.pid!)!);
    const machine1 = sampleMachine();
    const received = subs.reduce((n, s) => n + s.received, 0) - received0;
    const messages = subs.reduce((n, s) => n + s.messages, 0) - messages0;
    const published = version - version0;
    clearInterval(timer);
    // Let the last ops arrive, then check every subscriber got every version once, in order.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const errors = subs.flatMap((s) => s.errors);
    const behind = subs.filter((s) => s.head !== version).length;
    const cpus = cpu0.map((a, k) => cpuBetween(a, cpu1[k]!));
    const cpuSeconds = cpu0.reduce((sum, a, k) => sum + (cpu1[k]!.cpuSeconds - a.cpuSeconds), 0);
    const elapsed = (cpu1[0]!.at - cpu0[0]!.at) / 1000;
    log(
      `subscribers=${subscribers} rate=${rate}/s: published ${(published / elapsed).toFixed(0)}/s, deliveries ${(received / elapsed).toFixed(0)}/s, ` +
        `servers CPU ${cpus.map((c) => `${(c * 100).toFixed(0)}%`).join('/')}, server µs/delivery ${((cpuSeconds * 1e6) / received).toFixed(1)}, ` +
        `messages/subscriber/s ${(messages / subscribers / elapsed).toFixed(1)}, ops/message ${(received / messages).toFixed(1)}, ` +
        `fan-out p50/p99 ${fanout.quantile(0.5).toFixed(1)}/${fanout.quantile(0.99).toFixed(1)} ms, machine idle ${(idleBetween(machine0, machine1) * 100).toFixed(0)}%, ` +
        `gapless: ${errors.length === 0 && behind === 0 ? 'yes' : `NO (${errors.length} errors, ${behind} behind; first: ${errors[0] ?? ''})`}`,
    );
  } finally {
    for (const s of sockets) s.terminate();
    await Promise.allSettled(instances.map((i) => i.stop()));
    redis.disconnect();
    await dropDatabase(databaseUrl).catch(() => undefined);
  }
}

await main();
