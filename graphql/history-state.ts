/**
 * Reading history for resolvers: the change between two versions (for `diff` and
 * `restoreVersion`) and blame with its text, over the op store and the blame store.
 *
 * Bounded work (issue 21): ops between two versions are read and composed in slices of
 * `OPS_PER_SLICE`, yielding to the event loop between slices; versions further apart are compared
 * by a text diff in a worker thread (graphql/history-worker.ts) within the request's budget of
 * `HISTORY_DIFF_BUDGET_MS`, past which the request answers LIMIT_EXCEEDED.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { blameSpans, type BlameSpan } from '../lib/collab/blame.ts';
import { composeAll, MAX_OPS_TO_COMPOSE, OPS_PER_SLICE } from '../lib/collab/history-diff.ts';
import { createPrismaBlameStore, type BlameStore } from '../lib/db/blame-store.ts';
import type { PrismaClient } from '../lib/db/prisma.ts';
import { compose, Delta, invert } from '../lib/ot/operation.ts';
import type { GraphQLContext } from './context.ts';
import { headState, stateAt } from './document-state.ts';
import { userError } from './errors.ts';
import { diffOffThread } from '../lib/documents/history-worker.ts';

const blameStores = new WeakMap<PrismaClient, BlameStore>();
/** The process's blame store (stateless apart from the Prisma client). */
export function blameStoreOf(prisma: PrismaClient): BlameStore {
  let store = blameStores.get(prisma);
  if (!store) blameStores.set(prisma, (store = createPrismaBlameStore(prisma)));
  return store;
}

/**
 * When the request's diffing budget runs out: fixed by its first text diff, so thirty aliased
 * `diff` fields share one budget instead of having thirty.
 */
const deadlines = new WeakMap<GraphQLContext, number>();
function diffDeadline(ctx: GraphQLContext): number {
  let deadline = deadlines.get(ctx);
  if (deadline === undefined) deadlines.set(ctx, (deadline = Date.now() + ctx.services.config.historyDiffBudgetMs));
  return deadline;
}

/**
 * A Delta turning the document at `from` into the document at `to`: the ops in between composed
 * (inverted when going back) when they are few, otherwise a text diff of the two documents.
 * `knownTo` is the document at `to` when the caller already has it.
 * @throws LIMIT_EXCEEDED when the text diff does not finish within the request's budget.
 */
export async function changeBetweenVersions(ctx: GraphQLContext, documentId: string, from: number, to: number, knownTo?: Delta): Promise<Delta> {
  const lower = Math.min(from, to);
  const upper = Math.max(from, to);
  const head = (await headState(ctx, documentId)).version;
  if (upper > head) {
    throw userError('VERSION_AHEAD', `Version ${upper} is past the head version ${head}. Ask for a version from 0 to the document's current version.`);
  }
  if (upper - lower > MAX_OPS_TO_COMPOSE) {
    const [a, b] = await Promise.all([
      stateAt(ctx, documentId, from).then((s) => s.content),
      knownTo ?? stateAt(ctx, documentId, to).then((s) => s.content),
    ]);
    const outcome = await diffOffThread(a, b, diffDeadline(ctx), ctx.viewer ? { userId: ctx.viewer.userId, request: ctx } : null);
    if (outcome.kind === 'done') return outcome.delta;
    const budget = ctx.services.config.historyDiffBudgetMs;
    if (outcome.kind === 'busy') {
      throw userError('RATE_LIMITED', `You are already comparing distant versions in another request; wait for it to finish, then ask again.`, {
        retryAfterSeconds: Math.max(1, Math.ceil(budget / 1000)),
      });
    }
    ctx.logger.warn({ documentId, from, to, budgetMs: budget }, 'history diff over budget');
    throw userError(
      'LIMIT_EXCEEDED',
      `Comparing versions ${from} and ${to} takes more than this server allows one request (${budget} ms). Compare versions closer together (up to ${MAX_OPS_TO_COMPOSE} operations apart always works), or ask the administrator to raise HISTORY_DIFF_BUDGET_MS.`,
      { limit: 'historyDiffBudgetMs', max: budget },
    );
  }
  // stateAt also checks the lower version (range, pruned history) with the same messages as `at`.
  const lowerState = await stateAt(ctx, documentId, lower);
  let forward = new Delta();
  for (let after = lower; after < upper; ) {
    const slice = await ctx.services.collab.store.opsAfter(documentId, after, Math.min(OPS_PER_SLICE, upper - after));
    if (slice.length === 0 || slice.some((op, i) => op.version !== after + 1 + i)) {
      throw userError('VERSION_TOO_OLD', `History between versions ${lower} and ${upper} is no longer available.`);
    }
    forward = compose(forward, composeAll(slice.map((op) => op.delta)));
    after += slice.length;
    if (after < upper) await yieldToEventLoop();
  }
  return to >= from ? forward : invert(forward, lowerState.content);
}

/** Most blame spans one request may ask for. */
export const MAX_BLAME_PAGE = 5_000;

/**
 * A page of blame at `version` with the text of each span (H8): `first` spans from the `skip`-th.
 * The text is cut from the content for the page only.
 */
export async function blameWithText(
  ctx: GraphQLContext,
  documentId: string,
  version: number,
  page: { skip: number; first: number } = { skip: 0, first: MAX_BLAME_PAGE },
): Promise<{ spans: BlameSpan[]; total: number }> {
  const [state, blame] = await Promise.all([stateAt(ctx, documentId, version), blameStoreOf(ctx.services.prisma).blameAt(documentId, version)]);
  if (blame === null) throw userError('VERSION_TOO_OLD', `Authorship at version ${version} is not available.`);
  return { spans: blameSpans(state.content, blame.runs, page), total: blame.runs.length };
}
