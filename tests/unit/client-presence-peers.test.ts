/**
 * CollabSession keys peers by (user, clientId) [issue 21.1]: another person announcing the same
 * clientId is a second peer, and neither their selection nor their `left` touches the first.
 */
import type { Client, Sink } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { CollabSession, peerKey, type Peer } from '../../lib/api-client/collab-session.ts';

/** A graphql-ws client that opens the document and hands the presence stream's sink to the test. */
function presenceClient() {
  let presence: Sink | null = null;
  const client = {
    subscribe(payload: { query: string }, sink: Sink) {
      if (payload.query.includes('query OpenDocument')) {
        queueMicrotask(() => {
          sink.next({ data: { document: { id: 'd1', title: 'T', version: 0, content: { ops: [{ insert: 'hello world\n' }] }, myRole: 'EDITOR' } } });
          sink.complete();
        });
      } else if (payload.query.includes('subscription Presence')) presence = sink;
      else if (/mutation (Leave|Update)Presence/.test(payload.query)) {
        queueMicrotask(() => {
          sink.next({ data: {} });
          sink.complete();
        });
      }
      return () => {};
    },
    on: () => () => {},
  } as unknown as Client;
  const emit = (userId: string, name: string, clientId: string, selection: unknown, left = false) =>
    presence!.next({ data: { presence: { clientId, selection, left, user: { id: userId, name } } } });
  return { client, emit };
}

describe('CollabSession presence peers', () => {
  it('keys peers by (user, clientId): the same clientId from two people is two peers, and one leaving leaves the other', async () => {
    const { client, emit } = presenceClient();
    let peers: ReadonlyMap<string, Peer> = new Map();
    const session = await CollabSession.open({ client, documentId: 'd1', onPeers: (p) => void (peers = new Map(p)) });
    emit('owner', 'Olga', 'shared-id', { index: 6, length: 5, version: 0 });
    emit('viewer', 'Vic', 'shared-id', null);
    expect(peers.size).toBe(2);
    expect(peers.get(peerKey('owner', 'shared-id'))).toEqual({ clientId: 'shared-id', userId: 'owner', name: 'Olga', selection: { index: 6, length: 5 } });
    expect(peers.get(peerKey('viewer', 'shared-id'))).toEqual({ clientId: 'shared-id', userId: 'viewer', name: 'Vic', selection: null });
    emit('viewer', 'Vic', 'shared-id', null, true);
    expect([...peers.keys()]).toEqual([peerKey('owner', 'shared-id')]);
    expect(peers.get(peerKey('owner', 'shared-id'))?.selection).toEqual({ index: 6, length: 5 });
    await session.close();
  });

  it('ignores only its own clientId', async () => {
    const { client, emit } = presenceClient();
    let peers: ReadonlyMap<string, Peer> = new Map();
    const session = await CollabSession.open({ client, documentId: 'd1', clientId: 'mine', onPeers: (p) => void (peers = new Map(p)) });
    emit('someone', 'Sam', 'mine', null);
    emit('someone', 'Sam', 'theirs', null);
    expect([...peers.keys()]).toEqual([peerKey('someone', 'theirs')]);
    await session.close();
  });
});
