/**
 * CollabSession's timers against a scripted graphql-ws client (no server): what it sends when,
 * after lost answers and refusals. Fake timers, so the delays are exact.
 */
import type { Client, Sink } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CollabSession } from '../../lib/api-client/collab-session.ts';
import { Delta } from '../../lib/ot/operation.ts';

interface Call {
  readonly query: string;
  readonly variables: Record<string, unknown>;
  readonly sink: Sink;
  readonly at: number;
}

/** A graphql-ws client that answers OpenDocument and leaves every other operation to the test. */
function scriptedClient(initialRole = 'EDITOR') {
  const calls: Call[] = [];
  const server = { role: initialRole, content: { ops: [{ insert: '\n' }] } as unknown, version: 0 };
  const client = {
    subscribe(payload: { query: string; variables?: Record<string, unknown> }, sink: Sink) {
      calls.push({ query: payload.query, variables: payload.variables ?? {}, sink, at: Date.now() });
      if (payload.query.includes('query OpenDocument')) {
        queueMicrotask(() => {
          sink.next({ data: { document: { id: 'd1', title: 'T', version: server.version, content: server.content, myRole: server.role } } });
          sink.complete();
        });
      }
      if (/mutation (Leave|Update)Presence/.test(payload.query)) {
        queueMicrotask(() => {
          sink.next({ data: {} });
          sink.complete();
        });
      }
      return () => {};
    },
    on: () => () => {},
  } as unknown as Client;
  const submits = () => calls.filter((c) => c.query.includes('mutation SubmitOperation'));
  const subscriptions = (name: string) => calls.filter((c) => c.query.includes(`subscription ${name}`));
  return { client, calls, submits, subscriptions, server };
}

describe('CollabSession', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('backs off with jitter after an ack timeout instead of resending at once (issue 13)', async () => {
    const { client, submits } = scriptedClient();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false, ackTimeoutMs: 1_000 });
    // Every client of a struggling server times out at about the same moment: the resends must spread.
    const random = vi.spyOn(Math, 'random');
    session.applyLocal(new Delta().insert('x'));
    expect(submits()).toHaveLength(1);
    const start = Date.now();

    random.mockReturnValue(0);
    await vi.advanceTimersByTimeAsync(1_000);
    // The answer was lost: nothing is resent the moment the timeout fires…
    expect(submits()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(submits()).toHaveLength(1);
    // …but after the first backoff (1–2 s; here its lower end).
    await vi.advanceTimersByTimeAsync(1);
    expect(submits()).toHaveLength(2);
    expect(submits()[1]!.variables).toMatchObject({ input: { clientSeq: 1 } });

    // The second timeout backs off further (2–4 s), and where in that range is random.
    random.mockReturnValue(0.5);
    await vi.advanceTimersByTimeAsync(1_000 + 2_999);
    expect(submits()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(submits()).toHaveLength(3);
    expect(submits()[2]!.at - start).toBe(1_000 + 1_000 + 1_000 + 3_000);

    // Capped at 4–8 s.
    random.mockReturnValue(1);
    await vi.advanceTimersByTimeAsync(1_000 + 8_000);
    expect(submits()).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1_000 + 8_000);
    expect(submits()).toHaveLength(5);
    await session.close();
  });

  it('after RATE_LIMITED waits retryAfterSeconds and up to as long again at random, so clients refused together do not come back together', async () => {
    const { client, submits } = scriptedClient();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false, ackTimeoutMs: 60_000 });
    const random = vi.spyOn(Math, 'random');
    const refuse = (k: number, retryAfterSeconds?: number) => {
      submits()[k]!.sink.next({ errors: [{ message: 'The server is busy', extensions: { code: 'RATE_LIMITED', ...(retryAfterSeconds ? { retryAfterSeconds } : {}) } }] } as never);
      submits()[k]!.sink.complete();
    };
    session.applyLocal(new Delta().insert('x'));
    random.mockReturnValue(0.5);
    refuse(0, 2);
    await vi.advanceTimersByTimeAsync(2_999); // 2 s × (1 + 0.5)
    expect(submits()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(submits()).toHaveLength(2);
    expect(submits()[1]!.variables).toMatchObject({ input: { clientSeq: 1 } });

    // Never sooner than the server asked (random 0), at most as long again (random → 1); 1 s when it names no wait.
    random.mockReturnValue(0);
    refuse(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(submits()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(submits()).toHaveLength(3);
    random.mockReturnValue(0.999);
    refuse(2, 1);
    await vi.advanceTimersByTimeAsync(1_998);
    expect(submits()).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(2);
    expect(submits()).toHaveLength(4);
    await session.close();
  });

  it('after RATE_LIMITED with a malformed retryAfterSeconds waits 1 s, and at most 60 s for a huge one: never a tight resend loop, never edits held for good', async () => {
    const { client, submits } = scriptedClient();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false, ackTimeoutMs: 600_000 });
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const refuse = (k: number, retryAfterSeconds: unknown) => {
      submits()[k]!.sink.next({ errors: [{ message: 'The server is busy', extensions: { code: 'RATE_LIMITED', retryAfterSeconds } }] } as never);
      submits()[k]!.sink.complete();
    };
    session.applyLocal(new Delta().insert('x'));
    let sent = 1;
    for (const malformed of [0, -5, Number.NaN, 'soon', null]) {
      refuse(sent - 1, malformed);
      await vi.advanceTimersByTimeAsync(999);
      expect(submits()).toHaveLength(sent);
      await vi.advanceTimersByTimeAsync(1);
      expect(submits()).toHaveLength(++sent);
    }
    refuse(sent - 1, 1e9);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(submits()).toHaveLength(sent);
    await vi.advanceTimersByTimeAsync(1);
    expect(submits()).toHaveLength(sent + 1);
    await session.close();
  });

  it('an answer resets the backoff after an ack timeout', async () => {
    const { client, submits } = scriptedClient();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false, ackTimeoutMs: 1_000 });
    vi.spyOn(Math, 'random').mockReturnValue(0);
    session.applyLocal(new Delta().insert('x'));
    await vi.advanceTimersByTimeAsync(1_000 + 1_000);
    expect(submits()).toHaveLength(2);
    submits()[1]!.sink.next({ data: { submitOperation: { version: 1, delta: { ops: [{ insert: 'x' }] }, duplicate: false } } });
    submits()[1]!.sink.complete();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.status.state).toBe('synchronized');

    session.applyLocal(new Delta().insert('y'));
    expect(submits()).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1_000 + 999);
    expect(submits()).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(submits()).toHaveLength(4);
    await session.close();
  });

  it('refuses a paste over the op limits locally, naming the limit, and keeps every other pending edit (issue 14)', async () => {
    const { client, submits } = scriptedClient();
    const session = await CollabSession.open({ client, documentId: 'd1', presence: false });
    session.applyLocal(new Delta().insert('typed before'));
    expect(submits()).toHaveLength(1);
    const before = session.document;

    const refused = session.applyLocal(new Delta().retain(12).insert('x'.repeat(2_000_000)));
    expect(refused).toMatchObject({ kind: 'refused', code: 'PAYLOAD_TOO_LARGE' });
    expect(refused.kind === 'refused' && refused.message).toContain('at most 1,000,000');
    expect(session.document).toEqual(before);
    expect(session.status.pendingEdits).toBe(1);

    // Under the limit alone, but over it with what is still unsaved: refused too, nothing lost.
    expect(session.applyLocal(new Delta().retain(12).insert('y'.repeat(600_000))).kind).toBe('applied');
    const second = session.applyLocal(new Delta().retain(12).insert('z'.repeat(600_000)));
    expect(second).toMatchObject({ kind: 'refused', code: 'PAYLOAD_TOO_LARGE' });
    expect(second.kind === 'refused' && second.message).toContain('Saved');
    expect(session.status.pendingEdits).toBe(2);
    expect(session.document.length()).toBe(13 + 600_000);
    expect(submits()).toHaveLength(1);
    await session.close();
  });

  it('follows role changes live, and keeps the edits a demotion refused for the person instead of ending the session (issue 19)', async () => {
    const { client, submits, subscriptions, server } = scriptedClient('VIEWER');
    const roles: string[] = [];
    const unsent: string[] = [];
    const fatal: string[] = [];
    const reloads: string[] = [];
    const session = await CollabSession.open({
      client,
      documentId: 'd1',
      presence: false,
      onRole: (role) => roles.push(role),
      onUnsent: (op) => unsent.push(op.ops.map((c) => (typeof c.insert === 'string' ? c.insert : '')).join('')),
      onFatal: (f) => fatal.push(f.code),
      onReload: (content) => reloads.push(content.ops.map((c) => c.insert).join('')),
    });
    expect([session.role, session.canEdit]).toEqual(['VIEWER', false]);
    const [role] = subscriptions('MyDocumentRole');
    role!.sink.next({ data: { myDocumentRole: 'VIEWER' } });
    role!.sink.next({ data: { myDocumentRole: 'EDITOR' } });
    expect(roles).toEqual(['EDITOR']);
    expect(session.canEdit).toBe(true);

    // Typed, then demoted before the edits reached the server: it refuses them.
    session.applyLocal(new Delta().insert('Hello'));
    session.applyLocal(new Delta().retain(5).insert(' world'));
    server.role = 'VIEWER';
    server.content = { ops: [{ insert: 'Server text\n' }] };
    server.version = 3;
    submits()[0]!.sink.next({ errors: [{ message: 'Your role on this document (VIEWER) does not allow this (edit).', extensions: { code: 'FORBIDDEN' } }] });
    submits()[0]!.sink.complete();
    await vi.advanceTimersByTimeAsync(0);
    expect(fatal).toEqual([]);
    expect(unsent).toEqual(['Hello world']);
    expect(reloads).toEqual(['Server text\n']);
    expect(roles).toEqual(['EDITOR', 'VIEWER']);
    expect([session.canEdit, session.version, session.status.pendingEdits]).toEqual([false, 3, 0]);
    expect(session.fatal).toBeNull();
    await session.close();
  });

  it('subscribes to presence again a little later when the server could not start it (presence lives in Redis, which may be away)', async () => {
    const { client, subscriptions } = scriptedClient();
    const session = await CollabSession.open({ client, documentId: 'd1' });
    expect(subscriptions('Presence')).toHaveLength(1);
    subscriptions('Presence')[0]!.sink.error([{ message: 'Something went wrong on the server; try again.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(subscriptions('Presence')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(subscriptions('Presence')).toHaveLength(2);
    await session.close();
  });
});
