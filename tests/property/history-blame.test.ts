/**
 * Property (fast-check): blame agrees with a character-by-character model of who inserted what,
 * however the ops are chunked, and its spans cover the document exactly [H8–H12].
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blameAfter, blameSpans, initialBlame, type Blame, type BlamedOp } from '../../lib/collab/blame.ts';
import { apply, Delta, unwrap } from '../../lib/ot/operation.ts';
import { buildOp, documentText } from '../../lib/ot/random-op.ts';
import { docArb, editArb } from './ot-arbitraries.ts';

type Char = { readonly authorId: string | null; readonly version: number };

/** The model: one entry per character, moved through an op one component at a time. */
function modelAfter(chars: readonly Char[], op: BlamedOp): Char[] {
  const out: Char[] = [];
  let i = 0;
  for (const c of op.delta.ops) {
    if (c.insert !== undefined) {
      const n = typeof c.insert === 'string' ? c.insert.length : 1;
      for (let k = 0; k < n; k++) out.push({ authorId: op.authorId, version: op.version });
    } else if (typeof c.delete === 'number') {
      i += c.delete;
    } else {
      const n = typeof c.retain === 'number' ? c.retain : 1;
      out.push(...chars.slice(i, i + n));
      i += n;
    }
  }
  return [...out, ...chars.slice(i)];
}

const expand = (blame: Blame): Char[] => blame.runs.flatMap((r) => Array.from({ length: r.length }, () => ({ authorId: r.authorId, version: r.version })));

const AUTHORS = ['ann', 'bob', 'cy', null] as const;
const historyArb = fc.record({
  doc: docArb,
  steps: fc.array(fc.record({ author: fc.constantFrom(...AUTHORS), edits: fc.array(editArb, { maxLength: 4 }) }), { minLength: 1, maxLength: 25 }),
  cuts: fc.array(fc.nat({ max: 25 }), { maxLength: 4 }),
});

describe('blame (property)', () => {
  it('[H9][H10][H11][H12] blame equals the per-character model, chunked anyhow, and [H8] spans tile the document', () => {
    fc.assert(
      fc.property(historyArb, ({ doc, steps, cuts }) => {
        let content = doc;
        let model: Char[] = Array.from({ length: doc.length() }, () => ({ authorId: 'owner', version: 0 }));
        const ops: BlamedOp[] = [];
        steps.forEach((step, i) => {
          const delta = buildOp(content, step.edits);
          const op = { version: i + 1, authorId: step.author, delta };
          content = unwrap(apply(content, delta));
          model = modelAfter(model, op);
          ops.push(op);
        });
        // Move blame forward in chunks ending at the cut points (and at the end).
        const ends = [...new Set([...cuts.filter((c) => c > 0 && c < ops.length), ops.length])].sort((a, b) => a - b);
        let blame = initialBlame(doc, 'owner');
        for (const end of ends) blame = blameAfter(blame, ops.slice(blame.version, end));
        expect(blame.version).toBe(ops.length);
        expect(expand(blame)).toEqual(model);
        const spans = blameSpans(content, blame.runs);
        expect(spans.map((s) => s.text).join('')).toBe(documentText(content));
        spans.forEach((s, i) => {
          expect(s.length).toBeGreaterThan(0);
          const next = spans[i + 1];
          if (next) {
            expect(next.start).toBe(s.start + s.length);
            expect([next.authorId, next.version]).not.toEqual([s.authorId, s.version]);
          }
        });
      }),
    );
  });

  it('[H12] blame of no ops is the blame itself', () => {
    const blame = initialBlame(new Delta().insert('x\n'), 'ann');
    expect(blameAfter(blame, [])).toBe(blame);
  });
});
