/**
 * Latency histograms with 1 % relative precision and constant memory, mergeable across
 * processes (they travel over IPC as plain JSON). Values are milliseconds. And the metrics the
 * load generators of one process share (`BotMetrics`), with the one bookkeeping of a
 * submission's send, its answer, and op arrivals that full bots and light editors both use.
 */
import { errorAnswer } from './error-answer.ts';

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Values below this (1 µs) share bucket 0. */
const FLOOR_MS = 0.001;

export interface HistogramJson {
  readonly counts: Record<string, number>;
  readonly count: number;
  readonly sum: number;
  readonly max: number;
}

export class Histogram {
  #counts = new Map<number, number>();
  count = 0;
  sum = 0;
  max = 0;

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const bucket = ms <= FLOOR_MS ? 0 : Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH);
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + 1);
    this.count += 1;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** The smallest recorded value v such that a fraction `q` of values are ≤ v (upper bucket bound, ≤ 1 % high). */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    const buckets = [...this.#counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const bucket of buckets) {
      seen += this.#counts.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(this.max, bucket === 0 ? FLOOR_MS : FLOOR_MS * GROWTH ** bucket);
    }
    return this.max;
  }

  merge(other: Histogram | HistogramJson): this {
    const source = other instanceof Histogram ? other.toJSON() : other;
    for (const [bucket, n] of Object.entries(source.counts)) {
      const key = Number(bucket);
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + n);
    }
    this.count += source.count;
    this.sum += source.sum;
    this.max = Math.max(this.max, source.max);
    return this;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: round(this.quantile(0.5)),
      p95: round(this.quantile(0.95)),
      p99: round(this.quantile(0.99)),
      max: round(this.max),
      mean: this.count ? round(this.sum / this.count) : Number.NaN,
    };
  }

  toJSON(): HistogramJson {
    return { counts: Object.fromEntries(this.#counts), count: this.count, sum: this.sum, max: this.max };
  }

  static from(json: HistogramJson): Histogram {
    return new Histogram().merge(json);
  }
}

/** Percentiles in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export const round = (x: number, digits = 2): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

/** How the bookkeeping names a submission (and an op on the stream): `clientId#clientSeq`. */
export const submissionKey = (clientId: string, clientSeq: number): string => `${clientId}#${clientSeq}`;

/** What a submitOperation answer carries that the bookkeeping reads. */
export interface AnswerLike {
  readonly data?: { readonly submitOperation?: { readonly version: number; readonly duplicate: boolean } | null } | null;
  readonly errors?: readonly { readonly message?: string; readonly extensions?: Record<string, unknown> }[];
}

/** Shared by every bot of one process: send times by (clientId, clientSeq), and the histograms. */
export class BotMetrics {
  /** First send time (performance.now()) of each submission still worth timing. */
  readonly sentAt = new Map<string, number>();
  ack = new Histogram();
  /** First send of a submission → its accepting answer (applied or duplicate), across resends and waits. */
  ackFromFirstSend = new Histogram();
  fanout = new Histogram();
  /** Send → an error answer (which timeout an error came from shows in how long it took). */
  errorAck = new Histogram();
  /** Error answers by `extensions.code`, and the first message seen for each code. */
  errorsByCode: Record<string, number> = {};
  errorMessages: Record<string, string> = {};
  /** RATE_LIMITED answers that carried a positive `retryAfterSeconds`. */
  rateLimitedWithRetryAfter = 0;
  /** Keystrokes the session refused (the op did not apply, or it is desynchronized). */
  refusedKeystrokes = 0;
  /** Per wall-clock second (epoch seconds): sends, resends, accepting answers and error answers (diagnosis timelines); kept across `reset`, emptied when reported. */
  timeline: Record<number, { sent: number; resent: number; acks: number; errors: number }> = {};

  tick(field: 'sent' | 'resent' | 'acks' | 'errors'): void {
    const second = Math.floor(Date.now() / 1000);
    const entry = (this.timeline[second] ??= { sent: 0, resent: 0, acks: 0, errors: 0 });
    entry[field] += 1;
  }
  submissions = 0;
  resubmissions = 0;
  acks = 0;
  duplicates = 0;
  droppedAcks = 0;
  errorAnswers = 0;
  received = 0;
  disconnects = 0;
  reloads = 0;
  fatal = 0;
  keystrokes = 0;
  /**
   * Keystrokes typed by light editors; those of them in submissions the server accepted (composed
   * ones count each keystroke); and how many had been accepted when the step's typing ended (after
   * its settling every typed keystroke is accepted, so only this one measures a rate).
   */
  lightKeystrokes = 0;
  lightCommittedKeystrokes = 0;
  lightCommittedWhileTyping = 0;

  /** The step's typing ended: keeps how many of the light editors' keystrokes were accepted by now. */
  typingEnded(): void {
    this.lightCommittedWhileTyping = this.lightCommittedKeystrokes;
  }
  /** Every acknowledged op: `clientId#clientSeq` → version (the drill checks each one is stored). */
  readonly acknowledged = new Map<string, number>();
  recordAcknowledged = false;
  /** Last ack time (performance.now()) per clientId, for recovery times. */
  readonly lastAckAt = new Map<string, number>();

  /** Starts a new measurement window (histograms and counters; acknowledged ops are kept). */
  reset(): void {
    this.ack = new Histogram();
    this.ackFromFirstSend = new Histogram();
    this.errorAck = new Histogram();
    this.fanout = new Histogram();
    this.errorsByCode = {};
    this.errorMessages = {};
    this.rateLimitedWithRetryAfter = 0;
    this.refusedKeystrokes = 0;
    this.submissions = this.resubmissions = this.acks = this.duplicates = this.droppedAcks = 0;
    this.errorAnswers = this.received = this.disconnects = this.reloads = this.fatal = this.keystrokes = 0;
    this.lightKeystrokes = this.lightCommittedKeystrokes = this.lightCommittedWhileTyping = 0;
    this.sentAt.clear();
  }

  /**
   * A submission (`clientId#clientSeq`) is being sent: counts it (a resend when it was sent
   * before) and answers its send time, for {@link answered}.
   */
  sending(key: string): number {
    const start = performance.now();
    if (this.sentAt.has(key)) {
      this.resubmissions += 1;
      this.tick('resent');
    } else {
      this.sentAt.set(key, start);
      this.tick('sent');
    }
    this.submissions += 1;
    return start;
  }

  /**
   * The answer to a submission sent at `start`: an accepting one (applied or duplicate) is timed
   * from this send and from the first; an error answer is counted by code (RATE_LIMITED with a
   * positive `retryAfterSeconds` apart). Answers what it was.
   */
  answered(key: string, start: number, result: AnswerLike): { accepted: { version: number; duplicate: boolean } | null; code: string; retryAfterSeconds: number | null } {
    const now = performance.now();
    const accepted = result.data?.submitOperation ?? null;
    if (accepted) {
      this.ack.record(now - start);
      this.ackFromFirstSend.record(now - (this.sentAt.get(key) ?? start));
      this.acks += 1;
      this.tick('acks');
      if (accepted.duplicate) this.duplicates += 1;
      return { accepted, code: '', retryAfterSeconds: null };
    }
    this.errorAnswers += 1;
    this.errorAck.record(now - start);
    this.tick('errors');
    const { code, message, retryAfterSeconds } = errorAnswer(result);
    this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
    this.errorMessages[code] ??= message;
    if (code === 'RATE_LIMITED' && retryAfterSeconds !== null && retryAfterSeconds > 0) this.rateLimitedWithRetryAfter += 1;
    return { accepted: null, code, retryAfterSeconds };
  }

  /** Ops arrived on an op stream: counted, and each one sent by this process timed (fan-out). */
  arrived(ops: readonly { readonly clientId: string; readonly clientSeq: number }[]): void {
    if (ops.length === 0) return;
    const now = performance.now();
    this.received += ops.length;
    for (const op of ops) {
      const sent = this.sentAt.get(submissionKey(op.clientId, op.clientSeq));
      if (sent !== undefined) this.fanout.record(now - sent);
    }
  }

  counters() {
    return {
      submissions: this.submissions,
      resubmissions: this.resubmissions,
      acks: this.acks,
      duplicates: this.duplicates,
      droppedAcks: this.droppedAcks,
      errorAnswers: this.errorAnswers,
      received: this.received,
      disconnects: this.disconnects,
      reloads: this.reloads,
      fatal: this.fatal,
      keystrokes: this.keystrokes,
      lightKeystrokes: this.lightKeystrokes,
      lightCommittedKeystrokes: this.lightCommittedKeystrokes,
      lightCommittedWhileTyping: this.lightCommittedWhileTyping,
      rateLimitedWithRetryAfter: this.rateLimitedWithRetryAfter,
      refusedKeystrokes: this.refusedKeystrokes,
      ...Object.fromEntries(Object.entries(this.errorsByCode).map(([code, n]) => [`error:${code}`, n])),
    };
  }
}

