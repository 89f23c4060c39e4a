/**
 * One writer per document (issue 13): each document's submissions are sequenced by one instance,
 * its *writer*, whichever instance the client reached. Two instances committing one document
 * race for its row (a conditional statement that loses costs a catch-up read, a replan and a
 * second statement, and keeps pipelining off, S13): measured on the hot document, two instances
 * committed 0.7× what one alone did. Fan-out is not moved: every instance still streams the
 * document's ops to its own subscribers.
 *
 * The writer is a lease in Redis (`writer:<documentId>`, {@link CLAIM_LEASE_SCRIPT}): the first
 * instance to write a document takes it, and renews it while it writes (its own clients'
 * submissions or forwarded ones, at most every `leaseMs` / 3); 2–3 s after its last write,
 * anyone may take it. Another instance sends the submission (already authenticated, authorized
 * and rate-limited where it arrived) over Redis pub/sub to the writer's channel, the writer says
 * it received it, and the other instance relays the writer's answer.
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
import { validateSuggestionOp } from '../ot/suggestion.ts';
import { validateOp } from '../ot/validate.ts';
import { createPubSubEngine, type PubSubConnections } from './connections.ts';

/**
 * The lease's one Redis command: keeps the lease if `self` holds it (renewed for `ms`), takes it
 * if nobody does, and answers who holds it now. One script, so a renewal never extends a lease
 * another instance has just taken (works on any Redis with EVAL).
 */
export interface LeaseClient {
  claim(key: string, self: string, ms: number): Promise<string>;
}

/** The script {@link LeaseClient.claim} runs (KEYS[1] the lease; ARGV self, milliseconds). */
export const CLAIM_LEASE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return holder end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return ARGV[1] end
return holder`;

/**
 * Where a submission was sequenced: here as its document's writer (`local`), by the writer
 * (`forwarded`), here for another instance (`served`), here though another instance holds the
 * lease because it could not be asked (`fallback`), or here because the lease could not be read
 * (`unrouted`: Redis away or slow, every instance writing what reaches it).
 */
export type WriterRoute = 'forwarded' | 'local' | 'fallback' | 'served' | 'unrouted';

export interface DocumentWritersOptions {
  /** This instance's own sequencer. */
  readonly local: Sequencer;
  readonly connections: PubSubConnections;
  readonly lease: LeaseClient;
  readonly prefix: string;
  /** This instance's name on the lease and its channels; default a random UUID. */
  readonly instanceId?: string;
  /** How long a lease lasts without being renewed; default 3,000 ms. */
  readonly leaseMs?: number;
  /** How long the writer may take to say it received a forwarded submission before it is sequenced here; default 500 ms. */
  readonly receiptTimeoutMs?: number;
  /**
   * How long a received submission may then go unanswered before the client is told to resend
   * it (`RATE_LIMITED`, retry after 1 s: the resend is answered `duplicate` if the writer
   * applied it, S2); default 7,000 ms, past the writer's queue deadline (6 s, O2), and with the
   * receipt below the client's 10 s ack timeout.
   */
  readonly answerTimeoutMs?: number;
  /** Longest a lease read may take before this instance writes the document itself; default 250 ms. */
  readonly leaseReadTimeoutMs?: number;
  /** Larger forwarded requests (JSON characters) are sequenced here instead: Redis carries them three times otherwise; default 64 Ki. */
  readonly maxForwardBytes?: number;
  readonly now?: () => number;
  readonly onRoute?: (route: WriterRoute) => void;
  /** A message on a writer channel that is not one (logs). */
  readonly onBadMessage?: (channel: 'submit' | 'answer') => void;
}

export interface DocumentWriters extends Sequencer {
  readonly instanceId: string;
  /** Stops serving other instances' submissions; forwarded ones still waiting are answered `RATE_LIMITED`. Idempotent. */
  close(): Promise<void>;
}

interface Request {
  readonly id: string;
  readonly from: string;
  readonly input: EncodedInput;
}
/** A receipt (`received`), or the answer (`result`; `failed` when the writer's sequencer threw). */
interface Answer {
  readonly id: string;
  readonly received?: true;
  readonly result?: EncodedResult;
  readonly failed?: true;
}
type EncodedInput = Omit<SubmitInput, 'delta'> & { readonly delta: unknown };
type EncodedResult = Exclude<SubmitResult, { kind: 'applied' | 'duplicate' }> | { readonly kind: 'applied' | 'duplicate'; readonly version: number; readonly delta: unknown };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const encodeInput = (input: SubmitInput): EncodedInput => ({ ...input, delta: input.delta.ops });
const encodeResult = (result: SubmitResult): EncodedResult => (result.kind === 'rejected' ? result : { kind: result.kind, version: result.version, delta: result.delta.ops });

/**
 * A request read off Redis, checked as the edge checks a client's (the shape, and the delta by
 * lib/ot's validators: a plain edit by `validateOp`, anything marked by `validateSuggestionOp`);
 * null if it is not one.
 */
function decodeRequest(message: unknown): { readonly id: string; readonly from: string; readonly input: SubmitInput | null } | null {
  if (!isObject(message) || typeof message.id !== 'string' || typeof message.from !== 'string' || !isObject(message.input)) return null;
  const input = message.input;
  if (typeof input.documentId !== 'string' || typeof input.clientId !== 'string' || typeof input.baseVersion !== 'number' || typeof input.clientSeq !== 'number') {
    return { id: message.id, from: message.from, input: null };
  }
  if (input.authorId !== null && typeof input.authorId !== 'string') return { id: message.id, from: message.from, input: null };
  const delta = input.check === 'edit' ? validateOp(input.delta) : validateSuggestionOp(input.delta);
  if (!delta.ok) return { id: message.id, from: message.from, input: null };
  return { id: message.id, from: message.from, input: { ...(input as unknown as SubmitInput), delta: delta.value } };
}

/** An answer read off Redis; null if it is not one. */
function decodeAnswer(message: unknown): { readonly id: string; readonly received: boolean; readonly result: SubmitResult | null } | null {
  if (!isObject(message) || typeof message.id !== 'string') return null;
  if (message.received === true) return { id: message.id, received: true, result: null };
  const result = message.result;
  if (!isObject(result)) return { id: message.id, received: false, result: null }; // failed: the writer's sequencer threw
  if (result.kind === 'rejected' && typeof result.code === 'string' && typeof result.message === 'string') {
    return { id: message.id, received: false, result: result as unknown as SubmitResult };
  }
  if ((result.kind === 'applied' || result.kind === 'duplicate') && typeof result.version === 'number' && Array.isArray(result.delta)) {
    return { id: message.id, received: false, result: { kind: result.kind, version: result.version, delta: new Delta(result.delta) } };
  }
  return null;
}

/** Wraps `local` so each document's submissions are sequenced by its writer (see the top of this file). */
export async function routeToDocumentWriters(options: DocumentWritersOptions): Promise<DocumentWriters> {
  const { local, connections, lease, prefix } = options;
  const self = options.instanceId ?? randomUUID();
  const leaseMs = options.leaseMs ?? 3_000;
  const receiptTimeoutMs = options.receiptTimeoutMs ?? 500;
  const answerTimeoutMs = options.answerTimeoutMs ?? 7_000;
  const leaseReadTimeoutMs = options.leaseReadTimeoutMs ?? 250;
  const maxForwardBytes = options.maxForwardBytes ?? 64 * 1024;
  const now = options.now ?? (() => performance.now());
  const onRoute = options.onRoute ?? (() => {});
  const onBadMessage = options.onBadMessage ?? (() => {});
  const engine = createPubSubEngine(connections);
  const leaseKey = (documentId: string) => `${prefix}writer:${documentId}`;
  const requests = (instance: string) => `${prefix}writer:${instance}:submit`;
  const answers = (instance: string) => `${prefix}writer:${instance}:answer`;
  let closed = false;

  // Per document: its writer as last read (null: unknown, Redis could not say), until when that
  // reading is used (a third of the lease, so the writer renews well before it lapses), and a
  // read in progress. Per instance: writers that did not answer, not asked again until then.
  const writers = new Map<string, { readonly writer: string | null; readonly until: number }>();
  const reading = new Map<string, Promise<string | null>>();
  const silent = new Map<string, number>();
  const remember = (documentId: string, writer: string | null, forMs: number) => {
    writers.delete(documentId); // most recently used last, oldest first out
    writers.set(documentId, { writer, until: now() + forMs });
    if (writers.size > 10_000) writers.delete(writers.keys().next().value!);
  };
  const readLease = async (documentId: string): Promise<string | null> => {
    if (!connections.available()) return null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), leaseReadTimeoutMs)));
    try {
      return await Promise.race([lease.claim(leaseKey(documentId), self, leaseMs), timeout]);
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
  const writerOf = (documentId: string): Promise<string | null> | string | null => {
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

  // Forwarded submissions awaiting their writer's receipt and answer, by request id.
  const waiting = new Map<string, (answer: { received: boolean; result: SubmitResult | null } | null) => void>();
  const publish = (channel: string, message: unknown) => connections.publisher.publish(channel, JSON.stringify(message));
  // Listeners run inside the Redis client's event: nothing may throw out of them.
  const answerSubscription = await engine.subscribe(answers(self), (message: unknown) => {
    const answer = decodeAnswer(message);
    if (!answer) return onBadMessage('answer');
    waiting.get(answer.id)?.(answer);
  });
  const serving = new Set<Promise<unknown>>();
  const requestSubscription = await engine.subscribe(requests(self), (message: unknown) => {
    const request = decodeRequest(message);
    if (!request) return onBadMessage('submit');
    const reply = (answer: Answer) => publish(answers(request.from), answer).catch(() => {});
    if (closed) return; // the requester's receipt timeout sends it elsewhere
    void reply({ id: request.id, received: true });
    if (!request.input) {
      onBadMessage('submit');
      return void reply({ id: request.id, result: { kind: 'rejected', code: 'BAD_USER_INPUT', message: 'The op could not be read after forwarding; send it again.' } });
    }
    onRoute('served');
    const input = request.input;
    void writerOf(input.documentId); // renews the lease while this instance writes the document
    // Sequenced here whatever the lease says now: a forwarded submission is never forwarded again.
    const served = local
      .submit(input)
      .then(
        (result) => reply({ id: request.id, result: encodeResult(result) }),
        () => reply({ id: request.id, failed: true }),
      )
      .finally(() => serving.delete(served));
    serving.add(served);
  });

  const busy = (why: string): SubmitResult => ({
    kind: 'rejected',
    code: 'RATE_LIMITED',
    message: `The server is busy (${why}); the op may or may not have been stored. Resubmit the same op after 1 s.`,
    retryAfterSeconds: 1,
  });
  /** Sequences `input` here because its writer could not be asked, and writes its document here until the lease is due again. */
  const fallBack = (input: SubmitInput, writer: string | null): Promise<SubmitResult> => {
    onRoute('fallback');
    if (writer !== null) silent.set(writer, now() + leaseMs);
    remember(input.documentId, self, leaseMs);
    return local.submit(input);
  };
  const forward = async (writer: string, input: SubmitInput): Promise<SubmitResult> => {
    const id = randomUUID();
    const payload = JSON.stringify({ id, from: self, input: encodeInput(input) } satisfies Request);
    if (payload.length > maxForwardBytes) {
      onRoute('fallback'); // a large paste: sequenced here rather than carried through Redis three times
      return local.submit(input);
    }
    let received = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let silentAfter: () => void = () => {};
    // Listening before the publish (a receipt may come back before it resolves); the receipt's
    // clock starts once the publish is done, so a slow publish is not taken for a silent writer.
    const answered = new Promise<SubmitResult | null | 'silent'>((resolve) => {
      silentAfter = () => {
        if (!received) timer = setTimeout(() => resolve('silent'), receiptTimeoutMs);
      };
      waiting.set(id, (answer) => {
        if (answer === null) return resolve(null); // closing, or the answer channel was interrupted
        if (answer.received && !received) {
          received = true;
          clearTimeout(timer);
          timer = setTimeout(() => resolve(null), answerTimeoutMs);
          return;
        }
        if (!answer.received) resolve(answer.result);
      });
    });
    try {
      let receivers: number;
      try {
        receivers = await connections.publisher.publish(requests(writer), payload);
      } catch {
        return await fallBack(input, null); // Redis refused the publish: nothing reached the writer
      }
      if (receivers === 0) return await fallBack(input, writer); // the writer is gone (crashed, restarting)
      silentAfter();
      const outcome = await answered;
      // Not received in time (frozen, or its host gone without closing its connection): here.
      if (outcome === 'silent') return await fallBack(input, writer);
      // Received, then no answer in time, or the writer's sequencer threw: the writer may have
      // applied it, so the client resends it (answered `duplicate` if so, S2) instead of this
      // instance sequencing it at once beside the writer's copy.
      if (outcome === null) {
        return busy(closed ? 'this instance is shutting down' : received ? "the document's writer instance did not answer in time" : "the connection to the document's writer instance was interrupted");
      }
      onRoute('forwarded');
      return outcome;
    } finally {
      clearTimeout(timer);
      waiting.delete(id);
    }
  };

  // The answer channel was interrupted (its connection came back): answers meanwhile are lost.
  const stopResubscribed = connections.onResubscribed(() => {
    for (const resolve of [...waiting.values()]) resolve(null);
  });

  return {
    instanceId: self,
    async submit(input) {
      const writer = closed ? null : await writerOf(input.documentId);
      if (writer === null) {
        onRoute('unrouted');
        return local.submit(input);
      }
      if (writer === self) {
        onRoute('local');
        return local.submit(input);
      }
      const quietUntil = silent.get(writer);
      if (quietUntil !== undefined && now() < quietUntil) return fallBack(input, null);
      return forward(writer, input);
    },
    settle: () => local.settle(),
    cacheUsage: () => local.cacheUsage(),
    createDocument: (documentId, content) => local.createDocument(documentId, content),
    async close() {
      if (closed) return;
      closed = true;
      stopResubscribed();
      engine.unsubscribe(requestSubscription);
      // Answers for what this instance is serving still go out (for at most 5 s).
      await Promise.race([Promise.allSettled([...serving]), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      for (const resolve of [...waiting.values()]) resolve(null);
      engine.unsubscribe(answerSubscription);
    },
  };
}
