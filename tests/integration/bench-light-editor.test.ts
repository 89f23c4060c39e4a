import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../bench/lib/bot.ts';
import { seededRandom as seeded } from '../../lib/ot/random-op.ts';
import { grantEditors, signUpAccounts } from '../../bench/lib/cluster.ts';
import { LightEditor, lengthChange } from '../../bench/lib/light-editor.ts';
import { signUp } from '../support/auth.ts';
import { waitUntil } from '../support/collab-bots.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

describe('bench light editors (issue 16)', () => {
  it('each has an account of its own, made an EDITOR by the owner, types against the head it saw, and tracks the server head and length without applying ops', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const headers = { cookie: owner.cookie };
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation($c: JSON) { createDocument(title: "Light", content: $c) { id } }', { c: { ops: [{ insert: 'Hello\n' }] } }, headers);
    const documentId = created.body.data!.createDocument.id;
    const accounts = await signUpAccounts([server.url], `light-test-${Date.now()}-`, 0, 2);
    expect(new Set([owner.userId, ...accounts.map((a) => a.userId)]).size).toBe(3); // people of their own
    expect(new Set([owner.cookie, ...accounts.map((a) => a.cookie)]).size).toBe(3); // and credentials of their own

    const metrics = new BotMetrics();
    const open = (cookie: string, i: number) => LightEditor.open({ name: `l${i}`, url: server.url, cookie, documentId, metrics, random: seeded(i + 1), ackTimeoutMs: 10_000 });
    // Before the owner shares the document, an account of its own cannot even open it.
    await expect(open(accounts[0]!.cookie, 0)).rejects.toThrow();
    await grantEditors(server.url, owner.cookie, documentId, accounts.map((a) => a.email));
    const editors = await Promise.all(accounts.map((a, i) => open(a.cookie, i)));
    try {
      for (let round = 0; round < 6; round++) for (const editor of editors) editor.typeOnce();
      await waitUntil(() => editors.every((e) => e.pending === 0), 'every submission answered', 15_000);
      const head = await gqlHttp<{ document: { version: number; content: { ops: Array<{ insert: string }> }; operations: Array<{ author: { id: string } | null }> } }>(
        server.url,
        'query($id: ID!) { document(id: $id) { version content operations(fromVersion: 0, first: 1000) { author { id } } } }',
        { id: documentId },
        headers,
      );
      const { version, content, operations } = head.body.data!.document;
      await waitUntil(() => editors.every((e) => e.head === version), 'both to follow the stream to the head', 10_000);
      expect(metrics.errorAnswers).toBe(0);
      expect(metrics.keystrokes).toBe(12);
      // Keystrokes typed while a slot was busy went out composed, so at most 12 ops, each one stored.
      expect(metrics.acks - metrics.duplicates).toBe(version);
      expect(version).toBeGreaterThan(0);
      // The server stored each op under the account of the editor that typed it: two authors, neither the owner.
      expect(new Set(operations.map((o) => o.author?.id))).toEqual(new Set(accounts.map((a) => a.userId)));
      // Both received every op (their own included) and timed the ones sent from this process.
      expect(metrics.received).toBe(2 * version);
      expect(metrics.fanout.count).toBe(2 * version);
      // The length they track is the server's, though they applied nothing.
      expect(editors.map((e) => e.length)).toEqual([lengthChange(content.ops), lengthChange(content.ops)]);
    } finally {
      await Promise.all(editors.map((e) => e.close()));
      await server.close();
    }
  });

  it('on a long document it backspaces more than it types, so a long run stays near a few thousand characters', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const long = 'lorem ipsum '.repeat(500) + '\n'; // 6,001 characters
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation($c: JSON) { createDocument(title: "Long", content: $c) { id } }', { c: { ops: [{ insert: long }] } }, { cookie: owner.cookie });
    const documentId = created.body.data!.createDocument.id;
    const [account] = await signUpAccounts([server.url], `light-long-${Date.now()}-`, 0, 1);
    await grantEditors(server.url, owner.cookie, documentId, [account!.email]);
    const metrics = new BotMetrics();
    const editor = await LightEditor.open({ name: 'long', url: server.url, cookie: account!.cookie, documentId, metrics, random: seeded(11), ackTimeoutMs: 10_000, maxInFlight: 1 });
    try {
      for (let i = 0; i < 60; i++) {
        editor.typeOnce();
        await waitUntil(() => editor.pending === 0, 'the keystroke answered', 10_000);
      }
      await waitUntil(() => editor.head === 60, 'the stream to reach every op', 10_000);
      expect(metrics.errorAnswers).toBe(0);
      // 60 keystrokes of 1–3 letters: typing alone would add ~120 characters; 60 % backspaces remove more than the rest add.
      expect(editor.length).toBeLessThan(long.length);
      const read = await gqlHttp<{ document: { content: { ops: Array<{ insert: string }> } } }>(server.url, 'query($id: ID!) { document(id: $id) { content } }', { id: documentId }, { cookie: owner.cookie });
      expect(lengthChange(read.body.data!.document.content.ops)).toBe(editor.length);
    } finally {
      await editor.close();
      await server.close();
    }
  });

  it('after RATE_LIMITED, the ops refused in one back-off go again together when it ends, none sooner than its retryAfterSeconds', async () => {
    // Five submissions a second per connection: of eight sent at once, three are refused (retryAfterSeconds 1).
    const server = await startTestServer({ env: { RATE_LIMIT_OPS: '5/1' } });
    const owner = await signUp(server);
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Back-off") { id } }', {}, { cookie: owner.cookie });
    const documentId = created.body.data!.createDocument.id;
    const [account] = await signUpAccounts([server.url], `light-backoff-${Date.now()}-`, 0, 1);
    await grantEditors(server.url, owner.cookie, documentId, [account!.email]);
    const sends: Array<{ key: string; at: number }> = [];
    const refusals: Array<{ key: string; at: number; retryAfterSeconds: number }> = [];
    const metrics = new (class extends BotMetrics {
      override sending(key: string): number {
        sends.push({ key, at: performance.now() });
        return super.sending(key);
      }
      override answered(key: string, start: number, result: Parameters<BotMetrics['answered']>[2]) {
        const answer = super.answered(key, start, result);
        if (answer.code === 'RATE_LIMITED' && answer.retryAfterSeconds) refusals.push({ key, at: performance.now(), retryAfterSeconds: answer.retryAfterSeconds });
        return answer;
      }
    })();
    const editor = await LightEditor.open({ name: 'b', url: server.url, cookie: account!.cookie, documentId, metrics, random: seeded(5), ackTimeoutMs: 10_000, maxInFlight: 32 });
    try {
      for (let i = 0; i < 8; i++) editor.typeOnce();
      await waitUntil(() => editor.pending === 0, 'every keystroke accepted', 15_000);
      const refused = new Map<string, { at: number; retryAfterSeconds: number }>();
      for (const r of refusals) if (!refused.has(r.key)) refused.set(r.key, r);
      expect(refused.size).toBeGreaterThanOrEqual(2);
      const resent = [...refused].map(([key, r]) => {
        const again = sends.find((s) => s.key === key && s.at > r.at)!;
        expect(again.at - r.at).toBeGreaterThanOrEqual(r.retryAfterSeconds * 1000 - 5); // never sooner than asked
        return again.at;
      });
      // One back-off: all go at its end, together (each after a draw of its own, they would spread
      // over up to a second).
      expect(Math.max(...resent) - Math.min(...resent)).toBeLessThan(100);
      expect(metrics.acks).toBe(8);
    } finally {
      await editor.close();
      await server.close();
    }
  });

  it('types at the rate asked even when its process wakes late: keystrokes due meanwhile are typed on waking', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Rate") { id } }', {}, { cookie: owner.cookie });
    const documentId = created.body.data!.createDocument.id;
    const [account] = await signUpAccounts([server.url], `light-rate-${Date.now()}-`, 0, 1);
    await grantEditors(server.url, owner.cookie, documentId, [account!.email]);
    const metrics = new BotMetrics();
    const editor = await LightEditor.open({ name: 'r', url: server.url, cookie: account!.cookie, documentId, metrics, random: seeded(7), ackTimeoutMs: 10_000 });
    try {
      const rate = 200; // a keystroke every 5 ms on average
      const started = performance.now();
      editor.startTyping(rate, started + 1000);
      // Block the event loop for 600 ms, as a loaded bench process is: its timers fire late.
      const busyUntil = performance.now() + 600;
      while (performance.now() < busyUntil) {
        // spin
      }
      await waitUntil(() => performance.now() > started + 1100, 'the typing window to pass', 5000);
      // ~200 keystrokes asked; timers re-armed after each keystroke would have lost the 600 ms blocked (~120).
      expect(metrics.keystrokes).toBeGreaterThan(170);
      expect(metrics.keystrokes).toBeLessThan(230);
      await waitUntil(() => editor.pending === 0, 'every submission answered', 15_000);
    } finally {
      await editor.close();
      await server.close();
    }
  });
});
