/**
 * The write path's one decision, pure (rules PL1–PL10 in ./SPEC.md): from the head a process
 * knows and a batch of submissions for that document, the ops to commit and each submission's
 * answer. No promises, no I/O, no clock of its own (`now` is passed in), so the sequencer, both
 * op-store adapters (when they plan again on a fresher head inside `commit`) and the simulation
 * all run exactly this code.
 */
import { apply, isSimpleEdit, transform, transformOver, type Delta, type Side } from '../ot/operation.ts';
import { checkEditMarks, checkResolveLanding, checkSuggestionLanding, DELETE_MARK, hasMarks, INSERT_MARK } from '../ot/suggestion.ts';
import { after, findInTail, groupOnto, tailBetween, type KnownHead, type SpanChanges } from './known-head.ts';
import type { AppliedOp, RejectionCode, SubmitCheck, SubmitInput, SubmitResult } from './types.ts';

/**
 * What the plan says about one submission. `answered`: its answer, whatever the commit does
 * (a rejection, or a duplicate of an op the head's tail holds). `commits`: it is `ops[op]`, answered
 * `applied` once those ops are durable (`duplicate` when `repeat`: it resent an op earlier in the batch).
 */
export type PlannedAnswer =
  | { readonly kind: 'answered'; readonly result: SubmitResult }
  | { readonly kind: 'commits'; readonly op: number; readonly repeat: boolean };

/** A batch planned on one head. */
export interface BatchPlan {
  /** The head it was planned on: the commit writes only if the store is still exactly there. */
  readonly head: KnownHead;
  /** Versions head.version + 1, + 2, … in order. */
  readonly ops: readonly AppliedOp[];
  /** How `ops` join the revision spans (onto `head.newest`). */
  readonly spans: SpanChanges;
  /** The head once `ops` are committed. */
  readonly next: KnownHead;
  /** One per submission, in the order given. */
  readonly answers: readonly PlannedAnswer[];
}

export interface PlanOptions {
  /** Server time for `createdAt` [S9]. */
  readonly now: () => Date;
  /** Revision pause (H3). */
  readonly pauseMs: number;
  /** How far behind, and how much transform work, one submission may be [PL8]; default {@link DEFAULT_CATCH_UP}. */
  readonly catchUp?: CatchUpBudget;
}

/**
 * What catching one submission up may cost [PL8]: `maxOps`, how many versions behind the head its
 * base may be; `maxWork`, its transform work in component steps: per op it is transformed over,
 * {@link TRANSFORM_CALL_STEPS} plus its components plus that op's (quill-delta's transform walks
 * both ops, and each call has a fixed cost of about that many steps; two simple edits, most of a
 * typed document's ops, are transformed by arithmetic in a fraction of that, so for them the
 * budget is conservative). Past either it is refused
 * VERSION_TOO_OLD before any transform, so no submission holds the event loop long (measured: a
 * step is ~0.3 µs on a quiet machine, several times that on a loaded 2-core one).
 */
export interface CatchUpBudget {
  readonly maxOps: number;
  readonly maxWork: number;
}

/** CATCHUP_MAX_OPS and CATCHUP_MAX_WORK's defaults (README): a keystroke 1,000 ops behind, a 10,000-component paste 3. */
export const DEFAULT_CATCH_UP: CatchUpBudget = Object.freeze({ maxOps: 1000, maxWork: 40_000 });

/** The fixed cost of one transform call, in component steps (measured with one-component ops) [PL8]. */
export const TRANSFORM_CALL_STEPS = 16;

/** The transform work of `delta` over `others` [PL8]. */
export function transformWork(delta: { readonly ops: readonly unknown[] }, others: readonly { readonly delta: { readonly ops: readonly unknown[] } }[]): number {
  let work = others.length * (TRANSFORM_CALL_STEPS + delta.ops.length);
  for (const other of others) work += other.delta.ops.length;
  return work;
}

/** The refusal of a submission made too far behind, or costing too much to catch up [PL8]. */
function tooOld(why: string): PlannedAnswer {
  return rejected('VERSION_TOO_OLD', `${why}; nothing was stored. Reload the document and make the change again.`);
}

const rejected = (code: RejectionCode, message: string, reason?: string): PlannedAnswer => ({
  kind: 'answered',
  result: reason === undefined ? { kind: 'rejected', code, message } : { kind: 'rejected', code, message, reason },
});
// The author is part of the key: another user's submission with the same (clientId, clientSeq)
// is never tied to this one [PL7].
const keyOf = (input: SubmitInput) => `${input.authorId ?? ''}\u0000${input.clientId}\u0000${input.clientSeq}`;

/**
 * What a clientId may be [S11]: 1–64 of A–Z a–z 0–9 _ . : - (a UUID, `restore:<version>:<uuid>`,
 * `bench-<user>`…). Anything else (NUL, spaces, emoji, 10,000 characters) is refused before it
 * reaches a batch.
 */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** What is wrong with a clientId [S11], said so a person can fix it, or null. */
export function clientIdProblem(clientId: unknown): string | null {
  if (typeof clientId === 'string' && CLIENT_ID_PATTERN.test(clientId)) return null;
  const length = typeof clientId === 'string' ? clientId.length : 0;
  return `clientId must be 1–64 characters of A–Z a–z 0–9 _ . : - (a random UUID is a good one); got ${length} character${length === 1 ? '' : 's'}${length > 0 ? ', with others in it or too many' : ''}.`;
}

/** The refusal a submission gets for its shape alone [S4, S11], or null. */
export function shapeProblem(input: SubmitInput): SubmitResult | null {
  const bad = (message: string): SubmitResult => ({ kind: 'rejected', code: 'BAD_USER_INPUT', message });
  if (!Number.isSafeInteger(input.baseVersion) || input.baseVersion < 0) return bad(`baseVersion must be a whole number ≥ 0, got ${input.baseVersion}.`);
  if (!Number.isSafeInteger(input.clientSeq) || input.clientSeq < 1) return bad(`clientSeq must be a whole number ≥ 1, got ${input.clientSeq}.`);
  const clientId = clientIdProblem(input.clientId);
  return clientId === null ? null : bad(clientId);
}

/** The refusal of a submission whose clientId another user already writes with in this document [PL7, P10]. */
export function foreignClientId(clientId: string): SubmitResult {
  return {
    kind: 'rejected',
    code: 'BAD_USER_INPUT',
    message: `clientId ${clientId} is already used by another user in this document; nothing was stored. Send your ops with a clientId of your own (a fresh random UUID).`,
  };
}

/**
 * Plans `submissions` (all for the document of `head`) in order [PL1–PL5, PL8, PL10]: each is
 * refused for its shape, answered `duplicate` when the head's tail holds its (clientId,
 * clientSeq), tied to an earlier submission of the batch with the same key, refused when its
 * base is past the head (`VERSION_AHEAD`) or older than the tail reaches (`VERSION_TOO_OLD`;
 * callers put what the store still has into the tail first) or than the catch-up budget allows
 * (`VERSION_TOO_OLD` [PL8]), or transformed over the tail's ops after its base and then over the
 * ops accepted before it, and refused when it does not apply (S5), or, when it has a `check`,
 * when it does not pass it on the content it lands on [PL10]: a plain edit inserting inside or
 * deleting someone else's proposed text, a converted suggestion that must be converted again, an
 * accept or reject whose suggestion was resolved or changed meanwhile.
 */
export function planBatch(head: KnownHead, documentId: string, submissions: readonly SubmitInput[], options: PlanOptions): BatchPlan {
  const steps = planSteps(head, documentId, submissions, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Simple edits a submission is carried over between two yields of their work [PL9]. */
const CARRY_RUN = 64;

/** The work of carrying a simple edit over another by arithmetic (lib/ot's `transformOver`), in component steps [PL9]. */
export const SIMPLE_CARRY_STEPS = 1;

/** A turn of the event loop for everything else waiting (I/O, timers) before going on. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Work (component steps [PL8]) a batch's plan does between two turns of the event loop in {@link planBatchInSlices}. */
export const PLAN_SLICE_WORK = 20_000;

/**
 * {@link planBatch} giving the event loop a turn each time it has done `sliceWork` component steps
 * of transforms and applies [PL9]: a batch of many submissions, each within the catch-up budget,
 * would otherwise hold it for the sum of theirs. Same plan as `planBatch` (the same steps, in order).
 */
export async function planBatchInSlices(
  head: KnownHead,
  documentId: string,
  submissions: readonly SubmitInput[],
  options: PlanOptions,
  sliceWork = PLAN_SLICE_WORK,
): Promise<BatchPlan> {
  const steps = planSteps(head, documentId, submissions, options);
  let work = 0;
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    // A turn before a step that would take the slice past its work (a step is one transform or apply).
    if (work > 0 && work + step.value > sliceWork) {
      work = 0;
      await nextTurn();
    }
    work += step.value;
  }
}

/** The planning of a batch, yielding the work (component steps) of each transform and apply it does. */
function* planSteps(head: KnownHead, documentId: string, submissions: readonly SubmitInput[], options: PlanOptions): Generator<number, BatchPlan> {
  const ops: AppliedOp[] = [];
  const answers: PlannedAnswer[] = [];
  const seen = new Map<string, number>(); // key → index of its first submission in the batch
  const writers = new Map<string, string | null>(); // clientId → author of the first op accepted with it in this batch
  const budget = options.catchUp ?? DEFAULT_CATCH_UP;
  let content = head.content;
  // Whether `content` carries suggestion marks [PL10]: known from the plan that made this head
  // (kept beside its content), else found once when a checked submission first needs it; then
  // kept up to date per op (see markedAfter), so a batch scans the document at most once.
  let marked = markedContents.get(content);
  for (const input of submissions) {
    const key = keyOf(input);
    const first = seen.get(key);
    if (first !== undefined) {
      const earlier = answers[first]!;
      answers.push(earlier.kind === 'commits' ? { kind: 'commits', op: earlier.op, repeat: true } : earlier);
      continue;
    }
    seen.set(key, answers.length);
    answers.push(yield* planOne(input));
  }
  if (marked !== undefined) markedContents.set(content, marked);
  const spans = groupOnto(head.newest, ops, options.pauseMs);
  return { head, ops, spans, next: after(head, ops, content, spans), answers };

  /**
   * `delta` transformed over `over` in order, on `side` [S3], yielding the work of each step before
   * it [PL9]. While `delta` is a simple edit, a run of up to {@link CARRY_RUN} simple edits of `over`
   * is one step of {@link SIMPLE_CARRY_STEPS} each (lib/ot's `transformOver` carries it over them
   * by arithmetic); every other transform is a step of its own, counted as in PL8 with the sizes
   * it has then.
   */
  function* carried(delta: Delta, over: readonly AppliedOp[], side: Side): Generator<number, Delta> {
    let i = 0;
    while (i < over.length) {
      let end = i;
      if (isSimpleEdit(delta)) while (end < over.length && end - i < CARRY_RUN && isSimpleEdit(over[end]!.delta)) end++;
      if (end > i) {
        yield (end - i) * SIMPLE_CARRY_STEPS;
        delta = transformOver(delta, over, i, end, side);
        i = end;
        continue;
      }
      const op = over[i++]!;
      yield TRANSFORM_CALL_STEPS + delta.ops.length + op.delta.ops.length;
      delta = transform(delta, op.delta, side);
    }
    return delta;
  }

  /** The plain edit `made` carried with its inserts first at ties, if it then passes the edit check on `content` [PL11]; else null. */
  function* placedFirst(made: Delta, over: readonly AppliedOp[], author: string): Generator<number, { delta: Delta; next: { ok: true; value: Delta } } | null> {
    const delta = yield* carried(made, over, 'left');
    yield 2 * content.ops.length + 2 * delta.ops.length;
    const next = apply(content, delta);
    if (!next.ok || !checkEditMarks(content, delta, author).ok) return null;
    return { delta, next };
  }

  function* planOne(input: SubmitInput): Generator<number, PlannedAnswer> {
    const shape = shapeProblem(input);
    if (shape) return { kind: 'answered', result: shape };
    const { stored, writer } = findInTail(head, input.clientId, input.clientSeq);
    const owner = writer !== undefined ? writer : writers.get(input.clientId);
    if (owner !== undefined && owner !== input.authorId) return { kind: 'answered', result: foreignClientId(input.clientId) };
    if (stored) return { kind: 'answered', result: { kind: 'duplicate', version: stored.version, delta: stored.delta } };
    if (input.baseVersion > head.version) {
      return rejected('VERSION_AHEAD', `baseVersion ${input.baseVersion} is past the head version ${head.version}; reload the document and resubmit.`);
    }
    const behind = head.version - input.baseVersion;
    if (behind > budget.maxOps) return tooOld(`The op was made ${behind} versions behind the document; at most ${budget.maxOps} can be caught up`);
    const missed = tailBetween(head, input.baseVersion, head.version);
    if (missed === null) return rejected('VERSION_TOO_OLD', `History after version ${input.baseVersion} is no longer available; reload the document.`);
    const work = transformWork(input.delta, missed) + transformWork(input.delta, ops);
    if (work > budget.maxWork) {
      return tooOld(`Catching this op (${input.delta.ops.length} components) up over the ${missed.length + ops.length} ops made meanwhile is too much work (${work} steps; the limit is ${budget.maxWork})`);
    }
    // Committed ops, then the ones accepted before it in this batch, win ties [S3].
    const concurrent = [...missed, ...ops];
    let delta = yield* carried(input.delta, concurrent, 'right');
    yield content.ops.length + delta.ops.length;
    let next = apply(content, delta);
    if (!next.ok) return rejected(next.code, next.message);
    if (input.check !== undefined) {
      // On the very text it lands on, whatever was committed since the client (or the service) last saw it [PL10, SG18, SG19].
      if (marked === undefined) {
        yield content.ops.length;
        marked = hasMarks(content);
        markedContents.set(content, marked);
      }
      if (marked || mayFailUnmarked(input.check, delta)) {
        yield content.ops.length + delta.ops.length;
        const author = input.authorId ?? '';
        const lands = checkLanding(content, delta, input.check, author);
        if (!lands.ok) {
          // A proposal that grew at the very point the edit inserts won the tie and put the edit's
          // text inside it: placed before what was inserted there meanwhile instead, if that is
          // outside every proposal [PL11]. The client takes the stored form (C5).
          const placed = lands.reason === 'FOREIGN_SUGGESTION' && input.check === 'edit' && concurrent.length > 0 && delta.ops.some((c) => c.insert !== undefined)
            ? yield* placedFirst(input.delta, concurrent, author)
            : null;
          if (placed === null) return rejected(lands.code, lands.message, lands.reason);
          ({ delta, next } = placed);
        }
      }
    }
    ops.push({
      documentId,
      version: head.version + ops.length + 1,
      delta,
      authorId: input.authorId,
      clientId: input.clientId,
      clientSeq: input.clientSeq,
      createdAt: options.now(),
    });
    content = next.value;
    marked = markedAfter(marked, delta);
    writers.set(input.clientId, input.authorId);
    return { kind: 'commits', op: ops.length - 1, repeat: false };
  }
}

/**
 * Whether a head's content carries suggestion marks, for the contents plans made [PL10]: the next
 * batch, planned on the head a plan produced (the same content object), starts from it instead
 * of scanning the document again. Weak: forgotten with the head.
 */
const markedContents = new WeakMap<Delta, boolean>();

/**
 * Whether the content carries marks after `delta` [PL10], from whether it did before: an op
 * writing a mark makes it true; one removing marks (accept, reject, a restore) makes it unknown
 * (found again when next needed); any other op leaves it. True is only an over-estimate when
 * deletes removed the last marked text, which costs a walk, never a wrong answer.
 */
function markedAfter(marked: boolean | undefined, delta: Delta): boolean | undefined {
  let writes = false;
  for (const c of delta.ops) {
    const attributes = c.attributes;
    if (attributes === undefined) continue;
    for (const value of [attributes[INSERT_MARK], attributes[DELETE_MARK]]) {
      if (value === null) return undefined;
      if (value !== undefined) writes = true;
    }
  }
  return writes ? true : marked;
}

/** Whether a checked submission can be refused on content carrying no marks [PL10]. */
function mayFailUnmarked(check: SubmitCheck, delta: Delta): boolean {
  if (check === 'edit') return hasMarks(delta); // MARK_IN_EDIT
  if (check === 'suggestion') return delta.ops.some((c) => c.delete !== undefined); // deletes its own proposal, gone now
  return true; // a resolve op must find its suggestion
}

/** The check of `check` on `content`, where `delta` (its author's) lands [PL10]. */
function checkLanding(content: Delta, delta: Delta, check: SubmitCheck, author: string) {
  if (check === 'edit') return checkEditMarks(content, delta, author);
  if (check === 'suggestion') return checkSuggestionLanding(content, delta, author);
  return checkResolveLanding(content, delta, check.suggestionId, check.accept);
}

/** A submission's answer once its plan's ops are durable [PL6]. */
export function answerOf(plan: BatchPlan, index: number): SubmitResult {
  const answer = plan.answers[index]!;
  if (answer.kind === 'answered') return answer.result;
  const op = plan.ops[answer.op]!;
  return { kind: answer.repeat ? 'duplicate' : 'applied', version: op.version, delta: op.delta };
}

/** The oldest base version any well-formed submission of the batch needs ops after (for filling the tail). */
export function oldestBase(submissions: readonly SubmitInput[]): number {
  let oldest = Infinity;
  for (const input of submissions) if (Number.isSafeInteger(input.baseVersion) && input.baseVersion >= 0) oldest = Math.min(oldest, input.baseVersion);
  return oldest;
}
