/**
 * `npx tsx bench/compare.ts <before.json> <after.json> [--out=<file.md>] [--before-label=…] [--after-label=…]`
 *
 * Puts two bench runs (bench/run.ts JSON) side by side against issue 13's targets: (c) after (b)
 * in the same run, the hot document at overload, and the no-regression figures (largest editor
 * count with p99 fan-out < 100 ms, the hot document's best committed rate), each also as a ratio
 * of its own run's PostgreSQL 1-connection commit baseline, since the machine is shared.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compareRuns } from './lib/compare.ts';
import type { BenchResults } from './lib/report.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    'before-label': { type: 'string', default: 'before' },
    'after-label': { type: 'string', default: 'after' },
  },
});
if (positionals.length !== 2) throw new Error('usage: npx tsx bench/compare.ts <before.json> <after.json> [--out=<file.md>]');
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
const markdown = compareRuns(
  { label: String(values['before-label']), results: read(positionals[0]!) },
  { label: String(values['after-label']), results: read(positionals[1]!) },
);
if (values.out) writeFileSync(values.out, markdown);
console.log(markdown);
