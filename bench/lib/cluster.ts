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
      // Every full bot signs in with the one bench account: thousands of its sockets are the load, not abuse.
      WS_MAX_SOCKETS_PER_USER: '1000000',
      // Light editors each have an account of their own (signUpAccounts), which the bench account
      // shares its documents with (grantEditors): hundreds of shares in a minute are set-up, not probing.
      RATE_LIMIT_SHARE: '1000000/60',
      // No mail: every address counts as verified, so a share makes its account an EDITOR at once.
      SMTP_URL: '',
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

/** One account signed up through the real route (`POST /api/auth/signup`), with the session it started. */
export interface BenchAccount {
  readonly email: string;
  readonly userId: string;
  /** The `cookie` header value of its session: a credential of its own. */
  readonly cookie: string;
}

/** Signs one account up on `url` (the sign-up route hashes its password and starts a session). */
export async function signUpAccount(url: string, email: string, name: string): Promise<BenchAccount> {
  const signup = await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: BENCH_PASSWORD, name }),
  });
  const body = (await signup.json()) as { user?: { id: string } };
  const cookie = sessionCookie(signup);
  if (signup.status !== 201 || !cookie || !body.user) throw new Error(`bench sign-up of ${email} failed: ${signup.status} ${JSON.stringify(body)}`);
  return { email, userId: body.user.id, cookie };
}

/**
 * Signs up one account and creates an API token for it: the bench account, which owns the
 * documents and which every full bot authenticates with. `cookie` is its session (for sharing).
 */
export async function createAccount(url: string): Promise<{ token: string; userId: string; email: string; cookie: string }> {
  const account = await signUpAccount(url, `bench-${randomBytes(5).toString('hex')}@example.com`, 'Bench');
  const created = await graphql<{ createApiToken: { token: string } }>(url, { cookie: account.cookie }, 'mutation { createApiToken(name: "bench") { token } }');
  return { token: created.createApiToken.token, ...account };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once; answers the results in order. */
async function inPool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/**
 * `count` accounts of their own (light editors': a person each, so the server's per-author rules
 * see people, not one author), signed up through the real route, account i on `urls[i % urls.length]`,
 * `concurrencyPerUrl` at a time on each (each sign-up costs its server a password hash). Names are
 * `<prefix><first + i>@example.com`.
 */
export async function signUpAccounts(urls: readonly string[], prefix: string, first: number, count: number, concurrencyPerUrl = 4): Promise<BenchAccount[]> {
  return inPool(count, concurrencyPerUrl * urls.length, (i) => signUpAccount(urls[(first + i) % urls.length]!, `${prefix}${first + i}@example.com`, `Light editor ${first + i}`));
}

/**
 * Makes each address an EDITOR of the document through the API (`shareDocument`, as its owner,
 * `concurrency` at a time). Without mail configured (the bench's servers) an account's address
 * counts as verified, so the role is the account's at once.
 */
export async function grantEditors(url: string, ownerCookie: string, documentId: string, emails: readonly string[], concurrency = 16): Promise<void> {
  await inPool(emails.length, concurrency, (i) =>
    graphql(url, { cookie: ownerCookie }, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: emails[i]! }),
  );
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
