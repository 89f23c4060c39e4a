/**
 * Zero-configuration start (issue 9): `server.ts` with DATABASE_URL and REDIS_URL unset runs the
 * embedded PostgreSQL (PGlite under DATA_DIR) and in-process pub/sub. Deliberately no real
 * PostgreSQL or Redis here: that mode is what is under test. Each server is a child process on a
 * temporary data folder, always killed and removed afterwards.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../lib/ot/random-op.ts';
import { createToken, GOOD_PASSWORD, signIn, signUp, uniqueEmail } from '../support/auth.ts';
import { openBot, settled, typeRandomly, type Bot } from '../support/collab-bots.ts';
import { gqlHttp } from '../support/graphql-client.ts';

interface Child {
  readonly url: string;
  readonly process: ChildProcessWithoutNullStreams;
  /** stdout so far: pino's JSON lines. */
  output(): string;
  /** Exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

const children = new Set<ChildProcessWithoutNullStreams>();
const folders: string[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
});

/** The environment of a newcomer's machine: no DATABASE_URL, no REDIS_URL. */
function bareEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', VERSO_WEB: '0', LOG_LEVEL: 'info', ...extra };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.VITEST; // the child logs at info like `npm start` does
  return env;
}

function spawnServer(dataDir: string, extra: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { env: bareEnv(dataDir, extra) });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts `server.ts` on `dataDir` and waits for its "ready" line. */
async function startServer(dataDir: string): Promise<Child> {
  const child = spawnServer(dataDir);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 60 s:\n${stdout}\n${stderr}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on port (\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${stdout}\n${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}`, process: child, output: () => stdout, exited };
}

async function stop(child: Child, signal: NodeJS.Signals): Promise<number | null> {
  child.process.kill(signal);
  return child.exited;
}

async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'verso-embedded-'));
  folders.push(dir);
  return dir;
}

async function documentState(url: string, cookie: string, id: string) {
  const { body } = await gqlHttp<{ document: { version: number; content: { ops: unknown[] }; title: string } }>(
    url,
    'query($id: ID!) { document(id: $id) { version content title } }',
    { id },
    { cookie },
  );
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.document;
}

describe('embedded mode: no DATABASE_URL, no REDIS_URL', () => {
  it('starts, says so in one log line, signs up, edits live with several clients; an edit survives a clean restart and a kill -9', async () => {
    const dataDir = await newDataDir();
    let server = await startServer(dataDir);
    const modeLines = server.output().split('\n').filter((line) => line.includes('single-instance mode'));
    expect(modeLines).toHaveLength(1);
    const modeLine = JSON.parse(modeLines[0]!) as { msg: string; embeddedDatabase: boolean; inProcessPubSub: boolean };
    expect(modeLine).toMatchObject({ embeddedDatabase: true, inProcessPubSub: true });
    expect(modeLine.msg).toContain(join(dataDir, 'pglite'));
    expect(modeLine.msg).toMatch(/several instances need PostgreSQL \(DATABASE_URL\) and Redis \(REDIS_URL\)/);
    expect(await (await fetch(`${server.url}/api/ready`)).json()).toMatchObject({ status: 'ready', postgres: true });

    const email = uniqueEmail('embedded');
    const account = await signUp(server, { email });
    const { token } = await createToken(server, account.cookie);
    const created = await gqlHttp<{ createDocument: { id: string } }>(
      server.url,
      'mutation { createDocument(title: "Kept", content: { ops: [{ insert: "Hello\\n" }] }) { id } }',
      {},
      { cookie: account.cookie },
    );
    const documentId = created.body.data!.createDocument.id;

    // Three live clients on one instance: ops fan out through the in-process pub/sub.
    const bots: Bot[] = await Promise.all([0, 1, 2].map((i) => openBot(`embedded${i}`, [server.url], token, documentId)));
    let head: number;
    try {
      await Promise.all(
        bots.map(async (bot, n) => {
          const random = seededRandom(90 + n);
          for (let i = 0; i < 8; i++) {
            typeRandomly(bot, random);
            await new Promise((resolve) => setTimeout(resolve, random() * 20));
          }
        }),
      );
      head = await settled(bots, async () => (await documentState(server.url, account.cookie, documentId)).version);
      expect(head).toBeGreaterThanOrEqual(3);
      for (const bot of bots) expect(bot.session.document.ops).toEqual(bots[0]!.session.document.ops);
    } finally {
      await Promise.all(bots.map((bot) => bot.close()));
    }
    const before = await documentState(server.url, account.cookie, documentId);
    expect(before.content.ops).toEqual(bots[0]!.session.document.ops);

    // While it runs, a second process cannot take the same folder.
    const intruder = spawnServer(dataDir);
    let intruderErr = '';
    intruder.stderr.on('data', (chunk: Buffer) => (intruderErr += chunk.toString()));
    expect(await new Promise<number | null>((resolve) => intruder.once('exit', resolve))).toBe(1);
    expect(intruderErr.trim().split('\n')).toHaveLength(1);
    expect(intruderErr).toMatch(/^verso: the embedded database in .* is in use by process \d+; stop it first/);

    // Clean restart: the account signs in again and the document is as it was.
    expect(await stop(server, 'SIGTERM')).toBe(0);
    server = await startServer(dataDir);
    const again = await signIn(server, email, GOOD_PASSWORD);
    expect(again.cookie).toBeDefined();
    expect(await documentState(server.url, again.cookie!, documentId)).toEqual(before);
    expect(server.output()).not.toMatch(/"msg":"applied /); // migrations ran once, on the first start

    // Crash: an acknowledged edit is durable, and the stale lock of the dead process is taken over.
    const submitted = await gqlHttp<{ submitOperation: { version: number } }>(
      server.url,
      'mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { version } }',
      { input: { documentId, baseVersion: before.version, clientId: 'crash-test', clientSeq: 1, delta: { ops: [{ insert: 'Durable ' }] } } },
      { cookie: again.cookie! },
    );
    expect(submitted.body.data?.submitOperation.version).toBe(before.version + 1);
    expect(await stop(server, 'SIGKILL')).toBeNull();
    server = await startServer(dataDir);
    const after = await documentState(server.url, again.cookie!, documentId);
    expect(after.version).toBe(before.version + 1);
    expect(JSON.stringify(after.content.ops)).toContain('Durable ');
    expect(await stop(server, 'SIGTERM')).toBe(0);
  }, 180_000);

  it('rate limits hold in-process: the per-address sign-in bucket refuses once it is empty', async () => {
    const dataDir = await newDataDir();
    const child = spawnServer(dataDir, { RATE_LIMIT_SIGNIN_ADDRESS: '2/600', LOG_LEVEL: 'silent' });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on port (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const server = { url: `http://127.0.0.1:${port}` };
    try {
      await signUp(server);
      await signUp(server);
      const third = await fetch(`${server.url}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail(), password: GOOD_PASSWORD, name: 'Third' }),
      });
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      // The refusal is counted (the metrics endpoint answers loopback callers without a token).
      const metrics = await (await fetch(`${server.url}/api/metrics`)).text();
      expect(metrics).toMatch(/^verso_rate_limited_total\{rule="signin-address"\} 1$/m);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 120_000);
});
