/** The client state machine, rule by rule (lib/collab/SPEC.md, C1–C11). */
import { describe, expect, it } from 'vitest';
import { CollabClient } from '../../lib/collab/collab-client.ts';
import { saveIndicator, type ClientEvent } from '../../lib/collab/collab-client-types.ts';
import type { Submission } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { DOC, setup } from '../support/collab-fakes.ts';

function harness(text = 'abc\n', version = 0) {
  const sent: Submission[] = [];
  const events: ClientEvent[] = [];
  const client = new CollabClient({
    documentId: DOC,
    clientId: 'me',
    version,
    content: new Delta().insert(text),
    transport: { send: (s) => void sent.push(s) },
    onEvent: (e) => void events.push(e),
  });
  const remote = (version: number, delta: Delta, clientId = 'other', clientSeq = version) => client.receiveRemote({ version, delta, clientId, clientSeq });
  const remoteOps = () => events.flatMap((e) => (e.type === 'remoteOp' ? [e.op.ops] : []));
  return { client, sent, events, remote, remoteOps };
}
const ins = (at: number, text: string) => new Delta().retain(at).insert(text);
const docText = (client: CollabClient) => client.document.ops.map((op) => op.insert).join('');

describe('CollabClient', () => {
  it('[C1] the first edit is sent at once with clientSeq 1; later edits wait while it is in flight', () => {
    const { client, sent } = harness();
    client.applyLocal(ins(0, 'x'));
    client.applyLocal(ins(1, 'y'));
    expect(sent).toEqual([{ documentId: DOC, baseVersion: 0, clientId: 'me', clientSeq: 1, delta: ins(0, 'x') }]);
    expect(client.status).toEqual({ state: 'awaitingWithBuffer', connected: true, version: 0, pendingEdits: 2 });
  });

  it('[C2] edits made while awaiting compose into one buffer, sent with the next clientSeq on confirmation', () => {
    const { client, sent } = harness();
    client.applyLocal(ins(0, 'x'));
    client.applyLocal(ins(1, 'y'));
    client.applyLocal(ins(2, 'z'));
    client.receiveAck(1, { kind: 'applied', version: 1, delta: ins(0, 'x') });
    expect(sent[1]).toEqual({ documentId: DOC, baseVersion: 1, clientId: 'me', clientSeq: 2, delta: ins(1, 'yz') });
    expect(client.status).toMatchObject({ state: 'awaitingConfirm', version: 1, pendingEdits: 2 });
  });

  it('[C2] a buffer that composes to nothing is dropped instead of sent', () => {
    const { client, sent } = harness();
    client.applyLocal(ins(0, 'x'));
    client.applyLocal(ins(1, 'y'));
    client.applyLocal(new Delta().retain(1).delete(1));
    client.receiveAck(1, { kind: 'applied', version: 1, delta: ins(0, 'x') });
    expect(sent).toHaveLength(1);
    expect(client.status.state).toBe('synchronized');
  });

  it('[C3] a remote op is rebased over in-flight op and buffer; remote inserts win ties; the selection moves', () => {
    const { client, sent, remote, remoteOps } = harness('abc\n');
    client.setSelection({ index: 3, length: 0 });
    client.applyLocal(ins(1, 'X')); // aXbc, in flight
    client.applyLocal(ins(4, 'Y')); // aXbcY, buffered
    remote(1, ins(1, 'R').retain(1).delete(1)); // made against abc: R at X's position, c deleted
    expect(docText(client)).toBe('aRXbY\n');
    expect(remoteOps()).toEqual([ins(1, 'R').retain(2).delete(1).ops]);
    // The caret was after c; our own X and Y pushed it right, R pushed it right, c's deletion left.
    expect(client.selection).toEqual({ index: 5, length: 0 });
    client.resend();
    expect(sent.at(-1)).toMatchObject({ clientSeq: 1, baseVersion: 1, delta: ins(2, 'X') });
    client.receiveAck(1, { kind: 'applied', version: 2, delta: ins(2, 'X') });
    expect(sent.at(-1)).toMatchObject({ clientSeq: 2, baseVersion: 2, delta: ins(4, 'Y') });
  });

  it('[C4] repeats are ignored; an op ahead of version + 1 waits for the gap to fill', () => {
    const { client, remote } = harness('\n');
    remote(2, ins(1, 'b'));
    expect(client.version).toBe(0);
    remote(1, ins(0, 'a'));
    remote(1, ins(0, 'a'));
    remote(2, ins(1, 'b'));
    expect([client.version, docText(client)]).toEqual([2, 'ab\n']);
  });

  it('[C5] our own in-flight op coming back on the stream confirms it', () => {
    const { client, sent, remote } = harness();
    client.applyLocal(ins(0, 'x'));
    client.applyLocal(ins(0, 'y'));
    remote(1, ins(0, 'x'), 'me', 1);
    expect([client.version, docText(client)]).toEqual([1, 'yxabc\n']);
    expect(sent.at(-1)).toMatchObject({ clientSeq: 2, baseVersion: 1 });
  });

  it('[C5] an echo in another form after several remote ops and a confirmed op: the server\'s document is rebuilt exactly, unsent edits kept', () => {
    // The client keeps the server's document as a base plus one composed change while edits are
    // unconfirmed; a corrected echo is the one place that needs the document itself.
    const { client, sent, remote } = harness('abc\n');
    client.applyLocal(ins(0, 'x')); // seq 1 in flight
    client.applyLocal(ins(4, 'y')); // buffered
    remote(1, ins(3, 'R')); // abcR\n on the server
    remote(2, new Delta().retain(1).delete(1)); // acR\n
    remote(3, ins(0, 'x'), 'me', 1); // seq 1 echoed as sent (after rebasing: x at 0)
    const second = sent.at(-1)!;
    expect(second).toMatchObject({ clientSeq: 2, baseVersion: 3 });
    remote(4, ins(0, 'Q')); // another person, while seq 2 is in flight
    // The server stored seq 2 in another form: "Z" at 1 instead of what was sent.
    const stored = ins(1, 'Z');
    client.applyLocal(ins(0, '!')); // typed meanwhile, buffered
    remote(5, stored, 'me', 2);
    // The server: a b c \n → abcR → acR → xacR → Qxac R → QZxacR, then the buffer rebased onto it.
    const next = sent.at(-1)!;
    expect(next).toMatchObject({ clientSeq: 3, baseVersion: 5 });
    let server = new Delta().insert('abc\n');
    for (const d of [ins(3, 'R'), new Delta().retain(1).delete(1), ins(0, 'x'), ins(0, 'Q'), stored, next.delta]) server = server.compose(d);
    expect(client.document).toEqual(server);
    expect(client.status).toMatchObject({ state: 'awaitingConfirm', version: 5 });
  });

  it('[C6] an ack beyond version + 1 waits for the echo; stale and repeated acks are ignored', () => {
    const { client, remote } = harness();
    client.applyLocal(ins(0, 'x'));
    client.receiveAck(1, { kind: 'duplicate', version: 2, delta: ins(1, 'x') });
    expect(client.status.state).toBe('awaitingConfirm');
    remote(1, ins(0, 'o'));
    remote(2, ins(1, 'x'), 'me', 1);
    expect(client.status).toMatchObject({ state: 'synchronized', version: 2 });
    client.applyLocal(ins(0, 'z'));
    client.receiveAck(1, { kind: 'applied', version: 2, delta: ins(1, 'x') });
    client.receiveAck(9, { kind: 'applied', version: 3, delta: ins(0, 'z') });
    expect(client.status).toMatchObject({ state: 'awaitingConfirm', version: 2 });
  });

  it('[C7] offline: nothing is sent, edits buffer; on reconnect the in-flight op is resent with the same clientSeq, rebased', () => {
    const { client, sent, remote } = harness();
    client.onDisconnect();
    client.applyLocal(ins(0, 'x'));
    client.applyLocal(ins(0, 'y'));
    expect(sent).toEqual([]);
    expect(saveIndicator(client.status)).toEqual({ kind: 'offline', pendingEdits: 2 });
    client.onReconnect(1);
    remote(1, ins(3, 'R'));
    expect(sent).toEqual([{ documentId: DOC, baseVersion: 0, clientId: 'me', clientSeq: 1, delta: ins(0, 'x') }]);
    client.onDisconnect();
    client.onReconnect(1);
    expect(sent[1]).toEqual({ documentId: DOC, baseVersion: 1, clientId: 'me', clientSeq: 1, delta: ins(0, 'x') });
  });

  it('[C7][S2] an op applied whose answer was lost is confirmed by the duplicate answer after reconnect, never applied twice', async () => {
    const { sequencer, store } = await setup('abc\n');
    const { client, sent } = harness('abc\n');
    client.applyLocal(ins(0, 'x'));
    await sequencer.submit({ ...sent[0]!, authorId: null }); // applied; the answer is lost
    client.onDisconnect();
    client.onReconnect(1);
    const answer = await sequencer.submit({ ...sent[1]!, authorId: null });
    expect(answer.kind).toBe('duplicate');
    client.receiveAck(sent[1]!.clientSeq, answer);
    expect(client.status).toMatchObject({ state: 'synchronized', version: 1 });
    expect(await store.opsAfter(DOC, 0)).toHaveLength(1);
  });

  it('[C8] a fatal answer desynchronizes: unconfirmed edits are handed out, edits refused, stream ignored, until resync', () => {
    const { client, events, remote } = harness();
    client.applyLocal(ins(0, 'x'));
    client.applyLocal(ins(0, 'y'));
    client.receiveAck(1, { kind: 'rejected', code: 'VERSION_AHEAD', message: 'reload' });
    expect(events.find((e) => e.type === 'desynchronized')).toEqual({
      type: 'desynchronized',
      code: 'VERSION_AHEAD',
      message: 'reload',
      version: 0,
      unconfirmed: ins(0, 'yx'),
    });
    expect(client.applyLocal(ins(0, 'z'))).toMatchObject({ kind: 'refused', code: 'DESYNCHRONIZED' });
    remote(1, ins(0, 'r'));
    expect(client.version).toBe(0);
    expect(saveIndicator(client.status)).toEqual({ kind: 'error' });
    client.resync(5, new Delta().insert('fresh\n'));
    client.applyLocal(ins(0, 'n'));
    expect(client.status).toMatchObject({ state: 'awaitingConfirm', version: 5 });
    expect(client.nextClientSeq).toBe(3); // 1 was used before the resync, 2 now
  });

  it('[C8] a server behind our version at reconnect desynchronizes', () => {
    const { client, remote, events } = harness();
    remote(1, ins(0, 'a'));
    client.onDisconnect();
    client.onReconnect(0);
    expect(events.some((e) => e.type === 'desynchronized' && e.code === 'VERSION_AHEAD')).toBe(true);
  });

  it('[C9] a retryable answer keeps the op in flight; resend sends it again with the same clientSeq', () => {
    const { client, sent, events } = harness();
    client.applyLocal(ins(0, 'x'));
    client.receiveAck(1, { kind: 'rejected', code: 'CONFLICT_RETRIES_EXHAUSTED', message: 'again' });
    expect(events.at(-1)).toEqual({ type: 'retryableRejection', code: 'CONFLICT_RETRIES_EXHAUSTED', message: 'again' });
    client.resend();
    expect(sent.map((s) => s.clientSeq)).toEqual([1, 1]);
    expect(client.status.state).toBe('awaitingConfirm');
  });

  it('[C10] a local op that does not apply is refused and changes nothing', () => {
    const { client, sent } = harness('ab\n');
    expect(client.applyLocal(new Delta().retain(9).insert('x'))).toMatchObject({ kind: 'refused', code: 'BAD_USER_INPUT' });
    expect(client.applyLocal(new Delta().retain(3).insert('x'))).toMatchObject({ kind: 'refused' });
    expect([docText(client), sent.length, client.status.state]).toEqual(['ab\n', 0, 'synchronized']);
  });

  it('[C11] status and saveIndicator: Saved, Saving… N, Offline — N pending', () => {
    const { client, events } = harness();
    expect(saveIndicator(client.status)).toEqual({ kind: 'saved' });
    client.applyLocal(ins(0, 'x'));
    expect(saveIndicator(client.status)).toEqual({ kind: 'saving', pendingEdits: 1 });
    client.onDisconnect();
    expect(saveIndicator(client.status)).toEqual({ kind: 'offline', pendingEdits: 1 });
    expect(events.filter((e) => e.type === 'status')).toHaveLength(2);
  });
});
