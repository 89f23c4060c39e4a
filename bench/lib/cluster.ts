/**
 * Real Verso instances as child processes (`node --import tsx server.ts`, i.e. what `tsx
 * server.ts` runs, without tsx's extra wrapper process, so /proc/<pid> is the server itself),
 * on a database and Redis prefix of their own, plus the account, token and documents a run
 * needs. Everything started here is stopped by `stop()`; callers also call it from signal traps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { freePort } from './free-port.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface InstanceOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  /** Extra environment (e.g. store choices under test, LOG_LEVEL for a diagnosis run). */
  readonly env?: Record<string, string>;
  /** Extra node flags before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not accept). */
  readonly nodeArgs?: readonly string[];
  /** When set, everything the process prints is appended to this file (the last 8 KB are kept in memory either way). */
  readonly logFile?: string;
}

export class Instance {
  child: ChildProcess | null = null;
  readonly port: number;
  readonly url: string;
  readonly #options: InstanceOptions;
  #output = '';

  constructor(port: number, options: InstanceOptions) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.#options = options;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts the process and resolves when /api/health answers (rejects with its output if it exits first). */
  async start(timeoutMs = 60_000): Promise<void> {
    const env: Record<string, string | undefined> = {
      ...process.env,
      NODE_ENV: 'production',
      AUTH_SECRET: 'bench-secret-bench-secret-bench-secret-0123456789',
      LOG_LEVEL: 'warn',
      PORT: String(this.port),
      HOST: '127.0.0.1',
      APP_ORIGIN: this.url,
      DATABASE_URL: this.#options.databaseUrl,
      REDIS_URL: this.#options.redisUrl,
      REDIS_PREFIX: this.#options.redisPrefix,
      VERSO_WEB: '0',
      // The bench measures the collaboration path, not the abuse limits.
      RATE_LIMIT_OPS: '100000000/60',
      RATE_LIMIT_SIGNIN_ADDRESS: '100000/60',
      // Every bot signs in with the one bench account: thousands of its sockets are the load, not abuse.
      WS_MAX_SOCKETS_PER_USER: '1000000',
      // Light editors each sign the one bench account in (a session, i.e. a credential, of their own).
      RATE_LIMIT_SIGNIN_ACCOUNT: '100000/60',
      ...this.#options.env,
    };
    this.#output = '';
    const child = spawn(process.execPath, [...(this.#options.nodeArgs ?? []), '--import', 'tsx', 'server.ts'], { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    if (this.#options.logFile) {
      const file: WriteStream = createWriteStream(this.#options.logFile, { flags: 'a' });
      child.stdout?.pipe(file, { end: false });
      child.stderr?.pipe(file, { end: false });
      child.once('exit', () => file.end());
    }
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`instance on ${this.port} exited (${code ?? signal}) during start:\n${this.#output}`))),
    );
    const deadline = Date.now() + timeoutMs;
    const healthy = (async () => {
      while (Date.now() < deadline) {
        try {
          const response = await fetch(`${this.url}/api/health`);
          if (response.ok) return;
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`instance on ${this.port} not healthy within ${timeoutMs} ms:\n${this.#output}`);
    })();
    await Promise.race([healthy, exited]);
    exited.catch(() => {}); // it may exit later (kill -9 in drills); that is not a start failure
  }

  /** The last lines the process printed (for error reports). */
  get output(): string {
    return this.#output;
  }

  /** `kill -9`: no drain, no goodbye. */
  async kill9(): Promise<void> {
    await this.#signal('SIGKILL');
  }

  /** SIGTERM (drain), then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.#signal('SIGTERM');
    clearTimeout(timer);
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}

/** A unique Redis prefix for one run. */
export const runPrefix = (kind: string) => `verso-${kind}:${process.pid}-${randomBytes(3).toString('hex')}:`;

const BENCH_PASSWORD = 'correct horse battery staple';
const sessionCookie = (response: Response) => response.headers.getSetCookie().map((h) => h.split(';')[0] ?? '').find((c) => c.includes('authjs.session-token='));

/** Signs up one account on `url` and creates an API token for it (what every bot authenticates with). */
export async function createAccount(url: string): Promise<{ token: string; userId: string; email: string }> {
  const email = `bench-${randomBytes(5).toString('hex')}@example.com`;
  const signup = await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: BENCH_PASSWORD, name: 'Bench' }),
  });
  const body = (await signup.json()) as { user?: { id: string } };
  const cookie = sessionCookie(signup);
  if (signup.status !== 201 || !cookie || !body.user) throw new Error(`bench sign-up failed: ${signup.status} ${JSON.stringify(body)}`);
  const created = await graphql<{ createApiToken: { token: string } }>(url, { cookie }, 'mutation { createApiToken(name: "bench") { token } }');
  return { token: created.createApiToken.token, userId: body.user.id, email };
}

/**
 * Signs the bench account in once more (next-auth's credentials flow: CSRF token, then the
 * password): a session of its own, i.e. a credential of its own for one light editor. Returns
 * the `cookie` header value.
 */
export async function signIn(url: string, email: string): Promise<string> {
  const csrf = await fetch(`${url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookies = csrf.headers.getSetCookie().map((h) => h.split(';')[0] ?? '').join('; ');
  const response = await fetch(`${url}/api/auth/callback/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookies, 'x-auth-return-redirect': '1' },
    body: new URLSearchParams({ csrfToken, email, password: BENCH_PASSWORD, callbackUrl: '/' }).toString(),
    redirect: 'manual',
  });
  const cookie = sessionCookie(response);
  if (!cookie) throw new Error(`bench sign-in failed: ${response.status} ${await response.text()}`);
  return cookie;
}

/** `count` sessions of the bench account (`concurrency` sign-ins at a time: each costs the server a password hash). */
export async function signIns(url: string, email: string, count: number, concurrency = 4): Promise<string[]> {
  const cookies: string[] = [];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (cookies.length < count) {
        cookies.push('');
        cookies[cookies.length - 1] = await signIn(url, email);
      }
    }),
  );
  return cookies;
}

/** One GraphQL request over HTTP; throws on errors. */
export async function graphql<T>(url: string, headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${url}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data || body.errors) throw new Error(`GraphQL failed (${response.status}): ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Creates `count` documents through the API (8 at a time); returns their ids. */
export async function createDocuments(url: string, token: string, count: number, text = 'Bench document\n'): Promise<string[]> {
  const ids: string[] = new Array<string>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(8, count) }, async () => {
      while (next < count) {
        const i = next++;
        const data = await graphql<{ createDocument: { id: string } }>(
          url,
          { authorization: `Bearer ${token}` },
          'mutation($content: JSON) { createDocument(title: "Bench", content: $content) { id } }',
          { content: { ops: [{ insert: text }] } },
        );
        ids[i] = data.createDocument.id;
      }
    }),
  );
  return ids;
}
