/**
 * Property (fast-check, shrinking): for any interleaving of typing, submitting and delivering
 * among three clients, once every queue is flushed all clients hold the server's document and
 * the log has one op per clientSeq [S1, S2, S3, C1–C6].
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CollabClient } from '../../lib/collab/collab-client.ts';
import type { RemoteOp } from '../../lib/collab/collab-client-types.ts';
import { loadDocument } from '../../lib/collab/document-loader.ts';
import type { Submission, SubmitResult } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { DOC, setup } from '../support/collab-fakes.ts';
import { canonical, createRng, randomOp } from '../support/collab-sim-random.ts';

type Command = { readonly kind: 'type' | 'submit' | 'deliver'; readonly client: number; readonly seed: number };
type Down = { readonly op: RemoteOp } | { readonly clientSeq: number; readonly result: SubmitResult };

const command = fc.record({
  kind: fc.constantFrom<Command['kind']>('type', 'type', 'submit', 'deliver'),
  client: fc.integer({ min: 0, max: 2 }),
  seed: fc.nat(),
});

async function run(commands: readonly Command[]): Promise<void> {
  const { store, broadcaster, sequencer } = await setup('one two\n');
  const peers = [0, 1, 2].map((i) => {
    const up: Submission[] = [];
    const down: Down[] = [];
    const client = new CollabClient({
      documentId: DOC,
      clientId: `c${i}`,
      version: 0,
      content: new Delta().insert('one two\n'),
      transport: { send: (s) => void up.push(s) },
    });
    return { client, up, down };
  });
  await broadcaster.subscribe(DOC, (op) => peers.forEach((p) => p.down.push({ op })));
  const submitOne = async (peer: (typeof peers)[number]) => {
    const s = peer.up.shift();
    if (s) peer.down.push({ clientSeq: s.clientSeq, result: await sequencer.submit({ ...s, authorId: null }) });
  };
  const deliverOne = (peer: (typeof peers)[number]) => {
    const m = peer.down.shift();
    if (m && 'op' in m) peer.client.receiveRemote(m.op);
    else if (m) peer.client.receiveAck(m.clientSeq, m.result);
  };
  for (const c of commands) {
    const peer = peers[c.client]!;
    if (c.kind === 'type') peer.client.applyLocal(randomOp(createRng(c.seed), peer.client.document));
    else if (c.kind === 'submit') await submitOne(peer);
    else deliverOne(peer);
  }
  while (peers.some((p) => p.up.length > 0 || p.down.length > 0)) {
    for (const peer of peers) {
      await submitOne(peer);
      deliverOne(peer);
    }
  }
  const server = await loadDocument(store, DOC);
  const log = await store.opsAfter(DOC, 0);
  for (const { client } of peers) {
    expect(client.status.state).toBe('synchronized');
    expect(canonical(client.document.ops)).toBe(canonical(server!.content.ops));
    expect(log.filter((op) => op.clientId === client.clientId).map((op) => op.clientSeq)).toEqual(
      Array.from({ length: client.nextClientSeq - 1 }, (_, i) => i + 1),
    );
  }
}

describe('collab convergence (property)', () => {
  it('[S1][S2][S3][C1-C6] any interleaving of three clients converges, each clientSeq applied once', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { maxLength: 60 }), run), { numRuns: 300 });
  });
});
