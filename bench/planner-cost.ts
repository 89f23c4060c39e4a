/**
 * `npx tsx bench/planner-cost.ts [--components=2000] [--batch=40] [--behind=20] [--rounds=200]`:
 * what planning one batch costs on one process, split into its transforms and its applies
 * (issue 16: "the planner's apply copies the whole content per submission"). A document of
 * `components` formatted runs (or one plain run with --components=1), a tail of `behind` ops,
 * and a batch of `batch` keystroke-sized submissions each made `behind` versions back.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { advance, type KnownHead } from '../lib/collab/known-head.ts';
import { planBatch } from '../lib/collab/planner.ts';
import type { AppliedOp, SubmitInput } from '../lib/collab/types.ts';
import { apply, Delta, transform } from '../lib/ot/operation.ts';

const { values: argv } = parseArgs({
  options: {
    components: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '40' },
    behind: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '200' },
  },
});
const components = Number(argv.components);
const batchSize = Number(argv.batch);
const behind = Number(argv.behind);
const rounds = Number(argv.rounds);

let doc = new Delta();
for (let i = 0; i < components - 1; i++) doc = doc.insert(`run ${i} of some text `, i % 2 ? { bold: true } : undefined);
doc = doc.insert(components > 1 ? '\n' : `${'plain text '.repeat(400)}\n`);
const length = doc.length();
const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i);

let head: KnownHead = { version: 0, content: doc, createdAt: at(0), historyEpoch: 0, newest: null, tail: [], fingerprint: '' };
for (let v = 1; v <= behind; v++) {
  const op: AppliedOp = { documentId: 'd', version: v, delta: new Delta().retain((v * 7919) % (length - 1)).insert('x'), authorId: 'u', clientId: 'tail', clientSeq: v, createdAt: at(v) };
  head = advance(head, [op], 60_000)!;
}
const inputs: SubmitInput[] = Array.from({ length: batchSize }, (_, i) => ({
  documentId: 'd',
  baseVersion: 0,
  clientId: `c${i}`,
  clientSeq: 1,
  authorId: `u${i}`,
  delta: new Delta().retain((i * 104729) % (length - 1)).insert('ab'),
}));

const time = (work: () => void): number => {
  for (let i = 0; i < 5; i++) work();
  const start = performance.now();
  for (let i = 0; i < rounds; i++) work();
  return (performance.now() - start) / rounds;
};

const plan = planBatch(head, 'd', inputs, { now: () => at(1000), pauseMs: 60_000 });
const planMs = time(() => planBatch(head, 'd', inputs, { now: () => at(1000), pauseMs: 60_000 }));
// The same transforms alone, and the same applies alone (on the contents the plan goes through).
const transformMs = time(() => {
  const accepted: Delta[] = [];
  for (const input of inputs) {
    let delta = input.delta;
    for (const op of head.tail) delta = transform(delta, op.delta, 'right');
    for (const a of accepted) delta = transform(delta, a, 'right');
    accepted.push(delta);
  }
});
const applyMs = time(() => {
  let content = head.content;
  for (const op of plan.ops) {
    const next = apply(content, op.delta);
    if (next.ok) content = next.value;
  }
});
console.log(
  JSON.stringify({ components: doc.ops.length, length, batch: batchSize, behind, planMsPerBatch: +planMs.toFixed(3), transformMs: +transformMs.toFixed(3), applyMs: +applyMs.toFixed(3), applyShare: +(applyMs / planMs).toFixed(2) }),
);
