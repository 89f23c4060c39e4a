import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../bench/lib/bot.ts';
import { seededRandom as seeded } from '../../lib/ot/random-op.ts';
import { signIn } from '../../bench/lib/cluster.ts';
import { LightEditor, lengthChange } from '../../bench/lib/light-editor.ts';
import { signUp } from '../support/auth.ts';
import { waitUntil } from '../support/collab-bots.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

describe('bench light editors (issue 16)', () => {
  it('each signs in with a session of its own, types against the head it saw, and tracks the server head and length without applying ops', async () => {
    const server = await startTestServer();
    const password = 'correct horse battery staple';
    const account = await signUp(server, { password });
    const headers = { cookie: account.cookie };
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation($c: JSON) { createDocument(title: "Light", content: $c) { id } }', { c: { ops: [{ insert: 'Hello\n' }] } }, headers);
    const documentId = created.body.data!.createDocument.id;
    const cookies = [await signIn(server.url, account.email), await signIn(server.url, account.email)];
    expect(new Set([account.cookie, ...cookies]).size).toBe(3); // a credential of their own each

    const metrics = new BotMetrics();
    const editors = await Promise.all(cookies.map((cookie, i) => LightEditor.open({ name: `l${i}`, url: server.url, cookie, documentId, metrics, random: seeded(i + 1), ackTimeoutMs: 10_000 })));
    try {
      for (let round = 0; round < 6; round++) for (const editor of editors) editor.typeOnce();
      await waitUntil(() => editors.every((e) => e.pending === 0), 'every submission answered', 15_000);
      const head = await gqlHttp<{ document: { version: number; content: { ops: Array<{ insert: string }> } } }>(server.url, 'query($id: ID!) { document(id: $id) { version content } }', { id: documentId }, headers);
      const { version, content } = head.body.data!.document;
      await waitUntil(() => editors.every((e) => e.head === version), 'both to follow the stream to the head', 10_000);
      expect(metrics.errorAnswers).toBe(0);
      expect(metrics.keystrokes).toBe(12);
      // Keystrokes typed while a slot was busy went out composed, so at most 12 ops, each one stored.
      expect(metrics.acks - metrics.duplicates).toBe(version);
      expect(version).toBeGreaterThan(0);
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
});
