/**
 * CollabSession's answer to VERSION_TOO_OLD on a submit [PL8], against a graphql-ws client the
 * test answers by hand (no server): catch up from `document.operations`, then resend the op with
 * its clientSeq; give the edits up (reload, or hand them out) only when the missed ops are gone,
 * the document is, or catching up keeps being overtaken. The happy path on a real server:
 * tests/integration/client-catch-up.test.ts.
 */
import type { Client, Sink } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { CollabSession } from '../../lib/api-client/collab-session.ts';
import { Delta } from '../../lib/ot/operation.ts';

interface Pending {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  answer(result: unknown): void;
}

/** Answers OpenDocument (version 0, "\n"); every other request waits in `requests` for the test. */
function handAnsweredClient() {
  const requests: Pending[] = [];
  const client = {
    subscribe(payload: { query: string; variables?: Record<string, unknown> }, sink: Sink) {
      const answer = (result: unknown) => {
        sink.next(result as never);
        sink.complete();
      };
      if (payload.query.includes('query OpenDocument')) {
        queueMicrotask(() => answer({ data: { document: { id: 'd1', title: 'T', version: 0, content: { ops: [{ insert: '\n' }] }, myRole: 'EDITOR' } } }));
      } else if (!payload.query.includes('subscription')) requests.push({ query: payload.query, variables: payload.variables ?? {}, answer });
      return () => {};
    },
    on: () => () => {},
  } as unknown as Client;
  /** The oldest unanswered request named `name`, taken off the list. */
  const next = (name: string): Pending => {
    const index = requests.findIndex((r) => r.query.includes(name));
    if (index < 0) throw new Error(`no ${name} waiting (waiting: ${requests.map((r) => /(query|mutation) (\w+)/.exec(r.query)?.[2]).join(', ')})`);
    return requests.splice(index, 1)[0]!;
  };
  return { client, requests, next };
}

const tooOld = { errors: [{ message: 'Reload the document and make the change again.', extensions: { code: 'VERSION_TOO_OLD' } }] };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
/** `count` ops of someone else, each inserting "x" at the start, from version `from` + 1. */
const othersOps = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ version: from + i + 1, delta: { ops: [{ insert: 'x' }] }, clientId: 'other', clientSeq: from + i + 1 }));

async function openWithLosses(client: Client) {
  const lost: string[] = [];
  const session = await CollabSession.open({
    client,
    documentId: 'd1',
    presence: false,
    catchUpPageSize: 2,
    onReload: (_content, unconfirmed) => void lost.push(`reload ${JSON.stringify(unconfirmed?.ops ?? null)}`),
    onUnsent: (unsent, _message, why) => void lost.push(`unsent(${why}) ${JSON.stringify(unsent.ops)}`),
    onFatal: (fatal) => void lost.push(`fatal ${fatal.code}`),
  });
  return { session, lost };
}

describe('CollabSession after VERSION_TOO_OLD on a submit [PL8]', () => {
  it('reads the missed ops page by page from its own version, then resends the same clientSeq rebased to the head', async () => {
    const { client, next } = handAnsweredClient();
    const { session, lost } = await openWithLosses(client);
    session.applyLocal(new Delta().insert('A'));
    next('mutation SubmitOperation').answer(tooOld);
    await flush();
    const page1 = next('query DocumentOperations');
    expect(page1.variables).toEqual({ id: 'd1', fromVersion: 0, first: 2 });
    page1.answer({ data: { document: { id: 'd1', operations: othersOps(0, 2) } } });
    await flush();
    const page2 = next('query DocumentOperations');
    expect(page2.variables).toMatchObject({ fromVersion: 2 });
    page2.answer({ data: { document: { id: 'd1', operations: othersOps(2, 1) } } });
    await flush();
    const resend = next('mutation SubmitOperation');
    expect(resend.variables).toMatchObject({ input: { baseVersion: 3, clientSeq: 1 } });
    resend.answer({ data: { submitOperation: { version: 4, delta: (resend.variables.input as { delta: unknown }).delta, duplicate: false } } });
    await flush();
    expect(session.status.state).toBe('synchronized');
    expect(session.document.ops.map((op) => op.insert).join('')).toBe('xxxA\n'); // the server's ops win ties [S3]
    expect(lost).toEqual([]);
  });

  it('confirms an earlier send of the op found among the missed ops, and sends the next edits instead of resending it', async () => {
    const { client, next } = handAnsweredClient();
    const { session, lost } = await openWithLosses(client);
    session.applyLocal(new Delta().insert('A'));
    const first = next('mutation SubmitOperation');
    session.applyLocal(new Delta().retain(1).insert('B'));
    // An earlier send of seq 1 was applied (its answer lost); this one is refused as too old.
    first.answer(tooOld);
    await flush();
    next('query DocumentOperations').answer({
      data: { document: { id: 'd1', operations: [...othersOps(0, 1), { version: 2, delta: { ops: [{ retain: 1 }, { insert: 'A' }] }, clientId: session.clientId, clientSeq: 1 }] } },
    });
    await flush();
    const sent = next('mutation SubmitOperation');
    expect(sent.variables).toMatchObject({ input: { baseVersion: 2, clientSeq: 2 } });
    expect(session.document.ops.map((op) => op.insert).join('')).toBe('xAB\n');
    expect(lost).toEqual([]);
  });

  it('reloads and hands the unsent text out, as before, when the missed ops are no longer kept', async () => {
    const { client, next } = handAnsweredClient();
    const { session, lost } = await openWithLosses(client);
    session.applyLocal(new Delta().insert('A'));
    next('mutation SubmitOperation').answer(tooOld);
    await flush();
    next('query DocumentOperations').answer({ errors: [{ message: 'History before version 5 is no longer available.', extensions: { code: 'VERSION_TOO_OLD' } }] });
    await flush();
    await flush();
    expect(lost).toEqual(['reload [{"insert":"A"}]']);
    expect(session.status.state).toBe('synchronized');
  });

  it('hands the unsent text out and stops when the document is gone', async () => {
    const { client, next } = handAnsweredClient();
    const { session, lost } = await openWithLosses(client);
    session.applyLocal(new Delta().insert('A'));
    next('mutation SubmitOperation').answer(tooOld);
    await flush();
    next('query DocumentOperations').answer({ data: { document: null }, errors: [{ message: 'No document with id "d1".', extensions: { code: 'NOT_FOUND' } }] });
    await flush();
    expect(lost).toEqual(['unsent(refused) [{"insert":"A"}]', 'fatal NOT_FOUND']);
    expect(session.fatal?.code).toBe('NOT_FOUND');
  });

  it('gives up after three catch-ups in a row are overtaken (others commit past the budget each time)', async () => {
    const { client, next } = handAnsweredClient();
    const { session, lost } = await openWithLosses(client);
    session.applyLocal(new Delta().insert('A'));
    for (let round = 0; round < 3; round++) {
      next('mutation SubmitOperation').answer(tooOld);
      await flush();
      next('query DocumentOperations').answer({ data: { document: { id: 'd1', operations: othersOps(round, 1) } } });
      await flush();
    }
    next('mutation SubmitOperation').answer(tooOld);
    await flush();
    await flush();
    // Handed out rebased to the last version reached, as the state machine holds it.
    expect(lost).toEqual(['reload [{"retain":3},{"insert":"A"}]']);
    // No fourth catch-up: the reload started over instead.
    expect(() => next('query DocumentOperations')).toThrow(/no query DocumentOperations waiting/);
  });
});
