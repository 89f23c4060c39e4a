/** One bench step's figures, as the report, the overload summary and the comparison read them. */
import type { LatencySummary } from './stats.ts';

export interface ProcUse {
  readonly cpu: number;
  readonly rssMb: number;
}

/** Issue 16's "who is the bottleneck" figures of one step. CPU figures are fractions of one core. */
export interface Bottleneck {
  /** Server CPU per op delivered to a subscriber (µs), per instance: its CPU ÷ its share (1/K) of all deliveries. */
  readonly serverMicrosPerDelivery: readonly number[];
  /** PostgreSQL (postmaster and backends) and Redis, shared by everything on the machine. */
  readonly postgresCpu: number;
  readonly redisCpu: number;
  /** Transactions per second in the bench database (pg_stat_database; a statement outside a transaction is one). */
  readonly postgresTransactionsPerSecond?: number;
  /** The machine's idle share (idle + iowait of all cores; 0.5 = one of two cores idle). */
  readonly machineIdle: number;
  /** Full CollabSession bots checked against the server's content after the step. */
  readonly fullBotsChecked: number;
}

export interface StepResult {
  readonly label: string;
  readonly editors: number;
  /** How many of `editors` are light editors (bench/lib/light-editor.ts); the rest are full bots. */
  readonly lightEditors?: number;
  readonly documents: number;
  /**
   * Keystrokes typed per second (all bots; the report's "typed/s"). Full bots and light editors
   * compose keystrokes typed while earlier ones are unanswered into one submission, so this is
   * the people's demand, not what the servers were asked to commit.
   */
  readonly offeredPerSecond: number;
  /**
   * Submissions sent per second, each (clientId, clientSeq) counted once, at its first send in the
   * step (the report's "sent/s"). Counted through the step's settle, each is committed, a
   * duplicate, or given up, so this equals committed ops/s apart from failures: how the load was
   * composed, not the load. Absent in results from before it was counted.
   */
  readonly submittedPerSecond?: number;
  /** Sends of a submission already sent (after RATE_LIMITED, or an ack timeout) per second: not counted in `submittedPerSecond`. */
  readonly resentPerSecond?: number;
  /**
   * Keystrokes the light editors typed per second, and those in submissions accepted while the
   * step typed (composed ones count each keystroke; not its settling, after which every typed
   * keystroke is accepted): useful work, however it was composed.
   */
  readonly lightTypedPerSecond?: number;
  readonly lightCommittedKeystrokesPerSecond?: number;
  /** Committed ops per second (applied answers, duplicates excluded). */
  readonly committedPerSecond: number;
  readonly deliveriesPerSecond: number;
  /** Send → an answer that accepted the submission (applied or duplicate), per send. */
  readonly ack: LatencySummary;
  /** First send → the accepting answer, across resends and RATE_LIMITED waits (what a person waits). */
  readonly ackFromFirstSend: LatencySummary;
  /** Send → an error answer. */
  readonly errorAck: LatencySummary;
  readonly fanout: LatencySummary;
  readonly errors: Record<string, number>;
  /** Error answers by `extensions.code`, the first message of each, and RATE_LIMITED answers with retryAfterSeconds. */
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly errorMessages: Readonly<Record<string, string>>;
  readonly rateLimitedWithRetryAfter: number;
  readonly servers: readonly ProcUse[];
  readonly loadGenerators: readonly ProcUse[];
  readonly bottleneck?: Bottleneck;
  readonly seconds: number;
}
