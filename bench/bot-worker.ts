/**
 * A bench load process (forked by bench/run.ts): opens typing bots and idle subscribers, types
 * on command, and reports histograms and counters. It runs apart from the servers so that their
 * /proc CPU accounting holds only server work.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { Bot, BotMetrics } from './lib/bot.ts';
import { seededRandom } from '../lib/ot/random-op.ts';
import { graphql } from './lib/cluster.ts';
import { LightEditor } from './lib/light-editor.ts';
import type { FromWorker, ToWorker } from './lib/worker-protocol.ts';

const metrics = new BotMetrics();
const bots: Bot[] = [];
const light: LightEditor[] = [];
/** The first server URL of each full bot (where the convergence check reads its document). */
const botUrls = new Map<Bot, string>();
const idle: Client[] = [];
let idleReceived = 0;

const send = (message: FromWorker): void => void process.send?.(message);

/** Runs `task` over `items` with at most `concurrency` in flight; returns failures. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<{ failed: number; firstError?: string }> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        try {
          await task(item);
        } catch (error) {
          failed += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  return { failed, firstError };
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'open': {
      const before = bots.length;
      const result = await pool(message.bots, message.concurrency, async (spec) => {
        // Under overload a server may fail an open; a person would reload, so try twice more.
        for (let attempt = 0; ; attempt++) {
          try {
            const bot = await Bot.open({ name: spec.name, urls: spec.urls, token: message.token, documentId: spec.documentId, metrics, random: seededRandom(spec.seed), ackTimeoutMs: message.ackTimeoutMs });
            bots.push(bot);
            botUrls.set(bot, spec.urls[0]!);
            return;
          } catch (error) {
            if (attempt >= 2) throw error;
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        }
      });
      return send({ type: 'opened', ok: bots.length - before, failed: result.failed, firstError: result.firstError });
    }
    case 'open-light': {
      const before = light.length;
      const result = await pool(message.editors, message.concurrency, async (spec) => {
        light.push(await LightEditor.open({ name: spec.name, url: spec.url, cookie: spec.cookie, documentId: spec.documentId, metrics, random: seededRandom(spec.seed), ackTimeoutMs: message.ackTimeoutMs, ...(spec.maxInFlight ? { maxInFlight: spec.maxInFlight } : {}) }));
      });
      return send({ type: 'opened', ok: light.length - before, failed: result.failed, firstError: result.firstError });
    }
    case 'type': {
      const until = performance.now() + message.durationMs;
      for (const bot of bots) bot.startTyping(message.opsPerSecond, until);
      for (const editor of light) editor.startTyping(message.lightOpsPerSecond ?? message.opsPerSecond, until);
      await new Promise((resolve) => setTimeout(resolve, message.durationMs));
      for (const bot of bots) bot.stopTyping();
      for (const editor of light) editor.stopTyping();
      metrics.typingEnded();
      return send({ type: 'typed' });
    }
    case 'converge': {
      const { diverged, unreadable, notSettled } = await converge(message.token, message.timeoutMs);
      return send({ type: 'converged', checked: bots.length, diverged, unreadable, notSettled });
    }
    case 'reset':
      metrics.reset();
      idleReceived = 0;
      return send({ type: 'reset-done' });
    case 'report': {
      const timeline = metrics.timeline;
      metrics.timeline = {};
      return send({
        type: 'report',
        report: {
          ack: metrics.ack.toJSON(),
          ackFromFirstSend: metrics.ackFromFirstSend.toJSON(),
          errorAck: metrics.errorAck.toJSON(),
          fanout: metrics.fanout.toJSON(),
          errorMessages: metrics.errorMessages,
          timeline,
          counters: { ...metrics.counters(), idleReceived },
          bots: bots.length,
          light: light.length,
          idle: idle.length,
        },
      });
    }
    case 'settle': {
      const deadline = performance.now() + message.timeoutMs;
      const busy = () => bots.filter((b) => b.session.status.pendingEdits > 0 || !b.session.status.connected);
      const busyLight = () => light.filter((e) => e.pending > 0);
      while ((busy().length > 0 || busyLight().length > 0) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const left = busy();
      const leftLight = busyLight();
      const detail = [...left.slice(0, 3).map((b) => `${b.name}: ${JSON.stringify(b.session.status)}`), ...leftLight.slice(0, 3).map((e) => `${e.name}: ${e.pending} unanswered`)];
      return send({ type: 'settled', ok: left.length === 0 && leftLight.length === 0, detail: detail.join('; ') });
    }
    case 'idle': {
      const result = await pool(message.conns, message.concurrency, async ({ url, documentId }) => {
        const client = await openIdle(url, message.token, documentId);
        idle.push(client);
      });
      return send({ type: 'idle-ready', ok: idle.length, failed: result.failed, firstError: result.firstError });
    }
    case 'close':
      for (const bot of bots) bot.stopTyping();
      await Promise.allSettled([...bots.map((b) => b.close()), ...light.map((e) => e.close())]);
      await Promise.allSettled(idle.map((c) => c.dispose()));
      send({ type: 'closed' });
      process.exit(0);
  }
}

/**
 * Every full bot against the server once typing has stopped: once its document's bots are at the
 * head version with nothing pending, each must hold exactly the server's content there (`diverged`:
 * one line per bot that does not). Documents not judged, one line each: `unreadable`, the server's
 * last read of it answered an error (a read that failed after an earlier one succeeded does not
 * leave the earlier, maybe stale, head in place); `notSettled`, its bots had not settled within
 * `timeoutMs` (edits pending, or not at the server's head).
 */
async function converge(token: string, timeoutMs: number): Promise<{ diverged: string[]; unreadable: string[]; notSettled: string[] }> {
  const deadline = performance.now() + timeoutMs;
  const byDocument = new Map<string, Bot[]>();
  for (const bot of bots) byDocument.set(bot.session.documentId, [...(byDocument.get(bot.session.documentId) ?? []), bot]);
  const diverged: string[] = [];
  const unreadable: string[] = [];
  const notSettled: string[] = [];
  let next = 0;
  const documents = [...byDocument.keys()];
  await Promise.all(
    Array.from({ length: Math.min(8, documents.length) }, async () => {
      while (next < documents.length) {
        const documentId = documents[next++]!;
        const group = byDocument.get(documentId)!;
        let lastError = '';
        // The last read's answer, or null when it failed: a head read earlier may be stale by now.
        const read = async (): Promise<{ version: number; content: string } | null> => {
          try {
            const data = await graphql<{ document: { version: number; content: { ops: unknown[] } } }>(botUrls.get(group[0]!)!, { authorization: `Bearer ${token}` }, 'query($id: ID!) { document(id: $id) { version content } }', { id: documentId });
            return { version: data.document.version, content: JSON.stringify(data.document.content.ops) };
          } catch (error) {
            lastError = error instanceof Error ? error.message : String(error);
            return null;
          }
        };
        let head = await read();
        const behind = () => head === null || group.some((b) => b.session.version !== head!.version || b.session.status.pendingEdits > 0);
        while (behind() && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          head = await read();
        }
        if (head === null) {
          unreadable.push(`${documentId}: ${lastError}`);
          continue;
        }
        if (behind()) {
          // Not settled by the deadline (edits still pending, or the bots and the server at different
          // versions): convergence is unchecked, not disproved; a diverged bot is one settled elsewhere.
          const states = group.map((b) => `${b.name} at v${b.session.version} with ${b.session.status.pendingEdits} pending`).join(', ');
          notSettled.push(`${documentId}: not settled within ${timeoutMs} ms (${states}; server at v${head.version})`);
          continue;
        }
        for (const bot of group) {
          if (JSON.stringify(bot.session.document.ops) !== head.content) diverged.push(`${bot.name} differs from the server's content at v${head.version}`);
        }
      }
    }),
  );
  return { diverged, unreadable, notSettled };
}

/** A connection with one `documentOperationBatches` subscription (as editors use) that only counts the ops that arrive. */
function openIdle(url: string, token: string, documentId: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = createClient({
      url: url.replace(/^http/, 'ws') + '/api/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: reject,
      on: { connected: () => resolve(client) },
    });
    client.subscribe(
      {
        query: 'subscription($d: ID!) { documentOperationBatches(documentId: $d, fromVersion: 0) { operations { version clientId clientSeq } } }',
        variables: { d: documentId },
      },
      {
        next: (result) => {
          const batch = (result.data as { documentOperationBatches?: { operations: unknown[] } } | null | undefined)?.documentOperationBatches;
          idleReceived += batch?.operations.length ?? 0;
        },
        error: () => {},
        complete: () => {},
      },
    );
    setTimeout(() => reject(new Error('idle connection not acknowledged within 30 s')), 30_000).unref();
  });
}

let queue = Promise.resolve();
process.on('message', (message: ToWorker) => {
  queue = queue.then(() => handle(message)).catch((error: unknown) => {
    console.error('bot worker:', error);
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
