/**
 * A CollabSession that fell behind by more than the server's catch-up budget [PL8]
 * (CATCHUP_MAX_OPS = 20 here) and then types: the server refuses the submission VERSION_TOO_OLD,
 * the session reads the missed ops (document.operations pages), rebases its edit over them and
 * resends it under the same (clientId, clientSeq). The text is applied once, everyone converges,
 * and nothing is handed out as "could not be applied". Real server, PostgreSQL and Redis.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client, FormattedExecutionResult, Sink, SubscribePayload } from 'graphql-ws';
import { CollabSession } from '../../lib/api-client/collab-session.ts';
import { Delta } from '../../lib/ot/operation.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp } from '../support/auth.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { testPrisma } from '../support/prisma.ts';
import { startTestServer } from '../support/server.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

let server: VersoServer;
let token: string;
const prisma = testPrisma();
const MISSED = 50;

beforeAll(async () => {
  server = await startTestServer({ env: { CATCHUP_MAX_OPS: '20' } });
  const owner = await signUp(server);
  token = (await createToken(server, owner.cookie)).token;
});

async function api<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const { body } = await gqlHttp<T>(server.url, query, variables, { authorization: bearer(token) });
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const createDocument = async () =>
  (await api<{ createDocument: { id: string } }>('mutation { createDocument(title: "Behind", content: { ops: [{ insert: "Hello\\n" }] }) { id } }', {})).createDocument.id;

const textOf = (delta: Delta) => delta.ops.map((op) => op.insert).join('');

async function serverText(documentId: string): Promise<string> {
  const { document } = await api<{ document: { content: { ops: [] } } }>('query($d: ID!) { document(id: $d) { content } }', { d: documentId });
  return textOf(new Delta(document.content.ops));
}

/** Someone else commits `count` one-character ops at the end of the first line, one after another. */
async function othersCommit(documentId: string, fromVersion: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await api('mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', {
      i: { documentId, baseVersion: fromVersion + i, clientId: 'someone-else', clientSeq: i + 1, delta: { ops: [{ retain: 5 }, { insert: 'x' }] } },
    });
  }
}

/** Waits for `done`; fails at once when the session handed something out as lost. */
async function waitUntil(done: () => boolean | Promise<boolean>, lost: readonly string[], timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!(await done())) {
    expect(lost).toEqual([]);
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${done.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const client = (url = server.url): Client => wsClient(url, { connectionParams: { authorization: bearer(token) } });

/** What a session handed out as lost or unsent: must stay empty. */
function watchLosses() {
  const lost: string[] = [];
  return {
    lost,
    onReload: (_content: Delta, unconfirmed: Delta | null) => void lost.push(`reload: ${unconfirmed ? JSON.stringify(unconfirmed.ops) : 'nothing lost'}`),
    onUnsent: (unsent: Delta, message: string) => void lost.push(`unsent: ${JSON.stringify(unsent.ops)} (${message})`),
  };
}

/**
 * A client whose op stream the test can stall: while stalled, the session's
 * documentOperationBatches events are held (as by a reader that stopped reading), then delivered
 * in order. Queries and mutations pass; the ones named `DocumentOperations` are counted.
 */
function stallableClient(inner: Client) {
  let stalled = false;
  let held: Array<() => void> = [];
  let catchUpReads = 0;
  const wrapped: Client = {
    ...inner,
    on: inner.on.bind(inner),
    dispose: inner.dispose.bind(inner),
    terminate: inner.terminate.bind(inner),
    iterate: inner.iterate.bind(inner),
    subscribe<Data, Extensions>(payload: SubscribePayload, sink: Sink<FormattedExecutionResult<Data, Extensions>>) {
      if (payload.query.includes('query DocumentOperations')) catchUpReads++;
      if (!payload.query.includes('subscription DocumentOperationBatches')) return inner.subscribe(payload, sink);
      return inner.subscribe<Data, Extensions>(payload, {
        ...sink,
        next: (value) => void (stalled ? held.push(() => sink.next(value)) : sink.next(value)),
      });
    },
  };
  return {
    client: wrapped,
    stall: () => void (stalled = true),
    resume: () => {
      stalled = false;
      for (const deliver of held.splice(0)) deliver();
      held = [];
    },
    catchUpReads: () => catchUpReads,
  };
}

describe('[PL8] a session behind by more than the catch-up budget catches up and resends instead of reloading', () => {
  it('its connection stalled (TCP proxy blackhole) while others commit 50 ops, then it types: applied once, everyone converges', async () => {
    const documentId = await createDocument();
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
    const behindClient = client(`http://127.0.0.1:${proxy.port}`);
    const losses = watchLosses();
    const behind = await CollabSession.open({ client: behindClient, documentId, presence: false, ...losses });
    const otherClient = client();
    const other = await CollabSession.open({ client: otherClient, documentId, presence: false });

    proxy.cut('blackhole');
    await othersCommit(documentId, 0, MISSED);
    expect(behind.applyLocal(new Delta().insert('Typed while behind. ')).kind).toBe('applied');
    await new Promise((resolve) => setTimeout(resolve, 200));
    proxy.restore();

    const expected = `Typed while behind. Hello${'x'.repeat(MISSED)}\n`;
    await waitUntil(() => behind.status.state === 'synchronized' && behind.version === MISSED + 1, losses.lost);
    expect(losses.lost).toEqual([]);
    expect(await serverText(documentId)).toBe(expected);
    expect(textOf(behind.document)).toBe(expected);
    await waitUntil(() => other.version === MISSED + 1, losses.lost);
    expect(textOf(other.document)).toBe(expected);
    expect(await prisma.operation.count({ where: { documentId, clientId: behind.clientId } })).toBe(1);
    await Promise.all([behind.close(), other.close()]);
    await Promise.all([behindClient.dispose(), otherClient.dispose()]);
  });

  it('its op stream stalled while others commit 50 ops: reads them in pages, rebases its edit and its later edits, resends once', async () => {
    const documentId = await createDocument();
    const stallable = stallableClient(client());
    const losses = watchLosses();
    const behind = await CollabSession.open({ client: stallable.client, documentId, presence: false, catchUpPageSize: 10, ...losses });

    stallable.stall();
    await othersCommit(documentId, 0, MISSED);
    expect(behind.applyLocal(new Delta().insert('A')).kind).toBe('applied');
    // Typed while the first edit waits: the buffer is rebased too and sent after it.
    expect(behind.applyLocal(new Delta().retain(1).insert('B')).kind).toBe('applied');

    const expected = `ABHello${'x'.repeat(MISSED)}\n`;
    await waitUntil(async () => (await serverText(documentId)) === expected, losses.lost);
    await waitUntil(() => behind.status.state === 'synchronized', losses.lost);
    // 50 missed ops in pages of 10: at least five full pages and the short one that ends it.
    expect(stallable.catchUpReads()).toBeGreaterThanOrEqual(6);
    expect(losses.lost).toEqual([]);
    expect(textOf(behind.document)).toBe(expected);
    const ours = await prisma.operation.findMany({ where: { documentId, clientId: behind.clientId }, select: { clientSeq: true } });
    expect(ours.map((op) => op.clientSeq).sort()).toEqual([1, 2]);

    // The stream's late delivery of the same ops changes nothing.
    stallable.resume();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(textOf(behind.document)).toBe(expected);
    expect(behind.version).toBe(MISSED + 2);
    await behind.close();
    await stallable.client.dispose();
  });
});
