/**
 * Reading history for resolvers: the change between two versions (for `diff` and
 * `restoreVersion`) and blame with its text, over the op store and the blame store.
 */
import { blameSpans, type BlameSpan } from '../lib/collab/blame.ts';
import { changeBetween, MAX_OPS_TO_COMPOSE } from '../lib/collab/history-diff.ts';
import { createPrismaBlameStore, type BlameStore } from '../lib/db/blame-store.ts';
import type { PrismaClient } from '../lib/db/client.ts';
import { diff, type Delta } from '../lib/ot/operation.ts';
import type { GraphQLContext } from './context.ts';
import { headState, stateAt } from './document-state.ts';
import { userError } from './errors.ts';

const blameStores = new WeakMap<PrismaClient, BlameStore>();
/** The process's blame store (stateless apart from the Prisma client). */
export function blameStoreOf(prisma: PrismaClient): BlameStore {
  let store = blameStores.get(prisma);
  if (!store) blameStores.set(prisma, (store = createPrismaBlameStore(prisma)));
  return store;
}

/**
 * A Delta turning the document at `from` into the document at `to`: the ops in between composed
 * (inverted when going back) when they are few, otherwise a text diff of the two documents.
 * `knownTo` is the document at `to` when the caller already has it.
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
    return diff(a, b);
  }
  // stateAt also checks the lower version (range, pruned history) with the same messages as `at`.
  const [lowerState, ops] = await Promise.all([stateAt(ctx, documentId, lower), ctx.services.collab.store.opsAfter(documentId, lower, upper - lower)]);
  const between = ops.filter((op) => op.version <= upper);
  if (between.length !== upper - lower) {
    throw userError('VERSION_TOO_OLD', `History between versions ${lower} and ${upper} is no longer available.`);
  }
  return changeBetween(from, to, lowerState.content, between.map((op) => op.delta));
}

/** Blame at `version` with the text of each span (H8). */
export async function blameWithText(ctx: GraphQLContext, documentId: string, version: number): Promise<BlameSpan[]> {
  const [state, blame] = await Promise.all([stateAt(ctx, documentId, version), blameStoreOf(ctx.services.prisma).blameAt(documentId, version)]);
  if (blame === null) throw userError('VERSION_TOO_OLD', `Authorship at version ${version} is not available.`);
  return blameSpans(state.content, blame.runs);
}
