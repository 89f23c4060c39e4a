/**
 * Factories for the bench's report types, shared by the tests of its verdicts and comparisons.
 */
import type { StepResult } from '../../bench/lib/report.ts';

/** A latency summary with the given p99 (the other quantiles proportional to it). */
export const latency = (p99: number) => ({ count: 100, p50: p99 / 4, p95: p99 / 2, p99, max: p99 * 2, mean: p99 / 3 });

/** One step of a scenario: 40 editors on one document, 20 s, no errors, unless `extra` says otherwise. */
export function benchStep(label: string, offered: number, committed: number, extra: Partial<StepResult> = {}): StepResult {
  return {
    label,
    editors: 40,
    documents: 1,
    offeredPerSecond: offered,
    committedPerSecond: committed,
    deliveriesPerSecond: committed * 39,
    ack: latency(80),
    ackFromFirstSend: latency(90),
    errorAck: latency(5000),
    fanout: latency(100),
    errors: { errorAnswers: 0 },
    errorsByCode: {},
    errorMessages: {},
    rateLimitedWithRetryAfter: 0,
    servers: [],
    loadGenerators: [],
    seconds: 20,
    ...extra,
  };
}
