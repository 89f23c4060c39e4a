/**
 * The authorization matrix harness: every root field of the schema × every principal × both
 * transports, against a real server. A row says what each principal gets; the harness runs each
 * cell and compares, and `missingRows` fails the suite when a schema field has no row.
 *
 * Credentials: HTTP cells use the principal's session cookie, WebSocket cells its API token in
 * `connection_init`, so both credential kinds cross every field. Anonymous WebSocket cells are
 * not in the rows: the connection itself is refused with 4401 (checked once per row).
 */
import { expect } from 'vitest';
import type { GraphQLSchema } from 'graphql';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { gqlHttp, type GraphQLResult } from './graphql-client.ts';
import { bearer, createToken, openSocket, signUp, type OpenSocket, type TestAccount } from './auth.ts';

/** Who calls. `revoked` had EDITOR on the fixture documents and was removed; `none` never had a role. */
export type Principal = 'anonymous' | 'none' | 'viewer' | 'commenter' | 'editor' | 'owner' | 'revoked';
export const PRINCIPALS: readonly Principal[] = ['anonymous', 'none', 'viewer', 'commenter', 'editor', 'owner', 'revoked'];

/**
 * Token principals: the owner's account calling with an API token of limited scopes, on both
 * transports (issue 21 item 4). Their expected outcome is the owner's when the token has the
 * row's scope, FORBIDDEN otherwise; `expiredToken` (every scope, past its expiry) gets the
 * anonymous outcome over HTTP and a 4401 close over WebSocket.
 */
export type TokenPrincipal = 'readToken' | 'writeToken' | 'shareToken' | 'accountToken' | 'expiredToken';
export const TOKEN_PRINCIPALS: Readonly<Record<TokenPrincipal, readonly TokenScopeName[]>> = {
  readToken: ['READ'],
  writeToken: ['READ', 'WRITE'],
  shareToken: ['READ', 'SHARE'],
  accountToken: ['READ', 'ACCOUNT'],
  expiredToken: ['READ', 'WRITE', 'SHARE', 'DELETE', 'ACCOUNT'],
};
export type TokenScopeName = 'READ' | 'WRITE' | 'SHARE' | 'DELETE' | 'ACCOUNT';
/** Scopes of the tokens role principals use over WebSocket: all of them, so those cells test roles. */
const ALL_SCOPES: readonly TokenScopeName[] = ['READ', 'WRITE', 'SHARE', 'DELETE', 'ACCOUNT'];
export type Transport = 'http' | 'ws';

/** `ok`: data, no error; `null`: the field answered null, no error; otherwise the error code expected. */
export type Outcome = 'ok' | 'null' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT';

export interface MatrixAccount extends TestAccount {
  readonly token: string;
  /** Token principals call with their token on both transports (never the cookie). */
  readonly tokenOnly?: boolean;
}

export interface MatrixFixture {
  readonly server: VersoServer;
  readonly accounts: Readonly<Record<Exclude<Principal, 'anonymous'> | TokenPrincipal, MatrixAccount>>;
  /** A document where viewer/commenter/editor/owner hold those roles and `revoked` was removed; has one op. */
  readonly documentId: string;
  /** A fresh document with the same roles, for rows that change or trash what they act on. */
  newDocument(): Promise<string>;
  /** Runs an operation as the owner over HTTP (setup and triggers). */
  asOwner(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult>;
}

/** One cell being run. */
export interface Cell {
  readonly fx: MatrixFixture;
  readonly principal: Principal | TokenPrincipal;
  readonly transport: Transport;
  /** The caller's account; null for anonymous. */
  readonly account: MatrixAccount | null;
}

export interface MatrixRow {
  /** `Query.me`, `Mutation.createApiToken`, `Subscription.presence`… */
  readonly field: string;
  /** The operation for one cell; may first prepare what it acts on (a token to revoke, a fresh document). */
  readonly operation: (cell: Cell) => Promise<{ query: string; variables?: Record<string, unknown> }> | { query: string; variables?: Record<string, unknown> };
  /** Expected outcome per principal (anonymous: over HTTP). */
  readonly expect: Readonly<Record<Principal, Outcome>>;
  /** Overrides for the WebSocket transport, when it differs. */
  readonly ws?: Partial<Readonly<Record<Principal, Outcome>>>;
  /** The API token scope the field needs (default READ, which every token has). */
  readonly scope?: TokenScopeName;
  /** Subscriptions: makes the stream emit once subscribed (e.g. someone updates presence). */
  readonly trigger?: (cell: Cell) => Promise<void>;
}

/** Schema root fields (`Type.field`) without a row. */
export function missingRows(schema: GraphQLSchema, rows: readonly MatrixRow[]): string[] {
  const covered = new Set(rows.map((r) => r.field));
  const fields: string[] = [];
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (type) for (const name of Object.keys(type.getFields())) fields.push(`${type.name}.${name}`);
  }
  return fields.filter((f) => !covered.has(f));
}

const DOCUMENT_ROLES = { viewer: 'VIEWER', commenter: 'COMMENTER', editor: 'EDITOR' } as const;

/** Signs up one account per principal and builds the fixture documents through the API itself. */
export async function createMatrixFixture(server: VersoServer): Promise<MatrixFixture> {
  const names = ['none', 'viewer', 'commenter', 'editor', 'owner', 'revoked'] as const;
  const accounts = Object.fromEntries(
    await Promise.all(
      names.map(async (name) => {
        const account = await signUp(server, { name });
        const { token } = await createToken(server, account.cookie, `matrix ${name}`, { scopes: ALL_SCOPES });
        return [name, { ...account, token }] as const;
      }),
    ),
  ) as Record<(typeof names)[number] | TokenPrincipal, MatrixAccount>;
  const expiresAt = new Date(Date.now() + 1500);
  for (const [principal, scopes] of Object.entries(TOKEN_PRINCIPALS) as Array<[TokenPrincipal, readonly TokenScopeName[]]>) {
    const expiring = principal === 'expiredToken' ? { expiresAt } : {};
    const { token } = await createToken(server, accounts.owner.cookie, `matrix ${principal}`, { scopes, ...expiring });
    accounts[principal] = { ...accounts.owner, token, tokenOnly: true };
  }
  const asOwner = async (query: string, variables?: Record<string, unknown>) => {
    const { body } = await gqlHttp(server.url, query, variables, { cookie: accounts.owner.cookie });
    return body;
  };
  const must = async (query: string, variables?: Record<string, unknown>) => {
    const body = await asOwner(query, variables);
    if (body.errors) throw new Error(`matrix setup failed: ${JSON.stringify(body.errors)}`);
    return body.data as Record<string, unknown>;
  };
  const newDocument = async () => {
    const created = (await must('mutation { createDocument(title: "Matrix") { id } }')).createDocument as { id: string };
    const share = 'mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { role } }';
    for (const [name, role] of Object.entries(DOCUMENT_ROLES)) await must(share, { d: created.id, e: accounts[name as keyof typeof DOCUMENT_ROLES].email, r: role });
    await must(share, { d: created.id, e: accounts.revoked.email, r: 'EDITOR' });
    await must('mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: created.id, u: accounts.revoked.userId });
    return created.id;
  };
  const documentId = await newDocument();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt.getTime() + 50 - Date.now())));
  await must('mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', {
    i: { documentId, baseVersion: 0, clientId: 'matrix-setup', clientSeq: 1, delta: { ops: [{ insert: 'Hello' }] } },
  });
  return { server, accounts, documentId, newDocument, asOwner };
}

/** The outcome of a result for the row's field. */
function outcomeOf(field: string, result: GraphQLResult): string {
  const code = result.errors?.[0]?.extensions?.code;
  if (result.errors && result.errors.length > 0) return String(code ?? `uncoded: ${result.errors[0]?.message}`);
  const name = field.split('.')[1]!;
  const value = (result.data as Record<string, unknown> | null | undefined)?.[name];
  return value === null || value === undefined ? 'null' : 'ok';
}

/** Runs one cell and returns what happened, as an Outcome-like string. */
export async function runCell(row: MatrixRow, cell: Cell, sockets: Map<string, OpenSocket>): Promise<string> {
  const { query, variables } = await row.operation(cell);
  const isSubscription = row.field.startsWith('Subscription.');
  if (cell.transport === 'http') {
    const headers: Record<string, string> = cell.account ? (cell.account.tokenOnly ? { authorization: bearer(cell.account.token) } : { cookie: cell.account.cookie }) : {};
    const { response, body } = await gqlHttp(cell.fx.server.url, query, variables, headers);
    // Subscriptions are served over WebSocket only: over HTTP every caller gets a refusal, never data.
    if (isSubscription) return response.status >= 400 || body.errors ? 'refused over HTTP' : 'served over HTTP';
    return outcomeOf(row.field, body);
  }
  const account = cell.account!;
  let socket = sockets.get(cell.principal);
  if (!socket) {
    socket = openSocket(cell.fx.server, { connectionParams: { authorization: bearer(account.token) } });
    sockets.set(cell.principal, socket);
  }
  if (!isSubscription) return outcomeOf(row.field, await socket.query(query, variables));
  let triggerTimer: ReturnType<typeof setTimeout> | undefined;
  const outcome = new Promise<string>((resolve) => {
    const timer = setTimeout(() => {
      stop();
      resolve('no event within 5 s');
    }, 5000);
    const stop = socket.client.subscribe(
      { query, variables },
      {
        next: (value) => {
          clearTimeout(timer);
          stop();
          resolve(outcomeOf(row.field, value as GraphQLResult));
        },
        error: (error) => {
          clearTimeout(timer);
          const errors = Array.isArray(error) ? (error as GraphQLResult['errors']) : undefined;
          resolve(errors ? outcomeOf(row.field, { errors }) : `error: ${String(error)}`);
        },
        complete: () => {
          clearTimeout(timer);
          resolve('completed without an event');
        },
      },
    );
    // A trigger that fails leaves the cell at 'no event within 5 s', which the row's diff shows.
    if (row.trigger) triggerTimer = setTimeout(() => void row.trigger!(cell).catch(() => {}), 300);
  });
  // A refusal answers before the trigger's turn: it must not fire later, against a server the file has closed.
  return outcome.finally(() => clearTimeout(triggerTimer));
}

/** Runs every cell of a row and asserts the whole row at once (one readable diff per row). */
export async function checkRow(row: MatrixRow, fx: MatrixFixture, sockets: Map<string, OpenSocket>): Promise<void> {
  const actual: Record<string, string> = {};
  const expected: Record<string, string> = {};
  const isSubscription = row.field.startsWith('Subscription.');
  const roleOutcome = (principal: Principal, transport: Transport) =>
    transport === 'http' && isSubscription ? 'refused over HTTP' : (transport === 'ws' ? row.ws?.[principal] : undefined) ?? row.expect[principal];
  for (const transport of ['http', 'ws'] as const) {
    for (const principal of PRINCIPALS) {
      if (transport === 'ws' && principal === 'anonymous') continue;
      const key = `${transport} ${principal}`;
      expected[key] = roleOutcome(principal, transport);
      const account = principal === 'anonymous' ? null : fx.accounts[principal];
      actual[key] = await runCell(row, { fx, principal, transport, account }, sockets);
    }
    for (const [principal, scopes] of Object.entries(TOKEN_PRINCIPALS) as Array<[TokenPrincipal, readonly TokenScopeName[]]>) {
      // An expired token's WebSocket is refused at connection_init (checked once, in the test file).
      if (principal === 'expiredToken' && transport === 'ws') continue;
      const key = `${transport} ${principal}`;
      if (principal === 'expiredToken') expected[key] = roleOutcome('anonymous', transport);
      else if (transport === 'http' && isSubscription) expected[key] = 'refused over HTTP';
      else expected[key] = scopes.includes(row.scope ?? 'READ') ? roleOutcome('owner', transport) : 'FORBIDDEN';
      actual[key] = await runCell(row, { fx, principal, transport, account: fx.accounts[principal] }, sockets);
    }
  }
  expect(actual, row.field).toEqual(expected);
}

/** A graphql-ws connection with an expired API token is closed with 4401 before any operation runs. */
export async function expiredTokenSocketClosedCode(fx: MatrixFixture): Promise<number> {
  const socket = openSocket(fx.server, { connectionParams: { authorization: bearer(fx.accounts.expiredToken.token) } });
  return (await socket.closed).code;
}

/** An anonymous graphql-ws connection is closed with 4401 before any operation runs. */
export async function anonymousSocketClosedCode(server: VersoServer): Promise<number> {
  const socket = openSocket(server);
  return (await socket.closed).code;
}
