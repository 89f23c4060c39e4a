/**
 * Throwaway PostgreSQL and Redis servers for fault drills, so that restarting them hurts nobody
 * else's tests on a shared machine: a PostgreSQL cluster initialised in a temporary directory on
 * a free port (as the `postgres` user when running as root, since PostgreSQL refuses root), and a
 * redis-server child process on a free port that keeps nothing on disk.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './cluster.ts';

function postgresBin(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(path.join(root, v, 'bin/pg_ctl'))) return path.join(root, v, 'bin');
  throw new Error('PostgreSQL server binaries not found (set PG_BIN to the folder holding initdb and pg_ctl)');
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function runPg(bin: string, tool: string, args: string[]): string {
  const command = path.join(bin, tool);
  return asRoot
    ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString()
    : execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** A private PostgreSQL cluster; `stop`/`start` are the drill's outage, `destroy` removes it. */
export class TempPostgres {
  readonly port: number;
  readonly dir: string;
  readonly #bin: string;

  private constructor(port: number, dir: string, bin: string) {
    this.port = port;
    this.dir = dir;
    this.#bin = bin;
  }

  /** Base URL (database `postgres`); pass it through `withDatabase` for others. */
  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<TempPostgres> {
    const bin = postgresBin();
    const dir = mkdtempSync(path.join(tmpdir(), 'verso-drill-pg-'));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    const port = await freePort();
    const pg = new TempPostgres(port, dir, bin);
    runPg(bin, 'initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    pg.start();
    return pg;
  }

  start(): void {
    runPg(this.#bin, 'pg_ctl', [
      '-D', path.join(this.dir, 'data'), '-l', path.join(this.dir, 'log'), '-w', '-t', '60',
      '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on -c synchronous_commit=on`,
      'start',
    ]);
  }

  /** `immediate` is a crash (recovery on the next start); `fast` disconnects clients and checkpoints. */
  stop(mode: 'immediate' | 'fast' = 'immediate'): void {
    runPg(this.#bin, 'pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.stop('immediate');
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A private redis-server child process on a free port. */
export class TempRedis {
  readonly port: number;
  #child: ChildProcess | null = null;

  private constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<TempRedis> {
    const redis = new TempRedis(await freePort());
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    this.#child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL'); // an abrupt outage: nothing is saved anyway
    await exited;
  }
}
