/** lib/collab/planner.ts, rule by rule (PL1–PL10 in lib/collab/SPEC.md): pure, one answer per submission. */
import { describe, expect, it, vi } from 'vitest';
import { advance, type KnownHead } from '../../lib/collab/known-head.ts';
import { answerOf, planBatch, planBatchInSlices, shapeProblem } from '../../lib/collab/planner.ts';
import { groupAll } from '../../lib/collab/revisions.ts';
import type { AppliedOp, SubmitInput } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { acceptOp, checkMarkedDocument, DELETE_MARK, INSERT_MARK, rejectOp, toSuggestion } from '../../lib/ot/suggestion.ts';

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

/** Counts turns of the event loop (check phases) while `run` goes on [PL9]. */
async function turnsDuring(run: () => Promise<unknown>): Promise<number> {
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
    let sliced: Awaited<ReturnType<typeof planBatchInSlices>> | undefined;
    expect(await turnsDuring(async () => (sliced = await planBatchInSlices(head, 'd', batch, options(), 50)))).toBeGreaterThan(5);
    expect(JSON.stringify(sliced)).toBe(JSON.stringify(planBatch(head, 'd', batch, options())));
    expect(sliced!.ops).toHaveLength(40);
    const turns = await turnsDuring(() => planBatchInSlices(head, 'd', batch.slice(0, 1), options(), 50));
    expect(turns).toBe(0); // one small submission: one run, no turn given
  });

  it('[PL9] only simple edits are carried in runs counted a step each: keystrokes caught up over formats (two components, not simple) are counted as in PL8', async () => {
    // 100 stored ops each bolding one character (a retain, then a retain with attributes), then 10
    // keystrokes made before all of them: 1,000 quill-delta transforms, 19+ steps each.
    let head: KnownHead = { version: 0, content: new Delta().insert(`${'x'.repeat(200)}\n`), createdAt: new Date(T0), historyEpoch: 0, newest: null, tail: [], fingerprint: '' };
    const formats = Array.from({ length: 100 }, (_, i) => stored(i + 1, 'f', new Delta().retain(i + 1).retain(1, { bold: true })));
    head = advance(head, formats, PAUSE)!;
    const batch = Array.from({ length: 10 }, (_, i) => sub(0, `k${i}`, 1, new Delta().retain(i * 7).insert('k')));
    let sliced: Awaited<ReturnType<typeof planBatchInSlices>> | undefined;
    // ~19,000 steps in slices of 1,000: a turn about every 50 transforms (counted 1 step each, as cf2b26e did, they fit in one slice).
    expect(await turnsDuring(async () => (sliced = await planBatchInSlices(head, 'd', batch, options(), 1000)))).toBeGreaterThan(15);
    expect(JSON.stringify(sliced)).toBe(JSON.stringify(planBatch(head, 'd', batch, options())));
    expect(sliced!.ops).toHaveLength(10);
  });
});


/** "Hello world\n" at version 0 (headAt2's other fields, so the literal stays in one place). */
const helloWorld = (): KnownHead => ({ ...headAt2(), version: 0, content: new Delta().insert('Hello world\n'), createdAt: new Date(T0), newest: null, tail: [] });

describe('planner: plain edits where they land (issue 18, SG18)', () => {
  // "Hello world\n" at version 0; op 1, stored by commenter c, proposes deleting "world" (SG4's form).
  const byC = (id: string) => `${id}|u-c`;
  const proposesDeletingWorld = new Delta().retain(6).retain(5, { [DELETE_MARK]: byC('c:1') });
  const plainHead = (): KnownHead => helloWorld();
  const proposedHead = (): KnownHead => advance(plainHead(), [stored(1, 'c', proposesDeletingWorld)], PAUSE)!;
  const plain = (baseVersion: number, clientId: string, delta: Delta): SubmitInput => ({ ...sub(baseVersion, clientId, 1, delta), check: 'edit' });
  const outcome = (plan: ReturnType<typeof planBatch>, i: number) => {
    const answer = answerOf(plan, i);
    return answer.kind === 'rejected' ? `${answer.code} ${answer.reason}` : `${answer.kind} v${answer.version}`;
  };

  it('[PL10][SG11] a plain edit made before a proposal was committed is checked against it: inside or deleting it is refused, around it applies', () => {
    const head = proposedHead();
    const plan = planBatch(
      head,
      'd',
      [
        plain(0, 'e1', new Delta().retain(8).insert('x')), // "wo|rld": inside the proposed deletion
        plain(0, 'e2', new Delta().retain(6).delete(5)), // deletes the proposed text
        plain(0, 'e3', new Delta().retain(5).delete(1)), // the space before it: plain text
        plain(0, 'e4', new Delta().retain(11).insert('!')), // right after it: outside (SG7)
      ],
      options(),
    );
    expect(plan.answers.map((_, i) => outcome(plan, i))).toEqual(['BAD_USER_INPUT FOREIGN_SUGGESTION', 'BAD_USER_INPUT FOREIGN_SUGGESTION', 'applied v2', 'applied v3']);
    const refused = answerOf(plan, 0);
    // In the person's terms: no component index of the server's carried op, no user id [SG13].
    expect(refused.kind === 'rejected' && refused.message).toBe('Your edit lands inside a change another person proposed (a proposed deletion); accept or reject it first, or type outside it. Nothing was stored.');
    expect(plan.next.content.ops.map((c) => c.insert).join('')).toBe('Helloworld!\n');
  });

  it('[PL10] in one batch, a plain edit planned after a proposal sees it; without the flag (the server\'s own ops) nothing is checked', () => {
    const suggestion = sub(0, 'c', 1, proposesDeletingWorld);
    const edit = plain(0, 'e', new Delta().retain(8).insert('x'));
    const after = planBatch(plainHead(), 'd', [suggestion, edit], options());
    expect([outcome(after, 0), outcome(after, 1)]).toEqual(['applied v1', 'BAD_USER_INPUT FOREIGN_SUGGESTION']);
    expect(after.ops.map((op) => op.clientId)).toEqual(['c']);
    // Before the proposal in the batch, the same edit lands on plain text.
    const before = planBatch(plainHead(), 'd', [edit, suggestion], options());
    expect([outcome(before, 0), outcome(before, 1)]).toEqual(['applied v1', 'applied v2']);
    const unchecked = planBatch(plainHead(), 'd', [suggestion, { ...edit, check: undefined }], options());
    expect(outcome(unchecked, 1)).toBe('applied v2');
  });

  it('[PL10][PL6] planned on a stale head the edit applies; the replan on the head commit finds (with the proposal) refuses it', () => {
    const batch = [plain(0, 'e', new Delta().retain(6).delete(5))];
    expect(outcome(planBatch(plainHead(), 'd', batch, options()), 0)).toBe('applied v1');
    expect(outcome(planBatch(proposedHead(), 'd', batch, options()), 0)).toBe('BAD_USER_INPUT FOREIGN_SUGGESTION');
  });

  it('[PL10] marks are looked for again after an op that removes them: an edit after the rejection applies, one before it is refused', () => {
    const head = proposedHead();
    const reject = sub(1, 'r', 1, new Delta().retain(6).retain(5, { [DELETE_MARK]: null })); // rejectOp's form [SG12]
    const edit = plain(1, 'e', new Delta().retain(6).delete(5));
    const plan = planBatch(head, 'd', [edit, reject, { ...edit, clientId: 'e2' }], options());
    expect(plan.answers.map((_, i) => outcome(plan, i))).toEqual(['BAD_USER_INPUT FOREIGN_SUGGESTION', 'applied v2', 'applied v3']);
    expect(plan.next.content.ops).toEqual([{ insert: 'Hello \n' }]);
  });

  it('[PL10][SG11] the author may edit their own proposed text; a plain edit writing a mark is MARK_IN_EDIT even where no text is marked', () => {
    const own = { ...plain(1, 'c', new Delta().retain(6).delete(5)), clientSeq: 2 };
    expect(outcome(planBatch(proposedHead(), 'd', [own], options()), 0)).toBe('applied v2');
    const marking = plain(0, 'e', new Delta().retain(5, { [DELETE_MARK]: byC('e:1') }));
    expect(outcome(planBatch(plainHead(), 'd', [marking], options()), 0)).toBe('BAD_USER_INPUT MARK_IN_EDIT');
  });

  it('[PL10][PL9] the check is yielded as work: on a large marked document, planning in slices gives the event loop turns for it', async () => {
    // 4,000 components, every other one a character proposed for deletion by c (distinct ids, so none merge).
    const content = new Delta();
    for (let i = 0; i < 2000; i++) content.insert('a').insert('b', { [DELETE_MARK]: byC(`c:${i + 1}`) });
    content.insert('\n');
    const head: KnownHead = { ...plainHead(), content };
    const size = content.ops.length;
    const batch = [plain(0, 'e', new Delta().retain(2 * 2000).insert('k'))]; // at the end, outside every proposal
    const turns = vi.spyOn(globalThis, 'setImmediate');
    try {
      // A slice holds the apply alone: the scan for marks and the walk each need a turn of their own.
      const sliced = await planBatchInSlices(head, 'd', batch, options(), size + 10);
      expect(outcome(sliced, 0)).toBe('applied v1');
      expect(turns).toHaveBeenCalledTimes(2);
    } finally {
      turns.mockRestore();
    }
  });

  it('[PL10] whether the content is marked is kept with the head a plan makes: the next batch on it does not scan the document again', async () => {
    const count = async (head: KnownHead) => {
      const turns = vi.spyOn(globalThis, 'setImmediate');
      try {
        await planBatchInSlices(head, 'd', [plain(head.version, 'n', new Delta().insert('k'))], options(), 1); // a turn before every step but the first
        return turns.mock.calls.length;
      } finally {
        turns.mockRestore();
      }
    };
    const first = planBatch(proposedHead(), 'd', [plain(1, 'e', new Delta().insert('x'))], options());
    const fresh: KnownHead = { ...first.next, content: new Delta(first.next.content.ops) }; // the same text, not the plan's content
    expect((await count(fresh)) - (await count(first.next))).toBe(1); // the scan, and only it
  });
});

describe('planner: converted suggestions where they land (issue 18, SG18)', () => {
  // "Hello world\n"; op 1 by c proposes inserting "brave " at 6 (SG4's form).
  const braveMark = 'c:1|u-c';
  const proposesBrave = new Delta().retain(6).insert('brave ', { [INSERT_MARK]: braveMark });
  const base = (): KnownHead => helloWorld();
  const withBrave = (): KnownHead => advance(base(), [stored(1, 'c', proposesBrave)], PAUSE)!;
  const suggestion = (baseVersion: number, clientId: string, clientSeq: number, delta: Delta): SubmitInput => ({ ...sub(baseVersion, clientId, clientSeq, delta), check: 'suggestion' });
  const outcome = (plan: ReturnType<typeof planBatch>, i: number) => {
    const answer = answerOf(plan, i);
    return answer.kind === 'rejected' ? `${answer.code} ${answer.reason}` : `${answer.kind} v${answer.version}`;
  };

  it('[PL10][SG18] a suggestion really deleting its author\'s proposed insertion, accepted meanwhile, is PROPOSAL_RESOLVED; before the accept it applies', () => {
    const withdraw = suggestion(1, 'c', 2, new Delta().retain(6).delete(6)); // toSuggestion's form on version 1: its own proposal really goes
    const accept = sub(1, 'suggestion-accept', 1, new Delta().retain(6).retain(6, { [INSERT_MARK]: null })); // acceptOp's form [SG12]
    const after = planBatch(withBrave(), 'd', [accept, withdraw], options());
    expect([outcome(after, 0), outcome(after, 1)]).toEqual(['applied v2', 'BAD_USER_INPUT PROPOSAL_RESOLVED']);
    const refused = answerOf(after, 1);
    expect(refused.kind === 'rejected' && refused.message).toMatch(/^Text you proposed was accepted or rejected while yours was on its way; nothing was stored\./);
    expect(after.next.content.ops).toEqual([{ insert: 'Hello brave world\n' }]);
    const before = planBatch(withBrave(), 'd', [withdraw, accept], options());
    expect([outcome(before, 0), outcome(before, 1)]).toEqual(['applied v2', 'applied v3']);
    expect(before.next.content.ops).toEqual([{ insert: 'Hello world\n' }]);
  });

  it('[PL10][SG7] a suggestion converted before someone else proposed deleting around it is refused FOREIGN_SUGGESTION; marks alone on unmarked text pass', () => {
    const otherDeletes = stored(1, 'o', new Delta().retain(6).retain(5, { [DELETE_MARK]: 'o:1|u-o' })); // "world" proposed for deletion by o
    const head = advance(base(), [otherDeletes], PAUSE)!;
    const inside = suggestion(0, 'c', 1, new Delta().retain(8).insert('x', { [INSERT_MARK]: 'c:1|u-c' }));
    expect(outcome(planBatch(head, 'd', [inside], options()), 0)).toBe('BAD_USER_INPUT FOREIGN_SUGGESTION');
    const elsewhere = suggestion(0, 'c', 1, new Delta().insert('x', { [INSERT_MARK]: 'c:1|u-c' }).retain(1).retain(2, { [DELETE_MARK]: 'c:1|u-c' }));
    expect(outcome(planBatch(head, 'd', [elsewhere], options()), 0)).toBe('applied v2');
    expect(outcome(planBatch(base(), 'd', [elsewhere], options()), 0)).toBe('applied v1');
  });

  it('[PL10][SG18][SG2] a converted deletion landing on text a concurrent restore marked as someone\'s insertion is PROPOSAL_RESOLVED, not a second mark', () => {
    const head = base();
    const restore = sub(0, 'restore:1:r', 1, new Delta().retain(6).retain(5, { [INSERT_MARK]: 'b:1|u-b' })); // restoreVersion's diff: no check
    const converted = toSuggestion(head.content, new Delta().retain(6).delete(5), { author: 'u-c', id: 'c:1' });
    if (!converted.ok) throw new Error(converted.message);
    const plan = planBatch(head, 'd', [restore, suggestion(0, 'c', 1, converted.value)], options());
    expect([outcome(plan, 0), outcome(plan, 1)]).toEqual(['applied v1', 'BAD_USER_INPUT PROPOSAL_RESOLVED']);
    expect(checkMarkedDocument(plan.next.content).ok).toBe(true);
    // On plain text, or re-marking the author's own proposed deletion, it applies.
    expect(outcome(planBatch(head, 'd', [suggestion(0, 'c', 1, converted.value)], options()), 0)).toBe('applied v1');
    const own = advance(head, [stored(1, 'c', converted.value)], PAUSE)!;
    const again = suggestion(0, 'c', 2, new Delta().retain(6).retain(5, { [DELETE_MARK]: 'c:2|u-c' }));
    expect(outcome(planBatch(own, 'd', [again], options()), 0)).toBe('applied v2');
  });
});

describe('planner: a keystroke where a proposal grew meanwhile (issue 18, PL11)', () => {
  const outcome = (plan: ReturnType<typeof planBatch>, i: number) => {
    const answer = answerOf(plan, i);
    return answer.kind === 'rejected' ? `${answer.code} ${answer.reason}` : `${answer.kind} v${answer.version}`;
  };
  // "aXYZb\n": b proposed "XYZ" (v1), then extended it at its start with "V" (v2, joins b:1, SG5).
  const mark = { [INSERT_MARK]: 'b:1|u-b' };
  const v1 = (): KnownHead => advance({ ...helloWorld(), content: new Delta().insert('ab\n') }, [stored(1, 'b', new Delta().retain(1).insert('XYZ', mark))], PAUSE)!;
  const v2 = (): KnownHead => advance(v1(), [stored(2, 'b', new Delta().retain(1).insert('V', mark))], PAUSE)!;
  const typed = (): SubmitInput => ({ ...sub(1, 'e', 1, new Delta().retain(1).insert('q')), check: 'edit' }); // right before the proposal, at v1

  it('[PL11][PL10] an honest keystroke right before a proposal that grew at the same point meanwhile is placed before the growth, not refused', () => {
    expect(outcome(planBatch(v1(), 'd', [typed()], options()), 0)).toBe('applied v2');
    const plan = planBatch(v2(), 'd', [typed()], options());
    expect(outcome(plan, 0)).toBe('applied v3');
    expect(plan.ops[0]!.delta.ops).toEqual([{ retain: 1 }, { insert: 'q' }]);
    expect(plan.next.content.ops).toEqual([{ insert: 'aq' }, { insert: 'VXYZ', attributes: mark }, { insert: 'b\n' }]);
  });

  it('[PL11] an edit that lands inside the proposal whichever goes first at a tie is still refused FOREIGN_SUGGESTION', () => {
    const inside = { ...sub(1, 'e', 1, new Delta().retain(2).insert('q')), check: 'edit' } as const; // between X and Y at v1
    expect(outcome(planBatch(v2(), 'd', [inside], options()), 0)).toBe('BAD_USER_INPUT FOREIGN_SUGGESTION');
  });
});

describe('planner: accept and reject where they land (issue 18, SG19)', () => {
  // "Hello world\n"; op 1 by c proposes inserting "brave " at 6.
  const proposesBrave = new Delta().retain(6).insert('brave ', { [INSERT_MARK]: 'c:1|u-c' });
  const withBrave = (): KnownHead => advance(helloWorld(), [stored(1, 'c', proposesBrave)], PAUSE)!;
  const resolving = (clientId: string, accept: boolean, head: KnownHead): SubmitInput => {
    const op = accept ? acceptOp(head.content, 'c:1') : rejectOp(head.content, 'c:1');
    if (!op.ok) throw new Error(op.message);
    return { ...sub(head.version, clientId, 1, op.value), check: { kind: 'resolve', suggestionId: 'c:1', accept } };
  };
  const text = (head: KnownHead) => head.content.ops.map((c) => c.insert).join('');
  const outcome = (plan: ReturnType<typeof planBatch>, i: number) => {
    const answer = answerOf(plan, i);
    return answer.kind === 'rejected' ? `${answer.code} ${answer.reason}` : `${answer.kind} v${answer.version}`;
  };

  it('[SG19][PL10] an accept and a withdrawal built on the same head: whichever commits first wins, the other is PROPOSAL_RESOLVED (never deletes accepted text)', () => {
    const head = withBrave();
    const accept = resolving('suggestion-accept:1', true, head);
    const withdraw = resolving('suggestion-reject:1', false, head);
    const accepted = planBatch(head, 'd', [accept, withdraw], options());
    expect([outcome(accepted, 0), outcome(accepted, 1)]).toEqual(['applied v2', 'BAD_USER_INPUT PROPOSAL_RESOLVED']);
    expect(text(accepted.next)).toBe('Hello brave world\n');
    expect(accepted.next.content.ops).toEqual([{ insert: 'Hello brave world\n' }]);
    const withdrawn = planBatch(head, 'd', [withdraw, accept], options());
    expect([outcome(withdrawn, 0), outcome(withdrawn, 1)]).toEqual(['applied v2', 'BAD_USER_INPUT PROPOSAL_RESOLVED']);
    expect(text(withdrawn.next)).toBe('Hello world\n');
  });

  it('[SG19][PL10] an accept still resolves its suggestion when its author extended it meanwhile (the new text stays proposed) or others edited around it', () => {
    const head = withBrave();
    const accept = resolving('suggestion-accept:1', true, head);
    const extended = advance(head, [stored(2, 'c', new Delta().retain(12).insert('new ', { [INSERT_MARK]: 'c:1|u-c' })), stored(3, 'e', new Delta().insert('Oh, '))], PAUSE)!;
    const plan = planBatch(extended, 'd', [accept], options());
    expect(outcome(plan, 0)).toBe('applied v4');
    expect(plan.next.content.ops).toEqual([{ insert: 'Oh, Hello brave ' }, { insert: 'new ', attributes: { [INSERT_MARK]: 'c:1|u-c' } }, { insert: 'world\n' }]);
  });

  it('[SG19][PL10] a resolve op landing on text that carries another suggestion\'s mark is PROPOSAL_RESOLVED', () => {
    const head = withBrave();
    const reject = { ...sub(1, 'suggestion-reject:2', 1, new Delta().retain(6).delete(6)), check: { kind: 'resolve', suggestionId: 'c:2', accept: false } } as const;
    expect(outcome(planBatch(head, 'd', [reject], options()), 0)).toBe('BAD_USER_INPUT PROPOSAL_RESOLVED');
  });
});
