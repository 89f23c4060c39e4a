/**
 * A sequencer that groups the submissions one process receives for one document (rules S1–S10
 * in ./SPEC.md, like `createSequencer`). Per document it runs one batch at a time: while a batch
 * commits, newer submissions queue; the next batch takes them all, reads the head once, checks
 * each (duplicate, bounds, transform over the stored ops after its base and over the ops accepted
 * before it in the batch, applies), and appends the accepted ones together — through the store's
 * `appendBatch` in one transaction when it has one (lib/db/batching-op-store.ts), else one by one.
 *
 * Why: with one op per append, every submission of a hot document races the others of its own
 * process for the next version and the losers retry (S6), so throughput collapses as editors are
 * added; and each op pays its own commit (fsync). Here submissions of one process never race each
 * other, and a batch pays one commit. Instances still race each other, through the store's atomic
 * append (P1), and the loser retries its whole batch.
 *
 * Answers come after the commit, and ops are published after it in version order [S7].
 *
 * A store that knows a document's head (lib/db/batching-op-store.ts) may first take the batch
 * with `appendOptimistic`: planned from that knowledge and committed in one conditional step,
 * no lock held across round trips; when it turns out stale, the same items go the locked way.
 */
import { apply, transform, type Delta } from '../ot/operation.ts';
import type { Broadcaster } from './broadcaster.ts';
import { contentAtHead } from './document-loader.ts';
import type { AppendResult, HeadState, OpStore } from './op-store.ts';
import { createSequencer, type Sequencer, type SequencerOptions } from './sequencer.ts';
import type { AppliedOp, RejectionCode, SubmitInput, SubmitResult } from './types.ts';

/**
 * Optional store capability: append consecutive ops at once. Answers one result per op: a prefix
 * of `appended`, then (if any) one op that was not — `conflict` (the head was not what the caller
 * expected) or `duplicate` — then `conflict` for every op after it, none of which was stored.
 * `contents[i]` is the document after `ops[i]`.
 */
export interface BatchAppender {
  appendBatch?(documentId: string, expectedVersion: number, ops: readonly AppliedOp[], contents: readonly Delta[]): Promise<AppendResult[]>;
  /** `findByClientSeq` for many keys at once (one answer per key, in order); optional. */
  findByClientSeqs?(documentId: string, keys: ReadonlyArray<{ clientId: string; clientSeq: number }>): Promise<Array<AppliedOp | null>>;
  /**
   * Holds the document's write lock (other processes' appends to it wait), lets `prepare` read
   * the document as of that moment through `reader`, and appends the ops it returns (versions
   * head + 1…; `contents[i]` is the document after `ops[i]`) before releasing it, atomically.
   * Answers false when the document does not exist (nothing stored). Throws when the store
   * fails; nothing is stored then.
   */
  appendLocked?(documentId: string, prepare: (reader: BatchReader) => Promise<{ ops: readonly AppliedOp[]; contents: readonly Delta[] }>): Promise<boolean>;
  /**
   * Optional, tried before `appendLocked`: lets `prepare` plan from what the store already knows
   * of the document (no reads; `findByClientSeqs` finds nothing, so a resubmission must make the
   * append fail rather than store twice) and appends its ops atomically only if the document is
   * still exactly as known. `stale`: nothing was stored (nothing known, the document moved on, or
   * `prepare` answered null); the caller then takes `appendLocked`. Throws when the store fails
   * (nothing stored).
   */
  appendOptimistic?(documentId: string, prepare: (reader: BatchReader) => Promise<{ ops: readonly AppliedOp[]; contents: readonly Delta[] } | null>): Promise<'appended' | 'stale'>;
}

/** What a batch reads, all as of one moment (under the lock, for `appendLocked`). */
export interface BatchReader {
  findByClientSeqs(keys: ReadonlyArray<{ clientId: string; clientSeq: number }>): Promise<Array<AppliedOp | null>>;
  /** The head version, or null for an unknown (or deleted) document. */
  headVersion(): Promise<number | null>;
  /** The stored ops after `after` up to `upTo`, ascending (pruned history starts later). */
  opsAfter(after: number, upTo: number): Promise<readonly AppliedOp[]>;
  /** The document at the head version (call after `headVersion`). */
  content(): Promise<Delta>;
}

interface Plan {
  readonly version: number;
  readonly accepted: readonly Accepted[];
  readonly followers: ReadonlyArray<{ item: Item; of: Accepted }>;
}

const APPENDED: AppendResult = { kind: 'appended' };

export interface BatchingSequencerOptions extends SequencerOptions {
  readonly store: OpStore & Partial<BatchAppender>;
  /** Most submissions handled per batch; default 200. */
  readonly maxBatch?: number;
}

interface Item {
  readonly input: SubmitInput;
  readonly resolve: (result: SubmitResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Accepted {
  readonly item: Item;
  readonly op: AppliedOp;
  readonly content: Delta;
}

const rejected = (code: RejectionCode, message: string): SubmitResult => ({ kind: 'rejected', code, message });
const keyOf = (clientId: string, clientSeq: number) => `${clientId}\u0000${clientSeq}`;

/** Appends one by one for stores without `appendBatch`, with the same answer shape. */
async function appendEach(store: OpStore, documentId: string, expectedVersion: number, ops: readonly AppliedOp[], contents: readonly Delta[]): Promise<AppendResult[]> {
  const results: AppendResult[] = [];
  for (let i = 0; i < ops.length; i++) {
    const broken = results.length > 0 && results[results.length - 1]!.kind !== 'appended';
    results.push(broken ? { kind: 'conflict' } : await store.append(documentId, expectedVersion + i, ops[i]!, contents[i]!));
  }
  return results;
}

/** Creates a batching sequencer over the given ports. */
export function createBatchingSequencer(options: BatchingSequencerOptions): Sequencer {
  const { store } = options;
  const broadcaster: Broadcaster = options.broadcaster;
  const clock = options.clock ?? (() => new Date());
  const maxRetries = options.maxRetries ?? 10;
  const snapshotEvery = options.snapshotEvery ?? 100;
  const maxBatch = options.maxBatch ?? 200;
  const onAfterCommitError = options.onAfterCommitError ?? (() => {});
  // Shape checks and document creation are the plain sequencer's; so is the one-by-one path.
  const plain = createSequencer(options);
  const queues = new Map<string, Item[]>();

  /**
   * Answers what a batch's reads already decide (duplicates of stored ops, bounds, ops that do
   * not apply) and transforms the rest in order, each over the stored ops after its base and over
   * the ops accepted before it [S3]. Returns null for an unknown document (after answering).
   */
  async function plan(documentId: string, items: readonly Item[], reader: BatchReader): Promise<Plan | null> {
    const previous = await reader.findByClientSeqs(items.map(({ input }) => input));
    const fresh = items.filter((_, i) => !previous[i]);
    items.forEach((item, i) => {
      const found = previous[i];
      if (found) item.resolve({ kind: 'duplicate', version: found.version, delta: found.delta });
    });
    const version = await reader.headVersion();
    if (version === null) {
      for (const item of fresh) item.resolve(rejected('NOT_FOUND', `Document ${documentId} does not exist.`));
      return null;
    }
    // The stored ops any item needs: those after the oldest base this batch can use.
    const bases = fresh.map(({ input }) => input.baseVersion).filter((b) => b < version);
    const oldest = bases.length > 0 ? Math.min(...bases) : version;
    const stored = oldest < version ? await reader.opsAfter(oldest, version) : [];
    const storedFrom = stored[0]?.version ?? version + 1;

    let content = fresh.length > 0 ? await reader.content() : null;
    const accepted: Accepted[] = [];
    const followers: Array<{ item: Item; of: Accepted }> = []; // resubmissions within this batch
    const byKey = new Map<string, Accepted>();
    for (const item of fresh) {
      const { input } = item;
      const same = byKey.get(keyOf(input.clientId, input.clientSeq));
      if (same) {
        followers.push({ item, of: same });
        continue;
      }
      if (input.baseVersion > version) {
        item.resolve(rejected('VERSION_AHEAD', `baseVersion ${input.baseVersion} is past the head version ${version}; reload the document and resubmit.`));
        continue;
      }
      const missing = version - input.baseVersion;
      if (missing > 0 && (storedFrom > input.baseVersion + 1 || stored.length < version - Math.max(oldest, storedFrom - 1))) {
        item.resolve(rejected('VERSION_TOO_OLD', `History after version ${input.baseVersion} is no longer available; reload the document.`));
        continue;
      }
      // Committed ops and the ones accepted before it in this batch win ties [S3].
      let delta = input.delta;
      for (const op of stored) if (op.version > input.baseVersion) delta = transform(delta, op.delta, 'right');
      for (const earlier of accepted) delta = transform(delta, earlier.op.delta, 'right');
      const next = apply(content!, delta);
      if (!next.ok) {
        item.resolve(rejected(next.code, next.message));
        continue;
      }
      const op: AppliedOp = {
        documentId,
        version: version + accepted.length + 1,
        delta,
        authorId: input.authorId,
        clientId: input.clientId,
        clientSeq: input.clientSeq,
        createdAt: clock(),
      };
      const entry = { item, op, content: next.value };
      accepted.push(entry);
      byKey.set(keyOf(input.clientId, input.clientSeq), entry);
      content = next.value;
    }
    return { version, accepted, followers };
  }

  // What runs after commits, off the answer path, in commit order per chain: a document's
  // publishing (so the next batch need not wait for Redis), and apart from it its snapshots (a
  // content and a blame snapshot cost far more than an append; neither a batch nor a publish
  // should wait for one).
  const chains = new Map<string, Promise<void>>();
  const later = (chain: string, work: () => Promise<void>) => {
    const next = (chains.get(chain) ?? Promise.resolve()).then(work);
    chains.set(chain, next);
    void next.then(() => {
      if (chains.get(chain) === next) chains.delete(chain);
    });
  };

  /** Answers the committed ops of a plan, then publishes them and saves snapshots; returns the items to try again. */
  async function finish(documentId: string, { accepted, followers }: Plan, results: readonly AppendResult[]): Promise<Item[]> {
    const committed = accepted.filter((_, i) => results[i]?.kind === 'appended');
    // Durable from here: answers go now; publishing (in version order) and snapshots follow, and
    // their failures do not change answers [S7].
    for (const a of committed) a.item.resolve({ kind: 'applied', version: a.op.version, delta: a.op.delta });
    if (committed.length > 0) {
      later(documentId, async () => {
        try {
          await Promise.all(committed.map((a) => broadcaster.publish(documentId, a.op)));
        } catch (error) {
          onAfterCommitError(error, committed[committed.length - 1]!.op);
        }
      });
      for (const a of committed) {
        if (snapshotEvery > 0 && a.op.version % snapshotEvery === 0) {
          later(`${documentId}\u0000snapshots`, async () => {
            try {
              await store.saveSnapshot({ documentId, version: a.op.version, content: a.content, createdAt: a.op.createdAt });
            } catch (error) {
              onAfterCommitError(error, a.op);
            }
          });
        }
      }
    }
    const retry: Item[] = [];
    accepted.forEach((a, i) => {
      const result = results[i];
      if (result?.kind === 'duplicate') a.item.resolve({ kind: 'duplicate', version: result.existing.version, delta: result.existing.delta });
      else if (result?.kind !== 'appended') retry.push(a.item);
    });
    for (const { item, of } of followers) {
      if (committed.includes(of)) item.resolve({ kind: 'duplicate', version: of.op.version, delta: of.op.delta });
      else retry.push(item);
    }
    return retry;
  }

  /** Reads through the store's ports; another writer may take the version meanwhile (then: retry). */
  const storeReader = (documentId: string): BatchReader => {
    let head: HeadState | null = null;
    return {
      findByClientSeqs: (keys) =>
        store.findByClientSeqs ? store.findByClientSeqs(documentId, keys) : Promise.all(keys.map((k) => store.findByClientSeq(documentId, k.clientId, k.clientSeq))),
      async headVersion() {
        head = await store.head(documentId);
        return head?.version ?? null;
      },
      opsAfter: (after, upTo) => store.opsAfter(documentId, after, upTo - after),
      content: async () => contentAtHead(head!).content,
    };
  };

  /**
   * One attempt at a batch. With `appendLocked`, the batch is read, planned and appended under
   * the document's lock, so it cannot lose its version; otherwise it is planned optimistically
   * and appended with `appendBatch` (or op by op), and what lost its version is returned for a
   * retry [S6].
   */
  async function attempt(documentId: string, items: readonly Item[]): Promise<Item[]> {
    if (store.appendOptimistic) {
      // Planned on stand-ins: any answer the plan would give before the commit (a rejection, a
      // duplicate) is only true of the known state, so it sends the batch down the locked path.
      let answered = false;
      const originals = new Map<Item, Item>();
      const standIns = items.map((item) => {
        const standIn: Item = { input: item.input, resolve: () => void (answered = true), reject: item.reject };
        originals.set(standIn, item);
        return standIn;
      });
      let planned: Plan | null = null;
      const outcome = await store.appendOptimistic(documentId, async (reader) => {
        planned = await plan(documentId, standIns, reader);
        if (answered || !planned) return null;
        return { ops: planned.accepted.map((a) => a.op), contents: planned.accepted.map((a) => a.content) };
      });
      const done = planned as Plan | null;
      if (outcome === 'appended' && done) {
        const real = (item: Item) => originals.get(item)!;
        const accepted = done.accepted.map((a) => ({ ...a, item: real(a.item) }));
        const byStandIn = new Map(done.accepted.map((a, i) => [a, accepted[i]!]));
        const followers = done.followers.map((f) => ({ item: real(f.item), of: byStandIn.get(f.of)! }));
        return finish(documentId, { version: done.version, accepted, followers }, accepted.map(() => APPENDED));
      }
    }
    if (store.appendLocked) {
      let planned: Plan | null = null;
      const found = await store.appendLocked(documentId, async (reader) => {
        planned = await plan(documentId, items, reader);
        return planned ? { ops: planned.accepted.map((a) => a.op), contents: planned.accepted.map((a) => a.content) } : { ops: [], contents: [] };
      });
      const done = planned as Plan | null;
      if (!found || !done) return [];
      return finish(documentId, done, done.accepted.map(() => APPENDED));
    }
    const planned = await plan(documentId, items, storeReader(documentId));
    if (!planned) return [];
    if (planned.accepted.length === 0) return finish(documentId, planned, []);
    const ops = planned.accepted.map((a) => a.op);
    const contents = planned.accepted.map((a) => a.content);
    const results = store.appendBatch
      ? await store.appendBatch(documentId, planned.version, ops, contents)
      : await appendEach(store, documentId, planned.version, ops, contents);
    return finish(documentId, planned, results);
  }

  async function runBatch(documentId: string, items: Item[]): Promise<void> {
    let pending = items;
    try {
      for (let i = 0; i <= maxRetries && pending.length > 0; i++) pending = await attempt(documentId, pending);
      for (const item of pending) {
        item.resolve(
          rejected('CONFLICT_RETRIES_EXHAUSTED', `Other edits kept landing first (${maxRetries + 1} attempts); nothing was stored, submit the same op again.`),
        );
      }
    } catch (error) {
      // Infrastructure failure before a commit: these submissions throw, like the plain sequencer's.
      for (const item of pending) item.reject(error);
    }
  }

  async function drain(documentId: string, queue: Item[]): Promise<void> {
    while (queue.length > 0) await runBatch(documentId, queue.splice(0, maxBatch));
    queues.delete(documentId);
  }

  return {
    submit(input: SubmitInput): Promise<SubmitResult> {
      // Bad shapes are answered at once, without queueing.
      if (!Number.isSafeInteger(input.baseVersion) || input.baseVersion < 0 || !Number.isSafeInteger(input.clientSeq) || input.clientSeq < 1 || input.clientId.length === 0) {
        return plain.submit(input);
      }
      return new Promise((resolve, reject) => {
        const item = { input, resolve, reject };
        const queue = queues.get(input.documentId);
        if (queue) {
          queue.push(item);
          return;
        }
        const fresh = [item];
        queues.set(input.documentId, fresh);
        void drain(input.documentId, fresh);
      });
    },
    createDocument: (documentId, content) => plain.createDocument(documentId, content),
    async settle() {
      while (chains.size > 0) await Promise.all(chains.values());
    },
  };
}
