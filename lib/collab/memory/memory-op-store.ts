/**
 * In-memory `OpStore`: the reference implementation of the port, for tests, the simulation and
 * single-process tools. Every method crosses an `await` before touching state so callers see the
 * same interleavings as with a real database, and each check-and-write happens in one
 * synchronous step, which is what makes `append` atomic here.
 */
import type { Delta } from '../../ot/operation.ts';
import type { AppendResult, CreateResult, HeadState, OpStore } from '../op-store.ts';
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
  readonly snapshots: Snapshot[]; // ascending by version, starts with version 0
  head: Snapshot;
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
      documents.set(documentId, { ops: [], byClientSeq: new Map(), snapshots: [snapshot], head: snapshot });
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

    async append(documentId: string, expectedVersion: number, op: AppliedOp, contentAfter: Delta): Promise<AppendResult> {
      if (op.version !== expectedVersion + 1 || op.documentId !== documentId) {
        throw new Error(`append: op ${op.documentId}@${op.version} does not follow ${documentId}@${expectedVersion}`);
      }
      await tick();
      const log = documents.get(documentId);
      if (!log || log.ops.length !== expectedVersion) return { kind: 'conflict' };
      const existing = log.byClientSeq.get(seqKey(op.clientId, op.clientSeq));
      if (existing) return { kind: 'duplicate', existing };
      const stored = Object.freeze({ ...op });
      log.ops.push(stored);
      log.byClientSeq.set(seqKey(op.clientId, op.clientSeq), stored);
      log.head = Object.freeze({ documentId, version: op.version, content: contentAfter, createdAt: op.createdAt });
      return { kind: 'appended' };
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

function latestAtOrBelow(log: DocumentLog, version: number): Snapshot {
  let found = log.snapshots[0];
  for (const s of log.snapshots) if (s.version <= version) found = s;
  if (!found) throw new Error('invariant: every document has a version-0 snapshot');
  return found;
}
