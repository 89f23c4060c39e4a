/** The order an instance publishes a document's committed plans in [S7] (lib/collab/publish-order.ts, pure). */
import { describe, expect, it } from 'vitest';
import { createPublishOrder } from '../../lib/collab/publish-order.ts';

const plan = (firstVersion: number, asPlanned = true) => ({ firstVersion, asPlanned, value: `v${firstVersion}` });

describe('publish order [S7]', () => {
  it('[S7] a lone commit is due when answered', () => {
    const order = createPublishOrder<string>();
    const a = order.sent();
    expect(order.answered(a, plan(1))).toEqual(['v1']);
    expect(order.idle).toBe(true);
  });

  it('[S7][S13] a successor answered first waits for its predecessor, then both go out in version order', () => {
    const order = createPublishOrder<string>();
    const a = order.sent();
    const b = order.sent();
    expect(order.answered(b, plan(3))).toEqual([]);
    expect(order.idle).toBe(false);
    expect(order.answered(a, plan(1))).toEqual(['v1', 'v3']);
    expect(order.idle).toBe(true);
  });

  it('[S7][S13] a commit stored before an earlier-sent one (that one replanned after it) still goes out first', () => {
    const order = createPublishOrder<string>();
    const a = order.sent();
    const b = order.sent();
    // b (planned on a's next) overtook a in the store: it found a's head, was planned again and
    // landed at 5; a lost too and landed at 6, replanned; a answers first.
    expect(order.answered(a, plan(6, false))).toEqual([]);
    expect(order.answered(b, plan(5, false))).toEqual(['v5', 'v6']);
  });

  it('[S7] a commit that stored nothing releases those waiting for it', () => {
    const order = createPublishOrder<string>();
    const a = order.sent();
    const b = order.sent();
    expect(order.answered(b, plan(2))).toEqual([]);
    expect(order.answered(a, null)).toEqual(['v2']);
    expect(order.idle).toBe(true);
  });

  it('[S7] a plan stored as planned waits only for commits sent before it; a lower plan still waiting holds back every higher one', () => {
    const order = createPublishOrder<string>();
    const a = order.sent();
    const b = order.sent();
    expect(order.answered(b, plan(4))).toEqual([]); // waits for a
    const c = order.sent(); // sent after b's answer: stored after b
    expect(order.answered(a, plan(2))).toEqual(['v2', 'v4']);
    expect(order.answered(c, plan(6))).toEqual(['v6']);
    // A plan answered while an older commit is out waits even if a later one is answered before it.
    const d = order.sent();
    const e = order.sent();
    expect(order.answered(e, plan(9))).toEqual([]);
    const f = order.sent();
    expect(order.answered(f, plan(10))).toEqual([]); // d still out: it may hold 7–8
    expect(order.answered(d, plan(7))).toEqual(['v7', 'v9', 'v10']);
  });

  it('[S7] a plan the store planned again waits for every commit unanswered at its answer, even one sent after it', () => {
    const order = createPublishOrder<string>();
    const a = order.sent();
    const b = order.sent();
    expect(order.answered(a, plan(3, false))).toEqual([]); // b may have landed first, at 2
    expect(order.answered(b, null)).toEqual(['v3']);
    const c = order.sent();
    const d = order.sent();
    expect(order.answered(c, plan(5, true))).toEqual(['v5']); // as planned: d was sent after it
    expect(order.answered(d, plan(6, true))).toEqual(['v6']);
  });

  it('[S7] skipUnanswered: commits that hang hold nothing back any more, now or later; their own plans go out when answered', () => {
    const order = createPublishOrder<string>();
    const hung = order.sent();
    const b = order.sent();
    expect(order.answered(b, plan(3))).toEqual([]);
    expect(order.holding).toBe(true);
    expect(order.skipUnanswered()).toEqual(['v3']);
    expect(order.holding).toBe(false);
    const c = order.sent();
    expect(order.answered(c, plan(4))).toEqual(['v4']); // does not wait for the hung one again
    expect(order.idle).toBe(false);
    expect(order.answered(hung, plan(1))).toEqual(['v1']); // late, out of order: subscribers refill (F3)
    expect(order.idle).toBe(true);
  });

  it('[S7] an answer given twice, or for a commit never sent, is a bug and throws', () => {
    const order = createPublishOrder<string>();
    const a = order.sent();
    order.answered(a, null);
    expect(() => order.answered(a, null)).toThrow(/answered twice/);
  });
});
