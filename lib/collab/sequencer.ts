/**
 * The server side of sequencing, and the only one (rules S1–S10, PL1–PL6, K1–K3 and O1–O5 in
 * ./SPEC.md). A submission goes:
 *
 * 1. **queue** — per document and author, with a deadline; a resend of a submission still queued
 *    or in a batch waits for that one's answer; beyond the instance's bound, or when its author's
 *    own backlog would keep it waiting too long, it is refused at once (`RATE_LIMITED`, O1–O5);
 * 2. **batch** — when one of the instance's batch slots is free, everything queued for the
 *    document (up to `maxBatch`, taken one author at a time in turn [O6], minus what outlived
 *    its deadline) becomes one batch;
 * 3. **plan** — `planBatch` (./planner.ts, pure) on the head this instance knows (./known-head.ts:
 *    the one head cache, following other instances' commits through the broadcaster);
 * 4. **COMMIT** — `store.commit` (./op-store.ts), the one write of the op log: it writes the plan
 *    if the known head is still true, else plans the batch again on the head it finds; while it
 *    is in flight, the document's next batch is planned on this plan's `next` and its commit sent
 *    behind it (pipelining, S13, P11: it lands iff this plan did);
 * 5. **answer** — each submission's answer from the committed plan; the plan's `next` head is
 *    remembered; publishing (in version order) and snapshots run after the answers.
 *
 * Any number of instances may share one store: `commit` is the only serialisation point.
 */
import { apply, emptyDocument, validateDocument, type Delta } from '../ot/operation.ts';
import type { Broadcaster, Unsubscribe } from './broadcaster.ts';
import { advance, fitHead, tailBetween, TAIL_LENGTH, type KnownHead } from './known-head.ts';
import { CommitDataError, type CommitResult, type OpStore } from './op-store.ts';
import { answerOf, DEFAULT_CATCH_UP, foreignClientId, nextTurn, oldestBase, PLAN_SLICE_WORK, planBatch, planBatchInSlices, shapeProblem, type BatchPlan, type CatchUpBudget, type PlanOptions } from './planner.ts';
import { createPublishOrder, type Commitment, type PublishOrder } from './publish-order.ts';
import { DEFAULT_REVISION_PAUSE_MS } from './revisions.ts';
import type { AppliedOp, SubmitInput, SubmitResult } from './types.ts';

/** Why a submission was refused for load: the instance's queue was full [O1], it waited past its deadline [O2], its author's queued ops for its document would keep it waiting too long [O5] (document-busy), or, by chance, past half that long (document-filling, O5's early refusals). */
export type OverloadReason = 'queue-full' | 'deadline' | 'document-busy' | 'document-filling';

/** How much work one instance takes on before it refuses more (O1–O3, O5). */
export interface SequencerLimits {
  /** Submissions waiting in queues (all documents) before new ones are refused `RATE_LIMITED`; default 2,000. */
  readonly maxQueued: number;
  /** Batches committing at once (all documents); keep it ≤ the write pool's connections; default 6. */
  readonly maxConcurrentBatches: number;
  /**
   * Longest a submission may wait in its queue; past it, it is answered `RATE_LIMITED` unprocessed.
   * Shorter than the client's 10 s ack timeout, so no work is done for a client that gave up; default 6,000.
   */
  readonly deadlineMs: number;
  /**
   * Longest a new submission should expect to wait for its batch: the submissions taken before it
   * in turn by author [O6] times the document's recent time per submission; one that would wait
   * longer is answered `RATE_LIMITED` at once [O5]. Default 150 (measured against 100, 200 and 250 on the hot document; rule O5); 0 turns the rule off.
   */
  readonly maxWaitMs: number;
  /**
   * Submissions of one author a document's queue always admits, whatever the estimate [O5]: they
   * join the next batches, whose commit costs about one round trip whatever their size, so
   * refusing them would only turn a slow commit into a retry; default 32.
   */
  readonly minQueuePerAuthor: number;
  /**
   * Submissions a document's queue always admits, whoever's, whatever the estimate [O5]: past it,
   * a new submission whose turn would come later than `maxWaitMs` is refused even when its
   * author has few queued (many people typing into one overloaded document). Default 64, a full
   * batch (`maxBatch`'s default): whatever is queued below it joins the next batch, so refusing it
   * would only turn a slow commit into a retry. (At 200 a hot document's overload planned batches
   * of 200, each caught up over hundreds of ops: ~300 ms to plan, up to 900 ms to commit with the
   * other instance's commits replanned in, accepted ops waiting 1–2 s.)
   */
  readonly minQueuePerDocument: number;
  /**
   * Where early refusals start, as a share of `maxWaitMs` [O5]: a submission that would wait
   * longer than this is refused with a chance growing linearly to 1 at `maxWaitMs`. 1 turns early
   * refusals off; default 0.5.
   */
  readonly earlyRefusal: number;
}

/** KNOWN_HEADS_MAX_BYTES's default (README): 64 MiB of estimated content and tails per instance [K4]. */
export const DEFAULT_KNOWN_HEADS_MAX_BYTES = 64 * 1024 * 1024;

export const DEFAULT_SEQUENCER_LIMITS: SequencerLimits = { maxQueued: 2000, maxConcurrentBatches: 6, deadlineMs: 6000, maxWaitMs: 150, minQueuePerAuthor: 32, minQueuePerDocument: 64, earlyRefusal: 0.5 };

/** Other instances' ops a known head holds, per document, while they wait for an earlier one heard out of order [K3]. */
export const EARLY_OPS_MAX = 256;

/** Batches of one document committing at once by default [S13]: one in flight, the next planned on it and sent. */
export const DEFAULT_PIPELINE_DEPTH = 2;

/** Longest a committed plan's publishing waits for an earlier commit's answer by default [S7]. */
export const DEFAULT_PUBLISH_WAIT_MS = 1000;

/** The longest delay setTimeout keeps (2³¹ − 1 ms); `publishWaitMs` is capped to it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Commits in a row that stored the plan they sent, with no other instance's op heard, before a document pipelines [S13]. */
export const PIPELINE_AFTER_CALM_COMMITS = 4;

export interface SequencerOptions {
  readonly store: OpStore;
  readonly broadcaster: Broadcaster;
  /**
   * Where known heads hear other instances' commits (default: `broadcaster`); null: they do not
   * follow, and a head another instance moved costs the store a replan at commit.
   */
  readonly follow?: Pick<Broadcaster, 'subscribe'> | null;
  /** Server time for `createdAt` [S9]; defaults to `new Date()`. */
  readonly clock?: () => Date;
  /** Chance for early refusals [O5], in [0, 1); defaults to `Math.random`. */
  readonly random?: () => number;
  /** Milliseconds for queue deadlines (monotonic); defaults to `performance.now()`. */
  readonly monotonic?: () => number;
  /** Save a snapshot after every version divisible by this [S8]; 0 turns it off; default 100. */
  readonly snapshotEvery?: number;
  /** Revision pause (H3); default five minutes. */
  readonly revisionPauseMs?: number;
  /** Most submissions planned in one batch; default 64 (see `minQueuePerDocument`). */
  readonly maxBatch?: number;
  /**
   * Batches of one document committing at once [S13]: while a batch's commit is in flight the
   * next one is planned on that plan's `next` and sent, so a hot document's throughput is not
   * bounded by one commit's round trip. 1 turns pipelining off; default 2.
   */
  readonly pipelineDepth?: number;
  /**
   * Commits in a row that stored the plan they sent, with no other instance's op heard, before a
   * document pipelines [S13]; default {@link PIPELINE_AFTER_CALM_COMMITS}. A performance choice
   * only: any value is correct (the simulation uses 0, pipelining whenever it can).
   */
  readonly pipelineAfterCalm?: number;
  /**
   * Longest a committed plan's publishing waits for this instance's commits that may hold lower
   * versions and are still unanswered [S7]; then it goes out without them. Default
   * {@link DEFAULT_PUBLISH_WAIT_MS}.
   */
  readonly publishWaitMs?: number;
  /** Documents whose known head is kept; default 1,000. */
  readonly cacheSize?: number;
  /** Estimated bytes the known heads may hold together (content + tail, `headBytes`) [K4]; default 64 MiB. */
  readonly cacheMaxBytes?: number;
  /** How far behind and how much transform work one submission may be [PL8]; default DEFAULT_CATCH_UP. */
  readonly catchUp?: Partial<CatchUpBudget>;
  readonly limits?: Partial<SequencerLimits>;
  /**
   * Publishing or snapshotting failed after the op committed [S7]. The answer is still `applied`;
   * this is for logs and metrics. Default: ignore.
   */
  readonly onAfterCommitError?: (error: unknown, op: AppliedOp) => void;
  /** A submission was refused for load: `queue-full` at arrival, `deadline` after waiting (metrics). */
  readonly onOverload?: (reason: OverloadReason) => void;
}

/** The answer to `createDocument`. */
export type CreateDocumentResult =
  | { readonly kind: 'created'; readonly version: 0 }
  | { readonly kind: 'rejected'; readonly code: 'BAD_USER_INPUT' | 'PAYLOAD_TOO_LARGE'; readonly message: string };

export interface Sequencer {
  /**
   * Applies one op at most once per (documentId, clientId, clientSeq) [S2]: transformed over the
   * ops after its baseVersion and those batched before it [S3], checked to apply [S5], committed,
   * answered, then published [S7]. Expected failures are `rejected` values; it throws only when
   * the store does (infrastructure) or on a bug.
   */
  submit(input: SubmitInput): Promise<SubmitResult>;

  /**
   * Resolves once every commit in flight is answered and the publishing and snapshots of every
   * op committed are done; for shutdown and tests.
   */
  settle(): Promise<void>;

  /** The known heads' estimated bytes and count now [K4] (metrics). */
  cacheUsage(): { readonly bytes: number; readonly entries: number };

  /**
   * Creates a document at version 0 with `content` (default "\n"), which lib/ot's
   * `validateDocument` must accept; an existing documentId is refused.
   */
  createDocument(documentId: string, content?: Delta): Promise<CreateDocumentResult>;
}

interface Waiter {
  readonly resolve: (result: SubmitResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Item {
  readonly input: SubmitInput;
  readonly key: string;
  readonly waiters: Waiter[];
  /** When it was queued (or last resent while queued), for the deadline [O2]. */
  queuedAt: number;
  done: boolean;
}

// With the author: another user's submission with the same (clientId, clientSeq) never waits for this one's answer [PL7].
const keyOf = (input: SubmitInput) => `${input.documentId}\u0000${input.authorId ?? ''}\u0000${input.clientId}\u0000${input.clientSeq}`;

/** Creates the sequencer over the given ports. */
export function createSequencer(options: SequencerOptions): Sequencer {
  const { store, broadcaster } = options;
  const follow = options.follow === undefined ? broadcaster : options.follow;
  const clock = options.clock ?? (() => new Date());
  const monotonic = options.monotonic ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const snapshotEvery = options.snapshotEvery ?? 100;
  const pauseMs = options.revisionPauseMs ?? DEFAULT_REVISION_PAUSE_MS;
  const maxBatch = options.maxBatch ?? 64;
  const pipelineDepth = Math.max(1, options.pipelineDepth ?? DEFAULT_PIPELINE_DEPTH);
  const pipelineAfterCalm = options.pipelineAfterCalm ?? PIPELINE_AFTER_CALM_COMMITS;
  // setTimeout's range (a longer or non-finite delay would fire at once).
  const publishWaitMs = Math.min(MAX_TIMER_MS, Math.max(0, options.publishWaitMs ?? DEFAULT_PUBLISH_WAIT_MS)) || 0;
  const cacheSize = options.cacheSize ?? 1000;
  const cacheMaxBytes = options.cacheMaxBytes ?? DEFAULT_KNOWN_HEADS_MAX_BYTES;
  const catchUp: CatchUpBudget = { ...DEFAULT_CATCH_UP, ...options.catchUp };
  const limits: SequencerLimits = { ...DEFAULT_SEQUENCER_LIMITS, ...options.limits };
  // In [0, 1]; anything else (NaN, undefined passed explicitly) is the default [O5].
  const earlyRefusal = Number.isFinite(limits.earlyRefusal) ? Math.min(1, Math.max(0, limits.earlyRefusal)) : DEFAULT_SEQUENCER_LIMITS.earlyRefusal;
  const onAfterCommitError = options.onAfterCommitError ?? (() => {});
  const onOverload = options.onOverload ?? (() => {});
  const planOptions: PlanOptions = { now: clock, pauseMs, catchUp };
  const retryAfterSeconds = Math.max(1, Math.ceil(limits.deadlineMs / 4000));

  // Per document, how many of this instance's commits in a row stored the very plan they sent,
  // with no other instance's op heard meanwhile; a document pipelines only from
  // PIPELINE_AFTER_CALM_COMMITS on [S13]. Where another instance writes too, a successor planned
  // on a predecessor's `next` mostly loses the row to it and costs a replan (or the locked
  // fallback), so such a document commits one batch at a time. Kept as long as its known head.
  const calm = new Map<string, number>();
  const mayPipeline = (documentId: string) => (calm.get(documentId) ?? 0) >= pipelineAfterCalm;

  // ---- the one head cache: known heads, least recently used first, bounded by count and
  // estimated bytes [K4], following every instance's commits [K3]
  const heads = new Map<string, { head: KnownHead; bytes: number }>();
  let cachedBytes = 0;
  const following = new Map<string, Promise<Unsubscribe | null>>();
  const drop = (documentId: string) => {
    const entry = heads.get(documentId);
    if (!entry) return;
    heads.delete(documentId);
    cachedBytes -= entry.bytes;
  };
  const forget = (documentId: string) => {
    drop(documentId);
    calm.delete(documentId);
    early.delete(documentId);
    const stop = following.get(documentId);
    following.delete(documentId);
    void stop?.then((s) => s?.()).catch(() => {});
  };
  const known = (documentId: string): KnownHead | null => {
    const entry = heads.get(documentId);
    if (!entry) return null;
    heads.delete(documentId); // most recently used last
    heads.set(documentId, entry);
    return entry.head;
  };
  // One head may take a quarter of the bound: its oldest tail ops go first (large pastes in the
  // tail would otherwise make a document uncacheable, and reloading it costs more).
  const maxHeadBytes = Math.floor(cacheMaxBytes / 4);
  const keep = (documentId: string, head: KnownHead): boolean => {
    drop(documentId);
    const fitted = cacheSize === 0 ? null : fitHead(head, maxHeadBytes);
    if (!fitted) return false;
    heads.set(documentId, fitted);
    cachedBytes += fitted.bytes;
    for (const oldest of heads.keys()) {
      if (heads.size <= cacheSize && cachedBytes <= cacheMaxBytes) break;
      forget(oldest);
    }
    return true;
  };
  const remember = (documentId: string, head: KnownHead) => {
    const current = heads.get(documentId)?.head;
    // A head heard through `follow` meanwhile may be newer than the one a commit answers.
    if (current && current.version > head.version && current.historyEpoch >= head.historyEpoch) return;
    // A head loaded for a submission made far behind may carry a long tail; the cache keeps the usual one.
    if (!keep(documentId, head.tail.length > TAIL_LENGTH ? { ...head, tail: head.tail.slice(-TAIL_LENGTH) } : head)) {
      forget(documentId);
      return;
    }
    catchUpEarly(documentId); // ops heard ahead of the old head may follow this one
    if (follow && !following.has(documentId)) {
      following.set(documentId, follow.subscribe(documentId, (op) => observe(documentId, op)).catch(() => null));
    }
  };
  // Other instances' ops heard ahead of the known head's next version, per document [K3]: two
  // instances' commits reach the broadcaster in the order they publish them, often not commit
  // order, and a head left behind by one reordered pair costs the next commit a failed statement
  // and a catch-up read. Held until the gap fills (at most EARLY_OPS_MAX per document).
  const early = new Map<string, Map<number, AppliedOp>>();
  const observe = (documentId: string, op: AppliedOp) => {
    const head = heads.get(documentId)?.head;
    if (!head || op.version <= head.version) return; // not known here, our own echo, or a repeat
    calm.set(documentId, 0); // another instance writes this document [S13]
    let held = early.get(documentId);
    if (!held) early.set(documentId, (held = new Map()));
    if (held.size < EARLY_OPS_MAX) held.set(op.version, op);
    catchUpEarly(documentId);
  };
  /** Advances the known head over the held ops that follow it (a gap left stays: commit replans over it). */
  const catchUpEarly = (documentId: string) => {
    const held = early.get(documentId);
    if (!held) return;
    let head = heads.get(documentId)?.head;
    const run: AppliedOp[] = [];
    for (let op = head && held.get(head.version + 1); op; op = head && held.get(head.version + 1 + run.length)) run.push(op);
    if (head && run.length > 0) {
      const next = advance(head, run, pauseMs);
      if (!next || !keep(documentId, next)) return forget(documentId);
      head = next;
    }
    for (const version of held.keys()) if (!head || version <= head.version) held.delete(version);
    if (held.size === 0) early.delete(documentId);
  };

  // ---- queues and the instance's bounds [O1–O3], and each document's pipeline [S13]
  /**
   * A document's queued submissions, per author in arrival order; the map's order is the turn
   * [O6]: a batch takes the first author's oldest, moves that author to the back, and so on.
   */
  interface DocumentQueue {
    readonly byAuthor: Map<string, Item[]>;
    size: number;
  }
  const queues = new Map<string, DocumentQueue>();
  const queuedFor = (documentId: string): number => queues.get(documentId)?.size ?? 0;
  const inFlight = new Map<string, Item>(); // queued or in a batch, by document + clientId + clientSeq
  const ready = new Set<string>(); // documents with queued work waiting for a batch slot, in arrival order
  /**
   * Per document with batches running: how many, whether one is still planning (at most one
   * plans at a time, so each plans on the one before it), and the newest plan whose commit is in
   * flight (the head the next batch plans on, not stored yet) [S13].
   */
  interface Pipeline {
    batches: number;
    /** The batch planning now (its token), if any. */
    planning: object | null;
    committing: { readonly head: KnownHead; readonly next: KnownHead; readonly settled: Promise<unknown> } | null;
  }
  const pipelines = new Map<string, Pipeline>();
  let runningBatches = 0;
  let queued = 0;

  const finish = (item: Item, result: SubmitResult) => {
    if (item.done) return;
    item.done = true;
    if (inFlight.get(item.key) === item) inFlight.delete(item.key);
    for (const w of item.waiters) w.resolve(result);
  };
  const fail = (item: Item, error: unknown) => {
    if (item.done) return;
    item.done = true;
    if (inFlight.get(item.key) === item) inFlight.delete(item.key);
    for (const w of item.waiters) w.reject(error);
  };
  const overloaded = (why: string, after = retryAfterSeconds): SubmitResult => ({
    kind: 'rejected',
    code: 'RATE_LIMITED',
    message: `The server is busy (${why}); nothing was stored. Resubmit the same op after ${after} s.`,
    retryAfterSeconds: after,
  });
  // Each busy document's recent milliseconds per submission (batch time ÷ batch size, smoothed),
  // kept while the document has queued or committing work [O5].
  const perSubmissionMs = new Map<string, number>();
  // When each busy document's last batch ended, and whether it left work queued: pipelined
  // batches overlap [S13], so a batch's time is counted from the later of its start and its
  // predecessor's end (its own share), and from that end whenever submissions were waiting then.
  const lastBatchDone = new Map<string, { readonly at: number; readonly leftQueued: boolean }>();
  const expectedWaitMs = (documentId: string, ahead: number) => ahead * (perSubmissionMs.get(documentId) ?? 0);

  /** Whether a batch of the document may start now (slots permitting): none planning, fewer than the depth committing. */
  const canStart = (documentId: string): boolean => {
    const pipeline = pipelines.get(documentId);
    return !pipeline || (pipeline.planning === null && pipeline.batches < (mayPipeline(documentId) ? pipelineDepth : 1));
  };
  const pump = () => {
    for (const documentId of ready) {
      if (runningBatches >= limits.maxConcurrentBatches) return;
      ready.delete(documentId);
      // One that cannot start now is offered again when its planning batch commits or a batch ends.
      if (canStart(documentId) && queuedFor(documentId) > 0) start(documentId);
    }
  };
  /** Offers the document's queued work a batch slot. */
  const offer = (documentId: string) => {
    if (queuedFor(documentId) === 0 || !canStart(documentId)) return;
    ready.add(documentId); // behind documents already waiting
    pump();
  };
  const start = (documentId: string) => {
    let pipeline = pipelines.get(documentId);
    if (!pipeline) pipelines.set(documentId, (pipeline = { batches: 0, planning: null, committing: null }));
    const token = {};
    pipeline.batches++;
    pipeline.planning = token;
    runningBatches++;
    const stage = pipeline;
    void runBatch(documentId, stage, token).finally(() => {
      runningBatches--;
      stage.batches--;
      // Only this batch's own planning ends here: another batch of the document may be planning now.
      if (stage.planning === token) stage.planning = null;
      if (stage.batches === 0 && pipelines.get(documentId) === stage) pipelines.delete(documentId);
      if (queuedFor(documentId) > 0) offer(documentId);
      else if (!pipelines.has(documentId)) {
        // Idle: its time per submission is forgotten [O5].
        perSubmissionMs.delete(documentId);
        lastBatchDone.delete(documentId);
      }
      pump();
    });
  };

  /**
   * Takes the document's next batch one author at a time in turn [O6] (so one author's backlog
   * holds another's op back by at most one of theirs per turn), answering what outlived its
   * deadline unprocessed [O2].
   */
  function takeBatch(documentId: string): Item[] {
    const queue = queues.get(documentId);
    const batch: Item[] = [];
    if (!queue) return batch;
    const now = monotonic();
    while (queue.size > 0 && batch.length < maxBatch) {
      const [author, items] = queue.byAuthor.entries().next().value!;
      const item = items.shift()!;
      queue.size--;
      queued--;
      // To the back of the turn, with what it still has queued.
      queue.byAuthor.delete(author);
      if (items.length > 0) queue.byAuthor.set(author, items);
      if (now - item.queuedAt > limits.deadlineMs) {
        onOverload('deadline');
        finish(item, overloaded(`the op waited more than ${limits.deadlineMs} ms`));
      } else batch.push(item);
    }
    if (queue.size === 0) queues.delete(documentId);
    return batch;
  }

  /**
   * Whether a submission expecting to wait `waitMs` is refused, and why [O5]: past maxWaitMs
   * always (`document-busy`); past `earlyMs` with a chance growing linearly to 1 at maxWaitMs
   * (`document-filling`), so a document filling up refuses a few editors at a time as it fills
   * (each backs off and sends less) rather than everyone at the bound at once (who would all come
   * back together, leaving the document idle between). Null: admitted.
   */
  function refusalFor(waitMs: number, earlyMs: number): 'document-busy' | 'document-filling' | null {
    if (waitMs > limits.maxWaitMs) return 'document-busy';
    if (waitMs <= earlyMs) return null;
    return random() < (waitMs - earlyMs) / (limits.maxWaitMs - earlyMs) ? 'document-filling' : null;
  }

  /**
   * How many queued submissions of the document a new one of `author` comes behind, taken in
   * turn by author [O6]: that author's own, and of every other author as many as that plus one
   * (at most theirs).
   */
  function turnsAhead(queue: DocumentQueue, author: string): number {
    const mine = queue.byAuthor.get(author)?.length ?? 0;
    let ahead = mine;
    for (const [other, items] of queue.byAuthor) if (other !== author) ahead += Math.min(items.length, mine + 1);
    return ahead;
  }

  async function runBatch(documentId: string, pipeline: Pipeline, token: object): Promise<void> {
    const batch = takeBatch(documentId);
    if (batch.length === 0) return;
    const began = monotonic();
    try {
      await commitBatch(documentId, batch, { pipeline, token });
    } catch (error) {
      // Infrastructure failure before a commit: these submissions throw; nothing of theirs was stored.
      for (const item of batch) fail(item, error);
    } finally {
      const ended = monotonic();
      // From the predecessor's end when work was left queued then: the time until this batch
      // began (a busy event loop, a slot taken) is time those submissions waited too [O5].
      const last = lastBatchDone.get(documentId);
      const from = last === undefined ? began : last.leftQueued ? last.at : Math.max(began, last.at);
      const sample = (ended - from) / batch.length;
      lastBatchDone.set(documentId, { at: ended, leftQueued: queuedFor(documentId) > 0 });
      const previous = perSubmissionMs.get(documentId);
      perSubmissionMs.set(documentId, previous === undefined ? sample : (previous + sample) / 2);
    }
  }

  /**
   * Plan → COMMIT → answer for one batch. With `pipeline`, the batch plans on the `next` of the
   * document's plan whose commit is in flight, if any, and lets the next batch start planning as
   * soon as its own commit is sent [S13]; without (the halves of a refused batch, S12), it plans
   * on the stored head it knows.
   */
  async function commitBatch(documentId: string, batch: readonly Item[], stage?: { readonly pipeline: Pipeline; readonly token: object }): Promise<void> {
    const pipeline = stage?.pipeline;
    let pending = batch;
    const oldest = oldestBase(pending.map((i) => i.input));
    // The latest head known stored; the store catches up from it if the predecessor's plan is not what it committed [P11].
    let stored = known(documentId);
    const predecessorPlan = pipeline?.committing ?? null;
    const predecessor = predecessorPlan?.next ?? null;
    let head = predecessor && (!stored || predecessor.version > stored.version) ? predecessor : stored;
    // Never read further back than the catch-up budget lets a submission be behind [PL8]: older
    // bases are refused by the planner whatever the tail holds.
    const reach = (h: KnownHead) => (oldest === Infinity ? h.version : Math.min(h.version, Math.max(oldest, h.version - catchUp.maxOps)));
    // A base past the known head or older than its tail: the known head cannot plan it, the store's can.
    const fits = (h: KnownHead) => pending.every(({ input }) => input.baseVersion <= h.version) && tailBetween(h, reach(h), h.version) !== null;
    if (!head || !fits(head)) {
      // Without a known head, first the usual tail; a second read only when some base is further back.
      head = await store.load(documentId, head ? reach(head) : undefined);
      if (head && !fits(head)) head = await store.load(documentId, reach(head));
      if (head) remember(documentId, head);
      stored = head;
    }
    // Planned on the predecessor's uncommitted `next`: the store is told which head it knows stored [P11].
    let onPredecessor = head !== null && head === predecessor;
    // Lets the next batch of the document start planning (on this one's plan) [S13].
    const sent = (plan: BatchPlan, commitment: Promise<unknown>) => {
      if (!pipeline || !stage) return;
      const committing = { head: plan.head, next: plan.next, settled: commitment.catch(() => {}) };
      pipeline.committing = committing;
      if (pipeline.planning === stage.token) pipeline.planning = null;
      offer(documentId);
      return committing;
    };
    const done = (committing: Pipeline['committing'] | undefined) => {
      if (pipeline && committing && pipeline.committing === committing) pipeline.committing = null;
    };
    while (pending.length > 0) {
      if (!head) {
        forget(documentId);
        for (const item of pending) finish(item, { kind: 'rejected', code: 'NOT_FOUND', message: `Document ${documentId} does not exist.` });
        return;
      }
      const inputs = pending.map((i) => i.input);
      // In slices, so a batch of many large submissions does not hold the event loop for their sum [PL9].
      const planned = await planBatchInSlices(head, documentId, inputs, planOptions);
      if (planned.ops.length === 0) {
        if (onPredecessor && predecessorPlan) {
          // Every answer came from a head not stored yet (resends found in the predecessor's
          // tail): answers come only from stored plans [PL6], so wait for the predecessor and
          // plan again on the head stored then (found by simulation seed 4272).
          await predecessorPlan.settled;
          onPredecessor = false;
          head = known(documentId);
          if (!head || !fits(head)) {
            head = await store.load(documentId, head ? reach(head) : undefined);
            if (head) remember(documentId, head);
          }
          stored = head;
          continue;
        }
        pending.forEach((item, i) => finish(item, answerOf(planned, i)));
        return;
      }
      let result: CommitResult;
      // The freshest head known stored, when the plan's is a predecessor's uncommitted `next` [P11].
      const base = onPredecessor ? (known(documentId) ?? stored) : null;
      // Sent first, then the next batch may plan on it: its statement then reaches the store
      // behind this one (one that overtook it would find the row where this one did and lose).
      const commitment = store.commit({
        documentId,
        planned,
        replan: (fresh) => planBatch(fresh, documentId, inputs, planOptions),
        historyAfter: reach(planned.head),
        ...(base && predecessorPlan ? { stored: base, predecessorHead: predecessorPlan.head } : {}),
      });
      const publication = commitSent(documentId, commitment);
      const committing = sent(planned, commitment);
      try {
        result = await commitment;
      } catch (error) {
        done(committing);
        commitAnswered(documentId, publication, null);
        if (!(error instanceof CommitDataError)) throw error;
        // The store refused some submission's data [S12]: halve until it stands alone; the rest commit.
        if (pending.length === 1) {
          finish(pending[0]!, {
            kind: 'rejected',
            code: 'BAD_USER_INPUT',
            message: `The server cannot store this op (database error ${error.code}); nothing was stored. Remove unusual characters (such as NUL) from it and send it again.`,
          });
          return;
        }
        const half = Math.ceil(pending.length / 2);
        await commitBatch(documentId, pending.slice(0, half));
        await commitBatch(documentId, pending.slice(half));
        return;
      }
      done(committing);
      // Stored nothing: it holds no lower version back any more [S7].
      if (result.kind !== 'committed') commitAnswered(documentId, publication, null);
      if (result.kind === 'committed' && result.plan === planned) calm.set(documentId, (calm.get(documentId) ?? 0) + 1);
      else calm.set(documentId, 0);
      if (result.kind === 'gone') {
        head = null;
        continue;
      }
      if (result.kind === 'duplicate' || result.kind === 'foreign') {
        // Stored before the tail reaches back: answered from the store's copy [S2] when it is the
        // same author's; a key or clientId of another author is refused, never answered as theirs
        // [P10]. The rest plan again.
        const seqKey = (clientId: string, clientSeq: number) => `${clientId}\u0000${clientSeq}`;
        const existing = new Map(result.kind === 'duplicate' ? result.existing.map((op) => [seqKey(op.clientId, op.clientSeq), op]) : []);
        const foreign = new Set(result.kind === 'foreign' ? result.clientIds : []);
        const rest: Item[] = [];
        for (const item of pending) {
          const op = existing.get(seqKey(item.input.clientId, item.input.clientSeq));
          if (foreign.has(item.input.clientId) || (op && op.authorId !== item.input.authorId)) finish(item, foreignClientId(item.input.clientId));
          else if (op) finish(item, { kind: 'duplicate', version: op.version, delta: op.delta });
          else rest.push(item);
        }
        if (rest.length === pending.length) throw new Error(`commit answered ${result.kind} for none of the batch of ${documentId}`);
        pending = rest;
        continue;
      }
      const plan = result.plan;
      try {
        remember(documentId, plan.next);
        // Durable from here: answers go now; publishing and snapshots follow and cannot change
        // them, once every commit that may have stored lower versions is answered [S7].
        pending.forEach((item, i) => finish(item, answerOf(plan, i)));
      } finally {
        commitAnswered(documentId, publication, plan, plan === planned);
      }
      return;
    }
  }

  // Each document's commits in flight, so its plans are published in version order though the
  // store may answer pipelined commits in another order [S7, S13] (./publish-order.ts).
  const publishOrders = new Map<string, PublishOrder<BatchPlan>>();
  const unanswered = new Set<Promise<unknown>>(); // every commit in flight, for settle()
  // Per document holding plans: when it stops waiting for commits still unanswered (a hung
  // connection must not hold the document's live delivery back; subscribers refill, F3).
  const publishTimers = new Map<string, ReturnType<typeof setTimeout>>();
  function commitSent(documentId: string, commitment: Promise<unknown>): Commitment {
    let order = publishOrders.get(documentId);
    if (!order) publishOrders.set(documentId, (order = createPublishOrder()));
    const answer = commitment.catch(() => {});
    unanswered.add(answer);
    void answer.then(() => unanswered.delete(answer));
    return order.sent();
  }
  function commitAnswered(documentId: string, publication: Commitment, plan: BatchPlan | null, asPlanned = false): void {
    const order = publishOrders.get(documentId)!;
    const first = plan?.ops[0];
    const committed = plan && first ? { firstVersion: first.version, asPlanned, value: plan } : null;
    for (const due of order.answered(publication, committed)) afterCommit(documentId, due);
    holdFor(documentId, order);
  }
  function holdFor(documentId: string, order: PublishOrder<BatchPlan>): void {
    if (order.idle) publishOrders.delete(documentId);
    const timer = publishTimers.get(documentId);
    if (!order.holding) {
      if (timer) clearTimeout(timer);
      publishTimers.delete(documentId);
    } else if (!timer) {
      const skip = setTimeout(() => {
        publishTimers.delete(documentId);
        for (const due of order.skipUnanswered()) afterCommit(documentId, due);
        holdFor(documentId, order);
      }, publishWaitMs);
      (skip as { unref?: () => void }).unref?.();
      publishTimers.set(documentId, skip);
    }
  }

  // What runs after commits, off the answer path, in version order per chain: a document's
  // publishing, and apart from it its snapshots (a content and a blame snapshot cost far more
  // than a commit; neither a batch nor a publish should wait for one).
  const chains = new Map<string, Promise<void>>();
  const later = (chain: string, work: () => Promise<void>) => {
    const next = (chains.get(chain) ?? Promise.resolve()).then(work);
    chains.set(chain, next);
    void next.then(() => {
      if (chains.get(chain) === next) chains.delete(chain);
    });
  };
  function afterCommit(documentId: string, plan: BatchPlan): void {
    const { ops } = plan;
    if (ops.length === 0) return;
    later(documentId, async () => {
      try {
        await Promise.all(ops.map((op) => broadcaster.publish(documentId, op)));
      } catch (error) {
        onAfterCommitError(error, ops[ops.length - 1]!);
      }
    });
    if (snapshotEvery <= 0) return;
    const last = ops.findLast((op) => op.version % snapshotEvery === 0);
    if (!last) return;
    // The contents at the snapshot versions, rebuilt off the answer path and in slices [PL9]: a
    // large batch re-applied in one run would hold the event loop as long as planning it did.
    later(`${documentId}\u0000snapshots`, async () => {
      let content = plan.head.content;
      let work = 0;
      for (const op of ops) {
        if (op.version > last.version) return;
        const step = content.ops.length + op.delta.ops.length;
        if (work > 0 && work + step > PLAN_SLICE_WORK) {
          work = 0;
          await nextTurn();
        }
        work += step;
        const next = op === ops.at(-1) ? { ok: true as const, value: plan.next.content } : apply(content, op.delta);
        if (!next.ok) {
          onAfterCommitError(new Error(`sequencer: committed op ${documentId}@${op.version} does not apply: ${next.message}`), op);
          return;
        }
        content = next.value;
        if (op.version % snapshotEvery !== 0) continue;
        try {
          await store.saveSnapshot({ documentId, version: op.version, content, createdAt: op.createdAt });
        } catch (error) {
          onAfterCommitError(error, op);
        }
      }
    });
  }

  return {
    submit(input: SubmitInput): Promise<SubmitResult> {
      const shape = shapeProblem(input);
      if (shape) return Promise.resolve(shape);
      return new Promise((resolve, reject) => {
        const key = keyOf(input);
        const original = inFlight.get(key);
        if (original) {
          // A resend while the original is queued or committing: one answer for both [O4].
          original.waiters.push({ resolve, reject });
          original.queuedAt = Math.max(original.queuedAt, monotonic());
          return;
        }
        if (queued >= limits.maxQueued) {
          onOverload('queue-full');
          resolve(overloaded(`${queued} ops are waiting`));
          return;
        }
        let queue = queues.get(input.documentId);
        const author = input.authorId ?? '';
        const mine = queue?.byAuthor.get(author)?.length ?? 0;
        const crowded = queue !== undefined && queue.size >= limits.minQueuePerDocument;
        const earlyMs = limits.maxWaitMs * earlyRefusal;
        const refusal =
          queue &&
          limits.maxWaitMs > 0 &&
          (mine >= limits.minQueuePerAuthor || crowded) &&
          // The whole queue first (cheap): counting turns is needed only when it alone would wait too long.
          expectedWaitMs(input.documentId, queue.size + 1) > earlyMs
            ? // Early refusals only for an author with two or more queued and at least their share
              // of the queue: one with a single op waiting, or little beside a flood, is refused
              // only past the bound.
              refusalFor(expectedWaitMs(input.documentId, turnsAhead(queue, author) + 1), mine >= 2 && mine * queue.byAuthor.size >= queue.size ? earlyMs : limits.maxWaitMs)
            : null;
        if (queue && refusal) {
          // Refused before it waits: its author's own backlog on this document already holds more
          // than the instance commits in maxWaitMs, taken in turn with everyone else's [O5, O6];
          // other authors' ops, with few queued, are admitted. Or so many people have ops queued
          // that this one's turn would come too late: the document is full [O5]. Or, by chance,
          // its author's backlog is filling the document past half the bound (early) [O5].
          onOverload(refusal);
          resolve(
            mine >= limits.minQueuePerAuthor
              ? overloaded(`${mine} of your ops for this document are waiting`, 1)
              : overloaded(`${queue.size} ops from ${queue.byAuthor.size} ${queue.byAuthor.size === 1 ? 'person' : 'people'} are waiting for this document`, 1),
          );
          return;
        }
        const item: Item = { input, key, waiters: [{ resolve, reject }], queuedAt: monotonic(), done: false };
        inFlight.set(key, item);
        if (!queue) queues.set(input.documentId, (queue = { byAuthor: new Map(), size: 0 }));
        const mineQueued = queue.byAuthor.get(author);
        if (mineQueued) mineQueued.push(item);
        else queue.byAuthor.set(author, [item]); // a new author takes the last turn
        queue.size++;
        queued++;
        offer(input.documentId);
      });
    },

    async createDocument(documentId: string, content?: Delta): Promise<CreateDocumentResult> {
      const initial = validateDocument(content ?? emptyDocument());
      if (!initial.ok) return { kind: 'rejected', code: initial.code, message: initial.message };
      const created = await store.createDocument(documentId, initial.value, clock());
      if (created.kind === 'exists') {
        return { kind: 'rejected', code: 'BAD_USER_INPUT', message: `Document ${documentId} already exists.` };
      }
      return { kind: 'created', version: 0 };
    },

    async settle() {
      while (chains.size > 0 || publishOrders.size > 0) {
        await Promise.all([...chains.values(), ...unanswered]);
        if (chains.size === 0 && publishOrders.size > 0) await nextTurn(); // an answered commit's continuation runs
      }
    },

    cacheUsage: () => ({ bytes: cachedBytes, entries: heads.size }),
  };
}
