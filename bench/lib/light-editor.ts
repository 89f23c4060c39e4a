/**
 * A light editor (issue 16): what the server sees of a person typing, at a fraction of the full
 * client's cost. It connects over graphql-ws with a credential of its own (a session cookie),
 * follows `documentOperationBatches` with the web editor's selection set, and keeps only the head
 * version and the document's length (sum of each op's inserts minus deletes; nothing is applied).
 * It types small inserts (and backspaces, more of them once the document is long) at its rate
 * against the version it last saw (the server transforms them over whatever it missed), times acks and arrivals in the shared `BotMetrics`, and like
 * `CollabSession` waits `retryAfterSeconds` (jittered) after RATE_LIMITED, resends a refused or unanswered op
 * based on the version it has seen by then (as `CollabSession` rebases its op), and composes
 * keystrokes typed meanwhile (or past `maxInFlight`) into one insert sent next.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { rateLimitedWaitMs } from '../../lib/api-client/collab-session.ts';
import { submissionKey, type BotMetrics } from './stats.ts';

/** The web editor's selection set (lib/api-client/operations.ts), so a delivery costs the server what it costs for a browser. */
const OPS = `subscription DocumentOperationBatches($documentId: ID!, $fromVersion: Int!) {
  documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) { operations { version delta clientId clientSeq author { id name } } }
}`;
const SUBMIT = 'mutation SubmitOperation($input: SubmitOperationInput!) { submitOperation(input: $input) { version delta duplicate } }';
const OPEN = 'query OpenDocument($id: ID!) { document(id: $id) { version content } }';

interface DeltaOp {
  readonly insert?: unknown;
  readonly delete?: number;
  readonly retain?: unknown;
}
interface StreamedOp {
  readonly version: number;
  readonly delta: { readonly ops: readonly DeltaOp[] };
  readonly clientId: string;
  readonly clientSeq: number;
}

/** How much an op changes the document's length (inserted characters, embeds as 1, minus deleted ones). */
export function lengthChange(ops: readonly DeltaOp[]): number {
  let change = 0;
  for (const op of ops) {
    if (typeof op.insert === 'string') change += op.insert.length;
    else if (op.insert !== undefined) change += 1;
    else if (typeof op.delete === 'number') change -= op.delete;
  }
  return change;
}

/**
 * Until when an editor refused `RATE_LIMITED` at `now` sends nothing (its refused ops go again
 * then), as `CollabSession` waits: a refusal that starts a back-off waits `rateLimitedWaitMs`
 * (`retryAfterSeconds` and up to as long again at random), so editors refused together come
 * back apart. The draw is made once per back-off: the editor's other ops in flight, sent before
 * the first refusal came, are refused too, and each only extends the back-off to its own
 * `retryAfterSeconds`; each op refused in it goes again at the back-off's end as it stood then
 * (if a later refusal extends it, at the earlier end: never sooner than its own
 * `retryAfterSeconds`). (A draw per refusal held new ops back until the latest of several draws,
 * near 1.5 s for every editor, when a draw was up to half as long again: those
 * refused together came back together, the 3× overload step's seconds alternated between
 * everyone refused and a near-idle document, and it committed a median 0.61× of its best step's
 * ops over 9 runs, against 0.86× over 7 with one draw; bench/results/issue13-s13.md.)
 */
export function backOffUntil(pausedUntil: number, now: number, retryAfterSeconds: number, random: () => number): number {
  if (pausedUntil <= now) return now + rateLimitedWaitMs(retryAfterSeconds, random);
  return Math.max(pausedUntil, now + retryAfterSeconds * 1000);
}

export interface LightEditorOptions {
  readonly name: string;
  readonly url: string;
  readonly cookie: string;
  readonly documentId: string;
  readonly metrics: BotMetrics;
  readonly random: () => number;
  readonly ackTimeoutMs: number;
  /** Submissions in flight at once; keystrokes past it wait, composed, for a free slot. */
  readonly maxInFlight?: number;
}

interface InFlight {
  readonly seq: number;
  readonly text: string;
  /** Keystrokes composed into `text`. */
  readonly keystrokes: number;
  input: Record<string, unknown>;
  timer: ReturnType<typeof setTimeout> | null;
}

export class LightEditor {
  readonly name: string;
  readonly #options: LightEditorOptions;
  readonly #client: Client;
  readonly #clientId: string;
  #head = 0;
  #length = 1;
  #seq = 0;
  #pendingText = '';
  #pendingKeystrokes = 0;
  #pausedUntil = 0;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #typing: ReturnType<typeof setTimeout> | null = null;
  readonly #inFlight = new Map<number, InFlight>();
  #closed = false;

  private constructor(options: LightEditorOptions, client: Client) {
    this.name = options.name;
    this.#options = options;
    this.#client = client;
    this.#clientId = `light-${options.name}-${Math.floor(options.random() * 1e9).toString(36)}`;
  }

  /** Connects, reads the head (version and length) and follows the op stream from it. */
  static async open(options: LightEditorOptions): Promise<LightEditor> {
    const cookie = options.cookie;
    const Impl = class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { cookie } });
      }
    };
    const client = createClient({
      url: options.url.replace(/^http/, 'ws') + '/api/graphql',
      webSocketImpl: Impl,
      lazy: true,
      retryAttempts: 600,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 100 + options.random() * 200)),
      shouldRetry: () => true,
      on: { closed: () => void (options.metrics.disconnects += 1) },
    });
    const editor = new LightEditor(options, client);
    try {
      await editor.#start();
    } catch (error) {
      await client.dispose(); // no socket left behind (e.g. an account not allowed on the document)
      throw error;
    }
    return editor;
  }

  /** Submissions not yet answered, and keystrokes not yet sent. */
  get pending(): number {
    return this.#inFlight.size + (this.#pendingText ? 1 : 0);
  }

  get head(): number {
    return this.#head;
  }

  /** The document's length at `head`, as tracked from the ops' inserts and deletes. */
  get length(): number {
    return this.#length;
  }

  /** Reads the head (version and content length), then follows the op stream from it. */
  async #start(): Promise<void> {
    const { metrics } = this.#options;
    const opened = await this.#once<{ document: { version: number; content: { ops: DeltaOp[] } } | null }>(OPEN, { id: this.#options.documentId });
    if (!opened.document) throw new Error(`light editor ${this.name}: document ${this.#options.documentId} not found`);
    this.#head = opened.document.version;
    this.#length = lengthChange(opened.document.content.ops);
    this.#client.subscribe<{ documentOperationBatches: { operations: StreamedOp[] } }>(
      { query: OPS, variables: { documentId: this.#options.documentId, fromVersion: this.#head } },
      {
        next: (result) => {
          const ops = result.data?.documentOperationBatches.operations;
          if (!ops) return;
          const fresh: StreamedOp[] = [];
          for (const op of ops) {
            if (op.version <= this.#head) continue;
            this.#head = op.version;
            this.#length += lengthChange(op.delta.ops);
            fresh.push(op);
          }
          metrics.arrived(fresh);
        },
        // The stream ended with an error (access revoked, version too old): this editor is done.
        error: () => void (metrics.fatal += 1),
        complete: () => {},
      },
    );
  }

  #once<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      let data: T | null = null;
      this.#client.subscribe<T>(
        { query, variables },
        {
          next: (result) => {
            if (result.errors?.length) reject(new Error(`light editor ${this.name}: ${result.errors[0]?.message}`));
            else data = (result.data ?? null) as T | null;
          },
          error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
          complete: () => (data === null ? reject(new Error(`light editor ${this.name}: no answer to ${query.slice(0, 30)}`)) : resolve(data)),
        },
      );
    });
  }

  /** One keystroke: one to three letters (sometimes a newline), at a random place before the final newline. */
  typeOnce(): void {
    const r = this.#options.random;
    const n = 1 + Math.floor(r() * 3);
    let text = '';
    if (r() < 0.03) text = '\n';
    else for (let i = 0; i < n; i++) text += ALPHABET[Math.floor(r() * ALPHABET.length)] ?? 'e';
    this.#options.metrics.keystrokes += 1;
    this.#options.metrics.lightKeystrokes += 1;
    this.#pendingText += text;
    this.#pendingKeystrokes += 1;
    this.#flush();
  }

  /** Sends the composed keystrokes as one op when a slot is free and no RATE_LIMITED wait runs. */
  #flush(): void {
    if (this.#closed || !this.#pendingText || this.#flushTimer) return;
    const wait = this.#pausedUntil - performance.now();
    if (wait > 0) {
      this.#flushTimer = setTimeout(() => {
        this.#flushTimer = null;
        this.#flush();
      }, wait);
      return;
    }
    if (this.#inFlight.size >= (this.#options.maxInFlight ?? 8)) return;
    const text = this.#pendingText;
    const keystrokes = this.#pendingKeystrokes;
    this.#pendingText = '';
    this.#pendingKeystrokes = 0;
    const seq = ++this.#seq;
    const entry: InFlight = { seq, text, keystrokes, input: this.#input(seq, text), timer: null };
    this.#inFlight.set(seq, entry);
    this.#send(entry);
  }

  /**
   * The submission of `text` at a random place, based on the version last seen. Past
   * {@link LONG_DOCUMENT} characters it is more often as many backspaces instead, as the full bots
   * type, so a long run stays near that length: a document growing by every keystroke of every
   * step made later steps measure the full bots' copying of ever longer text, not the servers.
   */
  #input(seq: number, text: string): Record<string, unknown> {
    const r = this.#options.random;
    const last = Math.max(0, this.#length - 1); // the final newline stays last
    const backspace = last > LONG_DOCUMENT ? 0.6 : 0.12;
    const removes = r() < backspace ? Math.min(text.length, last) : 0;
    const at = Math.min(Math.floor(r() * Math.max(1, this.#length)), last - removes);
    const edit = removes > 0 ? { delete: removes } : { insert: text };
    const ops = at > 0 ? [{ retain: at }, edit] : [edit];
    return { documentId: this.#options.documentId, baseVersion: this.#head, clientId: this.#clientId, clientSeq: seq, delta: { ops } };
  }

  /**
   * Sends again under the same clientSeq, based on the version last seen, as `CollabSession`
   * resends its op rebased to the head it has [C9]: the server answers `duplicate` if an earlier
   * send was applied [S2], and otherwise catches up only over what this editor has not seen.
   */
  #resend(entry: InFlight): void {
    entry.input = this.#input(entry.seq, entry.text);
    this.#send(entry);
  }

  #send(entry: InFlight): void {
    const { metrics } = this.#options;
    const k = submissionKey(this.#clientId, entry.seq);
    const start = metrics.sending(k);
    let answered = false;
    entry.timer = setTimeout(() => {
      if (answered || this.#closed || !this.#inFlight.has(entry.seq)) return;
      answered = true;
      this.#resend(entry); // the same clientSeq: the server answers duplicate if it had applied it (S2)
    }, this.#options.ackTimeoutMs);
    this.#client.subscribe<{ submitOperation: { version: number; duplicate: boolean } }>(
      { query: SUBMIT, variables: { input: entry.input } },
      {
        next: (result) => {
          if (answered) return;
          answered = true;
          if (entry.timer) clearTimeout(entry.timer);
          const answer = metrics.answered(k, start, result);
          if (answer.accepted) {
            if (this.#inFlight.delete(entry.seq)) metrics.lightCommittedKeystrokes += entry.keystrokes;
            this.#flush();
            return;
          }
          if (answer.code === 'RATE_LIMITED' && answer.retryAfterSeconds !== null && answer.retryAfterSeconds > 0) {
            // As CollabSession: back off (`backOffUntil`), then send it again (with the same
            // clientSeq); nothing new is sent meanwhile (keystrokes are composed). Sending on
            // regardless, each refused op resent after its own wait, the 3× overload step made
            // ~3,700 resends a second.
            const now = performance.now();
            this.#pausedUntil = backOffUntil(this.#pausedUntil, now, answer.retryAfterSeconds, this.#options.random);
            entry.timer = setTimeout(() => this.#inFlight.has(entry.seq) && !this.#closed && this.#resend(entry), this.#pausedUntil - now);
            return;
          }
          // Any other refusal: the op is dropped (a light editor has no document to resync).
          metrics.refusedKeystrokes += entry.keystrokes;
          this.#inFlight.delete(entry.seq);
          this.#flush();
        },
        error: () => {
          // The socket closed under it: graphql-ws reconnects; the ack timer resends.
          answered = false;
        },
        complete: () => {},
      },
    );
  }

  /**
   * Types at `opsPerSecond` (intervals jittered ±50 %) until `untilMs` (performance.now()). Each
   * keystroke is due at a time of the schedule, not one interval after the last one ran: when a
   * busy process wakes late it types the keystrokes it fell behind on, so the rate typed is the
   * rate asked (with a timer per keystroke, the overload step of the 893a8f3 run, full bots
   * and light editors together, typed 965/s of the ~1,500/s asked).
   */
  startTyping(opsPerSecond: number, untilMs: number): void {
    this.stopTyping();
    if (opsPerSecond <= 0) return;
    const mean = 1000 / opsPerSecond;
    const r = this.#options.random;
    let due = performance.now() + mean * r();
    const tick = () => {
      const now = performance.now();
      while (due <= now && due < untilMs) {
        this.typeOnce();
        due += mean * (0.5 + r());
      }
      if (due >= untilMs) return void (this.#typing = null);
      this.#typing = setTimeout(tick, due - now);
    };
    this.#typing = setTimeout(tick, due - performance.now());
  }

  stopTyping(): void {
    if (this.#typing) clearTimeout(this.#typing);
    this.#typing = null;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.stopTyping();
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    for (const entry of this.#inFlight.values()) if (entry.timer) clearTimeout(entry.timer);
    await this.#client.dispose();
  }
}

const ALPHABET = 'etaoinshrdlucmfwypvbgkqjxz     ';
/** Past this many characters a light editor backspaces more than it types (bench/lib/bot.ts does the same). */
const LONG_DOCUMENT = 4000;
