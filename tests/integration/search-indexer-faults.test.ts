/**
 * The search indexer's connection under network faults (lib/search/search-indexer.ts), on the
 * real PostgreSQL through a TCP proxy the test cuts: a connection reset while the indexer holds
 * its connection is no uncaught exception (the regression test of fae254b: CI's
 * postgres-outage-submit run died of an unhandled ECONNRESET), and a PostgreSQL that stops
 * answering mid-pass does not hold the indexer forever (its statements have a timeout). Either
 * way the pass fails, the connection is dropped, and a later pass indexes a later edit.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { dropDatabase, withDatabase } from '../../lib/migrator/connection.ts';
import { createSearchIndexer, QUERY_GRACE_MS, type SearchIndexer } from '../../lib/search/search-indexer.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { signUp, type TestAccount } from '../support/auth.ts';
import { createDocument, insertText, search } from '../support/search-scenario.ts';
import { startTestServer } from '../support/server.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

// A database of its own: other files' servers would index these documents too.
const databaseUrl = withDatabase(inject('databaseUrl'), `verso_test_indexer_faults_${randomBytes(4).toString('hex')}`);
let server: VersoServer;
let owner: TestAccount;

const uncaught: unknown[] = [];
const record = (error: unknown) => void uncaught.push(error);
beforeEach(() => void process.on('uncaughtException', record));
afterEach(() => {
  process.off('uncaughtException', record);
  expect(uncaught).toEqual([]);
});

afterAll(async () => {
  await server?.close();
  await dropDatabase(databaseUrl);
});

/** A gate the indexer's pass waits at once it holds its documents (`onClaimed`), holding its connection, until the test opens it. */
function passGate() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let entered!: () => void;
  const holding = new Promise<void>((resolve) => (entered = resolve));
  const onClaimed = async () => {
    entered();
    await gate;
  };
  return { onClaimed, holding, open: () => open() };
}

async function setUp(statementTimeoutMs: number): Promise<{ proxy: TcpProxy; indexer: SearchIndexer; errors: unknown[]; gate: ReturnType<typeof passGate> }> {
  server ??= await startTestServer({ env: { DATABASE_URL: databaseUrl, SEARCH_INDEX_INTERVAL_MS: '0' } });
  owner ??= await signUp(server);
  const target = new URL(databaseUrl);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(databaseUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  const errors: unknown[] = [];
  const gate = passGate();
  const indexer = createSearchIndexer({ databaseUrl: proxied.href, intervalMs: 1000, batch: 10, statementTimeoutMs, onError: (error) => errors.push(error), onClaimed: gate.onClaimed });
  return { proxy, indexer, errors, gate };
}

async function waitUntil(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The indexer's next pass indexes a later edit of the document: `word`, typed at its start, is found. */
async function expectRecovered(indexer: SearchIndexer, documentId: string, word: string): Promise<void> {
  await insertText(server, owner, documentId, 0, 0, `${word} `);
  expect((await indexer.runOnce()).indexed).toContain(documentId);
  expect((await search(server, owner, word)).edges.map((e) => e.node.id)).toEqual([documentId]);
}

/** Whether the pass settled within `ms`: 'rejected', 'resolved' or 'stuck'. */
const settledWithin = (pass: Promise<unknown>, ms: number) =>
  Promise.race([pass.then(() => 'resolved', () => 'rejected'), new Promise((resolve) => setTimeout(() => resolve('stuck'), ms))]);

describe('search indexer connection faults', () => {
  it('a connection reset while the indexer holds its connection is no uncaught exception; a later pass indexes a later edit', async () => {
    const { proxy, indexer, errors, gate } = await setUp(5_000);
    try {
      const documentId = await createDocument(server, owner, 'Reset', 'pelican');
      const pass = indexer.runOnce();
      await gate.holding; // checked out, idle between statements, its advisory lock held
      proxy.cut('refuse'); // both sockets destroyed: the reset reaches the checked-out client
      await waitUntil(() => errors.length > 0, 'the indexer to hear the reset');
      gate.open();
      expect(await settledWithin(pass, 10_000)).toBe('rejected');

      proxy.restore();
      await expectRecovered(indexer, documentId, 'cormorant');
    } finally {
      await indexer.stop();
      await proxy.close();
    }
  });

  it('a PostgreSQL that stops answering mid-pass fails the pass after the statement timeout (plus grace) instead of holding it forever', async () => {
    const statementTimeoutMs = 300;
    const { proxy, indexer, gate } = await setUp(statementTimeoutMs);
    try {
      const documentId = await createDocument(server, owner, 'Stall', 'grebe');
      const pass = indexer.runOnce();
      await gate.holding;
      proxy.cut('blackhole'); // the next statement gets no answer, ever
      const cutAt = Date.now();
      gate.open();
      expect(await settledWithin(pass, 15_000)).toBe('rejected');
      expect(Date.now() - cutAt).toBeGreaterThanOrEqual(statementTimeoutMs + QUERY_GRACE_MS - 50);

      proxy.restore();
      await expectRecovered(indexer, documentId, 'bittern');
    } finally {
      await indexer.stop();
      await proxy.close();
    }
  });
});
