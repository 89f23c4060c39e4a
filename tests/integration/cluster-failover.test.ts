/**
 * `npm run cluster` (issue 9): two instances behind nginx (round-robin, no stickiness) on the
 * test database and Redis prefix. Clients connect only to nginx; one instance is killed
 * (SIGKILL) while they type; they reconnect through nginx to the survivor and converge, with
 * every acknowledged op stored once and the log gapless. Needs Debian's nginx (.ci/run installs
 * it): without it this test fails, saying so.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PrismaClient } from '../../lib/db/prisma.ts';
import { seededRandom } from '../../lib/ot/random-op.ts';
import { createToken, eventually, signUp, type TestAccount } from '../support/auth.ts';
import { openBot, settled, typeRandomly, type Bot } from '../support/collab-bots.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { testPrisma } from '../support/prisma.ts';
import { freePort } from '../../bench/lib/free-port.ts';

interface Ready {
  readonly url: string;
  readonly nginxPid: number;
  readonly instances: ReadonlyArray<{ index: number; port: number; pid: number }>;
}

const NGINX = ['/usr/sbin/nginx', ...(process.env.PATH ?? '').split(':').map((d) => `${d}/nginx`)].find((p) => existsSync(p));
const prisma: PrismaClient = testPrisma();
let cluster: ChildProcessWithoutNullStreams | undefined;
let ready: Ready;
let events: Array<Record<string, unknown>> = [];
let owner: TestAccount;
let token: string;

beforeAll(async () => {
  if (!NGINX) throw new Error('nginx is not installed: `apt-get install -y nginx` (.ci/run does this before the tests).');
  const port = await freePort();
  cluster = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      REDIS_URL: inject('redisUrl'),
      REDIS_PREFIX: inject('redisPrefix'),
      PORT: String(port),
      CLUSTER_INSTANCES: '2',
      VERSO_WEB: '0',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_SIGNIN_ADDRESS: '100000/60',
    },
  });
  let stderr = '';
  cluster.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let buffered = '';
  ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cluster not ready within 90 s:\n${stderr}`)), 90_000);
    cluster!.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as Record<string, unknown>;
        events.push(event);
        if (event.event === 'ready') {
          clearTimeout(timer);
          resolve(event as unknown as Ready);
        }
      }
    });
    cluster!.once('exit', (code) => reject(new Error(`cluster exited with ${code}:\n${stderr}`)));
  });
  owner = await signUp(ready);
  token = (await createToken(ready, owner.cookie)).token;
}, 120_000);

afterAll(async () => {
  if (!cluster || cluster.exitCode !== null) return;
  const exited = new Promise((resolve) => cluster!.once('exit', resolve));
  cluster.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(resolve, 20_000, false))]);
  if (!stopped) {
    // The supervisor hung: end what it started, by pid.
    for (const pid of [ready?.nginxPid, ...(ready?.instances ?? []).map((i) => i.pid), cluster.pid]) {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}, 30_000);

async function metricsOf(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/api/metrics`)).text();
}

function sample(metrics: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics);
  return match ? Number(match[1]) : Number.NaN;
}

describe('cluster behind nginx', () => {
  it('round-robins HTTP and WebSockets over both instances, hides /api/metrics, and forwards request ids', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${ready.url}/api/ready`);
      expect(response.status).toBe(200);
      ids.add(response.headers.get('x-request-id') ?? '');
    }
    expect(ids.size).toBe(4);
    expect((await fetch(`${ready.url}/api/metrics`)).status).toBe(404);
  });

  it('clients reconnect through nginx when an instance is killed mid-typing, and converge', async () => {
    const { body } = await gqlHttp<{ createDocument: { id: string } }>(
      ready.url,
      'mutation { createDocument(title: "Cluster", content: { ops: [{ insert: "Start\\n" }] }) { id } }',
      {},
      { authorization: `Bearer ${token}` },
    );
    const documentId = body.data!.createDocument.id;
    const bots: Bot[] = [];
    try {
      for (let i = 0; i < 6; i++) bots.push(await openBot(`lb${i}`, [ready.url], token, documentId, { ackTimeoutMs: 2000 }));
      // Round-robin put sockets on both instances (each bot has one).
      const [first, second] = ready.instances;
      const connections = async () =>
        Promise.all([first!, second!].map(async (instance) => sample(await metricsOf(instance.port), 'verso_websocket_connections')));
      await eventually(async () => (await connections()).every((n) => n >= 1), 10_000);

      let killed = false;
      await Promise.all(
        bots.map(async (bot, n) => {
          const random = seededRandom(9000 + n);
          for (let i = 0; i < 15; i++) {
            typeRandomly(bot, random);
            await new Promise((resolve) => setTimeout(resolve, 20 + random() * 30));
            if (n === 0 && i === 5 && !killed) {
              killed = true;
              process.kill(first!.pid, 'SIGKILL');
            }
          }
        }),
      );
      const head = await settled(bots, async () => {
        const row = await prisma.document.findUniqueOrThrow({ where: { id: documentId }, select: { version: true } });
        return row.version;
      }, 45_000);

      for (const bot of bots) expect(bot.session.document.ops).toEqual(bots[0]!.session.document.ops);
      const ops = await prisma.operation.findMany({ where: { documentId }, orderBy: { version: 'asc' }, select: { version: true, clientId: true, clientSeq: true } });
      expect(ops.map((o) => o.version)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      for (const bot of bots) {
        const stored = ops.filter((o) => o.clientId === bot.session.clientId).map((o) => o.clientSeq);
        expect(stored).toEqual(Array.from({ length: bot.session.issuedOps }, (_, i) => i + 1));
      }
      const served = await gqlHttp<{ document: { content: { ops: unknown[] } } }>(
        ready.url,
        'query($id: ID!) { document(id: $id) { content } }',
        { id: documentId },
        { authorization: `Bearer ${token}` },
      );
      expect(served.body.data!.document.content.ops).toEqual(bots[0]!.session.document.ops);

      // The survivor's metrics saw the work: ops applied, acks timed, ops fanned out to its sockets.
      const survivor = await metricsOf(second!.port);
      expect(sample(survivor, 'verso_ops_applied_total{outcome="applied"}')).toBeGreaterThan(0);
      expect(sample(survivor, 'verso_op_ack_seconds_count')).toBeGreaterThan(0);
      expect(sample(survivor, 'verso_fanout_lag_seconds_count')).toBeGreaterThan(0);
      expect(sample(survivor, 'verso_websocket_connections')).toBeGreaterThanOrEqual(1);
      expect(events.some((e) => e.event === 'instance-exited' && e.pid === first!.pid)).toBe(true);
    } finally {
      await Promise.all(bots.map((bot) => bot.close()));
    }
  }, 90_000);
});
