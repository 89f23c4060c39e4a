/**
 * Property (fast-check): grouping any op log partitions it [H1], spans summarise their own ops
 * [H2], pauses, handovers, restores and names are exactly where spans break [H3, H3a, H3b, H4].
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HANDOVER_MS, groupAll, RESTORE_CLIENT_PREFIX, spanOfOps, type GroupedOp } from '../../lib/collab/revisions.ts';

const PAUSE = 60_000;
const logArb = fc
  .record({
    steps: fc.array(
      fc.record({
        gap: fc.oneof(fc.integer({ min: -5_000, max: 3 * PAUSE }), fc.integer({ min: 0, max: 2 * DEFAULT_HANDOVER_MS })),
        author: fc.constantFrom('ann', 'bob', 'cy', null),
        restore: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      }),
      { minLength: 1, maxLength: 60 },
    ),
    named: fc.array(fc.nat({ max: 60 }), { maxLength: 6 }),
  })
  .map(({ steps, named }) => {
    let t = Date.UTC(2026, 0, 1);
    const ops: GroupedOp[] = steps.map((s, i) => ({
      version: i + 1,
      authorId: s.author,
      createdAt: new Date((t += s.gap)),
      clientId: s.restore ? `${RESTORE_CLIENT_PREFIX}${i}` : `editor-${s.author}`,
    }));
    return { ops, named: new Set(named.filter((v) => v >= 1 && v <= ops.length)) };
  });

describe('revision grouping (property)', () => {
  it('[H1][H2][H3][H3a][H3b][H4] spans partition the log, summarise their ops, and break exactly at pauses, handovers, restores and names', () => {
    fc.assert(
      fc.property(logArb, ({ ops, named }) => {
        const spans = groupAll(ops, named, { pauseMs: PAUSE });
        expect(spans[0]?.fromVersion).toBe(0);
        expect(spans.at(-1)?.toVersion).toBe(ops.length);
        spans.forEach((span, i) => {
          expect(span.toVersion).toBeGreaterThan(span.fromVersion);
          if (i > 0) expect(span.fromVersion).toBe(spans[i - 1]!.toVersion);
          expect(span).toEqual(spanOfOps(ops.slice(span.fromVersion, span.toVersion)));
        });
        const starts = new Set(spans.map((s) => s.fromVersion));
        for (const op of ops.slice(1)) {
          // The span holding the previous op; its end time is the latest time among its ops so far.
          const holder = spans.find((s) => s.fromVersion < op.version - 1 && op.version - 1 <= s.toVersion)!;
          const lastEnd = Math.max(...ops.slice(holder.fromVersion, op.version - 1).map((o) => o.createdAt.getTime()));
          const gap = op.createdAt.getTime() - lastEnd;
          const authorsSoFar = new Set(ops.slice(holder.fromVersion, op.version - 1).map((o) => o.authorId));
          const handover = op.authorId !== null && !authorsSoFar.has(op.authorId) && gap >= DEFAULT_HANDOVER_MS;
          const restore = op.clientId!.startsWith(RESTORE_CLIENT_PREFIX);
          const breaks = named.has(op.version - 1) || gap >= PAUSE || handover || restore;
          expect(starts.has(op.version - 1)).toBe(breaks);
        }
      }),
    );
  });
});
