/**
 * Property (fast-check): suggestions against a character-by-character model [SG2, SG4, SG5,
 * SG8, SG10, SG12, SG15, SG16]. Histories mix suggesters, withdrawals, plain edits, accepts and
 * rejects on random documents; every step is compared with the model and checked for the
 * invariants. Runs: OT_PROPERTY_RUNS (default 200), seed: OT_PROPERTY_SEED.
 */
import fc from 'fast-check';
import type { AttributeMap } from 'quill-delta';
import { describe, expect, it } from 'vitest';
import { blameAfter, blameSpans, initialBlame } from '../../lib/collab/blame.ts';
import { apply, checkApplicable, Delta, transform } from '../../lib/ot/operation.ts';
import { buildOp } from '../../lib/ot/random-op.ts';
import {
  acceptOp,
  checkEdit,
  checkMarkedDocument,
  DELETE_MARK,
  decodeMark,
  encodeMark,
  INSERT_MARK,
  markOf,
  openSuggestions,
  rejectOp,
  resolvedView,
  toSuggestion,
  validateSuggestionOp,
  withoutMarks,
  type Suggester,
  type SuggestionRefusal,
} from '../../lib/ot/suggestion.ts';
import { docArb, editArb } from './ot-arbitraries.ts';

/** The value of an ok result (lib/ot's or a suggestion's); fails the test with its message otherwise. */
function expectOk<T>(result: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string }): T {
  if (!result.ok) expect.fail(`expected ok, got: ${result.message}`);
  return result.value;
}

// ------------------------------------------------------------------------------------------
// The model: a document is a list of characters (code units; an embed is one), each with its attributes.

type Char = { readonly content: string | { image: string }; readonly attributes: AttributeMap | undefined };

function charsOf(doc: Delta): Char[] {
  const out: Char[] = [];
  for (const c of doc.ops) {
    if (typeof c.insert === 'string') for (const unit of c.insert.split('')) out.push({ content: unit, attributes: c.attributes });
    else out.push({ content: c.insert as { image: string }, attributes: c.attributes });
  }
  return out;
}

function docOf(chars: readonly Char[]): Delta {
  const doc = new Delta();
  for (const c of chars) doc.insert(c.content, c.attributes);
  return doc;
}

const plus = (a: AttributeMap | undefined, b: AttributeMap): AttributeMap => ({ ...a, ...b });

type ModelResult = { ok: true; chars: Char[] } | { ok: false; reason: SuggestionRefusal };

/** SG4–SG7, one character at a time, producing the document (not an op). */
function modelConvert(doc: Delta, op: Delta, by: Suggester): ModelResult {
  // Fitting (OT5, OT6) is lib/ot's own rule, not modelled here: forged ranges may split a pair.
  if (!checkApplicable(doc, op).ok) return { ok: false, reason: 'DOES_NOT_FIT' };
  const cs = charsOf(doc);
  const markAt = (i: number) => (i >= 0 && i < cs.length ? markOf(cs[i]!.attributes) : null);
  const owners = new Map<string, string>();
  for (const c of cs) {
    const m = markOf(c.attributes);
    if (m !== null && !owners.has(m.id)) owners.set(m.id, m.author);
  }
  const fresh = owners.get(by.id) ?? by.authorOf?.(by.id);
  if (fresh != null && fresh !== by.author) return { ok: false, reason: 'FOREIGN_SUGGESTION' };
  // SG5: the first own mark the op touches, scanning in order.
  let join: string | null = null;
  const ownId = (i: number) => {
    const m = markAt(i);
    return m !== null && m.author === by.author ? m.id : null;
  };
  let pos = 0;
  for (const c of op.ops) {
    if (join !== null) break;
    if (c.insert !== undefined) {
      join = ownId(pos - 1) ?? ownId(pos);
      continue;
    }
    const n = (c.retain ?? c.delete) as number;
    const edits = c.delete !== undefined || (c.attributes !== undefined && (INSERT_MARK in c.attributes || DELETE_MARK in c.attributes));
    if (edits) for (let i = pos - 1; i <= pos + n && join === null; i++) join = ownId(i);
    pos += n;
  }
  const mark = encodeMark(join ?? by.id, by.author);
  const ownMark = (value: unknown): SuggestionRefusal | null => {
    const d = decodeMark(value);
    if (d === null) return 'MISPLACED_MARK';
    if (d.author !== by.author) return 'FOREIGN_AUTHOR';
    const session = by.id.slice(0, by.id.lastIndexOf(':') + 1);
    const mine = d.id === by.id || (d.id.startsWith(session) && /^[1-9][0-9]*$/.test(d.id.slice(session.length)));
    const owner = owners.get(d.id) ?? by.authorOf?.(d.id) ?? (mine ? by.author : undefined);
    if (owner == null) return 'UNKNOWN_SUGGESTION';
    return owner === by.author ? null : 'FOREIGN_SUGGESTION';
  };
  const out: Char[] = [];
  pos = 0;
  for (const c of op.ops) {
    if (c.insert !== undefined) {
      const before = markAt(pos - 1);
      const after = markAt(pos);
      if (before !== null && after !== null && before.id === after.id && before.author !== by.author) return { ok: false, reason: 'FOREIGN_SUGGESTION' };
      if (c.attributes?.[DELETE_MARK] !== undefined) return { ok: false, reason: 'MISPLACED_MARK' };
      const given = c.attributes?.[INSERT_MARK];
      if (given !== undefined) {
        const problem = ownMark(given);
        if (problem !== null) return { ok: false, reason: problem };
      }
      const attributes = plus(withoutMarks(c.attributes), { [INSERT_MARK]: given ?? mark });
      for (const ch of charsOf(new Delta().insert(c.insert, attributes))) out.push(ch);
      continue;
    }
    const n = (c.retain ?? c.delete) as number;
    let deletion: string | null = c.delete !== undefined ? mark : null;
    let explicit = false;
    let withdraw = false;
    if (c.retain !== undefined && c.attributes !== undefined) {
      if (withoutMarks(c.attributes) !== undefined) return { ok: false, reason: 'FORMAT_NOT_SUGGESTIBLE' };
      if (c.attributes[INSERT_MARK] !== undefined) return { ok: false, reason: 'MISPLACED_MARK' };
      if (c.attributes[DELETE_MARK] === null) withdraw = true;
      else {
        const problem = ownMark(c.attributes[DELETE_MARK]);
        if (problem !== null) return { ok: false, reason: problem };
        deletion = c.attributes[DELETE_MARK] as string;
        explicit = true;
      }
    }
    if (deletion !== null && pos + n === cs.length) return { ok: false, reason: 'DOES_NOT_FIT' };
    for (let k = 0; k < n; k++) {
      const ch = cs[pos + k]!;
      const m = markOf(ch.attributes);
      if (deletion !== null) {
        if (m === null) out.push({ content: ch.content, attributes: plus(ch.attributes, { [DELETE_MARK]: deletion }) });
        else if (m.kind === 'delete' && explicit && m.author === by.author) out.push({ content: ch.content, attributes: plus(ch.attributes, { [DELETE_MARK]: deletion }) });
        else if (m.kind === 'delete') out.push(ch);
        else if (m.author !== by.author) return { ok: false, reason: 'FOREIGN_SUGGESTION' };
      } else if (withdraw && m !== null && m.kind === 'delete') {
        if (m.author !== by.author) return { ok: false, reason: 'FOREIGN_SUGGESTION' };
        out.push({ content: ch.content, attributes: withoutMarks(ch.attributes) });
      } else out.push(ch);
    }
    pos += n;
  }
  out.push(...cs.slice(pos));
  return { ok: true, chars: out };
}

/** SG12 in the model: drop or unmark the suggestion's characters. */
function modelResolve(doc: Delta, id: string, accept: boolean): Char[] {
  const out: Char[] = [];
  for (const ch of charsOf(doc)) {
    const m = markOf(ch.attributes);
    if (m === null || m.id !== id) out.push(ch);
    else if ((m.kind === 'insert') === accept) out.push({ content: ch.content, attributes: withoutMarks(ch.attributes) });
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// Histories

const PEOPLE = ['alice', 'bob', 'cy'] as const;
const stepArb = fc.record({
  who: fc.constantFrom(...PEOPLE),
  kind: fc.constantFrom('suggest', 'suggest', 'suggest', 'reconvert', 'withdraw', 'forge', 'edit', 'accept', 'reject'),
  edits: fc.array(editArb, { maxLength: 3 }),
  pick: fc.nat({ max: 1000 }),
  span: fc.nat({ max: 1000 }),
});
const historyArb = fc.record({ doc: docArb, steps: fc.array(stepArb, { minLength: 1, maxLength: 16 }) });

/** A retain range [at, at + length) of the document, or null for one of length 1 ("\n" only). */
function range(doc: Delta, pick: number, span: number): { at: number; length: number } | null {
  const last = doc.length() - 1;
  if (last < 1) return null;
  const at = pick % last;
  return { at, length: 1 + (span % (last - at)) };
}

function expectSameDoc(actual: Delta, model: readonly Char[]): void {
  expect(actual.ops).toEqual(docOf(model).ops);
}

describe('suggestions against the model', () => {
  it('[SG4][SG5][SG8][SG12][SG2] every step equals the model, and the invariants hold', () => {
    fc.assert(
      fc.property(historyArb, ({ doc: start, steps }) => {
        let doc = start;
        let seq = 0;
        for (const step of steps) {
          seq += 1;
          const by: Suggester = { author: step.who, id: `${step.who}-c:${seq}` };
          let op: Delta | null = null;
          if (step.kind === 'suggest') op = buildOp(doc, step.edits);
          else if (step.kind === 'reconvert') {
            const first = toSuggestion(doc, buildOp(doc, step.edits), by);
            op = first.ok ? first.value : null;
          } else if (step.kind === 'withdraw' || step.kind === 'forge') {
            const r = range(doc, step.pick, step.span);
            if (r === null) continue;
            const value = step.kind === 'withdraw' ? null : encodeMark(step.span % 2 === 0 ? by.id : 'x:1', PEOPLE[step.pick % 3]!);
            op = new Delta().retain(r.at).retain(r.length, { [step.span % 3 === 0 ? INSERT_MARK : DELETE_MARK]: value });
            if (step.kind === 'forge' && step.pick % 2 === 0) op = new Delta().retain(r.at).insert('f', { [INSERT_MARK]: value });
          }
          if (op !== null) {
            const actual = toSuggestion(doc, op, by);
            const model = modelConvert(doc, op, by);
            expect(actual.ok ? 'ok' : actual.reason).toBe(model.ok ? 'ok' : model.reason);
            if (!actual.ok || !model.ok) continue;
            const s = actual.value;
            // SG8: canonical, fits, only own-insertion deletes, no formats, converts to itself.
            expect(expectOk(validateSuggestionOp(s)).ops).toEqual(s.ops);
            expect(toSuggestion(doc, s, by)).toEqual(actual);
            for (const c of s.ops) if (c.retain !== undefined) expect(withoutMarks(c.attributes)).toBeUndefined();
            const next = expectOk(apply(doc, s));
            expectSameDoc(next, model.chars);
            doc = next;
          } else if (step.kind === 'edit') {
            const edit = buildOp(doc, step.edits);
            if (!checkEdit(doc, edit, step.who).ok) continue;
            doc = expectOk(apply(doc, edit));
          } else {
            const open = openSuggestions(doc);
            if (open.length === 0) continue;
            const { id } = open[step.pick % open.length]!;
            const accept = step.kind === 'accept';
            const next = expectOk(apply(doc, expectOk(accept ? acceptOp(doc, id) : rejectOp(doc, id))));
            expectSameDoc(next, modelResolve(doc, id, accept));
            expect(openSuggestions(next).some((s) => s.id === id)).toBe(false);
            doc = next;
          }
          expectOk(checkMarkedDocument(doc));
        }
      }),
    );
  });

  it('[SG10][SG12] open suggestions match the marks, and resolving all of them in any order gives the resolved views', () => {
    fc.assert(
      fc.property(historyArb, fc.boolean(), fc.nat(), ({ doc: start, steps }, accept, rotate) => {
        let doc = start;
        steps.forEach((step, i) => {
          const r = toSuggestion(doc, buildOp(doc, step.edits), { author: step.who, id: `s:${i}` });
          if (r.ok) doc = expectOk(apply(doc, r.value));
        });
        const open = openSuggestions(doc);
        // Every marked character is in exactly its suggestion's ranges.
        const chars = charsOf(doc);
        chars.forEach((ch, i) => {
          const m = markOf(ch.attributes);
          const holders = open.filter((s) => s.ranges.some((r) => i >= r.index && i < r.index + r.length));
          expect(holders.map((s) => s.id)).toEqual(m === null ? [] : [m.id]);
        });
        const ids = open.map((s) => s.id);
        const order = ids.map((_, i) => ids[(i + rotate) % ids.length]!);
        let resolved = doc;
        for (const id of order) resolved = expectOk(apply(resolved, expectOk(accept ? acceptOp(resolved, id) : rejectOp(resolved, id))));
        expect(resolved.ops).toEqual(resolvedView(doc, accept ? 'accepted' : 'original').ops);
        expect(openSuggestions(resolved)).toEqual([]);
      }),
    );
  });
});

describe('concurrent suggestions', () => {
  it('[SG15] a suggestion transformed over another one is still in suggestion form at head, or refused for landing inside it', () => {
    const pairArb = fc.record({ history: historyArb, a: fc.array(editArb, { maxLength: 3 }), b: fc.array(editArb, { maxLength: 3 }) });
    fc.assert(
      fc.property(pairArb, ({ history, a, b }) => {
        let doc = history.doc;
        history.steps.forEach((step, i) => {
          const r = toSuggestion(doc, buildOp(doc, step.edits), { author: step.who, id: `h:${i}` });
          if (r.ok) doc = expectOk(apply(doc, r.value));
        });
        const alice: Suggester = { author: 'alice', id: 'a:1' };
        const bob: Suggester = { author: 'bob', id: 'b:1' };
        const sa = toSuggestion(doc, buildOp(doc, a), alice);
        const sb = toSuggestion(doc, buildOp(doc, b), bob);
        if (!sa.ok || !sb.ok) return;
        const head = expectOk(apply(doc, sa.value));
        const carried = transform(sb.value, sa.value, 'right');
        const again = toSuggestion(head, carried, bob);
        if (again.ok) expect(again.value.ops).toEqual(carried.ops);
        else expect(again.reason).toBe('FOREIGN_SUGGESTION');
        if (again.ok) expectOk(checkMarkedDocument(expectOk(apply(head, carried))));
      }),
    );
  });
});

describe('blame of suggested text', () => {
  it('[SG16] accepted text stays credited to its suggester, not to whoever accepted', () => {
    fc.assert(
      fc.property(docArb, fc.array(editArb, { minLength: 1, maxLength: 3 }), (doc, edits) => {
        const s = toSuggestion(doc, buildOp(doc, edits), { author: 'sam', id: 's:1' });
        if (!s.ok) return;
        const suggested = expectOk(apply(doc, s.value));
        const accept = acceptOp(suggested, 's:1');
        if (!accept.ok) return;
        const accepted = expectOk(apply(suggested, accept.value));
        const blame = blameAfter(initialBlame(doc, 'owner'), [
          { version: 1, delta: s.value, authorId: 'sam' },
          { version: 2, delta: accept.value, authorId: 'ed' },
        ]);
        const inserted = openSuggestions(suggested)[0]?.insertedText ?? '';
        const credited = blameSpans(accepted, blame.runs)
          .filter((span) => span.authorId === 'sam')
          .map((span) => span.text)
          .join('');
        expect(credited).toBe(inserted);
        expect(blame.runs.some((r) => r.authorId === 'ed')).toBe(false);
      }),
    );
  });
});
