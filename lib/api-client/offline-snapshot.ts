/**
 * What an editor keeps of its unconfirmed edits so that they survive a reload, a crash or a
 * closed browser (issue 20): the in-flight op with its clientSeq, the edits after it, the server
 * document they apply to and the clientId, never any credential. Plain JSON (IndexedDB stores it
 * as is); produced by CollabSession.offlineSnapshot and consumed by CollabSession.resume.
 */
export interface DeltaJson {
  readonly ops: ReadonlyArray<Record<string, unknown>>;
}

export interface OfflineSnapshot {
  readonly documentId: string;
  /** The session's clientId: resubmitting under it keeps resubmission idempotent [S2]. */
  readonly clientId: string;
  readonly title: string;
  readonly role: string;
  /** The server version `content` is at; `inFlight` and `buffer` apply to it. */
  readonly version: number;
  readonly content: DeltaJson;
  /** The op numbered `clientSeq` (the server may already have applied it), rebased to `version`. */
  readonly inFlight: { readonly clientSeq: number; readonly op: DeltaJson };
  /** Later edits, not yet numbered, applying after `inFlight`. */
  readonly buffer: DeltaJson | null;
  /** How many edits the person made (for "N changes from your last visit are being saved"). */
  readonly edits: number;
  readonly savedAt: number;
}

/** Checks stored JSON before trusting it (another version of the app may have written it). */
export function isOfflineSnapshot(value: unknown): value is OfflineSnapshot {
  const v = value as Partial<OfflineSnapshot> | null;
  const delta = (d: unknown) => typeof d === 'object' && d !== null && Array.isArray((d as DeltaJson).ops);
  return (
    typeof v === 'object' && v !== null &&
    typeof v.documentId === 'string' && typeof v.clientId === 'string' && typeof v.title === 'string' && typeof v.role === 'string' &&
    Number.isSafeInteger(v.version) && delta(v.content) &&
    typeof v.inFlight === 'object' && v.inFlight !== null && Number.isSafeInteger(v.inFlight.clientSeq) && delta(v.inFlight.op) &&
    (v.buffer === null || delta(v.buffer)) && Number.isSafeInteger(v.edits)
  );
}
