/**
 * Throughput of lib/ot against quill-delta's raw operations, in the same run.
 * Run: npx tsx bench/ot/index.ts   (under a minute; BENCH_MS=… sets the time per measurement, default 250)
 *
 * "lib/ot" rows go through lib/ot's checks (applicability, size bounds); "richText" rows also
 * validate the op from JSON, as the server does for each submitted op. The baseline is the bare
 * quill-delta call with no checks. Ops are typical typing: one-character inserts and deletes at
 * random positions, and a bold retain over a few characters.
 */
import { apply, compose, Delta, transform, unwrap, validateOp } from '../../lib/ot/operation.ts';
import { buildOp, seededRandom, type Edit } from '../../lib/ot/random-op.ts';
import { richText } from '../../lib/ot/rich-text.ts';

const BUDGET_MS = Number(process.env.BENCH_MS ?? 250);
const random = seededRandom(42);

/** A document of formatted lines: every third word bold, every tenth line a header. */
function makeDocument(targetLength: number): Delta {
  const doc = new Delta();
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit'];
  let length = 0;
  for (let line = 0; length < targetLength - 80; line++) {
    for (let w = 0; w < 8; w++) {
      const word = `${words[(line + w) % words.length] ?? 'x'} `;
      doc.insert(word, w % 3 === 0 ? { bold: true } : undefined);
      length += word.length;
    }
    doc.insert('\n', line % 10 === 0 ? { header: 2 } : undefined);
    length += 1;
  }
  return doc.insert('end\n');
}

type Kind = 'insert 1 char' | 'delete 1 char' | 'bold 5 chars';
const plan = (kind: Kind): Edit[] => {
  const at = random();
  if (kind === 'insert 1 char') return [{ kind: 'insert', at, content: 'x' }];
  if (kind === 'delete 1 char') return [{ kind: 'delete', at, span: 0 }];
  return [{ kind: 'format', at, span: 4 / 1_000_000, attributes: { bold: true } }];
};

function opsFor(doc: Delta, kind: Kind, count: number): Delta[] {
  return Array.from({ length: count }, () => buildOp(doc, plan(kind)));
}

/** Calls per second of `run(i)`, timed over at least BUDGET_MS after a short warm-up. */
function measure(run: (i: number) => unknown): number {
  const warm = performance.now();
  for (let i = 0; i < 20 && performance.now() - warm < 50; i++) run(i);
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    run(calls++);
    elapsed = performance.now() - start;
  } while (elapsed < BUDGET_MS);
  return (calls / elapsed) * 1000;
}

/**
 * Best of two alternating rounds of each side: GC and JIT state left by the previous measurement
 * otherwise favour whichever side runs second.
 */
function versus(ours: (i: number) => unknown, baseline: (i: number) => unknown): [number, number] {
  const b1 = measure(baseline);
  const o1 = measure(ours);
  const b2 = measure(baseline);
  const o2 = measure(ours);
  return [Math.max(o1, o2), Math.max(b1, b2)];
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

const rows: string[] = [];
const row = (docName: string, kind: string, operation: string, ours: number, baseline: number | undefined) => {
  const ratio = baseline === undefined ? '—' : `${(ours / baseline).toFixed(2)}×`;
  rows.push(`| ${docName} | ${kind} | ${operation} | ${fmt(ours)} | ${baseline === undefined ? '—' : fmt(baseline)} | ${ratio} |`);
};

const documents: [string, Delta][] = [
  ['1 KB', makeDocument(1_024)],
  ['1 MB', makeDocument(1_048_576)],
];

for (const [docName, doc] of documents) {
  for (const kind of ['insert 1 char', 'delete 1 char', 'bold 5 chars'] as const) {
    const ops = opsFor(doc, kind, 512);
    const others = opsFor(doc, 'insert 1 char', 512);
    const jsonOps = ops.map((op) => JSON.parse(JSON.stringify(op)) as unknown);
    const at = (list: readonly Delta[], i: number) => list[i % list.length] ?? new Delta();

    const apply1 = (i: number) => unwrap(apply(doc, at(ops, i)));
    const raw = (i: number) => doc.compose(at(ops, i));
    row(docName, kind, 'apply (lib/ot)', ...versus(apply1, raw));
    row(docName, kind, 'validate + apply (richText, JSON op)', ...versus((i) => richText.apply(doc, jsonOps[i % jsonOps.length]), raw));
    if (docName === '1 KB') {
      // Ops are small whatever the document size, so transform and compose are measured once.
      row('any', kind, 'transform', ...versus((i) => transform(at(ops, i), at(others, i), 'left'), (i) => at(others, i).transform(at(ops, i), true)));
      row('any', kind, 'compose', ...versus((i) => compose(at(others, i), at(ops, i)), (i) => at(others, i).compose(at(ops, i))));
      row('any', kind, 'validateOp (JSON)', measure((i) => unwrap(validateOp(jsonOps[i % jsonOps.length]))), undefined);
    }
  }
}

console.log(`lib/ot vs quill-delta ${process.version}, ${BUDGET_MS} ms per measurement; ops/s, ratio = lib/ot ÷ quill-delta\n`);
console.log('| document | op | operation | lib/ot ops/s | quill-delta ops/s | ratio |');
console.log('| --- | --- | --- | ---: | ---: | ---: |');
for (const line of rows) console.log(line);
console.log('\nlib/ot transforms two simple edits (one insert or delete at one place, as typing makes) by');
console.log("arithmetic, the rest through quill-delta; compose is a direct call into quill-delta, so its ratio");
console.log("shows this run's noise; apply adds one walk of the document (length, final newline, surrogate pairs).");
