/**
 * One writer per document (issue 13): each document's submissions are sequenced by one instance,
 * its *writer*, whichever instance the client reached. Two instances committing one document
 * race for its row (a conditional statement that loses costs a catch-up read, a replan and a
 * second statement, and keeps pipelining off, S13): measured on the hot document, two instances
 * committed 0.7× what one alone did. Fan-out is not moved: every instance still streams the
 * document's ops to its own subscribers.
 *
 * The writer is a lease in Redis (`writer:<documentId>`, `SET NX PX`): the first instance to
 * write a document takes it, and renews it while it writes (its own clients' submissions or
 * forwarded ones); after `leaseMs` without writing, anyone may take it. Another instance sends
 * the submission (already authenticated, authorized and rate-limited where it arrived) over
 * Redis pub/sub to the writer's channel and relays the writer's answer.
 *
 * Routing is only ever a choice of sequencer, never a condition of correctness: every instance's
 * sequencer can commit any document (P11: a commit lands only on the head it was planned on), and
 * a resend of an op is answered `duplicate` wherever it lands (S2). So whenever the writer cannot
 * be asked (Redis unreachable, no instance subscribed to its channel, no answer within
 * `forwardTimeoutMs`) the submission is sequenced where it arrived, and that instance writes the
 * document itself until the lease is due again.
 */
import { randomUUID } from 'node:crypto';
import type { Sequencer } from '../collab/sequencer.ts';
import type { SubmitInput, SubmitResult } from '../collab/types.ts';
import { Delta } from '../ot/operation.ts';
import { createPubSubEngine, type PubSubConnections } from './connections.ts';

/** The Redis commands the lease needs (an ioredis connection has them). */
export interface LeaseClient {
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX', get: 'GET'): Promise<string | null>;
  pexpire(key: string, ms: number): Promise<number>;
}

/** Where a submission went: to the writer (`forwarded`), sequenced here as the writer (`local`), here though another instance is the writer (`fallback`), or here for another instance (`served`). */
export type WriterRoute = 'forwarded' | 'local' | 'fallback' | 'served';

export interface DocumentWritersOptions {
  /** This instance's own sequencer. */
  readonly local: Sequencer;
  readonly connections: PubSubConnections;
  readonly redis: LeaseClient;
  readonly prefix: string;
  /** This instance's name on the lease and its channels; default a random UUID. */
  readonly instanceId?: string;
  /** How long a lease lasts without being renewed; default 3,000 ms. */
  readonly leaseMs?: number;
  /**
   * How long a forwarded submission may go unanswered before it is sequenced here; default
   * 7,000 ms, past the writer's queue deadline (6 s, O2), so a submission the writer is
   * legitimately holding is not sequenced twice (which would be safe, S2, only wasteful).
   */
  readonly forwardTimeoutMs?: number;
  /** Longest a lease read may take before this instance writes the document itself; default 250 ms. */
  readonly leaseReadTimeoutMs?: number;
  readonly now?: () => number;
  readonly onRoute?: (route: WriterRoute) => void;
}

export interface DocumentWriters extends Sequencer {
  readonly instanceId: string;
  /** Stops serving other instances' submissions (answers still awaited here fall back to local). */
  close(): Promise<void>;
}

interface Request {
  readonly id: string;
  readonly from: string;
  readonly input: EncodedInput;
}
interface Answer {
  readonly id: string;
  readonly result?: EncodedResult;
  readonly failed?: true;
}
type EncodedInput = Omit<SubmitInput, 'delta'> & { readonly delta: unknown };
type EncodedResult = Exclude<SubmitResult, { kind: 'applied' | 'duplicate' }> | { readonly kind: 'applied' | 'duplicate'; readonly version: number; readonly delta: unknown };

const encodeInput = (input: SubmitInput): EncodedInput => ({ ...input, delta: input.delta.ops });
const decodeInput = (input: EncodedInput): SubmitInput => ({ ...input, delta: new Delta(input.delta as Delta['ops']) });
const encodeResult = (result: SubmitResult): EncodedResult => (result.kind === 'rejected' ? result : { kind: result.kind, version: result.version, delta: result.delta.ops });
const decodeResult = (result: EncodedResult): SubmitResult =>
  result.kind === 'rejected' ? result : { kind: result.kind, version: result.version, delta: new Delta(result.delta as Delta['ops']) };

/** Wraps `local` so each document's submissions are sequenced by its writer (see the top of this file). */
export async function routeToDocumentWriters(options: DocumentWritersOptions): Promise<DocumentWriters> {
  const { local, connections, redis, prefix } = options;
  const self = options.instanceId ?? randomUUID();
  const leaseMs = options.leaseMs ?? 3_000;
  const forwardTimeoutMs = options.forwardTimeoutMs ?? 7_000;
  const leaseReadTimeoutMs = options.leaseReadTimeoutMs ?? 250;
  const now = options.now ?? (() => performance.now());
  const onRoute = options.onRoute ?? (() => {});
  const engine = createPubSubEngine(connections);
  const leaseKey = (documentId: string) => `${prefix}writer:${documentId}`;
  const requests = (instance: string) => `${prefix}writer:${instance}:submit`;
  const answers = (instance: string) => `${prefix}writer:${instance}:answer`;

  // Per document: its writer as last read, until when that reading is used (a third of the
  // lease, so the writer renews well before it lapses), and a read in progress.
  const writers = new Map<string, { readonly writer: string; readonly until: number }>();
  const reading = new Map<string, Promise<string>>();
  const remember = (documentId: string, writer: string, forMs: number) => {
    writers.delete(documentId); // most recently used last, oldest first out
    writers.set(documentId, { writer, until: now() + forMs });
    if (writers.size > 10_000) writers.delete(writers.keys().next().value!);
  };
  const readLease = async (documentId: string): Promise<string> => {
    if (!connections.available()) return self;
    const key = leaseKey(documentId);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), leaseReadTimeoutMs)));
    try {
      // Takes the lease if nobody holds it, and says who held it otherwise.
      const held = await Promise.race([redis.set(key, self, 'PX', leaseMs, 'NX', 'GET').then((value) => ({ value })), timeout]);
      if (held === null) return self; // Redis too slow to ask: write it here
      if (held.value === null || held.value === self) {
        if (held.value === self) void redis.pexpire(key, leaseMs).catch(() => {});
        return self;
      }
      return held.value;
    } catch {
      return self;
    } finally {
      clearTimeout(timer);
    }
  };
  const writerOf = (documentId: string): Promise<string> | string => {
    const known = writers.get(documentId);
    if (known && now() < known.until) return known.writer;
    let pending = reading.get(documentId);
    if (!pending) {
      pending = readLease(documentId).then((writer) => {
        reading.delete(documentId);
        remember(documentId, writer, leaseMs / 3);
        return writer;
      });
      reading.set(documentId, pending);
    }
    return pending;
  };

  // Forwarded submissions awaiting their writer's answer, by request id.
  const waiting = new Map<string, (answer: Answer | null) => void>();
  const answerSubscription = await engine.subscribe(answers(self), (answer: Answer) => waiting.get(answer.id)?.(answer));
  const requestSubscription = await engine.subscribe(requests(self), (request: Request) => {
    onRoute('served');
    const input = decodeInput(request.input);
    void writerOf(input.documentId); // renews the lease while this instance writes the document
    // Sequenced here whatever the lease says now: a forwarded submission is never forwarded again.
    void local.submit(input).then(
      (result) => ({ id: request.id, result: encodeResult(result) }),
      () => ({ id: request.id, failed: true as const }),
    ).then((answer: Answer) => connections.publisher.publish(answers(request.from), JSON.stringify(answer)).catch(() => {}));
  });

  /** Sequences `input` here, and writes its document here until the lease is due again. */
  const fallBack = (input: SubmitInput): Promise<SubmitResult> => {
    onRoute('fallback');
    remember(input.documentId, self, leaseMs);
    return local.submit(input);
  };
  const forward = async (writer: string, input: SubmitInput): Promise<SubmitResult> => {
    const id = randomUUID();
    const answered = new Promise<Answer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), forwardTimeoutMs);
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
    try {
      const request: Request = { id, from: self, input: encodeInput(input) };
      const receivers = await connections.publisher.publish(requests(writer), JSON.stringify(request));
      if (receivers === 0) return await fallBack(input); // the writer is gone (crashed, restarting)
      const answer = await answered;
      // No answer in time, or the writer's sequencer threw (it cannot reach PostgreSQL either,
      // most likely): here, where a failure is answered with its own code.
      if (!answer?.result) return await fallBack(input);
      onRoute('forwarded');
      return decodeResult(answer.result);
    } catch {
      return fallBack(input); // Redis refused the publish
    } finally {
      waiting.delete(id);
    }
  };

  return {
    instanceId: self,
    async submit(input) {
      const writer = await writerOf(input.documentId);
      if (writer === self) {
        onRoute('local');
        return local.submit(input);
      }
      return forward(writer, input);
    },
    settle: () => local.settle(),
    cacheUsage: () => local.cacheUsage(),
    createDocument: (documentId, content) => local.createDocument(documentId, content),
    async close() {
      engine.unsubscribe(requestSubscription);
      engine.unsubscribe(answerSubscription);
      for (const resolve of [...waiting.values()]) resolve(null);
    },
  };
}
