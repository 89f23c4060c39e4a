/**
 * `npm run drill -- [--faults=a,b] [--stall-seconds=60] [--outage-seconds=3] [--drop-seconds=10] [--bots=8] [--rate=4]`
 *
 * Fault drills under load on a private PostgreSQL cluster and redis-server (nothing shared is
 * restarted): kill -9 of an instance, Redis restart, PostgreSQL crash and restart, 2 % of acks
 * dropped, a client that stops reading. Prints each check; exits 1 on any violation.
 */
import { parseArgs } from 'node:util';
import { ALL_FAULTS, runDrill, type FaultName } from '../bench/lib/drill.ts';

const { values } = parseArgs({
  options: {
    faults: { type: 'string', default: ALL_FAULTS.join(',') },
    bots: { type: 'string', default: '8' },
    rate: { type: 'string', default: '4' },
    'before-seconds': { type: 'string', default: '3' },
    'outage-seconds': { type: 'string', default: '3' },
    'drop-seconds': { type: 'string', default: '10' },
    'stall-seconds': { type: 'string', default: '60' },
    'after-seconds': { type: 'string', default: '4' },
    // Diagnosis: the instances' log level and a folder for their logs.
    'server-log-level': { type: 'string', default: 'warn' },
    'server-logs': { type: 'string' },
  },
});

const faults = String(values.faults).split(',') as FaultName[];
for (const f of faults) if (!ALL_FAULTS.includes(f)) throw new Error(`unknown fault "${f}" (${ALL_FAULTS.join(', ')})`);

// Signals end the run through runDrill's teardown (it stops every process and cluster it started).
const abort = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (abort.signal.aborted) process.exit(130);
    console.error(`drill: ${signal}, cleaning up (again to force)`);
    abort.abort();
  });
}

const started = performance.now();
runDrill({
  faults,
  bots: Number(values.bots),
  opsPerSecond: Number(values.rate),
  beforeSeconds: Number(values['before-seconds']),
  outageSeconds: Number(values['outage-seconds']),
  dropSeconds: Number(values['drop-seconds']),
  stallSeconds: Number(values['stall-seconds']),
  afterSeconds: Number(values['after-seconds']),
  serverLogLevel: String(values['server-log-level']),
  ...(values['server-logs'] ? { serverLogDir: String(values['server-logs']) } : {}),
  signal: abort.signal,
}).then(
  (report) => {
    console.log(`\ndrill ${report.ok ? 'PASSED' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    console.log('| fault | result | recovery (s) | acks | duplicates | resubmissions | violations |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: | --- |');
    for (const f of report.faults) {
      const violations = f.checks.filter((c) => !c.ok).map((c) => c.name).join(', ') || 'none';
      console.log(`| ${f.fault} | ${f.ok ? 'pass' : 'FAIL'} | ${f.recoverySeconds?.toFixed(2) ?? 'never'} | ${f.counters.acks} | ${f.counters.duplicates} | ${f.counters.resubmissions} | ${violations} |`);
    }
    process.exit(report.ok ? 0 : 1);
  },
  (error: unknown) => {
    console.error('drill could not run:', error);
    process.exit(1);
  },
);
