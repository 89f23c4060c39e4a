/**
 * The measurements: each case runs `iterations` times after a short warm-up; latencies in ms.
 * They call the same functions the GraphQL resolvers call (documentAt for `at`, revisionsPage,
 * the blame store), so the numbers are the server-side cost without HTTP and JSON.
 */
import { blameSpans } from '../../lib/collab/blame.ts';
import { documentAt, type DocumentState } from '../../lib/collab/document-loader.ts';
import { changeBetween } from '../../lib/collab/history-diff.ts';
import type { OpStore } from '../../lib/collab/op-store.ts';
import { createPrismaBlameStore } from '../../lib/db/blame-store.ts';
import type { PrismaClient } from '../../lib/db/prisma.ts';
import { revisionsPage } from '../../lib/db/revisions.ts';
import { diff } from '../../lib/ot/operation.ts';
import { seededRandom } from '../../lib/ot/random-op.ts';

export interface CaseResult {
  readonly name: string;
  readonly iterations: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

async function timeIt(name: string, iterations: number, run: (i: number) => Promise<unknown>): Promise<CaseResult> {
  for (let i = 0; i < Math.min(10, iterations); i++) await run(i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run(i);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)] ?? NaN;
  return { name, iterations, p50: at(0.5), p99: at(0.99), max: samples.at(-1) ?? NaN, mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

async function stateAt(store: OpStore, documentId: string, version: number): Promise<DocumentState> {
  const result = await documentAt(store, documentId, version);
  if (result.kind !== 'found') throw new Error(`bench: at(${version}) answered ${result.code}`);
  return result.state;
}

/** Runs every case against `documentId` (head `head`). */
export async function measureAll(prisma: PrismaClient, store: OpStore, documentId: string, head: number, iterations: number): Promise<CaseResult[]> {
  const random = seededRandom(7);
  const blames = createPrismaBlameStore(prisma);
  const results: CaseResult[] = [];
  const log = (r: CaseResult) => {
    results.push(r);
    console.log(`  ${r.name}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`);
  };

  log(await timeIt('at(v), random v', iterations, () => stateAt(store, documentId, Math.floor(random() * (head + 1)))));
  log(await timeIt('revisions, first page (20)', iterations, () => revisionsPage(prisma, documentId, { first: 20 })));
  const oldest = await prisma.revision.findMany({ where: { documentId }, orderBy: { toVersion: 'asc' }, take: 200, select: { toVersion: true } });
  log(
    await timeIt('revisions, deep page (20, near the oldest)', iterations, (i) =>
      revisionsPage(prisma, documentId, { first: 20, beforeToVersion: oldest[(i * 37) % oldest.length]!.toVersion }),
    ),
  );
  // As Document.diff does it (lib/documents/history.ts): the document at the lower version and the
  // ops in between, composed; and, for comparison, a text diff of the two documents.
  log(
    await timeIt('diff across 1,000 versions (ops composed)', Math.ceil(iterations / 2), async () => {
      const from = Math.floor(random() * (head - 1000));
      const [lower, ops] = await Promise.all([stateAt(store, documentId, from), store.opsAfter(documentId, from, 1000)]);
      return changeBetween(from, from + 1000, lower.content, ops.map((op) => op.delta));
    }),
  );
  log(
    await timeIt('diff across 1,000 versions (text diff, for comparison)', Math.min(20, iterations), async () => {
      const from = Math.floor(random() * (head - 1000));
      const [a, b] = await Promise.all([stateAt(store, documentId, from), stateAt(store, documentId, from + 1000)]);
      return diff(a.content, b.content);
    }),
  );
  log(
    await timeIt('blame at head (with text spans)', Math.ceil(iterations / 2), async () => {
      const [blame, state] = await Promise.all([blames.blameAt(documentId, head), stateAt(store, documentId, head)]);
      if (!blame) throw new Error('bench: no blame at head');
      return blameSpans(state.content, blame.runs);
    }),
  );
  log(
    await timeIt('blame at random v (with text spans)', Math.ceil(iterations / 2), async () => {
      const v = Math.floor(random() * (head + 1));
      const [blame, state] = await Promise.all([blames.blameAt(documentId, v), stateAt(store, documentId, v)]);
      if (!blame) throw new Error(`bench: no blame at ${v}`);
      return blameSpans(state.content, blame.runs);
    }),
  );
  return results;
}
