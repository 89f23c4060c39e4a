/**
 * History (issue 6): the change between two versions, the revision list, named versions,
 * restoring a version [H14], and blame. Reads need `read`; naming `manage`, restoring `edit`
 * (lib/auth/permissions.ts). Rules H1–H14 are in lib/collab/SPEC.md.
 *
 * Bounded work (issue 21): ops between two versions are read and composed in slices of
 * `OPS_PER_SLICE`, yielding to the event loop between slices; versions further apart are compared
 * by a text diff in a worker thread (./history-worker.ts) within the request's budget of
 * `HISTORY_DIFF_BUDGET_MS`, past which the request is refused with LIMIT_EXCEEDED.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { blameSpans, type BlameSpan } from '../collab/blame.ts';
import { composeAll, MAX_OPS_TO_COMPOSE, OPS_PER_SLICE } from '../collab/history-diff.ts';
import type { OpStore } from '../collab/op-store.ts';
import type { Config } from '../config.ts';
import type { BlameStore } from '../db/blame-store.ts';
import type { PrismaClient } from '../db/prisma.ts';
import { nameVersion, restoreClientId, revisionsPage, type StoredRevision } from '../db/revisions.ts';
import { compose, Delta, invert } from '../ot/operation.ts';
import type { DocumentAccess } from './access.ts';
import { diffOffThread } from './history-worker.ts';
import { MAX_CLIENT_ID_LENGTH, type Operations } from './operations.ts';
import type { DocumentReads } from './reads.ts';
import { rejected, type Rejected, type RequestScope } from './types.ts';
import { cursorCodec, pageSizeProblem } from './paging.ts';

export const MAX_REVISIONS_PAGE = 100;
export const MAX_VERSION_NAME_LENGTH = 200;
/** Most blame spans one request may ask for. */
export const MAX_BLAME_PAGE = 5_000;
/** A restore's key is stored behind the `restore:` prefix [H3b], within the clientId limit. */
export const MAX_RESTORE_KEY_LENGTH = MAX_CLIENT_ID_LENGTH - 'restore:'.length;

/** A page of blame: `spans` from the `skip`-th of `total`, at `version`. */
export interface BlamePage {
  readonly kind: 'blame';
  readonly version: number;
  readonly spans: BlameSpan[];
  readonly total: number;
  readonly skip: number;
  readonly hasNextPage: boolean;
  /** Pass as `after` for the next page; null when this page is empty. */
  readonly endCursor: string | null;
}

export interface RevisionsPage {
  readonly kind: 'page';
  readonly items: Array<{ cursor: string; node: StoredRevision }>;
  readonly hasNextPage: boolean;
}

/** What a restore did: applied (or a retry of one: duplicate), or nothing when the head already has that content. */
export type Restored = { readonly kind: 'applied' | 'duplicate' | 'unchanged'; readonly version: number; readonly delta: Delta };

export interface History {
  /**
   * A Delta turning the document at `from` into the document at `to`: the ops in between composed
   * (inverted when going back) when they are few, otherwise a text diff of the two documents.
   * `knownTo` is the document at `to` when the caller already has it. Access is the caller's to check.
   */
  changeBetween(scope: RequestScope, documentId: string, from: number, to: number, knownTo?: Delta): Promise<{ kind: 'change'; delta: Delta } | Rejected>;
  /** History entries, newest first, `first` after the cursor `after`. */
  revisions(scope: RequestScope, documentId: string, page: { first: number; after: string | null }): Promise<RevisionsPage | Rejected>;
  /** Who inserted each part of the text at `version` (default: head, or the version of `after`). */
  blame(scope: RequestScope, documentId: string, page: { version: number | null; first: number; after: string | null }): Promise<BlamePage | Rejected>;
  /** Names a version (1 to head); naming it again renames it. */
  nameVersion(scope: RequestScope, input: { documentId: string; version: number; name: string }): Promise<{ kind: 'named'; revision: StoredRevision } | Rejected>;
  /** restoreVersion [H14]: the change from head to `version`, submitted at the head version. */
  restore(scope: RequestScope, input: { documentId: string; version: number; clientId: string | null; clientSeq: number | null }): Promise<Restored | Rejected>;
}

export interface HistoryDeps {
  readonly prisma: PrismaClient;
  readonly store: OpStore;
  readonly reads: DocumentReads;
  readonly access: DocumentAccess;
  readonly operations: Operations;
  readonly blame: BlameStore;
  readonly config: Pick<Config, 'historyDiffBudgetMs'>;
}

const revisionCursor = cursorCodec<number>(
  (toVersion) => `rev:${toVersion}`,
  (text) => {
    const match = /^rev:(\d{1,15})$/.exec(text);
    return match ? Number(match[1]) : null;
  },
);

const blameCursor = cursorCodec<{ version: number; skip: number }>(
  ({ version, skip }) => `blame:${version}:${skip}`,
  (text) => {
    const match = /^blame:(\d{1,15}):(\d{1,15})$/.exec(text);
    return match ? { version: Number(match[1]), skip: Number(match[2]) } : null;
  },
  '`after` is not a blame cursor this API gave out; pass `pageInfo.endCursor` from the previous page.',
);

export function createHistory(deps: HistoryDeps): History {
  const { prisma, store, reads } = deps;
  /**
   * When the request's diffing budget runs out: fixed by its first text diff, so thirty aliased
   * `diff` fields share one budget instead of having thirty.
   */
  const deadlines = new WeakMap<RequestScope, number>();
  const diffDeadline = (scope: RequestScope): number => {
    let deadline = deadlines.get(scope);
    if (deadline === undefined) deadlines.set(scope, (deadline = Date.now() + deps.config.historyDiffBudgetMs));
    return deadline;
  };

  const changeBetween: History['changeBetween'] = async (scope, documentId, from, to, knownTo) => {
    const lower = Math.min(from, to);
    const upper = Math.max(from, to);
    const head = await reads.head(scope, documentId);
    if (head.kind === 'rejected') return head;
    if (upper > head.state.version) {
      return rejected('VERSION_AHEAD', `Version ${upper} is past the head version ${head.state.version}. Ask for a version from 0 to the document's current version.`);
    }
    if (upper - lower > MAX_OPS_TO_COMPOSE) {
      const [a, b] = await Promise.all([reads.at(documentId, from), knownTo ? null : reads.at(documentId, to)]);
      if (a.kind === 'rejected') return a;
      if (b?.kind === 'rejected') return b;
      const outcome = await diffOffThread(a.state.content, knownTo ?? b!.state.content, diffDeadline(scope), scope.viewer ? { userId: scope.viewer.userId, request: scope } : null);
      if (outcome.kind === 'done') return { kind: 'change', delta: outcome.delta };
      const budget = deps.config.historyDiffBudgetMs;
      if (outcome.kind === 'busy') {
        return rejected('RATE_LIMITED', `You are already comparing distant versions in another request; wait for it to finish, then ask again.`, {
          retryAfterSeconds: Math.max(1, Math.ceil(budget / 1000)),
        });
      }
      scope.logger.warn({ documentId, from, to, budgetMs: budget }, 'history diff over budget');
      return rejected(
        'LIMIT_EXCEEDED',
        `Comparing versions ${from} and ${to} takes more than this server allows one request (${budget} ms). Compare versions closer together (up to ${MAX_OPS_TO_COMPOSE} operations apart always works), or ask the administrator to raise HISTORY_DIFF_BUDGET_MS.`,
        { limit: 'historyDiffBudgetMs', max: budget },
      );
    }
    // `at` also checks the lower version (range, pruned history) with the same messages as `Document.at`.
    const lowerState = await reads.at(documentId, lower);
    if (lowerState.kind === 'rejected') return lowerState;
    let forward = new Delta();
    for (let after = lower; after < upper; ) {
      const slice = await store.opsAfter(documentId, after, Math.min(OPS_PER_SLICE, upper - after));
      if (slice.length === 0 || slice.some((op, i) => op.version !== after + 1 + i)) {
        return rejected('VERSION_TOO_OLD', `History between versions ${lower} and ${upper} is no longer available.`);
      }
      forward = compose(forward, composeAll(slice.map((op) => op.delta)));
      after += slice.length;
      if (after < upper) await yieldToEventLoop();
    }
    return { kind: 'change', delta: to >= from ? forward : invert(forward, lowerState.state.content) };
  };

  /**
   * Names the restore's version [H3b] so that the restore is an entry of its own op (the op opened
   * it; the name closes it, splitting off anything committed meanwhile). The restore is durable
   * already: a failure here is logged, not answered.
   */
  const closeRestoreEntry = async (scope: RequestScope, documentId: string, restoredAt: number, restoredVersion: number): Promise<void> => {
    try {
      const source = await prisma.namedVersion.findUnique({ where: { documentId_version: { documentId, version: restoredVersion } }, select: { name: true } });
      let label: string;
      if (source) label = `“${source.name}”`;
      else {
        const state = await reads.at(documentId, restoredVersion);
        if (state.kind === 'rejected') throw new Error(`${state.code}: ${state.message}`);
        label = `the text of ${state.state.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      }
      const name = `Restored ${label}`.slice(0, MAX_VERSION_NAME_LENGTH);
      const result = await nameVersion(prisma, { documentId, version: restoredAt, name, createdById: scope.viewer?.userId ?? null });
      if (result.kind === 'rejected') scope.logger.warn({ documentId, restoredAt, code: result.code }, 'restore entry not named');
    } catch (error) {
      scope.logger.warn({ documentId, restoredAt, err: error }, 'restore entry not named');
    }
  };

  return {
    changeBetween,

    async revisions(scope, documentId, { first, after }) {
      const allowed = await deps.access.check(scope.viewer, documentId, 'read');
      if (allowed.kind === 'rejected') return allowed;
      const size = pageSizeProblem(first, MAX_REVISIONS_PAGE);
      if (size) return size;
      const before = after ? revisionCursor.decode(after) : undefined;
      if (typeof before === 'object') return before;
      const page = await revisionsPage(prisma, documentId, { first, ...(before === undefined ? {} : { beforeToVersion: before }) });
      return { kind: 'page', items: page.revisions.map((node) => ({ cursor: revisionCursor.encode(node.toVersion), node })), hasNextPage: page.hasNextPage };
    },

    async blame(scope, documentId, page) {
      const allowed = await deps.access.check(scope.viewer, documentId, 'read');
      if (allowed.kind === 'rejected') return allowed;
      const { first } = page;
      const size = pageSizeProblem(first, MAX_BLAME_PAGE);
      if (size) return size;
      const position = page.after ? blameCursor.decode(page.after) : null;
      if (position !== null && 'kind' in position) return position;
      if (position && page.version !== null && page.version !== position.version) {
        return rejected('BAD_USER_INPUT', `\`after\` continues the blame of version ${position.version}, not ${page.version}; leave \`version\` out or start again without \`after\`.`);
      }
      let version = position?.version ?? page.version;
      if (version === null) {
        const head = await reads.head(scope, documentId);
        if (head.kind === 'rejected') return head;
        version = head.state.version;
      }
      const skip = position?.skip ?? 0;
      // A page of blame at `version` with the text of each span (H8); the text is cut for the page only.
      const [state, blame] = await Promise.all([reads.at(documentId, version), deps.blame.blameAt(documentId, version)]);
      if (state.kind === 'rejected') return state;
      if (blame === null) return rejected('VERSION_TOO_OLD', `Authorship at version ${version} is not available.`);
      const spans = blameSpans(state.state.content, blame.runs, { skip, first });
      const next = skip + spans.length;
      const total = blame.runs.length;
      return { kind: 'blame', version, spans, total, skip, hasNextPage: next < total, endCursor: spans.length > 0 ? blameCursor.encode({ version, skip: next }) : null };
    },

    async nameVersion(scope, input) {
      const allowed = await deps.access.check(scope.viewer, input.documentId, 'manage');
      if (allowed.kind === 'rejected') return allowed;
      const name = input.name.trim();
      if (name.length === 0 || name.length > MAX_VERSION_NAME_LENGTH) {
        return rejected('BAD_USER_INPUT', `A version name must have 1 to ${MAX_VERSION_NAME_LENGTH} characters (after trimming); this one has ${name.length}.`);
      }
      const result = await nameVersion(prisma, { documentId: allowed.document.id, version: input.version, name, createdById: scope.viewer?.userId ?? null });
      return result.kind === 'rejected' ? rejected(result.code, result.message) : result;
    },

    async restore(scope, { documentId, version, clientId, clientSeq }) {
      const allowed = await deps.access.check(scope.viewer, documentId, 'edit');
      if (allowed.kind === 'rejected') return allowed;
      const { document } = allowed;
      if ((clientId === null) !== (clientSeq === null)) {
        return rejected('BAD_USER_INPUT', 'Pass both clientId and clientSeq (to make the restore safe to retry), or neither.');
      }
      if (clientId !== null && (clientId.length === 0 || clientId.length > MAX_RESTORE_KEY_LENGTH)) {
        return rejected('BAD_USER_INPUT', `clientId must have 1 to ${MAX_RESTORE_KEY_LENGTH} characters.`);
      }
      if (clientId !== null && clientSeq !== null) {
        // A retry of a restore that was applied must not restore again over later edits.
        const previous = await store.findByClientSeq(document.id, restoreClientId(version, { clientId }, ''), clientSeq);
        // Only the caller's own op [PL7]: another user's key goes on to the sequencer, which refuses it.
        if (previous && previous.authorId === scope.viewer!.userId) return { kind: 'duplicate', version: previous.version, delta: previous.delta };
      }
      const [head, target] = await Promise.all([reads.head(scope, document.id), reads.at(document.id, version)]);
      if (head.kind === 'rejected') return head;
      if (target.kind === 'rejected') return target;
      // Compare contents, not the change: composed ops may hold no-op parts (a format set and unset).
      if (isDeepStrictEqual(head.state.content.ops, target.state.content.ops)) return { kind: 'unchanged', version: head.state.version, delta: new Delta() };
      const change = await changeBetween(scope, document.id, head.state.version, version, target.state.content);
      if (change.kind === 'rejected') return change;
      const submitted = await deps.operations.submit(
        scope,
        {
          documentId: document.id,
          baseVersion: head.state.version,
          // Without a key every restore is a new op: a unique clientId makes (clientId, 1) unique.
          clientId: restoreClientId(version, clientId === null ? null : { clientId }, randomUUID()),
          clientSeq: clientSeq ?? 1,
          delta: { ops: change.delta.ops },
        },
        { restore: true },
      );
      if (submitted.kind === 'applied') await closeRestoreEntry(scope, document.id, submitted.version, version);
      return submitted;
    },
  };
}
