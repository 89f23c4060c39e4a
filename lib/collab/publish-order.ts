/**
 * The order one instance publishes one document's committed plans in [S7]: version order, even
 * when the database answers pipelined commits in another order [S13]. Pure: no promises, no I/O.
 *
 * Which of this instance's commits may hold versions below a committed plan's: only those still
 * unanswered at its answer (one sent after an answer arrived is stored after it). A plan stored
 * as planned was planned on a head that held exactly the versions below it, stored (or about to
 * be, by the predecessor it was planned on) by commits sent before it, so it waits only for
 * those; a plan the store planned again landed wherever the head was, so it waits for every
 * commit then unanswered. Once its waits are answered, the waiting plans go out lowest version
 * first, none before a lower one still waiting. Under steady pipelining a plan's predecessor is
 * usually answered first, so it goes out at once.
 */
export interface PublishOrder<T> {
  /** A commit was sent; its answer must be given to {@link answered}, once. */
  sent(): Commitment;
  /**
   * The commit was answered: `committed` when it stored ops from `firstVersion` on (`asPlanned`:
   * the very plan it sent), null when it stored nothing (refused, failed, a duplicate or a
   * document gone). Returns the committed plans now due for publishing, in version order.
   */
  answered(commitment: Commitment, committed: { readonly firstVersion: number; readonly asPlanned: boolean; readonly value: T } | null): T[];
  /**
   * The commits unanswered now hold nothing back any more (one hangs on a lost connection): every
   * waiting plan is due, and plans answered later do not wait for them. Returns the plans due, in
   * version order. A version such a commit stored reaches subscribers late, refilled from the
   * store (F3), as it would after a lost publish.
   */
  skipUnanswered(): T[];
  /** A committed plan is waiting. */
  readonly holding: boolean;
  /** Neither a commit unanswered nor a plan waiting. */
  readonly idle: boolean;
}

/** One sent commit, numbered in sending order. */
export type Commitment = { readonly sentAs: number };

interface Waiting<T> {
  readonly firstVersion: number;
  readonly value: T;
  /** Commits unanswered when this one was answered: any of them may hold lower versions. */
  readonly after: Set<Commitment>;
}

export function createPublishOrder<T>(): PublishOrder<T> {
  const outstanding = new Set<Commitment>();
  const skipped = new Set<Commitment>(); // unanswered, no longer waited for
  const waiting: Waiting<T>[] = []; // ascending by firstVersion
  let count = 0;
  const due = (): T[] => {
    const plans: T[] = [];
    while (waiting.length > 0 && waiting[0]!.after.size === 0) plans.push(waiting.shift()!.value);
    return plans;
  };
  return {
    sent() {
      const commitment = { sentAs: ++count };
      outstanding.add(commitment);
      return commitment;
    },
    answered(commitment, committed) {
      if (!outstanding.delete(commitment)) throw new Error('publish order: a commit answered twice or never sent');
      skipped.delete(commitment);
      for (const w of waiting) w.after.delete(commitment);
      if (committed) {
        const after = new Set([...outstanding].filter((c) => !skipped.has(c) && (!committed.asPlanned || c.sentAs < commitment.sentAs)));
        const entry = { firstVersion: committed.firstVersion, value: committed.value, after };
        const at = waiting.findIndex((w) => w.firstVersion > committed.firstVersion);
        waiting.splice(at === -1 ? waiting.length : at, 0, entry);
      }
      return due();
    },
    skipUnanswered() {
      for (const c of outstanding) skipped.add(c);
      for (const w of waiting) w.after.clear();
      return due();
    },
    get holding() {
      return waiting.length > 0;
    },
    get idle() {
      return outstanding.size === 0 && waiting.length === 0;
    },
  };
}
