/** The change between two versions from the ops in between (lib/collab/SPEC.md H13, H14). */
import { describe, expect, it } from 'vitest';
import { changeBetween } from '../../lib/collab/history-diff.ts';
import { apply, Delta, unwrap } from '../../lib/ot/operation.ts';
import { randomOp, seededRandom } from '../../lib/ot/random-op.ts';

describe('changeBetween', () => {
  it('[H13] composed ops turn the earlier document into the later one, and inverted the later into the earlier', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed);
      const docs = [new Delta().insert('The start of a document\n')];
      const ops: Delta[] = [];
      for (let i = 0; i < 1 + Math.floor(random() * 40); i++) {
        const op = randomOp(docs.at(-1)!, random);
        ops.push(op);
        docs.push(unwrap(apply(docs.at(-1)!, op)));
      }
      const a = Math.floor(random() * docs.length);
      const b = Math.floor(random() * docs.length);
      const [lower, upper] = [Math.min(a, b), Math.max(a, b)];
      const change = changeBetween(a, b, docs[lower]!, ops.slice(lower, upper));
      expect(unwrap(apply(docs[a]!, change)).ops, `seed ${seed}: ${a} → ${b}`).toEqual(docs[b]!.ops);
    }
  });

  it('[H13] the same version gives no change; a wrong number of ops is a caller bug', () => {
    expect(changeBetween(4, 4, new Delta().insert('x\n'), []).ops).toEqual([]);
    expect(() => changeBetween(1, 3, new Delta().insert('x\n'), [new Delta().insert('a')])).toThrow(RangeError);
  });
});
