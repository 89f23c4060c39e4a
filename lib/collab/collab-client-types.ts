/**
 * Data of the collab client's boundary: what the transport must do, the events the client
 * emits, and the status a "Saved / Saving… / Offline — N pending" indicator needs.
 */
import type { Delta, Selection } from '../ot/operation.ts';
import type { AppliedOp, Submission } from './types.ts';

/** Sends a submission to the server; the answer comes back through `CollabClient.receiveAck`. */
export interface ClientTransport {
  send(submission: Submission): void;
}

/** What the client needs of an op from the server's op stream. */
export type RemoteOp = Pick<AppliedOp, 'version' | 'delta' | 'clientId' | 'clientSeq'>;

/** The state machine's states (C1–C8). */
export type ClientStateKind = 'synchronized' | 'awaitingConfirm' | 'awaitingWithBuffer' | 'desynchronized';

/** A snapshot of the client for the UI. */
export interface ClientStatus {
  readonly state: ClientStateKind;
  readonly connected: boolean;
  /** The last server version the client has incorporated. */
  readonly version: number;
  /** Local edits (applyLocal calls) the server has not confirmed yet. */
  readonly pendingEdits: number;
}

/** Events from the client, in the order things happened. Handlers may call back into the client. */
export type ClientEvent =
  /** Apply `op` to the editor: a remote op transformed over local unconfirmed edits [C3]. */
  | { readonly type: 'remoteOp'; readonly op: Delta; readonly version: number; readonly selection: Selection | null }
  | { readonly type: 'status'; readonly status: ClientStatus }
  /**
   * The server refused the in-flight op for a reason that may pass (e.g. other writers kept
   * winning); the op stays in flight. Call `resend()` after a delay [C9].
   */
  | { readonly type: 'retryableRejection'; readonly code: string; readonly message: string }
  /**
   * The client cannot continue from its state (VERSION_AHEAD, VERSION_TOO_OLD, an op the server
   * refused…). Reload the document and call `resync`; `unconfirmed` holds the local edits the
   * server never confirmed, against the document at `version`, so the UI can offer them [C8].
   */
  | {
      readonly type: 'desynchronized';
      readonly code: string;
      readonly message: string;
      readonly version: number;
      readonly unconfirmed: Delta | null;
    };

/** The answer to `applyLocal`. */
export type ApplyLocalResult =
  | { readonly kind: 'applied'; readonly document: Delta }
  | { readonly kind: 'refused'; readonly code: 'BAD_USER_INPUT' | 'PAYLOAD_TOO_LARGE' | 'DESYNCHRONIZED'; readonly message: string };

/** What a save indicator shows. */
export type SaveIndicator =
  | { readonly kind: 'saved' }
  | { readonly kind: 'saving'; readonly pendingEdits: number }
  | { readonly kind: 'offline'; readonly pendingEdits: number }
  | { readonly kind: 'error' };

/** Maps a status to "Saved", "Saving…", "Offline — N pending" or an error. */
export function saveIndicator(status: ClientStatus): SaveIndicator {
  if (status.state === 'desynchronized') return { kind: 'error' };
  if (!status.connected) return { kind: 'offline', pendingEdits: status.pendingEdits };
  if (status.pendingEdits > 0) return { kind: 'saving', pendingEdits: status.pendingEdits };
  return { kind: 'saved' };
}
