/**
 * The before/after comparison against issue 13's targets: figures from each run, verdicts, and
 * after ÷ before ratios for the no-regression figures (raw and per same-run commit baseline).
 */
import { describe, expect, it } from 'vitest';
import { bestHot, compareRuns } from '../../bench/lib/compare.ts';
import { overloadSummary } from '../../bench/lib/overload.ts';
import type { BenchResults, StepResult } from '../../bench/lib/report.ts';
import { benchStep, latency } from '../support/bench-steps.ts';

const step = (label: string, offered: number, committed: number, extra: Partial<StepResult> = {}): StepResult =>
  benchStep(label, offered, committed, { deliveriesPerSecond: 0, errorAck: latency(0), fanout: latency(60), errors: { errorAnswers: 0, resubmissions: 0 }, ...extra });

function run(pg1: number, largest: number, ramp: StepResult[], overload: StepResult, docs: StepResult): BenchResults {
  return {
    machine: {},
    startedAt: 's',
    finishedAt: 'f',
    command: 'npm run bench -- --scenario=editors,hot,docs',
    settings: {},
    baselines: { pgInsert1: pg1, pgInsert8: pg1 * 3, redisPublish: 30000, seconds: 4 },
    editors: { steps: [], largestUnder100ms: largest },
    hot: { steps: ramp, maxSustained: ramp[0]!.committedPerSecond, overload: { step: overload, summary: overloadSummary(ramp, overload) } },
    docs: { steps: [docs] },
  };
}

const beforeRamp = [step('hot offered=200/s', 200, 200), step('hot offered=800/s', 700, 600), step('hot offered=1200/s', 900, 300)];
const before = run(
  2000,
  50,
  beforeRamp,
  step('overload', 1800, 250, { ack: latency(900) }),
  step('docs', 300, 90, { errors: { errorAnswers: 35910, resubmissions: 40204 }, errorsByCode: { INTERNAL_SERVER_ERROR: 35910 }, ack: latency(37000) }),
);
const afterRamp = [step('hot offered=200/s', 200, 200), step('hot offered=800/s', 700, 570)];
const after = run(
  1000,
  50,
  afterRamp,
  step('overload', 2200, 540, { errors: { errorAnswers: 100 }, errorsByCode: { RATE_LIMITED: 100 }, rateLimitedWithRetryAfter: 100, ack: latency(300) }),
  step('docs', 300, 299, { ack: latency(400) }),
);

describe('issue 13 before/after comparison', () => {
  it('the best hot step is the highest committed rate of the ramp', () => {
    expect(bestHot(before)?.label).toBe('hot offered=800/s');
  });

  it('judges each run against the targets', () => {
    const md = compareRuns({ label: 'before 8930d9e', results: before }, { label: 'after e43496c', results: after });
    expect(md).toContain('| measure | before 8930d9e | after e43496c | target |');
    expect(md).toContain('| committed ÷ offered | 30 % | 100 % | ≥ 95 % |');
    expect(md).toContain('| error answers by code | INTERNAL_SERVER_ERROR 35910 | none |  |');
    expect(md).toMatch(/## \(c\)[\s\S]*?\| verdict \| \*\*not met\*\* \| met \|/);
    expect(md).toContain('| overload: committed ÷ best committed | 0.42× | 0.95× | ≥ 0.90× |');
    expect(md).toContain('| overload: refusals that are RATE_LIMITED with retryAfterSeconds | 100 % | 100 % | 100 % |');
    expect(md).toMatch(/## Hot document[\s\S]*?\| verdict \| \*\*not met\*\* \| met \|/);
  });

  it('judges the overload step by the current rules, not the summary stored with an older run', () => {
    // An older run stored 3× as judged on submissions sent (1,000/s here: not met); typed 2,200/s is 3× its best step's load (700/s typed).
    const stored = { ...before.hot!.overload!, summary: { ...before.hot!.overload!.summary, meets: { ...before.hot!.overload!.summary.meets, typed3x: false } } };
    const older = { ...after, hot: { ...after.hot!, overload: { step: { ...after.hot!.overload!.step, submittedPerSecond: 1000 }, summary: stored.summary } } };
    const md = compareRuns({ label: 'older', results: older }, { label: 'after', results: after });
    expect(md).toContain("| overload: typed ÷ the best step's load (the load offered) | 3.14× | 3.14× | ≥ 3× |");
    expect(md).toContain('| overload: submissions sent ÷ best committed | 1.75× | 3.86× |  |');
    expect(md).toMatch(/## Hot document[\s\S]*?\| verdict \| met \| met \|/);
  });

  it('quotes no-regression figures raw and per same-run commit baseline', () => {
    const md = compareRuns({ label: 'before', results: before }, { label: 'after', results: after });
    expect(md).toContain('| largest editor count with p99 fan-out < 100 ms | 50 | 50 | 1.00× |');
    expect(md).toContain('| hot document: best committed ops/s | 600 | 570 | 0.95× |');
    // 600 / 2000 = 0.300, 570 / 1000 = 0.570: the after run had half the commit rate to work with.
    expect(md).toContain('| hot document: best committed ÷ PG 1-conn | 0.300 | 0.570 | 1.90× |');
  });

  it('says "none" when no step qualified, and a dash for what a run did not measure', () => {
    const noneUnder100 = { ...after, editors: { steps: [], largestUnder100ms: null } };
    expect(compareRuns({ label: 'before', results: before }, { label: 'after', results: noneUnder100 })).toContain(
      '| largest editor count with p99 fan-out < 100 ms | 50 | none | – |',
    );
    const { docs: _docs, ...noDocs } = after;
    const md = compareRuns({ label: 'before', results: before }, { label: 'after', results: noDocs });
    expect(md).toContain('| committed ÷ offered | 30 % | – | ≥ 95 % |');
  });
});
