/** Two bench runs side by side against issue 13's targets (pure: unit-tested). */
import { docsVerdict, otherErrors, overloadSummary } from './overload.ts';
import type { BenchResults, StepResult } from './report.ts';

export interface LabelledRun {
  readonly label: string;
  readonly results: BenchResults;
}

const n = (x: number | null | undefined, digits = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${Math.round(x * 100)} %`);
const verdict = (ok: boolean | null) => (ok === null ? '–' : ok ? 'met' : '**not met**');
const codes = (step: StepResult | undefined) => (step ? Object.entries(step.errorsByCode ?? {}).map(([code, k]) => `${code} ${k}`).join(', ') || 'none' : '–');
/** after ÷ before, as "1.23×". */
const ratio = (after: number | null | undefined, before: number | null | undefined) =>
  after === null || after === undefined || before === null || before === undefined || !(before > 0) || !Number.isFinite(after) ? '–' : `${(after / before).toFixed(2)}×`;

/** A figure a run measured but no step qualified for ("none"), or did not measure at all ("–"). */
const qualified = (section: unknown, x: number | null | undefined) => (section === undefined ? '–' : x === null || x === undefined ? 'none' : n(x));

/** The hot ramp's best committed rate, whatever its latency (the "no regression" figure). */
export function bestHot(results: BenchResults): StepResult | undefined {
  const steps = results.hot?.steps ?? [];
  return steps.length ? steps.reduce((a, b) => (b.committedPerSecond > a.committedPerSecond ? b : a)) : undefined;
}

export function compareRuns(before: LabelledRun, after: LabelledRun): string {
  const runs = [before, after];
  const row = (name: string, cells: (r: BenchResults) => string, target = '') => `| ${name} | ${runs.map((r) => cells(r.results)).join(' | ')} | ${target} |`;
  const head = `| measure | ${runs.map((r) => r.label).join(' | ')} | target |`;
  const rule = `| --- | ${runs.map(() => '---:').join(' | ')} | --- |`;
  const docs = (r: BenchResults) => r.docs?.steps[0];
  // Judged again by the current rules (stored summaries of older runs judged 3× on submissions sent, or on the best committed rate alone).
  const over = (r: BenchResults) => {
    const o = r.hot?.overload;
    return o && r.hot!.steps.length ? { step: o.step, summary: overloadSummary(r.hot!.steps, o.step) } : undefined;
  };
  const base = (r: BenchResults) => r.baselines.pgInsert1;
  const b = before.results;
  const a = after.results;
  const lines = [
    `# Issue 13 targets: ${before.label} vs ${after.label}`,
    '',
    `Runs: ${runs.map((r) => `${r.label} \`${r.results.command}\` ${r.results.startedAt} → ${r.results.finishedAt}`).join('; ')}.`,
    'The machine is shared (2 cores): each figure is also given as a ratio of its own run\'s PostgreSQL',
    '1-connection INSERT commit rate, measured in the same run.',
    '',
    '## Same-run baselines',
    '',
    head,
    rule,
    row('PostgreSQL INSERT commits/s, 1 connection', (r) => n(r.baselines.pgInsert1)),
    row('PostgreSQL INSERT commits/s, 8 connections', (r) => n(r.baselines.pgInsert8)),
    row('Redis PUBLISH/s', (r) => n(r.baselines.redisPublish)),
    '',
    '## (c) 1,000 documents × 3 editors, after (b) in the same run and database',
    '',
    head,
    rule,
    row('offered ops/s', (r) => n(docs(r)?.offeredPerSecond)),
    row('committed ops/s', (r) => n(docs(r)?.committedPerSecond)),
    row('committed ÷ offered', (r) => pct(docs(r) && docsVerdict(docs(r)!).committedShare), '≥ 95 %'),
    row('ack p99 (ms)', (r) => n(docs(r)?.ack.p99), '< 1,000'),
    row('error answers by code', (r) => codes(docs(r))),
    row('error answers other than RATE_LIMITED with retryAfterSeconds', (r) => n(docs(r) && otherErrors(docs(r)!)), '0'),
    row('resubmissions', (r) => n(docs(r)?.errors.resubmissions)),
    row('verdict', (r) => {
      const step = docs(r);
      if (!step) return '–';
      const m = docsVerdict(step).meets;
      return verdict(m.committed95 && m.ackUnder1s && m.onlyRateLimited);
    }),
    '',
    '## Hot document at ≥ 3× overload',
    '',
    head,
    rule,
    row('best committed ops/s of the ramp (step)', (r) => (over(r) ? `${n(over(r)!.summary.bestCommittedPerSecond)} (${over(r)!.summary.bestLabel})` : '–')),
    row("overload: typed ÷ the best step's load (the load offered)", (r) => (over(r) ? `${n(over(r)!.summary.typedRatio, 2)}×` : '–'), '≥ 3×'),
    row('overload: submissions sent ÷ best committed', (r) => (over(r) ? `${n(over(r)!.summary.submittedRatio, 2)}×` : '–')),
    row('overload: committed ÷ best committed', (r) => (over(r) ? `${n(over(r)!.summary.committedRatio, 2)}×` : '–'), '≥ 0.90×'),
    row('overload: error answers by code', (r) => codes(over(r)?.step)),
    row('overload: refusals that are RATE_LIMITED with retryAfterSeconds', (r) => pct(over(r)?.summary.rateLimitedShare), '100 %'),
    row('overload: p99 ack of accepted submissions (ms)', (r) => n(over(r)?.summary.acceptedAckP99), '< 500'),
    row('verdict', (r) => {
      const o = over(r)?.summary;
      return o ? verdict(o.meets.typed3x && o.meets.committed90 && o.meets.refusalsRateLimited && o.meets.ackUnder500) : '–';
    }),
    '',
    '## No regression',
    '',
    `| measure | ${before.label} | ${after.label} | ${after.label} ÷ ${before.label} |`,
    '| --- | ---: | ---: | ---: |',
    `| largest editor count with p99 fan-out < 100 ms | ${qualified(b.editors, b.editors?.largestUnder100ms)} | ${qualified(a.editors, a.editors?.largestUnder100ms)} | ${ratio(a.editors?.largestUnder100ms, b.editors?.largestUnder100ms)} |`,
    `| hot document: best committed ops/s | ${n(bestHot(b)?.committedPerSecond)} | ${n(bestHot(a)?.committedPerSecond)} | ${ratio(bestHot(a)?.committedPerSecond, bestHot(b)?.committedPerSecond)} |`,
    `| hot document: best committed ÷ PG 1-conn | ${n((bestHot(b)?.committedPerSecond ?? Number.NaN) / base(b), 3)} | ${n((bestHot(a)?.committedPerSecond ?? Number.NaN) / base(a), 3)} | ${ratio((bestHot(a)?.committedPerSecond ?? Number.NaN) / base(a), (bestHot(b)?.committedPerSecond ?? Number.NaN) / base(b))} |`,
    `| hot document: max committed ops/s with p99 ack < 100 ms | ${qualified(b.hot, b.hot?.maxSustained)} | ${qualified(a.hot, a.hot?.maxSustained)} | ${ratio(a.hot?.maxSustained, b.hot?.maxSustained)} |`,
    '',
  ];
  return lines.join('\n');
}
