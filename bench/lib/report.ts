/** Bench results as JSON, a Markdown report and an SVG chart of latency against editors. */
import type { Baselines } from './baselines.ts';
import { docsVerdict, otherErrors, type OverloadSummary } from './overload.ts';
import { round } from './stats.ts';
import type { Bottleneck, ProcUse, StepResult } from './step-result.ts';

export type { Bottleneck, ProcUse, StepResult };

export interface IdleResult {
  readonly connections: number;
  readonly failed: number;
  readonly documents: number;
  readonly delivered: number;
  readonly perInstance: ReadonlyArray<{ connections: number; rssBeforeMb: number; rssAfterMb: number; bytesPerConnection: number }>;
  readonly bytesPerConnection: number;
}

export interface BenchResults {
  readonly machine: Record<string, string | number>;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly settings: Record<string, unknown>;
  readonly baselines: Baselines;
  readonly editors?: { readonly steps: readonly StepResult[]; readonly largestUnder100ms: number | null };
  /** The editors ramp with light editors beside `--full-bots` full ones. */
  readonly light?: { readonly steps: readonly StepResult[]; readonly largestUnder100ms: number | null };
  readonly hot?: {
    readonly steps: readonly StepResult[];
    readonly maxSustained: number | null;
    /** The step typing a multiple of the ramp's best step's load (the larger of its committed ops/s and keystrokes typed/s), judged against it. */
    readonly overload?: { readonly step: StepResult; readonly summary: OverloadSummary };
  };
  readonly docs?: { readonly steps: readonly StepResult[] };
  readonly idle?: IdleResult;
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : '–');
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : '–');
const ratio = (x: number, base: number) => (base > 0 ? `${(x / base).toFixed(2)}×` : '–');

function stepTable(steps: readonly StepResult[], baselines: Baselines): string {
  const lines = [
    '| editors (light) | docs | typed/s | sent/s | committed/s | ÷ PG 1-conn | deliveries/s | ack p50 / p95 / p99 / max (ms) | fan-out p50 / p95 / p99 / max (ms) | server CPU (per instance) | server µs per delivery | server RSS MB | bots CPU | PG / Redis CPU | PG xact/s | machine idle | errors |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- | --- | --- | --- | ---: | ---: | --- |',
  ];
  for (const s of steps) {
    const byCode = Object.entries(s.errorsByCode).map(([code, n]) => `${code} ${n}`);
    const errors = [...Object.entries(s.errors).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`), ...(byCode.length ? [`(${byCode.join(', ')})`] : [])].join(', ') || 'none';
    lines.push(
      `| ${s.editors}${s.lightEditors ? ` (${s.lightEditors})` : ''} | ${s.documents} | ${Math.round(s.offeredPerSecond)} | ${s.submittedPerSecond === undefined ? '–' : Math.round(s.submittedPerSecond)} | ${Math.round(s.committedPerSecond)} | ${ratio(s.committedPerSecond, baselines.pgInsert1)} | ${Math.round(s.deliveriesPerSecond)} | ` +
        `${ms(s.ack.p50)} / ${ms(s.ack.p95)} / ${ms(s.ack.p99)} / ${ms(s.ack.max)} | ${ms(s.fanout.p50)} / ${ms(s.fanout.p95)} / ${ms(s.fanout.p99)} / ${ms(s.fanout.max)} | ` +
        `${s.servers.map((p) => pct(p.cpu)).join(', ')} | ${s.bottleneck ? s.bottleneck.serverMicrosPerDelivery.map((x) => (Number.isFinite(x) ? x.toFixed(1) : '–')).join(', ') : '–'} | ` +
        `${s.servers.map((p) => Math.round(p.rssMb)).join(', ')} | ${s.loadGenerators.map((p) => pct(p.cpu)).join(', ')} | ` +
        `${s.bottleneck ? `${pct(s.bottleneck.postgresCpu)} / ${pct(s.bottleneck.redisCpu)}` : '–'} | ${s.bottleneck?.postgresTransactionsPerSecond === undefined ? '–' : Math.round(s.bottleneck.postgresTransactionsPerSecond)} | ${s.bottleneck ? pct(s.bottleneck.machineIdle) : '–'} | ${errors} |`,
    );
  }
  return lines.join('\n');
}

export function markdownReport(r: BenchResults): string {
  const b = r.baselines;
  const out: string[] = [
    '# Verso collaboration bench',
    '',
    `Run ${r.startedAt} → ${r.finishedAt} with \`${r.command}\`.`,
    '',
    '## Machine',
    '',
    ...Object.entries(r.machine).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Baselines (same run, same services)',
    '',
    '| what | per second |',
    '| --- | ---: |',
    `| PostgreSQL single-row INSERT commits, 1 connection | ${Math.round(b.pgInsert1)} |`,
    `| PostgreSQL single-row INSERT commits, 8 connections | ${Math.round(b.pgInsert8)} |`,
    `| Redis PUBLISH (200 B, 50 connections, unpipelined) | ${Math.round(b.redisPublish)} |`,
    '',
    'Committed ops/s are also quoted as a ratio of the 1-connection commit rate (÷ PG 1-conn). Latencies are',
    'measured by the bots: ack = submitOperation sent → its answer; fan-out = an op sent by one bot → its',
    'arrival at each other bot (samples are (op, receiver) pairs whose sender runs in the same bot process).',
    'typed/s = keystrokes typed per second; bots and light editors compose keystrokes typed while earlier',
    'ones are unanswered into one submission. sent/s = submissions sent per second, each op counted once',
    'at its first send in the step (its resends after RATE_LIMITED or an ack timeout are not counted again;',
    'they are the errors column\'s resubmissions). Counted through the step\'s settle, every op sent is',
    'committed, a duplicate, or given up, so sent/s equals committed/s apart from failures.',
    '',
    `Settings: \`${JSON.stringify(r.settings)}\``,
    '',
  ];
  if (r.editors) {
    out.push(
      '## (a) Editors on one document, 1 op/s each, across the instances',
      '',
      `Largest count with p99 fan-out < 100 ms: **${r.editors.largestUnder100ms ?? 'none'}**.`,
      '',
      stepTable(r.editors.steps, b),
      '',
      '![latency against editors](collab-editors.svg)',
      '',
    );
  }
  if (r.light) {
    out.push(
      '## (a′) Light editors on one document, 1 op/s each, beside full bots',
      '',
      `Each step: the light editors (in brackets) plus ${r.settings.fullBots ?? '?'} full CollabSession bots, which must hold exactly the server's content after the step (errors: diverged). ` +
        `Largest count with p99 fan-out < 100 ms, every full bot converged, zero errors: **${r.light.largestUnder100ms ?? 'none'}**.`,
      '',
      stepTable(r.light.steps, b),
      '',
    );
  }
  if (r.hot) {
    const best = r.hot.maxSustained;
    out.push(
      '## (b) One hot document',
      '',
      `Max sustained committed ops/s with p99 ack < 100 ms: **${best === null ? 'none' : Math.round(best)}**` +
        (best === null ? '' : ` = ${ratio(best, b.pgInsert1)} the raw 1-connection commit rate, ${ratio(best, b.pgInsert8)} the 8-connection rate.`),
      '',
      stepTable(r.hot.steps, b),
      '',
    );
    if (r.hot.overload) out.push(...overloadSection(r.hot.overload.step, r.hot.overload.summary, b));
  }
  if (r.docs) {
    out.push('## (c) Many documents, 3 editors each', '', stepTable(r.docs.steps, b), '');
    for (const step of r.docs.steps) {
      const v = docsVerdict(step);
      out.push(
        `Committed ${pct(v.committedShare)} of typed (keystrokes; target ≥ 95 %: ${yes(v.meets.committed95)}); ack p99 ${ms(step.ack.p99)} ms (target < 1 s: ${yes(v.meets.ackUnder1s)}); ` +
          `error answers other than RATE_LIMITED with retryAfterSeconds: ${otherErrors(step)} (target 0: ${yes(v.meets.onlyRateLimited)}).`,
        '',
      );
    }
    out.push(...errorMessages([...(r.hot?.steps ?? []), ...(r.hot?.overload ? [r.hot.overload.step] : []), ...r.docs.steps]));
  }
  if (r.idle) {
    const i = r.idle;
    out.push(
      '## (d) Idle subscribed connections',
      '',
      `${i.connections} connections (${i.failed} failed) on ${i.documents} documents, each with one \`documentOperationBatches\` subscription; ` +
        `an op on every document then reached ${i.delivered} of them. Server RSS per connection: **${(i.bytesPerConnection / 1024).toFixed(1)} KB**.`,
      '',
      '| instance | connections | RSS before (MB) | RSS after (MB) | KB per connection |',
      '| ---: | ---: | ---: | ---: | ---: |',
      ...i.perInstance.map((p, n) => `| ${n} | ${p.connections} | ${p.rssBeforeMb.toFixed(0)} | ${p.rssAfterMb.toFixed(0)} | ${(p.bytesPerConnection / 1024).toFixed(1)} |`),
      '',
    );
  }
  return out.join('\n');
}

const yes = (ok: boolean) => (ok ? 'met' : '**not met**');

function overloadSection(step: StepResult, o: OverloadSummary, b: Baselines): string[] {
  const codes = Object.entries(o.errorsByCode).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  return [
    '### (b′) The hot document at overload',
    '',
    stepTable([step], b),
    '',
    '| measure | value | target |',
    '| --- | ---: | --- |',
    `| load offered: typed ÷ the best step's load (${Math.round(o.typedPerSecond)} keystrokes/s ÷ ${Math.round(o.bestLoadPerSecond)}/s at ${o.bestLabel}) | ${o.typedRatio.toFixed(2)}× | ≥ 3× (${yes(o.meets.typed3x)}) |`,
    `| submissions sent ÷ best committed (${Math.round(o.submittedPerSecond)}/s, each op once) | ${o.submittedRatio.toFixed(2)}× | – (equals committed but for failures; below) |`,
    `| committed ÷ best committed | ${o.committedRatio.toFixed(2)}× (${Math.round(o.committedPerSecond)}/s) | ≥ 0.90× (${yes(o.meets.committed90)}) |`,
    `| error answers | ${o.errorAnswers} (${codes}) | only RATE_LIMITED |`,
    `| share of refusals that are RATE_LIMITED with retryAfterSeconds | ${pct(o.rateLimitedShare)} | 100 % (${yes(o.meets.refusalsRateLimited)}) |`,
    `| p99 ack of accepted submissions | ${ms(o.acceptedAckP99)} ms | < 500 ms (${yes(o.meets.ackUnder500)}) |`,
    `| p99 first send → accepted (across resends and waits) | ${ms(step.ackFromFirstSend.p99)} ms | – |`,
    ...(o.lightKeystrokes && o.lightKeystrokes.bestCommitted > 0
      ? [
          `| light editors' keystrokes accepted while the step typed ÷ the best step's (${Math.round(o.lightKeystrokes.committed)}/s of ${Math.round(o.lightKeystrokes.typed)}/s typed ÷ ${Math.round(o.lightKeystrokes.bestCommitted)}/s) | ${(o.lightKeystrokes.committed / o.lightKeystrokes.bestCommitted).toFixed(2)}× | – (useful work, however composed; the rest are accepted while it settles) |`,
        ]
      : []),
    '',
    "The load offered is what the editors type, against the best step's load: the larger of its committed ops/s and its keystrokes typed per second (" +
      `${Math.round(o.bestCommittedPerSecond)} and ${Math.round(o.bestTypedPerSecond)} here; near the limit editors compose, so the two part). ` +
      'The step is built to type 3× of it (+10 %), so this checks that the bench delivered the load. ' +
      'Submissions sent counts each op once, at its first send' +
      (o.resentPerSecond === undefined ? '' : ` (${Math.round(o.resentPerSecond)}/s more were resends after \`RATE_LIMITED\` or an ack timeout)`) +
      ": counted through the step's settle, every op sent is committed, a duplicate or given up, so submissions equal commits apart from failures, and measure no load. " +
      'An editor refused backs off for `retryAfterSeconds` and composes what it types meanwhile into its next op, so at overload its ops grow rather than multiply.',
    '',
  ];
}

/** The first message seen for each error code (what a person reading the answer would see). */
function errorMessages(steps: readonly StepResult[]): string[] {
  const first: Record<string, string> = {};
  for (const step of steps) for (const [code, message] of Object.entries(step.errorMessages ?? {})) first[code] ??= message;
  if (Object.keys(first).length === 0) return [];
  return ['Error answers seen (first message of each code):', '', ...Object.entries(first).map(([code, message]) => `- \`${code}\`: ${message}`), ''];
}

/** Latency (log scale) against editors: fan-out p50/p95/p99 and ack p99, with the 100 ms line. */
export function editorsSvg(steps: readonly StepResult[], title: string): string {
  const W = 720, H = 420, left = 70, right = 160, top = 40, bottom = 50;
  const pw = W - left - right, ph = H - top - bottom;
  const xs = steps.map((s) => s.editors);
  const series: Array<{ name: string; color: string; dash?: string; values: number[] }> = [
    { name: 'fan-out p50', color: '#4c9be8', values: steps.map((s) => s.fanout.p50) },
    { name: 'fan-out p95', color: '#2a6fb0', values: steps.map((s) => s.fanout.p95) },
    { name: 'fan-out p99', color: '#123f6b', values: steps.map((s) => s.fanout.p99) },
    { name: 'ack p99', color: '#d9822b', dash: '6 4', values: steps.map((s) => s.ack.p99) },
  ];
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const yMin = Math.pow(10, Math.floor(Math.log10(Math.min(1, ...all))));
  const yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(1000, ...all))));
  const xMin = Math.min(...xs), xMax = Math.max(...xs);
  // Editors on a log scale too: the ramp roughly doubles.
  const x = (v: number) => left + (xMax === xMin ? pw / 2 : ((Math.log(v) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))) * pw);
  const y = (v: number) => top + ph - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  for (let d = yMin; d <= yMax; d *= 10) {
    parts.push(`<line x1="${left}" x2="${left + pw}" y1="${y(d).toFixed(1)}" y2="${y(d).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 8}" y="${(y(d) + 4).toFixed(1)}" text-anchor="end">${d >= 1 ? d : d.toFixed(1)} ms</text>`);
  }
  parts.push(`<line x1="${left}" x2="${left + pw}" y1="${y(100).toFixed(1)}" y2="${y(100).toFixed(1)}" stroke="#c0392b" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${left + pw + 4}" y="${(y(100) + 4).toFixed(1)}" fill="#c0392b">100 ms</text>`);
  for (const v of xs) {
    parts.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${top}" y2="${top + ph}" stroke="#eee"/>`);
    parts.push(`<text x="${x(v).toFixed(1)}" y="${top + ph + 18}" text-anchor="middle">${v}</text>`);
  }
  parts.push(`<text x="${left + pw / 2}" y="${H - 10}" text-anchor="middle">editors on one document (1 op/s each)</text>`);
  parts.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  series.forEach((s, i) => {
    const points = s.values.map((v, j) => (Number.isFinite(v) && v > 0 ? `${x(xs[j]!).toFixed(1)},${y(v).toFixed(1)}` : null)).filter((p): p is string => p !== null);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${points.join(' ')}"/>`);
    for (const p of points) {
      const [px, py] = p.split(',');
      parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${s.color}"/>`);
    }
    const ly = top + 10 + i * 20;
    parts.push(`<line x1="${left + pw + 10}" x2="${left + pw + 34}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    parts.push(`<text x="${left + pw + 40}" y="${ly + 4}">${s.name}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export { round };
