/**
 * The safety net under access events (issue 14): every live stream's viewer is checked against
 * PostgreSQL again at least every `config.accessRecheckMs` (15 s by default), so a lost
 * access-change message cannot leave a removed person reading. Messages get lost when an instance
 * dies between committing a membership change and announcing it, or while Redis is unreachable.
 *
 * One round reads the grants of every (document, viewer) pair that has a live stream on this
 * instance in batched queries of PAIRS_PER_QUERY pairs, instead of one query per stream per
 * round: ten thousand distinct (document, viewer) pairs cost twenty queries every 15 s. Each
 * round also refreshes the grants the streams' connections keep for submitting
 * (GrantCache.confirm), so typing on a followed document needs no grant read of its own.
 */
import { can, type DocumentGrant } from '../lib/auth/permissions.ts';
import type { GraphQLError } from 'graphql';
import { authorizeDocument } from './authorize.ts';
import type { GraphQLContext, Services } from './context.ts';

/** Pairs read per query in one round. */
const PAIRS_PER_QUERY = 500;

interface Watch {
  readonly ctx: GraphQLContext;
  readonly userId: string;
  readonly documentId: string;
  readonly onGrant: (grant: DocumentGrant | null) => void;
}

interface Rechecker {
  readonly watches: Set<Watch>;
  timer: ReturnType<typeof setInterval> | null;
  running: boolean;
}

const recheckers = new WeakMap<Services, Rechecker>();

/**
 * Calls `onGrant` with the viewer's current grant on the document (null: none) once per round,
 * at most `config.accessRecheckMs` apart, until the returned function is called.
 */
export function watchGrantPeriodically(ctx: GraphQLContext, documentId: string, onGrant: (grant: DocumentGrant | null) => void): () => void {
  const userId = ctx.viewer?.userId;
  if (userId === undefined) return () => {};
  const { services } = ctx;
  let rechecker = recheckers.get(services);
  if (!rechecker) recheckers.set(services, (rechecker = { watches: new Set(), timer: null, running: false }));
  const watch: Watch = { ctx, userId, documentId, onGrant };
  const r = rechecker;
  r.watches.add(watch);
  if (r.timer === null) {
    r.timer = setInterval(() => void round(services, r), services.config.accessRecheckMs);
    r.timer.unref();
  }
  return () => {
    r.watches.delete(watch);
    if (r.watches.size === 0 && r.timer !== null) {
      clearInterval(r.timer);
      r.timer = null;
    }
  };
}

/**
 * Calls `check` whenever the viewer's access to the document may have changed: on an
 * access-change message, when the Redis subscriber comes back (a message may have been lost
 * meanwhile), and at every periodic round (with the grant that round read). Answers how to stop.
 */
export async function onAccessMaybeChanged(
  ctx: GraphQLContext,
  documentId: string,
  check: (roundGrant?: DocumentGrant | null) => void,
): Promise<() => void> {
  const stopEvents = await ctx.services.accessEvents.subscribe(documentId, () => check());
  const stopReconnect = ctx.services.pubsub.onResubscribed(() => check());
  const stopPeriodic = watchGrantPeriodically(ctx, documentId, (grant) => check(grant));
  return () => {
    stopEvents();
    stopReconnect();
    stopPeriodic();
  };
}

/**
 * Rechecks read access whenever it may have changed ({@link onAccessMaybeChanged}); ends the live
 * stream (through `fail`, with the error a new subscription would get: NOT_FOUND or FORBIDDEN)
 * when it is gone.
 */
export function watchReadAccess(ctx: GraphQLContext, documentId: string, fail: (error: GraphQLError) => void): Promise<() => void> {
  return onAccessMaybeChanged(ctx, documentId, (roundGrant) => {
    // A round's grant that still allows reading needs no second read.
    if (roundGrant && ctx.viewer && can(ctx.viewer, 'read', roundGrant)) return;
    authorizeDocument(ctx, documentId, 'read').catch((error: unknown) => fail(error as GraphQLError));
  });
}

async function round(services: Services, r: Rechecker): Promise<void> {
  if (r.running || r.watches.size === 0) return;
  r.running = true;
  try {
    const readAt = Date.now();
    const watches = [...r.watches];
    const key = (documentId: string, userId: string) => `${documentId}\u0000${userId}`;
    const pairs = [...new Map(watches.map((w) => [key(w.documentId, w.userId), { documentId: w.documentId, userId: w.userId }])).values()];
    const grants = new Map<string, DocumentGrant>();
    for (let i = 0; i < pairs.length; i += PAIRS_PER_QUERY) {
      const rows = await services.prisma.documentMember.findMany({
        where: { OR: pairs.slice(i, i + PAIRS_PER_QUERY) },
        select: { documentId: true, userId: true, role: true, document: { select: { deletedAt: true } } },
      });
      for (const row of rows) grants.set(key(row.documentId, row.userId), { kind: 'document', role: row.role, deleted: row.document.deletedAt !== null });
    }
    for (const w of watches) {
      if (!r.watches.has(w)) continue;
      const grant = grants.get(key(w.documentId, w.userId)) ?? null;
      // The stream's connection submits with the grant it keeps (graphql/grant-cache.ts): this
      // read refreshes it, so a follower who types slowly costs no grant read per op (issue 16).
      w.ctx.connection?.grants?.confirm(w.documentId, grant, readAt);
      w.onGrant(grant);
    }
  } catch (error) {
    // PostgreSQL unreachable: nothing to decide this round; the next one tries again.
    services.logger.warn({ err: error }, 'access recheck round failed');
  } finally {
    r.running = false;
  }
}
