/**
 * SG18 (lib/ot/SPEC.md) and PL10 (lib/collab/SPEC.md) on PostgreSQL: a plain edit made before
 * someone's proposal was committed must not be carried into that proposal, and a suggestion
 * converted before an accept must not really delete the accepted text. The interleavings are
 * forced by holding the op store's commit: the document service stack (operations, suggestions,
 * access, the production sequencer and the PostgreSQL op store) is built here over the test
 * database, with a commit that waits for the test's word, and the document, its people and
 * their roles are made through a real server's GraphQL API, which also reads the result.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import type { OpStore } from '../../lib/collab/op-store.ts';
import { createSequencer, type Sequencer } from '../../lib/collab/sequencer.ts';
import { createPrismaOpStore } from '../../lib/db/op-store.ts';
import { createDocumentAccess } from '../../lib/documents/access.ts';
import { createOperations, type OperationInput } from '../../lib/documents/operations.ts';
import { createSuggestions } from '../../lib/documents/suggestions.ts';
import { createHeadReader } from '../../lib/documents/suggestions-heads.ts';
import type { RequestScope } from '../../lib/documents/types.ts';
import { createLogger } from '../../lib/logger.ts';
import { DELETE_MARK } from '../../lib/ot/suggestion.ts';
import { createInProcessRateLimiter } from '../../lib/rate-limit/in-process-rate-limiter.ts';
import type { RateLimiter } from '../../lib/rate-limit/rate-limiter.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { signUp, type TestAccount } from '../support/auth.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { testPrisma } from '../support/prisma.ts';
import { startTestServer, testConfig } from '../support/server.ts';

const prisma = testPrisma();
let server: VersoServer;
let pool: pg.Pool;
let owner: TestAccount;
let editor: TestAccount;
let commenter: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 4 });
  [owner, editor, commenter] = await Promise.all([signUp(server), signUp(server), signUp(server)]);
});
afterAll(async () => {
  await pool.end();
});

const call = <T>(who: TestAccount, query: string, variables: Record<string, unknown>) => gqlHttp<T>(server.url, query, variables, { cookie: who.cookie });

async function newDocument(text: string): Promise<string> {
  const created = await call<{ createDocument: { id: string } }>(owner, 'mutation($c: JSON) { createDocument(title: "Race", content: $c) { id } }', { c: { ops: [{ insert: text }] } });
  const id = created.body.data!.createDocument.id;
  for (const [who, role] of [[editor, 'EDITOR'], [commenter, 'COMMENTER']] as const) {
    const shared = await call(owner, 'mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { role } }', { d: id, e: who.email, r: role });
    expect(shared.body.errors).toBeUndefined();
  }
  return id;
}

/** A promise and its resolver. */
function signal<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * The services over the test database, with a store whose commits wait while `hold()` is in
 * force, and a sequencer that reports each submission reaching it.
 */
function stack() {
  const store = createPrismaOpStore(prisma, { pool });
  let held: { promise: Promise<void>; resolve: () => void } | null = null;
  const committing: Array<() => void> = [];
  const gated: OpStore = {
    ...store,
    async commit(request) {
      committing.splice(0).forEach((tell) => tell());
      if (held) await held.promise;
      return store.commit(request);
    },
  };
  const sequencer = createSequencer({ store: gated, broadcaster: createMemoryBroadcaster(), follow: null, snapshotEvery: 0 });
  let arrived = 0;
  const arrivals: Array<{ count: number; tell: () => void }> = [];
  const counting: Sequencer = {
    ...sequencer,
    submit(input) {
      arrived++;
      for (const waiter of arrivals.filter((a) => a.count <= arrived)) waiter.tell();
      return sequencer.submit(input);
    },
  };
  const config = testConfig();
  const limiter = createInProcessRateLimiter();
  let opTokens = 0;
  const rateLimiter: RateLimiter = {
    ...limiter,
    consume(bucket, ...rest) {
      if (bucket === 'ops') opTokens++;
      return limiter.consume(bucket, ...rest);
    },
  };
  const access = createDocumentAccess({ prisma, rateLimiter, config });
  const operations = createOperations({ access, store, sequencer: counting, rateLimiter, config });
  const suggestions = createSuggestions({ access, store, operations, heads: createHeadReader(store) });
  return {
    operations,
    suggestions,
    /** Operation rate-limit tokens taken so far. */
    opTokens: () => opTokens,
    /** Commits wait from now until `release()`. */
    hold() {
      held = signal();
    },
    release() {
      held?.resolve();
      held = null;
    },
    /** Resolves when the next commit starts (and is held, if holding). */
    nextCommit() {
      const s = signal();
      committing.push(s.resolve);
      return s.promise;
    },
    /** Resolves once `count` submissions in all have reached the sequencer. */
    reached(count: number) {
      const s = signal();
      if (arrived >= count) s.resolve();
      else arrivals.push({ count, tell: s.resolve });
      return s.promise;
    },
  };
}

const logger = createLogger({ LOG_LEVEL: 'silent' });
const scopeOf = (who: TestAccount): RequestScope => ({
  viewer: { userId: who.userId, scopes: null, email: who.email, name: null, credential: { kind: 'session', id: `race-${who.userId}` } },
  logger,
});
const op = (documentId: string, baseVersion: number, ops: unknown[]): OperationInput => ({ documentId, baseVersion, clientId: `race-${randomUUID()}`, clientSeq: 1, delta: { ops } });

interface Seen {
  content: { ops: Array<{ insert?: unknown; attributes?: Record<string, unknown> }> };
  suggestions: Array<{ author: { id: string }; deletedText: string; ranges: Array<{ index: number; length: number }> }>;
}
async function suggestionIds(documentId: string): Promise<string[]> {
  const r = await call<{ document: { suggestions: Array<{ id: string }> } }>(owner, 'query($d: ID!) { document(id: $d) { suggestions { id } } }', { d: documentId });
  return r.body.data!.document.suggestions.map((x) => x.id);
}
async function seen(documentId: string): Promise<Seen> {
  const r = await call<{ document: Seen }>(owner, 'query($d: ID!) { document(id: $d) { content suggestions { author { id } deletedText ranges { index length } } } }', { d: documentId });
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.document;
}

describe('edits and suggestions with an op committed meanwhile [SG18][PL10]', () => {
  it('a proposal committed between the edit\'s submission and its commit: the edit into the proposed text is refused FOREIGN_SUGGESTION, the proposal stays whole', async () => {
    const d = await newDocument('Hello world\n');
    const s = stack();
    s.hold();
    const entered = s.nextCommit();
    // The commenter proposes deleting "world"; its commit is held.
    const proposal = s.suggestions.suggest(scopeOf(commenter), op(d, 0, [{ retain: 6 }, { delete: 5 }]));
    await entered;
    // Meanwhile the editor, who saw version 0, types inside "world"; it waits behind the proposal's batch.
    const edit = s.operations.submit(scopeOf(editor), op(d, 0, [{ retain: 8 }, { insert: 'x' }]));
    await s.reached(2);
    s.release();
    expect(await proposal).toMatchObject({ kind: 'applied', version: 1 });
    expect(await edit).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT', extensions: { reason: 'FOREIGN_SUGGESTION' } });
    const after = await seen(d);
    expect(after.content.ops.map((c) => c.insert).join('')).toBe('Hello world\n');
    expect(after.suggestions).toMatchObject([{ author: { id: commenter.userId }, deletedText: 'world', ranges: [{ index: 6, length: 5 }] }]);
  });

  it('a proposal and a plain edit planned in one batch (both made at version 0): the edit deleting the proposed text is refused, one around it applies', async () => {
    const d = await newDocument('Hello world\n');
    const s = stack();
    s.hold();
    const entered = s.nextCommit();
    // Something else commits first and is held, so the next three submissions queue up as one batch.
    const first = s.operations.submit(scopeOf(owner), op(d, 0, [{ insert: 'A' }]));
    await entered;
    const proposal = s.suggestions.suggest(scopeOf(commenter), op(d, 0, [{ retain: 6 }, { delete: 5 }]));
    await s.reached(2);
    const deletes = s.operations.submit(scopeOf(editor), op(d, 0, [{ retain: 6 }, { delete: 5 }]));
    const around = s.operations.submit(scopeOf(editor), op(d, 0, [{ retain: 11 }, { insert: '!' }]));
    await s.reached(4);
    s.release();
    expect(await first).toMatchObject({ kind: 'applied', version: 1 });
    expect(await proposal).toMatchObject({ kind: 'applied', version: 2 });
    const refused = await deletes;
    expect(refused).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT', extensions: { reason: 'FOREIGN_SUGGESTION' } });
    expect(refused.kind === 'rejected' && refused.message).toMatch(/^Your edit deletes text another person proposed \(a proposed deletion\); accept or reject it first\./);
    expect(await around).toMatchObject({ kind: 'applied', version: 3 });
    const after = await seen(d);
    expect(after.content.ops.map((c) => c.insert).join('')).toBe('AHello world!\n');
    expect(after.content.ops.find((c) => c.insert === 'world')?.attributes?.[DELETE_MARK]).toMatch(new RegExp(`\\|${commenter.userId}$`));
    expect(after.suggestions).toMatchObject([{ deletedText: 'world', ranges: [{ index: 7, length: 5 }] }]);
  });

  it('a suggestion deleting its author\'s own proposed insertion, accepted meanwhile: converted again on the newer head, it proposes the deletion instead of making it', async () => {
    const d = await newDocument('Hello world\n');
    const s = stack();
    const brave = await s.suggestions.suggest(scopeOf(commenter), op(d, 0, [{ retain: 6 }, { insert: 'brave ' }]));
    expect(brave).toMatchObject({ kind: 'applied', version: 1 });
    s.hold();
    const entered = s.nextCommit();
    // The editor accepts "brave "; its commit is held.
    const accepted = s.suggestions.resolve(scopeOf(editor), d, (await suggestionIds(d))[0]!, true);
    await entered;
    // The commenter, who still sees "brave " as their proposal (version 1), deletes it: converted on version 1, a real delete.
    const withdrawn = s.suggestions.suggest(scopeOf(commenter), op(d, 1, [{ retain: 6 }, { delete: 6 }]));
    await s.reached(3);
    s.release();
    expect(await accepted).toMatchObject({ kind: 'applied', version: 2 });
    expect(await withdrawn).toMatchObject({ kind: 'applied', version: 3 });
    const after = await seen(d);
    expect(after.content.ops.map((c) => c.insert).join('')).toBe('Hello brave world\n'); // accepted text is not deleted by a commenter
    expect(after.suggestions).toMatchObject([{ author: { id: commenter.userId }, deletedText: 'brave ', ranges: [{ index: 6, length: 6 }] }]);
    expect(s.opTokens()).toBe(3); // the conversion made again took no second rate-limit token
  });
});

describe('accept and reject with an op committed meanwhile [SG19][PL10]', () => {
  type Resolve = { who: TestAccount; accept: boolean };
  /**
   * "brave " proposed by the commenter in "Hello world\n" (version 1); then `first` resolves it
   * with its commit held while `second` resolves it too, both built on version 1.
   */
  async function race(first: Resolve, second: Resolve) {
    const s = stack();
    const d = await newDocument('Hello world\n');
    expect(await s.suggestions.suggest(scopeOf(commenter), op(d, 0, [{ retain: 6 }, { insert: 'brave ' }]))).toMatchObject({ kind: 'applied', version: 1 });
    const id = (await suggestionIds(d))[0]!;
    s.hold();
    const entered = s.nextCommit();
    const one = s.suggestions.resolve(scopeOf(first.who), d, id, first.accept);
    await entered;
    const two = s.suggestions.resolve(scopeOf(second.who), d, id, second.accept);
    await s.reached(3);
    s.release();
    return { d, first: await one, second: await two };
  }

  it('an editor accepts while the commenter withdraws, both reading version 1: the accept commits, the withdrawal finds the suggestion gone (NOT_FOUND) and deletes nothing', async () => {
    const { d, first, second } = await race({ who: editor, accept: true }, { who: commenter, accept: false });
    expect(first).toMatchObject({ kind: 'applied', version: 2 });
    expect(second).toMatchObject({ kind: 'rejected', code: 'NOT_FOUND', extensions: { reason: 'NO_SUCH_SUGGESTION' } });
    const after = await seen(d);
    expect(after.content.ops.map((c) => c.insert).join('')).toBe('Hello brave world\n');
    expect(after.content.ops.every((c) => c.attributes === undefined)).toBe(true);
    expect(after.suggestions).toEqual([]);
  });

  it('one editor rejects while another accepts, both reading version 1: the rejection commits, the accept finds the suggestion gone (NOT_FOUND)', async () => {
    const { d, first, second } = await race({ who: owner, accept: false }, { who: editor, accept: true });
    expect(first).toMatchObject({ kind: 'applied', version: 2 });
    expect(second).toMatchObject({ kind: 'rejected', code: 'NOT_FOUND' });
    expect((await seen(d)).content.ops).toEqual([{ insert: 'Hello world\n' }]);
  });
});
