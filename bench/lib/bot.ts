/**
 * Load bots: a graphql-ws connection driving a real CollabSession (the client the web editor
 * uses), typing like a person (short inserts and backspaces at a cursor that remote edits move),
 * with an instrumented client underneath that times every submission, its answer and every op
 * that arrives, and can drop answers on purpose (drills).
 */
import { createClient, type Client, type FormattedExecutionResult, type Sink, type SubscribePayload } from 'graphql-ws';
import WebSocket from 'ws';
import { CollabSession } from '../../lib/api-client/collab-session.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { BotMetrics, submissionKey, type AnswerLike } from './stats.ts';

// BotMetrics (and the send/answer/arrival bookkeeping full bots and light editors share) lives in ./stats.ts.
export { BotMetrics };

export interface InstrumentOptions {
  readonly metrics: BotMetrics;
  /** Probability of swallowing a submission's answer (the session then resends: S2 answers duplicate). */
  readonly dropAckRate?: () => number;
  readonly random?: () => number;
}

interface StreamedOp {
  readonly clientId: string;
  readonly clientSeq: number;
}
type OpStreamData = { documentOperationBatches?: { operations: readonly StreamedOp[] }; documentOperations?: StreamedOp };

/**
 * Wraps a graphql-ws client: times `submitOperation` (send → answer) and op arrivals on
 * `documentOperationBatches` or `documentOperations` (send → arrival at this client, per op, for
 * ops sent by bots of this process).
 */
export function instrumentClient(client: Client, options: InstrumentOptions): Client {
  const { metrics } = options;
  const random = options.random ?? Math.random;
  const subscribe = <Data = Record<string, unknown>, Extensions = unknown>(payload: SubscribePayload, sink: Sink<FormattedExecutionResult<Data, Extensions>>) => {
    const query = payload.query;
    if (query.includes('submitOperation')) {
      const input = (payload.variables as { input: { clientId: string; clientSeq: number } }).input;
      const k = submissionKey(input.clientId, input.clientSeq);
      const start = metrics.sending(k);
      let dropped = false;
      return client.subscribe<Data, Extensions>(payload, {
        next: (result) => {
          if ((options.dropAckRate?.() ?? 0) > 0 && random() < (options.dropAckRate?.() ?? 0)) {
            dropped = true;
            metrics.droppedAcks += 1;
            return;
          }
          const answer = metrics.answered(k, start, result as AnswerLike);
          if (answer.accepted) {
            metrics.lastAckAt.set(input.clientId, performance.now());
            if (metrics.recordAcknowledged) metrics.acknowledged.set(k, answer.accepted.version);
          }
          sink.next(result);
        },
        // A dropped answer looks like a lost one: no result, and the session's ack timer resends.
        error: (error) => sink.error(error),
        complete: () => (dropped ? sink.error(new Error('answer dropped by the drill')) : sink.complete()),
      });
    }
    // The op stream, one op per event (documentOperations) or a batch per event
    // (documentOperationBatches, what CollabSession uses): `received` counts ops, and fan-out is
    // timed for each op of a batch.
    if (query.includes('documentOperationBatches') || query.includes('documentOperations')) {
      return client.subscribe<Data, Extensions>(payload, {
        next: (result) => {
          const data = result.data as OpStreamData | null | undefined;
          metrics.arrived(data?.documentOperationBatches?.operations ?? (data?.documentOperations ? [data.documentOperations] : []));
          sink.next(result);
        },
        error: (error) => sink.error(error),
        complete: () => sink.complete(),
      });
    }
    return client.subscribe(payload, sink);
  };
  return {
    on: client.on.bind(client),
    subscribe,
    iterate: client.iterate.bind(client),
    dispose: () => client.dispose(),
    terminate: () => client.terminate(),
  } as Client;
}

export interface BotOptions {
  readonly name: string;
  /** Server base URLs; the bot starts on urls[0] and fails over to the next after a disconnect. */
  readonly urls: readonly string[];
  readonly token: string;
  readonly documentId: string;
  readonly metrics: BotMetrics;
  readonly random: () => number;
  /** The session's ack timeout; default CollabSession's own (10 s, what the web editor uses). */
  readonly ackTimeoutMs?: number;
  readonly dropAckRate?: () => number;
}

/** A typing bot; `socket` is its current WebSocket (the drill pauses it to play a stalled reader). */
export class Bot {
  readonly name: string;
  readonly session: CollabSession;
  readonly client: Client;
  #socket: WebSocket | null = null;
  #cursor = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #random: () => number;
  readonly #metrics: BotMetrics;

  private constructor(name: string, session: CollabSession, client: Client, random: () => number, metrics: BotMetrics, socketRef: { current: WebSocket | null }) {
    this.name = name;
    this.session = session;
    this.client = client;
    this.#random = random;
    this.#metrics = metrics;
    Object.defineProperty(this, 'socketRef', { value: socketRef });
    this.#cursor = Math.floor(random() * Math.max(1, session.document.length()));
  }

  get socket(): WebSocket | null {
    return (this as unknown as { socketRef: { current: WebSocket | null } }).socketRef.current;
  }

  static async open(options: BotOptions): Promise<Bot> {
    const { metrics } = options;
    let attempt = 0;
    const socketRef: { current: WebSocket | null } = { current: null };
    const Impl = class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        socketRef.current = this;
      }
    };
    const raw = createClient({
      url: () => options.urls[attempt % options.urls.length]!.replace(/^http/, 'ws') + '/api/graphql',
      webSocketImpl: Impl,
      connectionParams: { authorization: `Bearer ${options.token}` },
      lazy: true,
      // Bounded: a bot that cannot reconnect for this many tries gives up (the drill reports it).
      retryAttempts: 600,
      retryWait: async () => {
        attempt += 1;
        await new Promise((resolve) => setTimeout(resolve, 100 + options.random() * 200));
      },
      shouldRetry: () => true,
      on: { closed: () => void (metrics.disconnects += 1) },
    });
    const client = instrumentClient(raw, { metrics, dropAckRate: options.dropAckRate, random: options.random });
    let bot: Bot | null = null;
    const session = await CollabSession.open({
      client,
      documentId: options.documentId,
      presence: false,
      ...(options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs }),
      onRemoteOp: (op) => {
        if (bot) bot.#moveCursor(op);
      },
      onReload: () => {
        metrics.reloads += 1;
        if (bot) bot.#cursor = Math.min(bot.#cursor, Math.max(0, bot.session.document.length() - 1));
      },
      onFatal: () => void (metrics.fatal += 1),
    });
    bot = new Bot(options.name, session, client, options.random, metrics, socketRef);
    return bot;
  }

  #moveCursor(op: Delta): void {
    this.#cursor = op.transformPosition(this.#cursor, true);
  }

  /** One keystroke-sized edit at the cursor: mostly 1–3 letters, sometimes a backspace, a newline or a click elsewhere. */
  typeOnce(): void {
    const doc = this.session.document;
    const last = Math.max(0, doc.length() - 1); // the final newline stays last
    const r = this.#random();
    if (r < 0.05) this.#cursor = Math.floor(this.#random() * (last + 1));
    this.#cursor = Math.max(0, Math.min(this.#cursor, last));
    // Long documents get more backspaces, so a long run stays near a few thousand characters.
    const backspace = last > 4000 ? 0.6 : 0.12;
    let op: Delta;
    if (this.#random() < backspace && this.#cursor > 0) {
      op = new Delta().retain(this.#cursor - 1).delete(1);
      this.#cursor -= 1;
    } else {
      const n = 1 + Math.floor(this.#random() * 3);
      let text = '';
      if (this.#random() < 0.03) text = '\n';
      else for (let i = 0; i < n; i++) text += letter(this.#random);
      op = new Delta().retain(this.#cursor).insert(text);
      this.#cursor += text.length;
    }
    const result = this.session.applyLocal(op);
    if (result.kind === 'applied') this.#metrics.keystrokes += 1;
    else this.#metrics.refusedKeystrokes += 1;
  }

  /** Types at `opsPerSecond` (intervals jittered ±50 %) until `stop()` or `untilMs` (performance.now()). */
  startTyping(opsPerSecond: number, untilMs: number): void {
    this.stopTyping();
    if (opsPerSecond <= 0) return;
    const mean = 1000 / opsPerSecond;
    const tick = () => {
      if (performance.now() >= untilMs) return void (this.#timer = null);
      if (!this.session.fatal) this.typeOnce();
      this.#timer = setTimeout(tick, mean * (0.5 + this.#random()));
    };
    this.#timer = setTimeout(tick, mean * this.#random());
  }

  stopTyping(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async close(): Promise<void> {
    this.stopTyping();
    await this.session.close();
    await this.client.dispose();
  }
}

const ALPHABET = 'etaoinshrdlucmfwypvbgkqjxz     ';
const letter = (random: () => number) => ALPHABET[Math.floor(random() * ALPHABET.length)] ?? 'e';
