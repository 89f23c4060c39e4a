/**
 * The abuse suite's world (issue 14): one real server on port 0, an owner and honest editors who
 * keep typing into the attacked document over graphql-ws, and an attacker who may edit it too.
 * Each attack runs under {@link underAttack}: the honest editors' ack latency during the attack is
 * measured, bounded (no failures, p99 under {@link ACK_P99_BOUND_MS}) and added to a table printed
 * after the file (and appended to `$ABUSE_REPORT` as markdown rows when that is set); afterwards
 * the op log and the content in PostgreSQL are checked against what was acknowledged.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, expect } from 'vitest';
import { apply, Delta, emptyDocument } from '../../lib/ot/operation.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp, type TestAccount } from './auth.ts';
import { gqlHttp, wsClient, wsQuery, type GraphQLResult } from './graphql-client.ts';
import { testPrisma } from './prisma.ts';
import { startTestServer } from './server.ts';

/** The bound on honest editors' ack p99 while an attack runs. */
export const ACK_P99_BOUND_MS = 2000;

export const SUBMIT = 'mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { version duplicate } }';

export interface Person extends TestAccount {
  readonly token: string;
}

export interface AbuseWorld {
  server: VersoServer;
  owner: Person;
  attacker: Person;
  /** Other users editing alongside the owner. */
  editors: Person[];
}

/** Registers a `beforeAll` starting the file's server (with `env`) and signing up its people. */
export function abuseWorld(env: Record<string, string> = {}, honestEditors = 1): AbuseWorld {
  const world = {} as AbuseWorld;
  beforeAll(async () => {
    world.server = await startTestServer({ env });
    const person = async (): Promise<Person> => {
      const account = await signUp(world.server);
      return { ...account, token: (await createToken(world.server, account.cookie)).token };
    };
    const people = await Promise.all(Array.from({ length: honestEditors + 2 }, person));
    world.owner = people[0]!;
    world.attacker = people[1]!;
    world.editors = people.slice(2);
  });
  return world;
}

/** A GraphQL request over HTTP with `who`'s API token. */
export const httpAs = <T = Record<string, unknown>>(world: AbuseWorld, who: Person, query: string, variables: Record<string, unknown> = {}) =>
  gqlHttp<T>(world.server.url, query, variables, { authorization: bearer(who.token) });

/** A graphql-ws client with `who`'s API token (not retrying: the test sees every close). */
export const wsAs = (world: AbuseWorld, who: Person, onClose?: (code: number, reason: string) => void): Client =>
  wsClient(world.server.url, { connectionParams: { authorization: bearer(who.token) }, onClose });

/** A new document of the owner, shared as EDITOR with the attacker and every honest editor. */
export async function attackedDocument(world: AbuseWorld): Promise<string> {
  const created = await httpAs<{ createDocument: { id: string } }>(world, world.owner, 'mutation { createDocument(title: "Under attack") { id } }');
  const documentId = created.body.data!.createDocument.id;
  const share = 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }';
  for (const person of [world.attacker, ...world.editors]) {
    // Sharing needs the SHARE scope, which default tokens lack: the owner shares from her session.
    const { body } = await gqlHttp(world.server.url, share, { d: documentId, e: person.email }, { cookie: world.owner.cookie });
    expect(body.errors).toBeUndefined();
  }
  return documentId;
}

/** One acknowledged honest op: what the server answered. */
interface Ack {
  readonly clientId: string;
  readonly clientSeq: number;
  readonly version: number;
  readonly text: string;
}

/** What the honest editors saw during one attack. */
export interface AckStats {
  readonly acks: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly failures: readonly string[];
}

const percentile = (sorted: readonly number[], p: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

/**
 * Honest editors: each a graphql-ws connection submitting one small insert every `pauseMs`, on the
 * version its last ack produced (the server transforms it over whatever came between), recording
 * each ack's latency. Any error or thrown request is a failure.
 */
function startEditors(world: AbuseWorld, documentId: string, startVersion: number, pauseMs: number) {
  const latencies: number[] = [];
  const failures: string[] = [];
  const acks: Ack[] = [];
  let running = true;
  const loops = [world.owner, ...world.editors].map(async (person, index) => {
    let closed = '';
    const client = wsAs(world, person, (code, reason) => (closed = ` (socket closed ${code} ${reason})`));
    const clientId = `honest-${index}-${randomUUID()}`;
    let baseVersion = startVersion;
    try {
      for (let clientSeq = 1; running; clientSeq += 1) {
        const text = `${index}.${clientSeq} `;
        const input = { documentId, baseVersion, clientId, clientSeq, delta: { ops: [{ insert: text }] } };
        const started = performance.now();
        let result: GraphQLResult<{ submitOperation: { version: number; duplicate: boolean } }>;
        try {
          result = await wsQuery(client, SUBMIT, { input });
        } catch (error) {
          failures.push(`${clientId}#${clientSeq}: ${String(error)}${closed}`);
          break;
        }
        const answer = result.data?.submitOperation;
        if (!answer || answer.duplicate) {
          failures.push(`${clientId}#${clientSeq}: ${JSON.stringify(result.errors ?? answer)}`);
          break;
        }
        latencies.push(performance.now() - started);
        acks.push({ clientId, clientSeq, version: answer.version, text });
        baseVersion = answer.version;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    } finally {
      await client.dispose();
    }
  });
  return {
    acks,
    ackCount: () => acks.length,
    async stop(): Promise<AckStats> {
      running = false;
      await Promise.all(loops);
      const sorted = [...latencies].sort((a, b) => a - b);
      return { acks: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN, failures };
    },
  };
}

interface ReportRow extends AckStats {
  readonly attack: string;
}
const report: ReportRow[] = [];
const ms = (n: number) => n.toFixed(0);

afterAll(() => {
  if (report.length === 0) return;
  const lines = report.map((r) => `| ${r.attack} | ${r.acks} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.failures.length} |`);
  console.log(['| attack | honest acks | p50 ms | p99 ms | max ms | failures |', '| --- | ---: | ---: | ---: | ---: | ---: |', ...lines].join('\n'));
  if (process.env.ABUSE_REPORT) appendFileSync(process.env.ABUSE_REPORT, lines.join('\n') + '\n');
  report.length = 0;
});

export interface AttackOptions {
  /** Keep the honest editors typing at least this long (ms), even if the attack ends sooner. */
  readonly minMs?: number;
  /** Pause between one honest editor's ops (ms). */
  readonly pauseMs?: number;
}

/**
 * Runs `attack` on `documentId` while the honest editors type into it; records and bounds their
 * ack latency, then checks what PostgreSQL holds: every acknowledged honest op is in the op log at
 * its acknowledged version with its own key, the log has no gaps, replaying it gives the content
 * the server serves, and the attacker stored exactly `attackerOps(result)` ops (default 0).
 * Returns the attack's result.
 */
export async function underAttack<T>(
  world: AbuseWorld,
  documentId: string,
  name: string,
  attack: () => Promise<T>,
  options: AttackOptions & { attackerOps?: (result: T) => number } = {},
): Promise<T> {
  const prisma = testPrisma();
  const before = await prisma.document.findUniqueOrThrow({ where: { id: documentId } });
  const editors = startEditors(world, documentId, before.version, options.pauseMs ?? 20);
  // The editors are typing before the attack starts.
  const warm = Date.now() + 10_000;
  while (editors.ackCount() < world.editors.length + 1 && Date.now() < warm) await new Promise((resolve) => setTimeout(resolve, 10));
  const started = Date.now();
  let result: T;
  try {
    result = await attack();
    const rest = (options.minMs ?? 1000) - (Date.now() - started);
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
  } finally {
    report.push({ attack: name, ...(await editors.stop()) });
  }
  const stats = report.at(-1)!;
  expect(stats.failures, `${name}: honest editors' failures`).toEqual([]);
  expect(stats.acks, `${name}: honest acks`).toBeGreaterThanOrEqual(world.editors.length + 1);
  expect(stats.p99, `${name}: honest ack p99 (ms)`).toBeLessThan(ACK_P99_BOUND_MS);
  await expectStoredLog(world, documentId, editors.acks, before.version, options.attackerOps?.(result) ?? 0);
  return result;
}

/** The op log in PostgreSQL holds the acknowledged ops, no gaps, and replays to the served content. */
async function expectStoredLog(world: AbuseWorld, documentId: string, acks: readonly Ack[], fromVersion: number, attackerOps: number): Promise<void> {
  const prisma = testPrisma();
  const log = await prisma.operation.findMany({ where: { documentId }, orderBy: { version: 'asc' } });
  expect(log.map((op) => op.version)).toEqual(log.map((_, i) => i + 1));
  const byVersion = new Map(log.map((op) => [op.version, op]));
  for (const ack of acks) {
    const op = byVersion.get(ack.version);
    expect([op?.clientId, op?.clientSeq], `acknowledged op at v${ack.version}`).toEqual([ack.clientId, ack.clientSeq]);
    expect(JSON.stringify(op?.delta)).toContain(ack.text);
  }
  const newer = log.filter((op) => op.version > fromVersion);
  expect(newer.filter((op) => op.authorId === world.attacker.userId), 'ops stored for the attacker').toHaveLength(attackerOps);
  let content = emptyDocument();
  for (const op of log) {
    const next = apply(content, new Delta(op.delta as unknown as Delta));
    if (!next.ok) throw new Error(`stored op v${op.version} does not apply: ${next.message}`);
    content = next.value;
  }
  const served = await httpAs<{ document: { version: number; content: unknown } }>(world, world.owner, 'query($id: ID!) { document(id: $id) { version content } }', { id: documentId });
  expect(served.body.data?.document.version).toBe(log.length);
  expect(served.body.data?.document.content).toEqual(JSON.parse(JSON.stringify(content)));
}

/**
 * Runs one operation over graphql-ws and resolves with its result, whether the server answered
 * with a result or with graphql-ws's `error` message (errors before execution: parse, validation).
 */
export async function wsResult<T = Record<string, unknown>>(client: Client, query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>> {
  try {
    return await wsQuery<T>(client, query, variables);
  } catch (error) {
    const errors = JSON.parse((error as Error).message) as GraphQLResult['errors'];
    if (!Array.isArray(errors)) throw error;
    return { errors };
  }
}

/** The first error's code and message of a GraphQL result (what a client acts on). */
export const firstError = (result: GraphQLResult<unknown>) => ({ code: result.errors?.[0]?.extensions?.code, message: result.errors?.[0]?.message ?? '' });
