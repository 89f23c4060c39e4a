/**
 * History latency on a 100,000-op document (issue 6).
 * Run: npx tsx bench/history/index.ts        (first run generates the document: several minutes)
 *      npx tsx bench/history/index.ts --fresh (regenerate)
 * Env: BENCH_DATABASE_URL (default: DATABASE_URL's server, database `verso_bench_history`),
 *      REDIS_URL, BENCH_OPS (default 100000), BENCH_ITERATIONS (default 300), SNAPSHOT_EVERY (default 100).
 * Writes bench/results/history.md and bench/results/history.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import pg from 'pg';
import { createPrisma } from '../../lib/db/prisma.ts';
import { ensureDatabase, migrate } from '../../lib/migrator/migrate.ts';
import { withDatabase } from '../../lib/migrator/connection.ts';
import { createPrismaOpStore } from '../../lib/db/op-store.ts';
import { createRedisBroadcaster } from '../../lib/pubsub/redis-broadcaster.ts';
import { openRedisPubSub } from '../../lib/pubsub/redis-connections.ts';
import { generateDocument } from './generate.ts';
import { measureAll, type CaseResult } from './measure.ts';

const COUNT = Number(process.env.BENCH_OPS ?? 100_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const SNAPSHOT_EVERY = Number(process.env.SNAPSHOT_EVERY ?? 100);
const databaseUrl =
  process.env.BENCH_DATABASE_URL ?? withDatabase(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/verso', 'verso_bench_history');
const documentId = `bench-history-${COUNT}-s${SNAPSHOT_EVERY}`;

async function main(): Promise<void> {
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const prisma = createPrisma(databaseUrl);
  const connections = openRedisPubSub(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const existing = await prisma.document.findUnique({ where: { id: documentId }, select: { version: true } });
    if (existing && (process.argv.includes('--fresh') || existing.version !== COUNT)) {
      await prisma.document.delete({ where: { id: documentId } });
    }
    if (!existing || process.argv.includes('--fresh') || existing.version !== COUNT) {
      console.log(`generating ${COUNT} ops through the sequencer into ${documentId}…`);
      const started = performance.now();
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
      await generateDocument({
        prisma,
        pool,
        broadcaster: createRedisBroadcaster({ connections, prefix: 'verso-bench:' }),
        documentId,
        count: COUNT,
        snapshotEvery: SNAPSHOT_EVERY,
        onProgress: (v) => console.log(`  ${v} ops (${((performance.now() - started) / 1000).toFixed(0)} s)`),
      });
      await pool.end();
      console.log(`generated in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    const [revisions, snapshots, content] = await Promise.all([
      prisma.revision.count({ where: { documentId } }),
      prisma.snapshot.count({ where: { documentId } }),
      prisma.snapshot.findFirst({ where: { documentId }, orderBy: { version: 'desc' }, select: { content: true } }),
    ]);
    const runs = (await prisma.blameSnapshot.findFirst({ where: { documentId }, orderBy: { version: 'desc' }, select: { runs: true } }))?.runs.byteLength ?? 0;
    const shape = {
      ops: COUNT,
      revisions,
      snapshots,
      snapshotEvery: SNAPSHOT_EVERY,
      headLength: JSON.stringify(content?.content).length,
      formattingRuns: (content?.content as { ops: unknown[] } | undefined)?.ops.length ?? 0,
      blameRunsAtHead: runs / 12,
    };
    console.log('document:', shape);
    // A fresh store, as a server instance that just started would have (its head cache fills on use).
    const store = createPrismaOpStore(prisma);
    const results = await measureAll(prisma, store, documentId, COUNT, ITERATIONS);
    await report(shape, results);
  } finally {
    await connections.close();
    await prisma.$disconnect();
  }
}

async function report(shape: Record<string, number>, results: CaseResult[]): Promise<void> {
  const goals: Record<string, number> = { 'at(v), random v': 50, 'revisions, first page (20)': 20, 'revisions, deep page (20, near the oldest)': 20 };
  const lines = [
    `# bench/history — ${new Date().toISOString()}`,
    '',
    `Command: \`npx tsx bench/history/index.ts\` · ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, PostgreSQL on localhost`,
    '',
    `Document: ${Object.entries(shape).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    '',
    '| case | runs | p50 ms | p99 ms | max ms | goal (p99) |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...results.map((r) => {
      const goal = goals[r.name];
      const verdict = goal === undefined ? '' : `≤ ${goal} ms ${r.p99 <= goal ? 'met' : 'NOT met'}`;
      return `| ${r.name} | ${r.iterations} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(2)} | ${verdict} |`;
    }),
    '',
  ];
  await mkdir(new URL('../results/', import.meta.url), { recursive: true });
  await writeFile(new URL('../results/history.md', import.meta.url), lines.join('\n'));
  await writeFile(new URL('../results/history.json', import.meta.url), JSON.stringify({ shape, results }, null, 2) + '\n');
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
