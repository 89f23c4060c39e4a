/**
 * In-memory `OpStore`: the reference implementation of the port, for tests, the simulation and
 * single-process tools. Every method crosses an `await` before touching state so callers see the
 * same interleavings as with a real database, and each check-and-write happens in one
 * synchronous step, which is what makes `commit` atomic here: the planned head still true → the
 * plan is written; else the batch is planned again on the head as it is and that is written
 * (PostgreSQL's locked fallback, without the lock: nothing else runs during a synchronous step).
 */
import type { Delta } from '../../ot/operation.ts';
import { replay } from '../document-loader.ts';
import { INITIAL_FINGERPRINT, TAIL_LENGTH, type KnownHead } from '../known-head.ts';
import type { CommitRequest, CommitResult, CreateResult, HeadState, OpStore } from '../op-store.ts';
import type { RevisionSpan } from '../revisions.ts';
import type { AppliedOp, Snapshot } from '../types.ts';

export interface MemoryOpStoreOptions {
  /**
   * true (default): keep the content at head from `append`'s `contentAfter`, as a ShareDB-style
   * store would. false: ignore it and answer `head` with the latest snapshot plus the ops after
   * it, as a snapshot-every-N store would. Both satisfy the contract.
   */
  readonly keepHeadContent?: boolean;
}

interface DocumentLog {
  readonly ops: AppliedOp[]; // ops[i].version === i + 1
  readonly byClientSeq: Map<string, AppliedOp>;
  /** clientId → the author who first wrote with it [P10]. */
  readonly writers: Map<string, string | null>;
  readonly snapshots: Snapshot[]; // ascending by version, starts with version 0
  head: Snapshot;
  /** Revision spans, oldest first (grouped by the planner's `groupOnto`). */
  readonly spans: RevisionSpan[];
  /** The head's fingerprint, as the last commit named it [K5]. */
  fingerprint: string;
}

const seqKey = (clientId: string, clientSeq: number): string => `${clientSeq}\u0000${clientId}`;
const tick = (): Promise<void> => Promise.resolve();

/** Creates an empty in-memory op store. */
export function createMemoryOpStore(options: MemoryOpStoreOptions = {}): OpStore {
  const keepHeadContent = options.keepHeadContent ?? true;
  const documents = new Map<string, DocumentLog>();

  return {
    async createDocument(documentId: string, content: Delta, createdAt: Date): Promise<CreateResult> {
      await tick();
      if (documents.has(documentId)) return { kind: 'exists' };
      const snapshot: Snapshot = Object.freeze({ documentId, version: 0, content, createdAt });
      documents.set(documentId, { ops: [], byClientSeq: new Map(), writers: new Map(), snapshots: [snapshot], head: snapshot, spans: [], fingerprint: INITIAL_FINGERPRINT });
      return { kind: 'created' };
    },

    async head(documentId: string): Promise<HeadState | null> {
      await tick();
      const log = documents.get(documentId);
      if (!log) return null;
      const version = log.ops.length;
      if (keepHeadContent) return { version, snapshot: log.head, ops: [] };
      const snapshot = latestAtOrBelow(log, version);
      return { version, snapshot, ops: log.ops.slice(snapshot.version) };
    },

    async headVersions(documentIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
      await tick();
      const versions = new Map<string, number>();
      for (const id of documentIds) {
        const log = documents.get(id);
        if (log) versions.set(id, log.ops.length);
      }
      return versions;
    },

    async load(documentId: string, historyAfter?: number): Promise<KnownHead | null> {
      await tick();
      const log = documents.get(documentId);
      return log ? knownHead(log, keepHeadContent, historyAfter) : null;
    },

    async commit(request: CommitRequest): Promise<CommitResult> {
      await tick();
      const log = documents.get(request.documentId);
      if (!log) return { kind: 'gone' };
      const planned = request.planned;
      const plan = isHead(log, planned.head) ? planned : request.replan(knownHead(log, keepHeadContent, request.historyAfter));
      plan.ops.forEach((op, i) => {
        if (op.documentId !== request.documentId || op.version !== log.ops.length + i + 1) {
          throw new Error(`commit: op ${op.documentId}@${op.version} at position ${i} does not follow ${request.documentId}@${log.ops.length}`);
        }
      });
      const existing = plan.ops.flatMap((op) => log.byClientSeq.get(seqKey(op.clientId, op.clientSeq)) ?? []);
      if (existing.length > 0) return { kind: 'duplicate', existing };
      const foreign = plan.ops.filter((op) => log.writers.has(op.clientId) && log.writers.get(op.clientId) !== op.authorId).map((op) => op.clientId);
      if (foreign.length > 0) return { kind: 'foreign', clientIds: [...new Set(foreign)] };
      for (const op of plan.ops) {
        const stored = Object.freeze({ ...op });
        log.ops.push(stored);
        log.byClientSeq.set(seqKey(op.clientId, op.clientSeq), stored);
        if (!log.writers.has(op.clientId)) log.writers.set(op.clientId, op.authorId);
      }
      if (plan.spans.grown) log.spans[log.spans.length - 1] = plan.spans.grown;
      log.spans.push(...plan.spans.opened);
      const last = plan.ops[plan.ops.length - 1];
      if (last) log.head = Object.freeze({ documentId: request.documentId, version: last.version, content: plan.next.content, createdAt: last.createdAt });
      if (last) log.fingerprint = plan.next.fingerprint;
      return { kind: 'committed', plan };
    },

    async opsAfter(documentId: string, afterVersion: number, limit?: number): Promise<readonly AppliedOp[]> {
      await tick();
      const log = documents.get(documentId);
      if (!log) return [];
      const start = Math.max(0, afterVersion);
      return log.ops.slice(start, limit === undefined ? undefined : start + Math.max(0, limit));
    },

    async findByClientSeq(documentId: string, clientId: string, clientSeq: number): Promise<AppliedOp | null> {
      await tick();
      return documents.get(documentId)?.byClientSeq.get(seqKey(clientId, clientSeq)) ?? null;
    },

    async saveSnapshot(snapshot: Snapshot): Promise<void> {
      await tick();
      const log = documents.get(snapshot.documentId);
      if (!log) throw new Error(`saveSnapshot: no document ${snapshot.documentId}`);
      if (snapshot.version > log.ops.length) {
        throw new Error(`saveSnapshot: version ${snapshot.version} is past head ${log.ops.length}`);
      }
      if (log.snapshots.some((s) => s.version === snapshot.version)) return;
      log.snapshots.push(Object.freeze({ ...snapshot }));
      log.snapshots.sort((a, b) => a.version - b.version);
    },

    async latestSnapshotAtOrBelow(documentId: string, version: number): Promise<Snapshot | null> {
      await tick();
      const log = documents.get(documentId);
      if (!log || version < 0) return null;
      return latestAtOrBelow(log, version);
    },
  };
}

/**
 * Whether `head` is still exactly the stored head: version, epoch and fingerprint, the checks
 * PostgreSQL makes on the locked row [P11] (the fingerprint covers the ops and the newest span,
 * so a head planned on a predecessor that committed another plan, or none, is not the head).
 */
function isHead(log: DocumentLog, head: KnownHead): boolean {
  return log.ops.length === head.version && head.historyEpoch === 0 && head.fingerprint === log.fingerprint;
}

function knownHead(log: DocumentLog, keepHeadContent: boolean, historyAfter = Infinity): KnownHead {
  const version = log.ops.length;
  const snapshot = latestAtOrBelow(log, version);
  const content = keepHeadContent ? log.head.content : replay(snapshot, log.ops.slice(snapshot.version)).content;
  const newest = log.spans[log.spans.length - 1];
  return {
    version,
    content,
    createdAt: log.ops[version - 1]?.createdAt ?? log.snapshots[0]!.createdAt,
    historyEpoch: 0,
    newest: newest ? { span: newest, closed: false } : null,
    tail: log.ops.slice(Math.max(0, Math.min(historyAfter, version - TAIL_LENGTH))),
    fingerprint: log.fingerprint,
  };
}

function latestAtOrBelow(log: DocumentLog, version: number): Snapshot {
  let found = log.snapshots[0];
  for (const s of log.snapshots) if (s.version <= version) found = s;
  if (!found) throw new Error('invariant: every document has a version-0 snapshot');
  return found;
}
