/** lib/collab/known-head.ts (K1–K3): the known head's tail, grouping onto the newest span, advancing. */
import { describe, expect, it } from 'vitest';
import { groupAll } from '../../lib/collab/revisions.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { advance, findInTail, fingerprintAfter, groupOnto, tailBetween, TAIL_LENGTH, withOlderOps, type KnownHead } from '../../lib/collab/known-head.ts';
import { Delta } from '../../lib/ot/operation.ts';

const T0 = Date.UTC(2026, 0, 1);
const op = (version: number, seconds: number, authorId = 'ann', text = 'x'): AppliedOp => ({
  documentId: 'd',
  version,
  delta: new Delta().insert(text),
  authorId,
  clientId: `c-${authorId}`,
  clientSeq: version,
  createdAt: new Date(T0 + seconds * 1000),
});

const empty: KnownHead = { version: 0, content: new Delta().insert('\n'), createdAt: new Date(T0), historyEpoch: 0, newest: null, tail: [], fingerprint: '' };

describe('known head', () => {
  it('[K5] the fingerprint names the state: the same ops give the same one however they are advanced over; another op at the same version, or another grouping, gives another', () => {
    const ops = [op(1, 0), op(2, 1, 'bob'), op(3, 2)];
    const oneByOne = ops.reduce<KnownHead>((head, o) => advance(head, [o], 300_000)!, empty);
    const atOnce = advance(empty, ops, 300_000)!;
    expect(atOnce.fingerprint).toBe(oneByOne.fingerprint);
    expect(atOnce.fingerprint).toBe(fingerprintAfter(empty.fingerprint, ops, atOnce.newest));
    expect(atOnce.fingerprint).not.toBe(empty.fingerprint);
    // The same version reached by another op (another key, author or time), or grouped otherwise.
    const variants = [
      [op(1, 0), op(2, 1, 'bob'), { ...op(3, 2), clientSeq: 4 }],
      [op(1, 0), op(2, 1, 'bob'), op(3, 2, 'cy')],
      [op(1, 0), op(2, 1, 'bob'), op(3, 3)],
    ];
    for (const variant of variants) expect(advance(empty, variant, 300_000)!.fingerprint).not.toBe(atOnce.fingerprint);
    expect(advance(empty, ops, 1)!.fingerprint).not.toBe(atOnce.fingerprint);
    // Chained: the same last op on different histories differs too.
    expect(advance({ ...empty, fingerprint: 'other' }, ops, 300_000)!.fingerprint).not.toBe(atOnce.fingerprint);
  });

  it('[K3] advances over consecutive ops: content, tail, and spans as grouping the whole log from scratch', () => {
    const ops = [op(1, 0), op(2, 1, 'bob'), op(3, 400), op(4, 401), op(5, 402, 'bob')];
    let head: KnownHead | null = empty;
    for (const o of ops) head = advance(head!, [o], 300_000);
    expect(head!.version).toBe(5);
    expect(head!.content.ops).toEqual([{ insert: 'xxxxx\n' }]);
    expect(head!.tail.map((o) => o.version)).toEqual([1, 2, 3, 4, 5]);
    const spans = groupAll(ops, new Set(), { pauseMs: 300_000 });
    expect(head!.newest?.span).toEqual(spans[spans.length - 1]);
    expect(groupOnto(null, ops, 300_000).opened).toEqual(spans);
  });

  it('[K3] refuses ops that do not follow on, or do not apply', () => {
    expect(advance(empty, [op(2, 0)], 1000)).toBeNull();
    const bad = { ...op(1, 0), delta: new Delta().retain(5).insert('x') };
    expect(advance(empty, [bad], 1000)).toBeNull();
  });

  it('[K3][H3][H4] grows the newest span when ops join it, opens new ones after a pause or a closed span', () => {
    const first = groupOnto(null, [op(1, 0)], 1000);
    const joined = groupOnto(first.newest, [op(2, 0.5, 'bob'), op(3, 5)], 1000);
    expect(joined.grown).toEqual({ fromVersion: 0, toVersion: 2, authorIds: ['ann', 'bob'], startedAt: new Date(T0), endedAt: new Date(T0 + 500) });
    expect(joined.opened.map((s) => [s.fromVersion, s.toVersion])).toEqual([[2, 3]]);
    const closed = groupOnto({ span: first.newest!.span, closed: true }, [op(2, 0.1)], 1000);
    expect(closed.grown).toBeNull();
    expect(closed.opened.map((s) => [s.fromVersion, s.toVersion])).toEqual([[1, 2]]);
  });

  it('[K1] the tail answers only ranges it holds entirely, and keeps the last TAIL_LENGTH ops', () => {
    let head: KnownHead = empty;
    for (let v = 1; v <= TAIL_LENGTH + 10; v++) head = advance(head, [op(v, v)], 1000)!;
    expect(head.tail.length).toBe(TAIL_LENGTH);
    expect(tailBetween(head, head.version - 3, head.version)!.map((o) => o.version)).toEqual([head.version - 2, head.version - 1, head.version]);
    expect(tailBetween(head, head.version, head.version)).toEqual([]);
    expect(tailBetween(head, 5, head.version)).toBeNull(); // older than the tail
    expect(tailBetween(head, head.version - 1, head.version + 1)).toBeNull(); // past the head
  });

  it('[K1] older ops read from the store go in front of the tail only when they end where it starts', () => {
    let head: KnownHead = empty;
    const ops = Array.from({ length: 10 }, (_, i) => op(i + 1, i));
    for (const o of ops) head = advance(head, [o], 1000)!;
    const short = { ...head, tail: head.tail.slice(5) };
    expect(tailBetween(short, 2, 10)).toBeNull();
    expect(tailBetween(withOlderOps(short, ops.slice(0, 5)), 2, 10)!.map((o) => o.version)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(withOlderOps(short, ops.slice(0, 3))).toBe(short); // a gap: unchanged
  });

  it('[K2] a resend is found in the tail by (clientId, clientSeq), whatever its delta', () => {
    let head: KnownHead = empty;
    for (const o of [op(1, 0), op(2, 1, 'bob'), op(3, 2)]) head = advance(head, [o], 1000)!;
    expect(findInTail(head, 'c-bob', 2).stored?.version).toBe(2);
    expect(findInTail(head, 'c-bob', 3).stored).toBeNull();
    expect(findInTail(head, 'c-ann', 3).stored?.version).toBe(3);
  });
});
