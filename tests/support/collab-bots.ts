/**
 * Bots for end-to-end collaboration tests: each is a graphql-ws connection (reconnecting, as a
 * real client would) driving a CollabSession, authenticated with an API token.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { CollabSession } from '../../lib/api-client/collab-session.ts';
import { randomOp } from '../../lib/ot/random-op.ts';
import type { Delta } from '../../lib/ot/operation.ts';
import { waitUntil } from './collab-broadcaster-contract.ts';

export interface Bot {
  readonly name: string;
  readonly client: Client;
  readonly session: CollabSession;
  /** Which server the bot is connected to now (changes when a server dies and it fails over). */
  readonly urls: string[];
  close(): Promise<void>;
}

/**
 * Opens a bot on `urls[0]`; after a disconnect it reconnects to the next URL of `urls` that
 * answers (like a client behind a load balancer).
 */
export async function openBot(name: string, urls: readonly string[], token: string, documentId: string, options: { ackTimeoutMs?: number } = {}): Promise<Bot> {
  let attempt = 0;
  const client = createClient({
    url: () => {
      const url = urls[attempt % urls.length]!;
      return url.replace(/^http/, 'ws') + '/api/graphql';
    },
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: 1000,
    retryWait: async () => {
      attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    },
    shouldRetry: () => true,
  });
  const session = await CollabSession.open({ client, documentId, presence: false, ackTimeoutMs: options.ackTimeoutMs ?? 3000 });
  return {
    name,
    client,
    session,
    urls: [...urls],
    async close() {
      await session.close();
      await client.dispose();
    },
  };
}

/** Applies one random edit to the bot's local document. */
export function typeRandomly(bot: Bot, random: () => number): Delta {
  const op = randomOp(bot.session.document, random, { softMaxLength: 400, maxEdits: 2 });
  const result = bot.session.applyLocal(op);
  if (result.kind !== 'applied') throw new Error(`${bot.name}: local edit refused: ${result.message}`);
  return op;
}

/** Waits until every bot has no unconfirmed edit and has reached `version`. */
export async function settled(bots: readonly Bot[], version: () => Promise<number>, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await version();
    const done = bots.every((b) => b.session.status.pendingEdits === 0 && b.session.version === head);
    if (done) return head;
    if (Date.now() > deadline) {
      const states = bots.map((b) => `${b.name}: v${b.session.version} ${b.session.status.state} pending=${b.session.status.pendingEdits} connected=${b.session.status.connected}`);
      throw new Error(`bots did not settle at v${head}:\n${states.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export { waitUntil };
