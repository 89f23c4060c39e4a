/**
 * What the bench reads from error answers, and how it judges a step against issue 13's targets:
 * the hot document's overload step (typed ≥ 3× the best step's load) and the many-documents
 * step that runs after it on the same database. Pure, so the judgments are unit-tested.
 */
import type { StepResult } from './step-result.ts';

export { errorAnswer, type ErrorAnswer } from './error-answer.ts';

/** The hot document at overload, against its best step of the same run. */
export interface OverloadSummary {
  readonly bestLabel: string;
  readonly bestCommittedPerSecond: number;
  /**
   * The load the overload step offered: keystrokes typed per second, the people's demand
   * (`StepResult.offeredPerSecond`). The step is built to type 3× the best step's load (+10 %), so
   * this checks that the bench delivered what it was asked for (bots that cannot keep up fail it).
   */
  readonly typedPerSecond: number;
  /**
   * The best step's load: the larger of its committed ops/s and its keystrokes typed per second
   * (near the limit editors compose, so the two part; 3× of the larger is 3× in either unit).
   */
  readonly bestLoadPerSecond: number;
  /** The best step's keystrokes typed per second. */
  readonly bestTypedPerSecond: number;
  /** `typedPerSecond` ÷ `bestLoadPerSecond` (the target asks ≥ 3). */
  readonly typedRatio: number;
  /**
   * Submissions the overload step sent per second, each op once however often it was resent
   * (`StepResult.submittedPerSecond`; for results without that figure, keystrokes typed). Not a
   * measure of load: the bench counts through the step's settle, so every op sent is committed,
   * a duplicate, or given up (refused other than `RATE_LIMITED`, or unanswered); submissions equal
   * commits by accounting, apart from failures (until 2026-12-07 the 3× target was judged on them,
   * which only failures could meet).
   */
  readonly submittedPerSecond: number;
  /** Resends per second in the overload step (not part of `submittedPerSecond`). */
  readonly resentPerSecond?: number;
  /** `submittedPerSecond` of the overload step ÷ the best step's committed ops/s. */
  readonly submittedRatio: number;
  readonly committedPerSecond: number;
  /** Committed ops/s of the overload step ÷ the best step's (the target asks ≥ 0.9). */
  readonly committedRatio: number;
  readonly errorAnswers: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  /** Share of error answers that are RATE_LIMITED with a positive retryAfterSeconds (1 when there are none). */
  readonly rateLimitedShare: number;
  /** p99 (ms) of the answers that accepted a submission (applied or duplicate), send → answer. */
  readonly acceptedAckP99: number;
  /**
   * The light editors' keystrokes per second in submissions accepted while the step typed (composed
   * ones count each keystroke; not its settling): at the best step and at overload, and typed at
   * overload. Useful work however it was composed; absent without light editors in both steps.
   */
  readonly lightKeystrokes?: { readonly bestCommitted: number; readonly committed: number; readonly typed: number };
  readonly meets: { readonly typed3x: boolean; readonly committed90: boolean; readonly refusalsRateLimited: boolean; readonly ackUnder500: boolean };
}

const errorAnswers = (step: StepResult) => step.errors.errorAnswers ?? 0;
/** Error answers that are not RATE_LIMITED with a retryAfterSeconds. */
export const otherErrors = (step: StepResult) => errorAnswers(step) - step.rateLimitedWithRetryAfter;

/** The load a step carried: the larger of its committed ops/s and its keystrokes typed per second. */
export const bestLoadPerSecond = (step: StepResult) => Math.max(step.committedPerSecond, step.offeredPerSecond);

/** The ramp's best step: the one that committed the most ops per second. */
export const bestStepOf = (ramp: readonly StepResult[]) => ramp.reduce((a, b) => (b.committedPerSecond > a.committedPerSecond ? b : a));

/**
 * What the overload step's light editors type per second: `multiple` × the best step's load,
 * +10 % (the full bots type on top at the best step's rate). Which step is best can turn on a
 * few ops between two saturated steps, and near the limit the later one typed more than it
 * committed: on this machine the light editors then type ~5.5× the best committed ops instead
 * of ~3.6× (both measured, bench/results/issue13-s14.md).
 */
export function overloadTarget(ramp: readonly StepResult[], multiple: number): number {
  return Math.ceil((multiple * bestLoadPerSecond(bestStepOf(ramp)) * 11) / 10);
}

export function overloadSummary(ramp: readonly StepResult[], overload: StepResult): OverloadSummary {
  if (ramp.length === 0) throw new Error('an overload step needs the ramp it is measured against');
  const best = bestStepOf(ramp);
  const refusals = errorAnswers(overload);
  const rateLimitedShare = refusals === 0 ? 1 : overload.rateLimitedWithRetryAfter / refusals;
  const submitted = overload.submittedPerSecond ?? overload.offeredPerSecond;
  const submittedRatio = submitted / best.committedPerSecond;
  const bestLoad = bestLoadPerSecond(best);
  const typedRatio = overload.offeredPerSecond / bestLoad;
  const committedRatio = overload.committedPerSecond / best.committedPerSecond;
  return {
    bestLabel: best.label,
    bestCommittedPerSecond: best.committedPerSecond,
    typedPerSecond: overload.offeredPerSecond,
    bestLoadPerSecond: bestLoad,
    bestTypedPerSecond: best.offeredPerSecond,
    typedRatio,
    submittedPerSecond: submitted,
    ...(overload.resentPerSecond === undefined ? {} : { resentPerSecond: overload.resentPerSecond }),
    submittedRatio,
    committedPerSecond: overload.committedPerSecond,
    committedRatio,
    errorAnswers: refusals,
    errorsByCode: overload.errorsByCode,
    rateLimitedShare,
    acceptedAckP99: overload.ack.p99,
    ...(best.lightCommittedKeystrokesPerSecond === undefined || overload.lightCommittedKeystrokesPerSecond === undefined
      ? {}
      : { lightKeystrokes: { bestCommitted: best.lightCommittedKeystrokesPerSecond, committed: overload.lightCommittedKeystrokesPerSecond, typed: overload.lightTypedPerSecond ?? 0 } }),
    meets: {
      typed3x: typedRatio >= 3,
      committed90: committedRatio >= 0.9,
      refusalsRateLimited: otherErrors(overload) === 0,
      ackUnder500: overload.ack.p99 < 500,
    },
  };
}

/** The many-documents step (run after the hot document on the same database) against its targets. */
export interface DocsVerdict {
  readonly committedShare: number;
  readonly meets: { readonly committed95: boolean; readonly ackUnder1s: boolean; readonly onlyRateLimited: boolean };
}

export function docsVerdict(step: StepResult): DocsVerdict {
  const committedShare = step.offeredPerSecond > 0 ? step.committedPerSecond / step.offeredPerSecond : 0;
  return {
    committedShare,
    meets: { committed95: committedShare >= 0.95, ackUnder1s: step.ack.p99 < 1000, onlyRateLimited: otherErrors(step) === 0 },
  };
}
