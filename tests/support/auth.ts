/**
 * Auth helpers for integration tests: real sign-up, next-auth's credentials flow, sign-out and
 * API tokens against a running server (never rows written behind its back).
 */
import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ensurePersonalOrganization } from '../../lib/auth/organizations.ts';
import type { PrismaClient } from '../../lib/db/prisma.ts';
import { gqlHttp, wsQuery, type GraphQLResult } from './graphql-client.ts';

/** Anything with the server's base URL (a VersoServer). */
export interface HasUrl {
  readonly url: string;
}

/** A signed-in test account. */
export interface TestAccount {
  /** `name=value` of the session cookie, ready for a `Cookie` header. */
  readonly cookie: string;
  readonly userId: string;
  readonly email: string;
  readonly password: string;
}

/** A password that passes the strength rule. */
export const GOOD_PASSWORD = 'correct horse battery staple';

/** A fresh unique email. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.com`;
}

/** The `name=value` pairs of every Set-Cookie header (for sending back). */
export function cookiePairs(response: Response): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(';')[0] ?? '';
    const eq = pair.indexOf('=');
    pairs.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return pairs;
}

/** The full Set-Cookie header for cookie `name`, or undefined. */
export function setCookieHeader(response: Response, name: string): string | undefined {
  return response.headers.getSetCookie().find((h) => h.startsWith(`${name}=`));
}

/** `name=value` of the session cookie set by the response, or undefined. */
export function sessionCookie(response: Response): string | undefined {
  for (const [name, value] of cookiePairs(response)) {
    if (name.endsWith('authjs.session-token') && value !== '') return `${name}=${value}`;
  }
  return undefined;
}

/** Creates an account through `POST /api/auth/signup`; throws unless it answered 201 with a cookie. */
export async function signUp(server: HasUrl, input: { email?: string; password?: string; name?: string } = {}): Promise<TestAccount> {
  const email = input.email ?? uniqueEmail();
  const password = input.password ?? GOOD_PASSWORD;
  const response = await fetch(`${server.url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name: input.name ?? 'Test Person' }),
  });
  const body = (await response.json()) as { user?: { id: string } };
  const cookie = sessionCookie(response);
  if (response.status !== 201 || !cookie || !body.user) throw new Error(`sign-up failed: ${response.status} ${JSON.stringify(body)}`);
  return { cookie, userId: body.user.id, email, password };
}

/** `GET /api/auth/csrf`: next-auth's CSRF token and its cookie (`name=value`). */
export async function getCsrf(server: HasUrl, cookie?: string): Promise<{ csrfToken: string; cookie: string }> {
  const response = await fetch(`${server.url}/api/auth/csrf`, { headers: cookie ? { cookie } : {} });
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const pair = [...cookiePairs(response)].find(([name]) => name.endsWith('authjs.csrf-token'));
  // next-auth sets the cookie only when the request had no valid one: reuse what was sent.
  const csrfCookie = pair ? `${pair[0]}=${pair[1]}` : (cookie ?? '').split('; ').find((c) => c.includes('authjs.csrf-token=')) ?? '';
  return { csrfToken, cookie: csrfCookie };
}

/**
 * next-auth's credentials flow: csrf, then `POST /api/auth/callback/credentials` (form-encoded,
 * as next-auth's client sends it). `cookie` is sent along (e.g. an older session cookie).
 */
export async function signIn(server: HasUrl, email: string, password: string, cookie?: string): Promise<{ response: Response; cookie: string | undefined }> {
  const csrf = await getCsrf(server);
  const response = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [csrf.cookie, cookie].filter(Boolean).join('; ') },
    body: new URLSearchParams({ csrfToken: csrf.csrfToken, email, password }),
  });
  return { response, cookie: sessionCookie(response) };
}

/** next-auth's `POST /api/auth/signout` with its CSRF token. */
export async function signOut(server: HasUrl, cookie: string): Promise<Response> {
  const csrf = await getCsrf(server);
  return fetch(`${server.url}/api/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${cookie}; ${csrf.cookie}` },
    body: new URLSearchParams({ csrfToken: csrf.csrfToken }),
  });
}

/** Creates an API token through the `createApiToken` mutation, authenticated by `cookie` (default scopes: READ, WRITE). */
export async function createToken(
  server: HasUrl,
  cookie: string,
  name = 'test token',
  options: { scopes?: readonly string[]; expiresAt?: Date } = {},
): Promise<{ id: string; token: string }> {
  const { body } = await gqlHttp<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    server.url,
    'mutation($name: String!, $scopes: [ApiTokenScope!], $expiresAt: DateTime) { createApiToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) { token apiToken { id } } }',
    { name, scopes: options.scopes, expiresAt: options.expiresAt?.toISOString() },
    { cookie },
  );
  const created = body.data?.createApiToken;
  if (!created) throw new Error(`createApiToken failed: ${JSON.stringify(body.errors)}`);
  return { id: created.apiToken.id, token: created.token };
}

/** `Authorization` header value for a token. */
export const bearer = (token: string) => `Bearer ${token}`;

/** A graphql-ws connection that opens at once and stays open until closed (unlike the lazy `wsClient`). */
export interface OpenSocket {
  readonly client: Client;
  /** Resolves with the close code and reason, whoever closed it. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Resolves once the server acknowledged `connection_init`. */
  readonly connected: Promise<void>;
  /** Runs one query or mutation on this connection. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>>;
  dispose(): Promise<void>;
}

/** Opens a graphql-ws connection with the given upgrade headers and `connection_init` payload. */
export function openSocket(server: HasUrl, options: { headers?: Record<string, string>; connectionParams?: Record<string, unknown> } = {}): OpenSocket {
  const impl = class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: options.headers });
    }
  };
  let onClosed!: (value: { code: number; reason: string }) => void;
  let onConnected!: () => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client = createClient({
    url: server.url.replace(/^http/, 'ws') + '/api/graphql',
    webSocketImpl: impl,
    connectionParams: options.connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    on: {
      connected: () => onConnected(),
      closed: (event) => {
        const e = event as { code: number; reason: string };
        onClosed({ code: e.code, reason: e.reason });
      },
    },
  });
  return { client, closed, connected, query: (q, v) => wsQuery(client, q, v), dispose: async () => { await client.dispose(); } };
}

/** Resolves with the HTTP status the server answered a WebSocket upgrade with (101 when accepted). */
export function upgradeStatus(server: HasUrl, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.url.replace(/^http/, 'ws') + '/api/graphql', 'graphql-transport-ws', { headers });
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      resolve(101);
      socket.close();
    });
    socket.on('error', (error) => reject(error));
  });
}

/** Inserts a document owned by `ownerId` in their personal organization, with extra members. */
export async function insertSharedDocument(
  prisma: PrismaClient,
  ownerId: string,
  members: ReadonlyArray<{ userId: string; role: 'OWNER' | 'EDITOR' | 'COMMENTER' | 'VIEWER' }> = [],
): Promise<string> {
  const organizationId = await ensurePersonalOrganization(prisma, ownerId);
  const document = await prisma.document.create({
    data: {
      organizationId,
      title: 'Shared in a test',
      createdById: ownerId,
      members: { create: [{ userId: ownerId, role: 'OWNER' }, ...members] },
    },
    select: { id: true },
  });
  return document.id;
}

/** Polls `check` until it is true or `timeoutMs` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
