/** Revision grouping as a pure function (lib/collab/SPEC.md, H1–H5). */
const SECOND = 1000;
import { describe, expect, it } from 'vitest';
import { DEFAULT_HANDOVER_MS, DEFAULT_REVISION_PAUSE_MS, groupAll, groupOp, RESTORE_CLIENT_PREFIX, spanOfOps, splitPoint, type GroupedOp, type RevisionSpan } from '../../lib/collab/revisions.ts';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const op = (version: number, minute: number, authorId: string | null = 'ann'): GroupedOp => ({ version, authorId, createdAt: new Date(T0 + minute * MINUTE) });
const span = (fromVersion: number, toVersion: number, authorIds: string[], startMinute: number, endMinute: number): RevisionSpan => ({
  fromVersion,
  toVersion,
  authorIds,
  startedAt: new Date(T0 + startMinute * MINUTE),
  endedAt: new Date(T0 + endMinute * MINUTE),
});

describe('revision grouping', () => {
  it('[H3] the default pause is one minute: an op 59 s after the last one extends, 60 s opens a new entry', () => {
    expect(DEFAULT_REVISION_PAUSE_MS).toBe(MINUTE);
    const newest = { span: span(0, 3, ['ann'], 0, 10), closed: false };
    const within = groupOp(newest, { version: 4, authorId: 'ann', createdAt: new Date(T0 + 11 * MINUTE - 1000) });
    expect(within).toEqual({ kind: 'extend', span: span(0, 4, ['ann'], 0, 11 - 1 / 60) });
    const after = groupOp(newest, op(4, 11));
    expect(after).toEqual({ kind: 'open', span: span(3, 4, ['ann'], 11, 11) });
  });

  it('[H3a] someone taking over after the handover gap gets an entry of their own; people editing together share one', () => {
    expect(DEFAULT_HANDOVER_MS).toBe(5 * SECOND);
    const newest = { span: span(0, 3, ['ann'], 0, 10), closed: false };
    const at = (ms: number, authorId: string | null): GroupedOp => ({ version: 4, authorId, createdAt: new Date(T0 + 10 * MINUTE + ms) });
    expect(groupOp(newest, at(5 * SECOND, 'bob'))).toEqual({ kind: 'open', span: { ...span(3, 4, ['bob'], 0, 0), startedAt: at(5 * SECOND, 'bob').createdAt, endedAt: at(5 * SECOND, 'bob').createdAt } });
    expect(groupOp(newest, at(5 * SECOND - 1, 'bob')).kind).toBe('extend');
    // The author already in the entry, and system ops, extend it up to the pause.
    expect(groupOp(newest, at(50 * SECOND, 'ann')).kind).toBe('extend');
    expect(groupOp(newest, at(50 * SECOND, null)).kind).toBe('extend');
    // Never longer than the pause.
    expect(groupOp(newest, at(3 * SECOND, 'bob'), { pauseMs: 2 * SECOND }).kind).toBe('open');
    expect(groupOp(newest, at(10 * SECOND, 'bob'), { handoverMs: 20 * SECOND }).kind).toBe('extend');
  });

  it('[H3b] a restore opens an entry of its own however soon it comes', () => {
    const newest = { span: span(0, 3, ['ann'], 0, 10), closed: false };
    const restore: GroupedOp = { ...op(4, 10), clientId: `${RESTORE_CLIENT_PREFIX}x` };
    expect(groupOp(newest, restore)).toEqual({ kind: 'open', span: span(3, 4, ['ann'], 10, 10) });
    expect(groupOp(newest, { ...op(4, 10), clientId: 'editor-1' }).kind).toBe('extend');
  });

  it('[H3] the pause is configurable', () => {
    const newest = { span: span(0, 1, ['ann'], 0, 0), closed: false };
    expect(groupOp(newest, op(2, 1), { pauseMs: 30_000 }).kind).toBe('open');
    expect(groupOp(newest, op(2, 1), { pauseMs: 2 * MINUTE }).kind).toBe('extend');
  });

  it('[H3] an op stamped before the span ended (clock skew between instances) extends it and keeps the later end', () => {
    const newest = { span: span(0, 2, ['ann'], 0, 10), closed: false };
    expect(groupOp(newest, op(3, 9, 'bob'))).toEqual({ kind: 'extend', span: span(0, 3, ['ann', 'bob'], 0, 10) });
  });

  it('[H2] authors are distinct, in first-edit order; system ops add none', () => {
    const spans = groupAll([op(1, 0, 'cy'), op(2, 1, null), op(3, 1, 'ann'), op(4, 2, 'cy'), op(5, 3, 'bob')], new Set(), { pauseMs: 5 * MINUTE, handoverMs: 5 * MINUTE });
    expect(spans).toEqual([span(0, 5, ['cy', 'ann', 'bob'], 0, 3)]);
    expect(groupAll([op(1, 0, null)], new Set())).toEqual([span(0, 1, [], 0, 0)]);
  });

  it('[H4] a named version closes its span: the next op opens a new one however soon it comes', () => {
    const newest = { span: span(0, 2, ['ann'], 0, 0), closed: true };
    expect(groupOp(newest, op(3, 0))).toEqual({ kind: 'open', span: span(2, 3, ['ann'], 0, 0) });
    const spans = groupAll([op(1, 0), op(2, 0), op(3, 0), op(4, 0)], new Set([2]));
    expect(spans.map((s) => [s.fromVersion, s.toVersion])).toEqual([[0, 2], [2, 4]]);
  });

  it('[H1] grouping partitions the log: consecutive spans, each at least one op, covering 1..head', () => {
    const ops = [op(1, 0), op(2, 1), op(3, 20), op(4, 21, 'bob'), op(5, 40), op(6, 41), op(7, 90)];
    const spans = groupAll(ops, new Set([6]), { pauseMs: 5 * MINUTE, handoverMs: 5 * MINUTE });
    expect(spans.map((s) => [s.fromVersion, s.toVersion])).toEqual([[0, 2], [2, 4], [4, 6], [6, 7]]);
    expect(spans.map((s) => s.authorIds)).toEqual([['ann'], ['ann', 'bob'], ['ann'], ['ann']]);
    for (const s of spans) expect(s).toEqual(spanOfOps(ops.slice(s.fromVersion, s.toVersion)));
  });

  it('[H1] a newest span that does not end right before the op is a caller bug and throws; so is a gap in spanOfOps', () => {
    expect(() => groupOp({ span: span(0, 2, [], 0, 0), closed: false }, op(4, 0))).toThrow(/ends at 2/);
    expect(() => spanOfOps([op(1, 0), op(3, 0)])).toThrow(/expected version 2/);
    expect(() => spanOfOps([])).toThrow(/no ops/);
  });

  it('[H5] naming a version inside a span splits it there; naming its end splits nothing', () => {
    expect(splitPoint(span(4, 9, [], 0, 0), 6)).toEqual({ lower: [4, 6], upper: [6, 9] });
    expect(splitPoint(span(4, 9, [], 0, 0), 9)).toBeNull();
    expect(() => splitPoint(span(4, 9, [], 0, 0), 4)).toThrow(RangeError);
    expect(() => splitPoint(span(4, 9, [], 0, 0), 10)).toThrow(RangeError);
  });
});
