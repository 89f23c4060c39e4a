/**
 * How the bench reads error answers and judges issue 13's targets: the hot document's overload
 * step against the best step of its ramp, the many-documents step, and the pg_stat_activity
 * timeline's summary of one sample.
 */
import { describe, expect, it } from 'vitest';
import { bestLoadPerSecond, docsVerdict, errorAnswer, overloadSummary, overloadTarget } from '../../bench/lib/overload.ts';
import { pickMetrics, summarize } from '../../bench/lib/pg-activity.ts';
import { markdownReport, type BenchResults, type StepResult } from '../../bench/lib/report.ts';
import { benchStep, latency } from '../support/bench-steps.ts';

const step = benchStep;

const ramp = [step('hot offered=200/s', 200, 200), step('hot offered=800/s', 720, 600), step('hot offered=1200/s', 1100, 480)];

describe('error answers', () => {
  it('reads the code, message and retryAfterSeconds of the first error', () => {
    expect(errorAnswer({ errors: [{ message: 'Too many operations', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 2 } }] })).toEqual({
      code: 'RATE_LIMITED',
      message: 'Too many operations',
      retryAfterSeconds: 2,
    });
  });

  it('an error without a code counts as INTERNAL_SERVER_ERROR, as CollabSession reads it; a missing retryAfterSeconds is null', () => {
    expect(errorAnswer({ errors: [{ message: 'boom' }] })).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'boom', retryAfterSeconds: null });
    expect(errorAnswer({ errors: [{ message: 'slow', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 'soon' } }] }).retryAfterSeconds).toBeNull();
    expect(errorAnswer({}).code).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('hot document overload summary', () => {
  it('compares the overload step with the best committed step of the ramp, not the last', () => {
    const overload = step('hot overload', 2200, 560, {
      errors: { errorAnswers: 50 },
      errorsByCode: { RATE_LIMITED: 50 },
      rateLimitedWithRetryAfter: 50,
      ack: latency(300),
    });
    const o = overloadSummary(ramp, overload);
    expect(o.bestLabel).toBe('hot offered=800/s');
    // The best step's load is the larger of its ops committed (600/s) and its keystrokes typed (720/s).
    expect(o.bestLoadPerSecond).toBe(720);
    expect(o.typedRatio).toBeCloseTo(2200 / 720);
    expect(o.committedRatio).toBeCloseTo(560 / 600);
    expect(o.rateLimitedShare).toBe(1);
    expect(o.meets).toEqual({ typed3x: true, committed90: true, refusalsRateLimited: true, ackUnder500: true });
  });

  it('fails each target on its own: too little offered, collapse, other error codes or RATE_LIMITED without retryAfterSeconds, slow acks', () => {
    const bad = step('hot overload', 1500, 360, {
      errors: { errorAnswers: 40 },
      errorsByCode: { RATE_LIMITED: 30, INTERNAL_SERVER_ERROR: 10 },
      rateLimitedWithRetryAfter: 20,
      ack: latency(900),
    });
    const o = overloadSummary(ramp, bad);
    expect(o.rateLimitedShare).toBe(0.5);
    expect(o.meets).toEqual({ typed3x: false, committed90: false, refusalsRateLimited: false, ackUnder500: false });
  });

  it("judges the load offered by the keystrokes typed against the best step's load, and shows the submissions sent (each op once, resends apart) beside it", () => {
    // 3,000 keystrokes/s typed (4.2× the best step's 720/s), composed into 1,500 distinct submissions/s, 900/s more sent again after RATE_LIMITED.
    const overload = step('hot overload', 3000, 560, { submittedPerSecond: 1500, resentPerSecond: 900, lightEditors: 30 });
    const o = overloadSummary(ramp, overload);
    expect(o.typedPerSecond).toBe(3000);
    expect(o.typedRatio).toBeCloseTo(3000 / 720);
    expect(o.submittedPerSecond).toBe(1500);
    expect(o.submittedRatio).toBeCloseTo(1500 / 600);
    expect(o.meets.typed3x).toBe(true);
    expect(o.resentPerSecond).toBe(900);
    const md = markdownReport({ machine: {}, startedAt: 'a', finishedAt: 'b', command: 'x', settings: {}, baselines: { pgInsert1: 2000, pgInsert8: 6000, redisPublish: 30000, seconds: 4 }, hot: { steps: ramp, maxSustained: 600, overload: { step: overload, summary: o } } });
    expect(md).toMatch(/load offered: typed ÷ the best step's load \(3000 keystrokes\/s ÷ 720\/s at hot offered=800\/s\) \| 4\.17× \| ≥ 3× \(met\)/);
    expect(md).toMatch(/submissions sent ÷ best committed \(1500\/s, each op once\) \| 2\.50× \| – /);
    expect(md).toContain('(900/s more were resends after `RATE_LIMITED` or an ack timeout)');
    expect(md).toContain('its committed ops/s and its keystrokes typed per second (600 and 720 here');
    // A row shows typed/s and sent/s side by side.
    expect(md).toContain('| 40 (30) | 1 | 3000 | 1500 | 560 |');
    // 3× the best step's committed ops is not 3× its load when it typed more than it committed
    // (2,000 ≥ 3 × 600 but < 3 × 720), however many submissions that makes.
    expect(overloadSummary(ramp, step('hot overload', 2000, 560, { submittedPerSecond: 1900 })).meets.typed3x).toBe(false);
  });

  it("compares the light editors' keystrokes accepted while the step typed with the best step's: useful work, however composed", () => {
    const lightRamp = ramp.map((r, i) => ({ ...r, lightTypedPerSecond: [150, 600, 900][i]!, lightCommittedKeystrokesPerSecond: [150, 540, 400][i]! }));
    const overload = step('hot overload', 3000, 560, { submittedPerSecond: 1500, lightTypedPerSecond: 2700, lightCommittedKeystrokesPerSecond: 2430 });
    const o = overloadSummary(lightRamp, overload);
    // The best step is the one with the most committed ops (800/s: 600 committed), not the most keystrokes.
    expect(o.lightKeystrokes).toEqual({ bestCommitted: 540, committed: 2430, typed: 2700 });
    const md = markdownReport({ machine: {}, startedAt: 'a', finishedAt: 'b', command: 'x', settings: {}, baselines: { pgInsert1: 2000, pgInsert8: 6000, redisPublish: 30000, seconds: 4 }, hot: { steps: lightRamp, maxSustained: 600, overload: { step: overload, summary: o } } });
    expect(md).toContain("| light editors' keystrokes accepted while the step typed ÷ the best step's (2430/s of 2700/s typed ÷ 540/s) | 4.50× |");
    // Without light editors' counts (older results, full bots only) there is no such row.
    expect(overloadSummary(ramp, step('hot overload', 3000, 560)).lightKeystrokes).toBeUndefined();
  });

  it("types 3× the best step's load (+10 %): the larger of its committed ops and its keystrokes typed, whichever step committed most", () => {
    // The 800/s step committed most (600/s) and typed 720/s: 3 × 720 × 1.1.
    expect(overloadTarget(ramp, 3)).toBe(2376);
    // A step that committed more than it typed in its window (ops settling from the step before) counts its commits.
    expect(bestLoadPerSecond(step('settling', 500, 560))).toBe(560);
    expect(overloadTarget([step('a', 200, 200), step('b', 500, 560)], 3)).toBe(1848);
  });

  it('results from before submissions were counted show keystrokes as the submissions sent', () => {
    expect(overloadSummary(ramp, step('hot overload', 1900, 600)).submittedPerSecond).toBe(1900);
  });

  it('no refusals at all counts as every refusal being RATE_LIMITED', () => {
    expect(overloadSummary(ramp, step('hot overload', 1900, 600)).rateLimitedShare).toBe(1);
  });

  it('needs a ramp to compare with', () => {
    expect(() => overloadSummary([], step('x', 1, 1))).toThrow(/ramp/);
  });
});

describe('many documents verdict', () => {
  it('meets the targets with everything committed, fast acks and only RATE_LIMITED refusals', () => {
    const ok = docsVerdict(step('docs', 300, 297, { errors: { errorAnswers: 3 }, rateLimitedWithRetryAfter: 3, ack: latency(400) }));
    expect(ok.meets).toEqual({ committed95: true, ackUnder1s: true, onlyRateLimited: true });
  });

  it('the old collapse misses all three', () => {
    const collapse = docsVerdict(step('docs', 302, 90, { errors: { errorAnswers: 35910 }, errorsByCode: { INTERNAL_SERVER_ERROR: 35910 }, ack: latency(37616) }));
    expect(collapse.committedShare).toBeCloseTo(90 / 302);
    expect(collapse.meets).toEqual({ committed95: false, ackUnder1s: false, onlyRateLimited: false });
  });
});

describe('report', () => {
  it('prints the overload table with its verdicts and the error codes seen with their first message', () => {
    const overload = step('hot overload', 1900, 300, {
      errors: { errorAnswers: 7 },
      errorsByCode: { INTERNAL_SERVER_ERROR: 7 },
      errorMessages: { INTERNAL_SERVER_ERROR: 'Something went wrong on the server; try again.' },
    });
    const results: BenchResults = {
      machine: {},
      startedAt: 'a',
      finishedAt: 'b',
      command: 'npm run bench',
      settings: {},
      baselines: { pgInsert1: 2000, pgInsert8: 6000, redisPublish: 30000, seconds: 4 },
      hot: { steps: ramp, maxSustained: 600, overload: { step: overload, summary: overloadSummary(ramp, overload) } },
      docs: { steps: [step('docs', 300, 297)] },
    };
    const md = markdownReport(results);
    expect(md).toContain('(b′) The hot document at overload');
    expect(md).toMatch(/committed ÷ best committed \| 0\.50× \(300\/s\) \| ≥ 0\.90× \(\*\*not met\*\*\)/);
    expect(md).toContain('INTERNAL_SERVER_ERROR 7');
    expect(md).toContain('- `INTERNAL_SERVER_ERROR`: Something went wrong on the server; try again.');
    expect(md).toMatch(/Committed 99 % of typed \(keystrokes; target ≥ 95 %: met\)/);
  });
});

describe('pg_stat_activity sample', () => {
  it('counts sessions by state and wait, groups statements by their start, and keeps the oldest transaction', () => {
    const sample = summarize(
      [
        { state: 'idle in transaction', wait: 'Client:ClientRead', query: 'SELECT "version" FROM "Document"\n  WHERE id = $1 FOR UPDATE', xactMs: 1200.4 },
        { state: 'active', wait: 'Lock:transactionid', query: 'SELECT "version" FROM "Document"   WHERE id = $1 FOR UPDATE', xactMs: 300 },
        { state: 'active', wait: 'Lock:transactionid', query: 'SELECT "version" FROM "Document" WHERE id = $1 FOR UPDATE', xactMs: 200 },
        { state: 'idle', wait: 'Client:ClientRead', query: 'COMMIT', xactMs: null },
      ],
      'docs=1000×3',
      new Date('2026-12-06T14:00:00Z'),
    );
    expect(sample.connections).toBe(4);
    expect(sample.byState).toEqual({ 'idle in transaction': 1, active: 2, idle: 1 });
    expect(sample.byWait).toEqual({ 'Client:ClientRead': 2, 'Lock:transactionid': 2 });
    expect(Object.entries(sample.statements)[0]).toEqual(['active | SELECT "version" FROM "Document" WHERE id = $1 FOR UPDATE', 2]);
    expect(sample.oldestTransactionMs).toBe(1200);
    expect(sample.step).toBe('docs=1000×3');
  });
});

describe('instance metrics in the timeline', () => {
  it('keeps the event-loop lag, CPU and op counters of a Prometheus exposition and skips the rest', () => {
    const text = [
      '# HELP verso_process_nodejs_eventloop_lag_p99_seconds The 99th percentile of the recorded event loop delays.',
      'verso_process_nodejs_eventloop_lag_p99_seconds 0.512',
      'verso_process_nodejs_heap_size_total_bytes 123456',
      'verso_ops_applied_total{outcome="applied"} 42',
      'verso_postgres_errors_total 3',
      '',
    ].join('\n');
    expect(pickMetrics(text)).toEqual({
      verso_process_nodejs_eventloop_lag_p99_seconds: 0.512,
      'verso_ops_applied_total{outcome="applied"}': 42,
      verso_postgres_errors_total: 3,
    });
  });
});
