/** lib/collab/planner.ts, rule by rule (PL1–PL6 in lib/collab/SPEC.md): pure, one answer per submission. */
import { describe, expect, it } from 'vitest';
import { advance, type KnownHead } from '../../lib/collab/known-head.ts';
import { answerOf, planBatch, planBatchInSlices, shapeProblem } from '../../lib/collab/planner.ts';
import { groupAll } from '../../lib/collab/revisions.ts';
import type { AppliedOp, SubmitInput } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';

const T0 = Date.UTC(2026, 0, 1);
const PAUSE = 300_000;
const clock = () => {
  let n = 0;
  return () => new Date(T0 + 60_000 + ++n * 1000);
};
const options = () => ({ now: clock(), pauseMs: PAUSE });
const sub = (baseVersion: number, clientId: string, clientSeq: number, delta: Delta): SubmitInput => ({ documentId: 'd', baseVersion, clientId, clientSeq, delta, authorId: `u-${clientId}` });
const stored = (version: number, clientId: string, delta: Delta): AppliedOp => ({ documentId: 'd', version, delta, authorId: `u-${clientId}`, clientId, clientSeq: version, createdAt: new Date(T0 + version * 1000) });

/** A head at version 2 of "ab\n" with two stored inserts at the start ("21ab\n"). */
function headAt2(): KnownHead {
  const empty: KnownHead = { version: 0, content: new Delta().insert('ab\n'), createdAt: new Date(T0), historyEpoch: 0, newest: null, tail: [], fingerprint: '' };
  return advance(empty, [stored(1, 'x', new Delta().insert('1')), stored(2, 'y', new Delta().insert('2'))], PAUSE)!;
}

describe('planner', () => {
  it('[PL1] is pure: the same head, batch and clock give the same plan, and the head is not changed', () => {
    const head = headAt2();
    const before = JSON.stringify(head);
    const batch = [sub(0, 'a', 1, new Delta().insert('A')), sub(2, 'b', 1, new Delta().retain(1).insert('B'))];
    expect(JSON.stringify(planBatch(head, 'd', batch, options()))).toBe(JSON.stringify(planBatch(head, 'd', batch, options())));
    expect(JSON.stringify(head)).toBe(before);
  });

  it('[PL2] every refusal is for its own submission: shape, tail duplicate, VERSION_AHEAD, VERSION_TOO_OLD, does not apply', () => {
    const head = { ...headAt2(), tail: headAt2().tail.slice(1) }; // the tail holds op 2 only
    const plan = planBatch(
      head,
      'd',
      [
        sub(2, '', 1, new Delta().insert('e')),
        sub(1, 'y', 2, new Delta().insert('again')),
        sub(3, 'c', 1, new Delta().insert('ahead')),
        sub(0, 'd', 1, new Delta().insert('old')),
        sub(2, 'e', 1, new Delta().retain(40).insert('x')),
        sub(2, 'f', 1, new Delta().insert('ok')),
      ],
      options(),
    );
    expect(plan.answers.map((_, i) => answerOf(plan, i)).map((r) => (r.kind === 'rejected' ? r.code : `${r.kind} v${r.version}`))).toEqual([
      'BAD_USER_INPUT',
      'duplicate v2',
      'VERSION_AHEAD',
      'VERSION_TOO_OLD',
      'BAD_USER_INPUT',
      'applied v3',
    ]);
    expect(plan.ops.map((op) => op.clientId)).toEqual(['f']);
  });

  it('[PL3][S3] each op is transformed over the tail after its base, then over the ops planned before it; earlier ones win ties', () => {
    const plan = planBatch(headAt2(), 'd', [sub(0, 'a', 1, new Delta().insert('A')), sub(0, 'b', 1, new Delta().insert('B'))], options());
    expect(plan.ops.map((op) => op.delta.ops)).toEqual([[{ retain: 2 }, { insert: 'A' }], [{ retain: 3 }, { insert: 'B' }]]);
    expect(plan.next.content.ops).toEqual([{ insert: '21ABab\n' }]);
  });

  it('[PL4] a repeat of an earlier submission of the batch gets its answer (duplicate of its op, or its refusal)', () => {
    const plan = planBatch(
      headAt2(),
      'd',
      [sub(2, 'a', 1, new Delta().insert('A')), sub(2, 'a', 1, new Delta().insert('A')), sub(9, 'b', 1, new Delta().insert('B')), sub(9, 'b', 1, new Delta().insert('B'))],
      options(),
    );
    expect(plan.ops).toHaveLength(1);
    expect(plan.answers.map((_, i) => answerOf(plan, i).kind)).toEqual(['applied', 'duplicate', 'rejected', 'rejected']);
    expect(answerOf(plan, 1)).toMatchObject({ version: 3 });
  });

  it('[PL5] ops are versions head + 1… in batch order with the clock\'s times; spans are groupOp\'s; next is the head advanced over them', () => {
    const head = headAt2();
    // By the span's own authors (x and y), so only the pause decides (H3), not someone taking over (H3a).
    const plan = planBatch(head, 'd', [sub(2, 'x', 5, new Delta().insert('A')), sub(2, 'y', 5, new Delta().insert('B'))], options());
    expect(plan.ops.map((op) => [op.version, op.createdAt.getTime() - T0])).toEqual([
      [3, 61_000],
      [4, 62_000],
    ]);
    const log = [...head.tail, ...plan.ops];
    expect(plan.next.newest?.span).toEqual(groupAll(log, new Set(), { pauseMs: PAUSE }).at(-1));
    // A minute after op 2 is less than the pause: the newest span grows, none opens.
    expect([plan.spans.grown?.fromVersion, plan.spans.grown?.toVersion, plan.spans.opened]).toEqual([0, 4, []]);
    expect(plan.next).toEqual(advance(head, plan.ops, PAUSE));
  });

  it('[PL6] applied and duplicate answers come from the plan that was committed: planned again on a fresher head, the versions move', () => {
    const batch = [sub(0, 'a', 1, new Delta().insert('A'))];
    const stale = advance({ version: 0, content: new Delta().insert('ab\n'), createdAt: new Date(T0), historyEpoch: 0, newest: null, tail: [], fingerprint: '' }, [stored(1, 'x', new Delta().insert('1'))], PAUSE)!;
    const onStale = planBatch(stale, 'd', batch, options());
    const onFresh = planBatch(headAt2(), 'd', batch, options());
    expect(answerOf(onStale, 0)).toMatchObject({ kind: 'applied', version: 2 });
    expect(answerOf(onFresh, 0)).toMatchObject({ kind: 'applied', version: 3 });
    expect(onFresh.next.content.ops).toEqual([{ insert: '21Aab\n' }]);
  });
});

describe('planner: hostile keys (issue 14)', () => {
  it('[S11] clientId is 1–64 characters of [A-Za-z0-9_.:-]: UUIDs, restore and bench ids pass; NUL, emoji, spaces, 65+ characters are BAD_USER_INPUT', () => {
    const ok = ['3f2b8c1e-9d4a-4c2b-8e1f-0a1b2c3d4e5f', `restore:12:3f2b8c1e-9d4a-4c2b-8e1f-0a1b2c3d4e5f`, 'restore:3f2b8c1e-9d4a-4c2b-8e1f-0a1b2c3d4e5f', 'bench-user_7', 'c1', 'x'.repeat(64)];
    const bad = ['', 'a\u0000b', 'emoji-😀', 'with space', 'x'.repeat(65), 'x'.repeat(10_000), 'a/b'];
    for (const clientId of ok) expect(shapeProblem(sub(0, clientId, 1, new Delta().insert('a'))), clientId).toBeNull();
    for (const clientId of bad) expect(shapeProblem(sub(0, clientId, 1, new Delta().insert('a')))?.kind === 'rejected' && shapeProblem(sub(0, clientId, 1, new Delta().insert('a')))).toMatchObject({ code: 'BAD_USER_INPUT' });
    // A poisoned clientId in a batch is refused alone; the others are planned.
    const plan = planBatch(headAt2(), 'd', [sub(2, 'a', 1, new Delta().insert('A')), sub(2, 'n\u0000', 1, new Delta().insert('N')), sub(2, 'b', 1, new Delta().insert('B'))], options());
    expect(plan.ops.map((op) => op.clientId)).toEqual(['a', 'b']);
    expect(answerOf(plan, 1)).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
  });

  it('[PL7] another author\'s submission with a key the tail holds is refused, never answered duplicate of that op; the owner\'s own resend still is', () => {
    const head = headAt2(); // op 2 is (y, 2) by u-y
    const squatter = { ...sub(0, 'y', 2, new Delta().insert('S')), authorId: 'u-mallory' };
    const nextSeq = { ...sub(2, 'y', 3, new Delta().insert('S')), authorId: 'u-mallory' };
    const plan = planBatch(head, 'd', [squatter, nextSeq, sub(0, 'y', 2, new Delta().insert('2'))], options());
    expect(plan.ops).toHaveLength(0);
    expect(answerOf(plan, 0)).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    expect(answerOf(plan, 1)).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    expect(answerOf(plan, 2)).toMatchObject({ kind: 'duplicate', version: 2 });
  });

  it('[PL7] in one batch, a second author\'s submission with the key of a first one is not tied to it: the clientId is the first author\'s', () => {
    const owner = sub(2, 'fresh', 1, new Delta().insert('O'));
    const squatter = { ...sub(2, 'fresh', 1, new Delta().insert('S')), authorId: 'u-mallory' };
    const later = { ...sub(2, 'fresh', 2, new Delta().insert('T')), authorId: 'u-mallory' };
    const plan = planBatch(headAt2(), 'd', [owner, squatter, later], options());
    expect(plan.ops.map((op) => [op.clientId, op.authorId])).toEqual([['fresh', 'u-fresh']]);
    expect(answerOf(plan, 0)).toMatchObject({ kind: 'applied', version: 3 });
    expect(answerOf(plan, 1)).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
    expect(answerOf(plan, 2)).toMatchObject({ kind: 'rejected', code: 'BAD_USER_INPUT' });
  });

  it('[PL9] planning in slices gives the plan of one run, and gives the event loop turns when the batch does more than a slice of work', async () => {
    const head = headAt2();
    const batch = Array.from({ length: 40 }, (_, i) => sub(i % 3, `c${i}`, 1, new Delta().insert(`k${i}`, i % 2 ? { bold: true } : undefined)));
    // Counts turns of the event loop (check phases) while `run` goes on.
    const turnsDuring = async (run: () => Promise<unknown>) => {
      let turns = 0;
      let going = true;
      const tick = () => {
        if (!going) return;
        turns++;
        setImmediate(tick);
      };
      setImmediate(tick);
      await run();
      going = false;
      return turns;
    };
    let sliced: Awaited<ReturnType<typeof planBatchInSlices>> | undefined;
    expect(await turnsDuring(async () => (sliced = await planBatchInSlices(head, 'd', batch, options(), 50)))).toBeGreaterThan(5);
    expect(JSON.stringify(sliced)).toBe(JSON.stringify(planBatch(head, 'd', batch, options())));
    expect(sliced!.ops).toHaveLength(40);
    const turns = await turnsDuring(() => planBatchInSlices(head, 'd', batch.slice(0, 1), options(), 50));
    expect(turns).toBe(0); // one small submission: one run, no turn given
  });
});

