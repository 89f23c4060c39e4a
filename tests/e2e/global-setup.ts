/**
 * Starts Verso the way it runs in production for the e2e tests: makes sure the Next build is
 * current (scripts/ensure-build.ts, as `npm start` does), then runs server.ts on a free port with
 * a database and a Redis key prefix of this run's own. Afterwards it stops the server, drops the
 * database and deletes the run's Redis keys.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { dropDatabase, withDatabase } from '../../lib/migrator/connection.ts';
import { freePort } from '../../bench/lib/free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const root = path.resolve(import.meta.dirname, '../..');

async function waitReady(url: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server did not become ready within 120 s:\n${output()}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/ensure-build.ts')], { cwd: root, stdio: 'inherit' });

  const base = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `verso_e2e_${process.pid}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = withDatabase(base, name);
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `verso-e2e:${name}:`;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;

  let log = '';
  // As `npm start` runs it (the tsx CLI, not `node --import tsx`: Next needs the former's loader order).
  const server = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'server.ts')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      VERSO_DEV: '',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      AUTH_SECRET: randomBytes(32).toString('hex'),
      APP_ORIGIN: baseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
    if (process.env.E2E_SERVER_LOG) process.stderr.write(chunk);
  };
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);

  const teardown = async () => {
    if (server.exitCode === null) {
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      server.kill('SIGTERM');
      const forced = setTimeout(() => server.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(forced);
    }
    await dropDatabase(databaseUrl);
    const redis = new Redis(redisUrl, { lazyConnect: true });
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  };

  try {
    await waitReady(baseUrl, server, () => log);
  } catch (error) {
    await teardown();
    throw error;
  }
  project.provide('baseUrl', baseUrl);
  return teardown;
}
