/**
 * The client state machine when the server applied our op in another form (lib/collab/SPEC.md C5;
 * lib/ot/SPEC.md SG15, SG18): a suggestion converted again on a newer head after
 * PROPOSAL_RESOLVED. The echo is compared with what the client applied; the server's form wins
 * and unsent edits are rebased onto it, so client and server end with the same document.
 */
import { describe, expect, it } from 'vitest';
import { CollabClient } from '../../lib/collab/collab-client.ts';
import type { ClientEvent } from '../../lib/collab/collab-client-types.ts';
import type { Submission } from '../../lib/collab/types.ts';
import { apply, Delta } from '../../lib/ot/operation.ts';
import { acceptOp, DELETE_MARK, toSuggestion } from '../../lib/ot/suggestion.ts';

const must = <T>(r: { ok: true; value: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const text = (d: Delta) => d.ops.map((c) => c.insert).join('');

/**
 * v1: commenter c proposed "brave " in "Hello world\n". The client (c, suggesting) deletes its own
 * proposal, which converts to a real delete; meanwhile an editor's accept is v2, so the server
 * refuses PROPOSAL_RESOLVED, converts again on v2 (now a proposed deletion) and stores that as v3.
 */
function scenario() {
  const v0 = new Delta().insert('Hello world\n');
  const v1 = must(apply(v0, must(toSuggestion(v0, new Delta().retain(6).insert('brave '), { author: 'u-c', id: 'c:1' }))));
  const sent: Submission[] = [];
  const events: ClientEvent[] = [];
  const client = new CollabClient({ documentId: 'd', clientId: 'c', version: 1, content: v1, transport: { send: (s) => void sent.push(s) }, onEvent: (e) => void events.push(e), firstClientSeq: 2 });
  const local = must(toSuggestion(client.document, new Delta().retain(6).delete(6), { author: 'u-c', id: 'c:2' }));
  expect(local.ops).toEqual([{ retain: 6 }, { delete: 6 }]);
  client.applyLocal(local);
  const accept = must(acceptOp(v1, 'c:1'));
  const v2 = must(apply(v1, accept));
  const again = must(toSuggestion(v2, new Delta().retain(6).delete(6), { author: 'u-c', id: 'c:2' }));
  const v3 = must(apply(v2, again));
  return { client, sent, events, accept, again, v3 };
}

describe('CollabClient: our op applied in another form [C5][SG15][SG18]', () => {
  it('the echo that differs from what was applied replaces it: the suggester ends with the server\'s document, told by a remoteOp', () => {
    const { client, events, accept, again, v3 } = scenario();
    client.receiveRemote({ version: 2, delta: accept, clientId: 'suggestion-accept:x', clientSeq: 1 });
    client.receiveAck(2, { kind: 'applied', version: 3, delta: again });
    client.receiveRemote({ version: 3, delta: again, clientId: 'c', clientSeq: 2 });
    expect(text(v3)).toBe('Hello brave world\n');
    expect(client.document).toEqual(v3); // not "Hello world\n": the deletion is proposed, not made
    expect(client.document.ops.some((c) => c.attributes?.[DELETE_MARK] === 'c:2|u-c')).toBe(true);
    expect(client.status).toMatchObject({ state: 'synchronized', version: 3, pendingEdits: 0 });
    // The editor was told how to get from what it shows to the server's document.
    const last = events.filter((e) => e.type === 'remoteOp').at(-1);
    expect(last?.type === 'remoteOp' && last.version).toBe(3);
    expect(last?.type === 'remoteOp' && text(must(apply(new Delta().insert('Hello world\n'), last.op)))).toBe('Hello brave world\n');
  });

  it('edits typed meanwhile are kept: rebased onto the server\'s form and sent next, and the server ends with the same document', () => {
    const { client, sent, accept, again, v3 } = scenario();
    client.applyLocal(new Delta().retain(11).insert('!')); // "Hello world!\n" locally, buffered
    client.receiveRemote({ version: 2, delta: accept, clientId: 'suggestion-accept:x', clientSeq: 1 });
    client.receiveRemote({ version: 3, delta: again, clientId: 'c', clientSeq: 2 });
    expect(client.status).toMatchObject({ state: 'awaitingConfirm', version: 3, pendingEdits: 1 });
    const next = sent.at(-1)!;
    expect(next).toMatchObject({ baseVersion: 3, clientSeq: 3 });
    const server = must(apply(v3, next.delta));
    expect(text(server)).toBe('Hello brave world!\n');
    expect(client.document).toEqual(server);
  });

  it('an echo equal to what was applied (however its attributes are ordered) confirms it with no extra event', () => {
    const v0 = new Delta().insert('ab\n');
    const events: ClientEvent[] = [];
    const client = new CollabClient({ documentId: 'd', clientId: 'me', version: 0, content: v0, transport: { send: () => undefined }, onEvent: (e) => void events.push(e) });
    client.applyLocal(new Delta().retain(1).insert('x', { bold: true, italic: true }));
    client.receiveRemote({ version: 1, delta: new Delta().retain(1).insert('x', { italic: true, bold: true }).retain(2), clientId: 'me', clientSeq: 1 });
    expect(events.filter((e) => e.type === 'remoteOp')).toEqual([]);
    expect(client.status).toMatchObject({ state: 'synchronized', version: 1 });
  });

  it('[PL11] a keystroke the server placed before a proposal that grew at the same point: the client moves it there too', () => {
    const mark = { 'suggest-insert': 'b:1|u-b' };
    const v1 = new Delta().insert('a').insert('XYZ', mark).insert('b\n');
    const client = new CollabClient({ documentId: 'd', clientId: 'e', version: 1, content: v1, transport: { send: () => undefined } });
    client.applyLocal(new Delta().retain(1).insert('q'));
    const grew = new Delta().retain(1).insert('V', mark);
    client.receiveRemote({ version: 2, delta: grew, clientId: 'b', clientSeq: 2 }); // the stored op wins the tie: "aVqXYZb" locally
    const placed = new Delta().retain(1).insert('q'); // as the planner stored it [PL11]
    client.receiveRemote({ version: 3, delta: placed, clientId: 'e', clientSeq: 1 });
    expect(client.document).toEqual(must(apply(must(apply(v1, grew)), placed)));
    expect(text(client.document)).toBe('aqVXYZb\n');
    expect(client.status).toMatchObject({ state: 'synchronized', version: 3 });
  });
});
