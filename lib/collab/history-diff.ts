/**
 * The change between two versions of a document, from its own ops (H13, H14). Pure.
 *
 * Composing the ops between two versions gives a Delta turning the earlier document into the
 * later one, and inverting that composition (against the earlier document) gives one for the
 * other direction. This costs the size of the ops in between, not the size of the document,
 * which a text diff of the two documents would; but composition grows with the number of ops, so
 * callers use it for nearby versions and a text diff (lib/ot `diff`) for distant ones.
 */
import { compose, Delta, invert } from '../ot/operation.ts';

/** Beyond this many ops between the versions, a text diff of the two documents is cheaper. */
export const MAX_OPS_TO_COMPOSE = 2_000;

/** Ops read and composed at a time: bounds memory (this many ops at once) and each slice's CPU. */
export const OPS_PER_SLICE = 100;

/**
 * A Delta turning the document at `from` into the document at `to`, given the document at the
 * lower of the two and the ops in between (ascending: lower + 1 … upper).
 */
export function changeBetween(from: number, to: number, lowerContent: Delta, opsBetween: readonly Delta[]): Delta {
  if (opsBetween.length !== Math.abs(to - from)) {
    throw new RangeError(`changeBetween: ${opsBetween.length} ops between versions ${from} and ${to}`);
  }
  const forward = composeAll(opsBetween);
  return to >= from ? forward : invert(forward, lowerContent);
}

/**
 * The consecutive `ops` composed into one, pairwise (balanced) so that each op is merged
 * O(log n) times, not n times.
 */
export function composeAll(ops: readonly Delta[]): Delta {
  let level: Delta[] = [...ops];
  while (level.length > 1) {
    const next: Delta[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i] as Delta;
      const b = level[i + 1];
      next.push(b === undefined ? a : compose(a, b));
    }
    level = next;
  }
  return level[0] ?? new Delta();
}
