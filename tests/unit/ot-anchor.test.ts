/** Edge cases of lib/ot/anchor.ts and lib/ot/anchor-tracker.ts, by rule of lib/ot/SPEC.md (AN1–AN8). */
import { describe, expect, it } from 'vitest';
import { carryAnchor, carryRange, rangeText, validateRange, type TextRange } from '../../lib/ot/anchor.ts';
import { AnchorTracker } from '../../lib/ot/anchor-tracker.ts';
import { apply, compose, Delta, transform, type Result } from '../../lib/ot/operation.ts';

const doc = (text: string) => new Delta().insert(text);
const message = (r: Result<unknown>) => (r.ok ? 'ok' : `${r.code}: ${r.message}`);
const range = (index: number, length: number): TextRange => ({ index, length });
/** The text a range covers in a document. */
const text = (d: Delta, r: TextRange | null) => (r === null ? null : rangeText(d, r));
const applied = (d: Delta, op: Delta) => {
  const r = apply(d, op);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('validateRange', () => {
  const d = doc('abc😀d\n');

  it('[AN1] accepts a range inside the document, the final newline included', () => {
    expect(message(validateRange(d, 0, 7))).toBe('ok');
    expect(validateRange(d, 3, 2)).toEqual({ ok: true, value: range(3, 2) });
  });

  it('[AN1] refuses a caret, a negative or fractional index, and a range past the end', () => {
    expect(message(validateRange(d, 1, 0))).toMatch(/^BAD_USER_INPUT: The range's length must be a whole number ≥ 1/);
    expect(message(validateRange(d, -1, 2))).toMatch(/^BAD_USER_INPUT: The range's index must be a whole number ≥ 0; got -1/);
    expect(message(validateRange(d, 1.5, 2))).toMatch(/index must be a whole number/);
    expect(message(validateRange(d, 5, 3))).toBe(
      'BAD_USER_INPUT: The range 5..8 reaches past the end of the document (length 7 at that version); select text inside the document.',
    );
  });

  it('[AN1] refuses a range whose start or end cuts a surrogate pair', () => {
    expect(message(validateRange(d, 4, 1))).toMatch(/^BAD_USER_INPUT: The range 4..5 cuts a character in half/);
    expect(message(validateRange(d, 2, 2))).toMatch(/The range 2..4 cuts a character in half/);
    expect(message(validateRange(d, 3, 2))).toBe('ok');
  });
});

describe('rangeText', () => {
  it('[AN8] is the range text, an embed standing for U+FFFC', () => {
    const d = new Delta().insert('ab', { bold: true }).insert({ image: 'https://example.com/a.png' }).insert('cd\n');
    expect(rangeText(d, range(1, 3))).toBe('b\uFFFCc');
  });
});

describe('carryRange', () => {
  const d = doc('abcdef\n'); // range 2..5 is "cde"
  const cde = range(2, 3);

  it('[AN2] an insert strictly inside joins the range', () => {
    const op = new Delta().retain(3).insert('XY');
    expect(text(applied(d, op), carryRange(cde, op))).toBe('cXYde');
    expect(carryRange(cde, op)).toEqual(range(2, 5));
  });

  it('[AN2] an insert exactly at the start lands before it, at the end after it', () => {
    const atStart = new Delta().retain(2).insert('X');
    expect(carryRange(cde, atStart)).toEqual(range(3, 3));
    expect(text(applied(d, atStart), carryRange(cde, atStart))).toBe('cde');
    const atEnd = new Delta().retain(5).insert('X');
    expect(carryRange(cde, atEnd)).toEqual(cde);
    expect(carryRange(cde, new Delta().insert('12'))).toEqual(range(4, 3));
  });

  it('[AN3] deleted text leaves the range; deletes before it move it; formats do not', () => {
    expect(carryRange(cde, new Delta().delete(1))).toEqual(range(1, 3));
    expect(carryRange(cde, new Delta().retain(1).delete(2))).toEqual(range(1, 2));
    expect(carryRange(cde, new Delta().retain(3).delete(1))).toEqual(range(2, 2));
    expect(carryRange(cde, new Delta().retain(4).delete(2))).toEqual(range(2, 2));
    expect(carryRange(cde, new Delta().retain(1).retain(5, { bold: true }))).toEqual(cde);
  });

  it('[AN3] replacing text inside keeps the new text (the insert is inside), replacing all of it does not', () => {
    const inside = new Delta().retain(3).insert('X').delete(1); // "d" → "X"
    expect(text(applied(d, inside), carryRange(cde, inside))).toBe('cXe');
    const whole = new Delta().retain(2).insert('X').delete(3); // "cde" → "X": the insert is at its start
    expect(carryRange(cde, whole)).toBeNull();
  });

  it('[AN4] all of it deleted: null, and it stays null when text comes back where it was', () => {
    expect(carryRange(cde, new Delta().retain(1).delete(5))).toBeNull();
    const gone = carryAnchor({ range: cde, version: 3 }, [{ version: 4, delta: new Delta().retain(2).delete(3) }]);
    expect(gone).toEqual({ range: null, version: 4 });
    expect(carryAnchor(gone, [{ version: 5, delta: new Delta().retain(2).insert('cde') }])).toEqual({ range: null, version: 5 });
  });
});

describe('carryAnchor', () => {
  const d = doc('abcdef\n');
  const a = new Delta().retain(3).delete(2); // deletes "de": the range's tail
  const b = new Delta().retain(3).insert('X'); // at the new end of the range

  it('[AN5] carries one op at a time, which is not the same as carrying over the composed op', () => {
    const stepwise = carryAnchor({ range: range(2, 3), version: 0 }, [{ version: 1, delta: a }, { version: 2, delta: b }]);
    expect(stepwise).toEqual({ range: range(2, 1), version: 2 });
    expect(text(applied(applied(d, a), b), stepwise.range)).toBe('c');
    expect(carryRange(range(2, 3), compose(a, b))).toEqual(range(2, 2)); // "cX": why the server never composes
  });

  it('[AN5] skips ops at or below its version, and a split fold gives the same answer', () => {
    const log = [
      { version: 1, delta: new Delta().insert('>') },
      { version: 2, delta: new Delta().retain(4).insert('!') },
      { version: 3, delta: new Delta().retain(1).delete(1) },
    ];
    const whole = carryAnchor({ range: range(2, 3), version: 0 }, log);
    const first = carryAnchor({ range: range(2, 3), version: 0 }, log.slice(0, 1));
    expect(carryAnchor(first, log)).toEqual(whole);
    expect(whole).toEqual({ range: range(2, 4), version: 3 });
  });

  it('[AN5] throws when an op after its version is missing, and answers the same object when nothing is newer', () => {
    const anchor = { range: range(1, 1), version: 4 };
    expect(() => carryAnchor(anchor, [{ version: 6, delta: new Delta() }])).toThrow(/anchor is at version 4 but the next op given is 6/);
    expect(carryAnchor(anchor, [{ version: 3, delta: new Delta().delete(1) }])).toBe(anchor);
  });
});

describe('AnchorTracker', () => {
  const d = doc('abcdef\n');
  const serverFirst = new Delta().retain(4).insert('X'); // A: inside "cde"
  const own = new Delta().retain(3).delete(2); // B: deletes "de"

  it("[AN6] a client carrying edits in its own order disagrees with the server; the tracker follows the server's order", () => {
    // Server: A, then B rebased over A.
    const bOnServer = transform(own, serverFirst, 'right');
    const server = carryAnchor({ range: range(2, 3), version: 0 }, [{ version: 1, delta: serverFirst }, { version: 2, delta: bOnServer }]);
    expect(text(applied(applied(d, serverFirst), bOnServer), server.range)).toBe('cX');
    // Naive client B: its own delete first, then A rebased over it.
    const aOnClient = transform(serverFirst, own, 'left');
    const naive = carryRange(carryRange(range(2, 3), own)!, aOnClient);
    expect(text(applied(applied(d, own), aOnClient), naive)).toBe('c');
    // The tracker shows B's pending edit for display, then agrees with the server once acknowledged.
    const tracker = new AnchorTracker<string>(0);
    tracker.set('t', { range: range(2, 3), version: 0 });
    expect(tracker.local(own).get('t')).toEqual(range(2, 1));
    tracker.applied({ version: 1, delta: serverFirst });
    tracker.applied({ version: 2, delta: bOnServer });
    expect(tracker.local(null).get('t')).toEqual(server.range);
  });

  it('[AN6] an anchor read at an older version is carried over kept ops; one too old asks for a new read', () => {
    const tracker = new AnchorTracker<string>(0, 2);
    for (let v = 1; v <= 3; v += 1) tracker.applied({ version: v, delta: new Delta().insert('>') });
    expect(tracker.set('kept', { range: range(2, 1), version: 1 })).toBe(true);
    expect(tracker.confirmed().get('kept')).toEqual(range(4, 1));
    expect(tracker.set('old', { range: range(2, 1), version: 0 })).toBe(false);
    expect(tracker.confirmed().has('old')).toBe(false);
  });

  it('[AN6] an anchor read ahead of the client waits until its version arrives', () => {
    const tracker = new AnchorTracker<string>(0);
    tracker.set('ahead', { range: range(0, 1), version: 1 });
    expect(tracker.confirmed().has('ahead')).toBe(false);
    tracker.applied({ version: 1, delta: new Delta().insert('>') });
    expect(tracker.confirmed().get('ahead')).toEqual(range(0, 1));
    tracker.applied({ version: 2, delta: new Delta().insert('>') });
    expect(tracker.confirmed().get('ahead')).toEqual(range(1, 1));
  });

  it('[AN6] refuses an op out of order, and a reset drops anchors it can no longer carry', () => {
    const tracker = new AnchorTracker<string>(5);
    expect(() => tracker.applied({ version: 7, delta: new Delta() })).toThrow(/expected the op producing version 6, got 7/);
    tracker.set('behind', { range: range(0, 1), version: 5 });
    tracker.set('ahead', { range: range(0, 1), version: 9 });
    tracker.reset(8);
    expect(tracker.version).toBe(8);
    expect([...tracker.confirmed().keys()]).toEqual([]);
    tracker.reset(9);
    expect([...tracker.confirmed().keys()]).toEqual(['ahead']);
  });
});
