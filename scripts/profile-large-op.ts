/**
 * Where the event loop goes for the largest op the limits allow (maxComponents) submitted through
 * the real sequencer and PostgreSQL store over 3 missed ops [PL8]. Prints each submission's longest
 * stall (monitorEventLoopDelay) and wall time. Profile with:
 *   npx tsx --cpu-prof --cpu-prof-dir=/tmp/prof scripts/profile-large-op.ts [runs] [batch]
 * With `batch`: one batch of two largest ops and 150 keystrokes on one version instead [PL9].
 * Uses a database of its own (created, migrated, dropped); TEST_DATABASE_URL as the server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { createMemoryBroadcaster } from '../lib/collab/memory/memory-broadcaster.ts';
import { createSequencer } from '../lib/collab/sequencer.ts';
import { createPrisma } from '../lib/db/prisma.ts';
import { dropDatabase, ensureDatabase, migrate } from '../lib/migrator/migrate.ts';
import { withDatabase } from '../lib/migrator/connection.ts';
import { createPrismaOpStore } from '../lib/db/op-store.ts';
import { DEFAULT_LIMITS } from '../lib/ot/limits.ts';
import { Delta } from '../lib/ot/operation.ts';

const runs = Number(process.argv[2] ?? 10);
const batch = process.argv[3] === 'batch';
const databaseUrl = withDatabase(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', `verso_profile_${randomBytes(3).toString('hex')}`);
await ensureDatabase(databaseUrl);
await migrate(databaseUrl);
const prisma = createPrisma(databaseUrl, { maxConnections: 4 });
const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
try {
  const org = await prisma.organization.create({ data: { name: 'profile' } });
  await prisma.user.create({ data: { id: 'profiler', email: 'profiler@profile.test' } });
  const instance = () =>
    createSequencer({
      store: createPrismaOpStore(prisma, { pool, placement: () => ({ organizationId: org.id, title: 'Profile', createdById: null }) }),
      broadcaster: createMemoryBroadcaster(),
    });
  const largest = () => new Delta(Array.from({ length: DEFAULT_LIMITS.maxComponents }, (_, i) => (i % 2 ? { insert: 'ab', attributes: { bold: true } } : { insert: 'cd' })));
  const submit = (s: ReturnType<typeof instance>, documentId: string, baseVersion: number, clientId: string, clientSeq: number, delta: Delta) =>
    s.submit({ documentId, baseVersion, clientId, clientSeq, delta, authorId: 'profiler' });
  const stalls: number[] = [];
  for (let run = 0; run < runs; run++) {
    const documentId = `doc-${randomUUID()}`;
    const writer = instance();
    await writer.createDocument(documentId, new Delta().insert('Hello\n'));
    await Promise.all([0, 1, 2].map((i) => submit(writer, documentId, 0, `typist-${i}`, 1, new Delta().insert('x'))));
    await writer.settle();
    const s = instance();
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    const started = performance.now();
    const answer = batch
      ? (
          await Promise.all([
            submit(s, documentId, 0, 'first', 1, new Delta().insert('f')),
            submit(s, documentId, 3, 'paste-1', 1, largest()),
            submit(s, documentId, 3, 'paste-2', 1, largest()),
            ...Array.from({ length: 150 }, (_, i) => submit(s, documentId, 3, `key-${i}`, 1, new Delta().insert('k'))),
          ])
        ).at(-1)!
      : await submit(s, documentId, 0, 'paster', 1, largest());
    const wall = performance.now() - started;
    histogram.disable();
    await s.settle();
    stalls.push(histogram.max / 1e6);
    console.info(`run ${run}: ${answer.kind} ${'version' in answer ? answer.version : ''}, longest stall ${(histogram.max / 1e6).toFixed(1)} ms, wall ${wall.toFixed(1)} ms`);
  }
  const sorted = [...stalls].sort((a, b) => a - b);
  console.info(`longest stalls: min ${sorted[0]!.toFixed(1)} median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} max ${sorted.at(-1)!.toFixed(1)} ms`);
} finally {
  await pool.end();
  await prisma.$disconnect();
  await dropDatabase(databaseUrl);
}
