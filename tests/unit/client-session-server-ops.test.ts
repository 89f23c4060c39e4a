/**
 * CollabSession.onServerOp (issue 17, lib/ot/SPEC.md AN6): a listener sees every server op once,
 * in version order, as sequenced (others' ops from the stream, its own op as applied once
 * confirmed), whatever order the stream and the answers arrive in.
 */
import type { Client, Sink } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { CollabSession, type ServerOpEvent } from '../../lib/api-client/collab-session.ts';
import { Delta } from '../../lib/ot/operation.ts';

/** A graphql-ws client that opens the document at version 0 and hands the test every other sink. */
function scriptedClient() {
  const sinks: { query: string; sink: Sink }[] = [];
  const client = {
    subscribe(payload: { query: string }, sink: Sink) {
      sinks.push({ query: payload.query, sink });
      if (payload.query.includes('query OpenDocument')) {
        queueMicrotask(() => {
          sink.next({ data: { document: { id: 'd1', title: 'T', version: 0, content: { ops: [{ insert: 'abc\n' }] }, myRole: 'EDITOR' } } });
          sink.complete();
        });
      }
      return () => {};
    },
    on: () => () => {},
  } as unknown as Client;
  const find = (name: string) => sinks.filter((s) => s.query.includes(name)).map((s) => s.sink);
  return { client, find };
}

const op = (version: number, ops: unknown[], clientId = 'other', clientSeq = version) => ({ version, delta: { ops }, clientId, clientSeq, author: null });

describe('CollabSession.onServerOp', () => {
  it('[AN6] reports others’ ops and its own confirmed op as sequenced, once each, in version order', async () => {
    const { client, find } = scriptedClient();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false });
    const seen: ServerOpEvent[] = [];
    session.onServerOp((e) => seen.push(e));
    const [stream] = find('subscription DocumentOperationBatches');

    stream!.next({ data: { documentOperationBatches: { operations: [op(1, [{ insert: 'X' }])] } } });
    session.applyLocal(new Delta().retain(4).insert('!'));
    // Another op is sequenced before ours: ours is applied after it, moved by one.
    stream!.next({ data: { documentOperationBatches: { operations: [op(2, [{ insert: 'Y' }])] } } });
    const [submit] = find('mutation SubmitOperation');
    submit!.next({ data: { submitOperation: { version: 3, delta: { ops: [{ retain: 5 }, { insert: '!' }] }, duplicate: false } } });
    // The stream then echoes our op: already reported, not again.
    stream!.next({ data: { documentOperationBatches: { operations: [op(3, [{ retain: 5 }, { insert: '!' }], session.clientId, 1)] } } });

    expect(seen.map((e) => (e.kind === 'op' ? [e.version, e.delta.ops] : e))).toEqual([
      [1, [{ insert: 'X' }]],
      [2, [{ insert: 'Y' }]],
      [3, [{ retain: 5 }, { insert: '!' }]],
    ]);
    expect(session.pending).toBeNull();
    await session.close();
  });

  it('[AN6] reports ops that arrived early once the gap is filled, in order', async () => {
    const { client, find } = scriptedClient();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false });
    const seen: number[] = [];
    session.onServerOp((e) => e.kind === 'op' && seen.push(e.version));
    const [stream] = find('subscription DocumentOperationBatches');
    stream!.next({ data: { documentOperationBatches: { operations: [op(2, [{ insert: 'B' }])] } } });
    expect(seen).toEqual([]);
    stream!.next({ data: { documentOperationBatches: { operations: [op(1, [{ insert: 'A' }])] } } });
    expect(seen).toEqual([1, 2]);
    await session.close();
  });
});
