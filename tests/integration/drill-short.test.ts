/**
 * The short fault drill (issue 8) in CI: every fault of `npm run drill`, with seconds instead of
 * a minute, on a private PostgreSQL cluster and redis-server; and proof that the drill's checks
 * do catch a gap, a divergent client, an unstored issued op and a lost acknowledged op.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { BotMetrics, type Bot } from '../../bench/lib/bot.ts';
import { checkStore, runDrill } from '../../bench/lib/drill.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { createTestOrganization, testPrisma } from '../support/prisma.ts';

describe('fault drill', () => {
  it('kill -9, Redis restart, PostgreSQL restart, dropped acks, stalled reader: no violation, every fault recovers', async () => {
    const lines: string[] = [];
    const report = await runDrill({
      bots: 6,
      opsPerSecond: 4,
      beforeSeconds: 2,
      outageSeconds: 2,
      dropSeconds: 4,
      stallSeconds: 4,
      afterSeconds: 2,
      settleTimeoutMs: 45_000,
      log: (line) => lines.push(line),
    });
    if (!report.ok) console.error(lines.join('\n'));
    expect(report.faults.map((f) => f.fault)).toEqual(['kill-instance', 'restart-redis', 'restart-postgres', 'drop-acks', 'stalled-reader']);
    for (const fault of report.faults) {
      expect(fault.checks.filter((c) => !c.ok), fault.fault).toEqual([]);
      expect(fault.recoverySeconds, fault.fault).not.toBeNull();
      expect(fault.acknowledged, fault.fault).toBeGreaterThan(0);
    }
    expect(report.ok).toBe(true);
  }, 300_000);

  it('the checks report a version gap, a client that differs, an issued op never stored and a lost acknowledged op', async () => {
    const prisma = testPrisma();
    const organizationId = await createTestOrganization(prisma);
    const documentId = `drill-${randomUUID()}`;
    await prisma.document.create({ data: { id: documentId, organizationId, title: 'Drill check', version: 3 } });
    await prisma.snapshot.create({ data: { documentId, version: 0, content: { ops: [{ insert: '\n' }] } } });
    // Versions 1 and 3: version 2 is missing.
    await prisma.operation.createMany({
      data: [
        { documentId, version: 1, delta: { ops: [{ insert: 'a' }] }, clientId: 'c1', clientSeq: 1 },
        { documentId, version: 3, delta: { ops: [{ insert: 'b' }] }, clientId: 'c1', clientSeq: 2 },
      ],
    });
    const bot = {
      name: 'fake',
      session: { documentId, clientId: 'c1', issuedOps: 3, document: new Delta().insert('zz\n') },
    } as unknown as Bot;
    const metrics = new BotMetrics();
    metrics.acknowledged.set('c1#1', 1);
    metrics.acknowledged.set('c1#9', 4);
    const db = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1 });
    try {
      const checks = await checkStore(db, [bot], [documentId], metrics);
      const failed = Object.fromEntries(checks.map((c) => [c.name, c.ok]));
      expect(failed).toEqual({ converged: false, 'versions contiguous': false, 'each op once': false, 'acknowledged ops present': false });
      expect(checks.find((c) => c.name === 'acknowledged ops present')?.detail).toContain('c1#9');
      expect(checks.find((c) => c.name === 'each op once')?.detail).toContain('fake#3');
    } finally {
      await db.end();
    }
  });
});
