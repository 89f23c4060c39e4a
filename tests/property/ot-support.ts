/** Small assertions shared by the lib/ot tests. */
import { expect } from 'vitest';
import { apply, checkApplicable, validateDocument, validateOp, type Delta, type Result } from '../../lib/ot/operation.ts';

/** The value of an ok Result; fails the test with the Result's message otherwise. */
export function expectOk<T>(result: Result<T>): T {
  if (!result.ok) expect.fail(`expected ok, got ${result.code}: ${result.message}`);
  return result.value;
}

/** `op` applied to `doc`, which must succeed. */
export function applyOk(doc: Delta, op: Delta): Delta {
  return expectOk(apply(doc, op));
}

/** Asserts two Deltas are the same (both canonical, so equal ops mean equal content). */
export function expectSameDelta(actual: Delta, expected: Delta): void {
  expect(actual.ops).toEqual(expected.ops);
}

/** Asserts `doc` is a valid, canonical document. */
export function expectValidDocument(doc: Delta): void {
  expectSameDelta(expectOk(validateDocument(doc)), doc);
}

/** Asserts `op` is canonical, passes validation and fits `doc`. */
export function expectValidOpFor(doc: Delta, op: Delta): void {
  expectSameDelta(expectOk(validateOp(op)), op);
  expectOk(checkApplicable(doc, op));
}
